import Audit
import Foundation
import Partnership
import Register
import Revenues
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Housing benefit and council tax reduction claims: taken at the desk (or by a partner's adviser over the API), assessed
/// by the same engine as the checker, decided, and the decision put on the council tax account as a reduction (a new
/// bill) in the transaction that records it. Reads follow the `benefits` sharing category; changes are to the actor's
/// own organisation's claims, each audited.
public struct Claims: Sendable {
    public static let migrations = ClaimStore.migrations
    let database: Database
    let benefits: Benefits
    let register: Register
    let revenues: Revenues

    public init(database: Database, benefits: Benefits, register: Register, revenues: Revenues) {
        self.database = database; self.benefits = benefits; self.register = register; self.revenues = revenues
    }

    public struct NewClaim: Sendable {
        public var kind: String?
        public var personID: String
        public var accountID: String?
        public var previousClaimID: String?
        public var receivedOn: String?
        public var effectiveFrom: String?
        public var household: EstimateInput
        public var note: String?

        public init(kind: String? = nil, personID: String, accountID: String? = nil, previousClaimID: String? = nil,
                    receivedOn: String? = nil, effectiveFrom: String? = nil, household: EstimateInput, note: String? = nil) {
            self.kind = kind; self.personID = personID; self.accountID = accountID; self.previousClaimID = previousClaimID
            self.receivedOn = receivedOn; self.effectiveFrom = effectiveFrom; self.household = household; self.note = note
        }
    }

    /// Records a new claim or a change of circumstances as received. The household is checked as the checker checks it
    /// (every field named as `household.…`), so a claim that cannot be assessed is refused now, not at assessment.
    public func take(_ input: NewClaim, by actor: Actor, now: Timestamp = .now) async throws -> Claim {
        try actor.require(.benefitsClaim)
        let today = LocalDate.today(at: now.date)
        let kind = try input.kind.map { raw in
            guard let k = Claim.Kind(rawValue: raw) else {
                throw TownhallError.invalid("kind", "kind is one of \(Claim.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            return k
        } ?? .newClaim
        let person = try PersonID.parse(input.personID, field: "person_id")
        guard try await register.visiblePerson(id: person, by: actor) != nil else {
            throw TownhallError.notFound("Person \(person)", field: "person_id")
        }
        let received = try Self.date(input.receivedOn, field: "received_on") ?? today
        guard received <= today else { throw TownhallError.invalid("received_on", "A claim cannot be received after today (\(today)).") }
        guard received.dayNumber >= today.dayNumber - 366 else {
            throw TownhallError.invalid("received_on", "A claim received more than a year ago is backdating: record it as received today.")
        }
        let effective = try Self.date(input.effectiveFrom, field: "effective_from") ?? received
        let note = try Self.note(input.note)
        _ = try await Self.inHousehold { try await benefits.estimate(input.household) }

        var previous: Claim?
        if kind == .change {
            guard let raw = input.previousClaimID else {
                throw TownhallError.missing("previous_claim_id", "A change of circumstances names the claim it changes.")
            }
            let id = try ClaimID.parse(raw, field: "previous_claim_id")
            let found: Claim
            do { found = try await ownClaim(id, actor: actor) } catch let e as TownhallError where e.kind == .notFound {
                throw TownhallError.notFound("Claim \(id)", field: "previous_claim_id")
            }
            guard found.personID == person else {
                throw TownhallError.invalid("previous_claim_id", "Claim \(found.reference) is another person's.")
            }
            guard [.decided, .notified, .suspended].contains(found.status) else {
                throw TownhallError.conflict("Claim \(found.reference) has not been decided: change its household before deciding it.",
                                             code: "not_decided", field: "previous_claim_id")
            }
            guard effective > found.effectiveFrom else {
                throw TownhallError.invalid("effective_from", "A change takes effect after the award it changes began (\(found.effectiveFrom)).")
            }
            previous = found
        } else if input.previousClaimID != nil {
            throw TownhallError.invalid("previous_claim_id", "Only a change of circumstances names a previous claim.")
        }
        var account = try input.accountID.map { try RevenuesAccountID.parse($0, field: "account_id") } ?? previous?.accountID
        if let id = account {
            let view = try await revenues.account(id: id, by: actor, today: today)
            guard view.account.tax == .councilTax, view.account.organisationID == actor.organisationID else {
                throw TownhallError.invalid("account_id", "Give one of your council's council tax accounts.")
            }
            account = view.account.id
        }
        let accountID = account, previousClaim = previous
        return try await database.transaction { db in
            // One claim of each kind with the team at a time: a second form for the same person is evidence for the first.
            if let open = try await ClaimStore.claims(ClaimStore.Filter(person: person, openOnly: true), organisations: [actor.organisationID],
                                                      after: nil, limit: 50, on: db).first(where: { $0.kind == kind }) {
                throw TownhallError.conflict("\(open.reference) is already with the benefits team for this person (\(open.status.title.lowercased())); "
                                             + "add to it rather than take another.", code: "claim_open", field: "person_id")
            }
            let claim = Claim(id: ClaimID(), organisationID: actor.organisationID,
                              reference: try await ClaimStore.nextReference(organisation: actor.organisationID, on: db),
                              kind: kind, personID: person, accountID: accountID, previousClaimID: previousClaim?.id, status: .received,
                              household: input.household, receivedOn: received, effectiveFrom: effective, decidedOn: nil,
                              notifiedOn: nil, assessment: nil, awardAdjustmentID: nil,
                              events: [Claim.Event(status: .received, on: received, at: now, by: actor.label, note: note)],
                              createdAt: now, version: 1)
            try await ClaimStore.insert(claim, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "benefit_claim", entityID: claim.id.string,
                                                 subject: person, changes: ["kind": .init(old: nil, new: kind.rawValue),
                                                                            "reference": .init(old: nil, new: claim.reference)],
                                                 at: now), on: db)
            return claim
        }
    }

    /// Moves a claim on by one step, dated `on` (today when not given). Assessing runs the engine on the household;
    /// deciding fixes the award and, where the claim names a council tax account, puts the reduction on it in the same
    /// transaction (ending the award a change replaces). `version` refuses a step on a claim changed since it was read.
    public func act(_ id: ClaimID, _ action: Claim.Action, on day: String? = nil, note: String? = nil, household: EstimateInput? = nil,
                    version: Int? = nil, by actor: Actor, now: Timestamp = .now) async throws -> Claim {
        try actor.require(.benefitsAssess)
        let today = LocalDate.today(at: now.date)
        let day = try Self.date(day, field: "on") ?? today
        let note = try Self.note(note)
        guard day <= today else { throw TownhallError.invalid("on", "A step cannot be dated after today (\(today)).") }
        guard household == nil || action == .assess else {
            throw TownhallError.invalid("household", "Only an assessment takes a corrected household.")
        }
        // The engine reads the council's charges itself, so an assessment runs it before the transaction, on the claim
        // as read then; other steps read the claim only inside it.
        let read = action == .assess ? try await ownClaim(id, actor: actor) : nil
        var assessed: Claim.Assessment?
        if let read {
            let estimate = try await Self.inHousehold { try await benefits.estimate(household ?? read.household) }
            assessed = Claim.Assessment(fiscalYear: estimate.fiscalYear, housingBenefit: estimate.housingBenefit,
                                        councilTaxReduction: estimate.councilTaxReduction, councilTaxNet: estimate.councilTaxNet,
                                        assessedOn: day)
        }
        let assessment = assessed
        return try await database.transaction { db in
            guard var claim = try await ClaimStore.claim(id, organisations: [actor.organisationID], on: db) else {
                throw TownhallError.notFound("Claim \(id)")
            }
            if let version, version != claim.version {
                throw TownhallError.conflict("Claim \(claim.reference) has changed since you opened it; reload it and try again.",
                                             code: "stale_version", field: "version")
            }
            // Concurrent steps: the claim read for the engine must be the one changed.
            guard read.map({ $0.version == claim.version }) ?? true else {
                throw TownhallError.conflict("Claim \(claim.reference) changed while it was being assessed; try again.", code: "stale_version")
            }
            let status = try action.next(from: claim.status)
            guard day >= claim.receivedOn, day >= (claim.events.last?.on ?? claim.receivedOn) else {
                throw TownhallError.invalid("on", "The step cannot be dated before the claim's last step (\(claim.events.last?.on ?? claim.receivedOn)).")
            }
            let before = claim.events.count
            var changes: [String: AuditEntry.FieldChange] = ["status": .init(old: claim.status.rawValue, new: status.rawValue)]
            switch action {
            case .assess:
                if let household { claim.household = household }
                claim.assessment = assessment
                changes["council_tax_reduction"] = .init(old: nil, new: Money.format(assessment?.councilTaxReduction ?? 0))
                changes["housing_benefit"] = .init(old: nil, new: Money.format(assessment?.housingBenefit ?? 0))
            case .decide:
                claim.decidedOn = day
                claim.awardAdjustmentID = try await award(claim, actor: actor, now: now, on: db)
            case .notify:
                claim.notifiedOn = day
            case .requestEvidence, .suspend, .resume, .withdraw:
                break
            }
            claim.status = status
            claim.version += 1
            claim.events.append(Claim.Event(status: status, on: day, at: now, by: actor.label, note: note))
            try await ClaimStore.update(claim, newEvents: claim.events[before...], on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "benefit_claim", entityID: claim.id.string,
                                                 subject: claim.personID, changes: changes, at: now), on: db)
            return claim
        }
    }

    /// Puts the decided reduction on the council tax account for the rest of the assessed year, ending the award of the
    /// claim a change replaces. Nothing to do where the claim names no account.
    func award(_ claim: Claim, actor: Actor, now: Timestamp, on db: any SQLDatabase) async throws -> String? {
        guard let account = claim.accountID, let assessment = claim.assessment else { return nil }
        let year = try FinancialYear(parsing: assessment.fiscalYear, field: "fiscal_year")
        let previous = try await claim.previousClaimID.asyncMap { try await ClaimStore.claim($0, organisations: [actor.organisationID], on: db) }
        let replacing = previous?.flatMap(\.awardAdjustmentID)
        guard assessment.councilTaxReduction > 0 || replacing != nil else { return nil }
        let from = max(claim.effectiveFrom, year.start)
        guard from <= year.end else {
            throw TownhallError.invalid("effective_from", "The claim takes effect after the year it was assessed for (\(year)): assess it for the next year.")
        }
        return try await revenues.awardReduction(account: account, amountPerYear: assessment.councilTaxReduction,
                                                 span: DateSpan(from: from, to: year.end), replacing: replacing,
                                                 evidence: "Benefits claim \(claim.reference)", by: actor, now: now, on: db)
    }

    /// One claim the actor may see (its own organisation's, or a partner's under a `benefits` agreement).
    public func claim(_ id: ClaimID, by actor: Actor) async throws -> Claim {
        try actor.require(.benefitsRead)
        return try await database.read { db in
            let visible = try await Partnership.visibleOrganisations(for: actor, category: .benefits, on: db)
            guard let claim = try await ClaimStore.claim(id, organisations: visible, on: db) else { throw TownhallError.notFound("Claim \(id)") }
            return claim
        }
    }

    /// The engine's workings for a claim's household, as the notice and the claim page show them.
    public func workings(_ claim: Claim) async throws -> Estimate { try await benefits.estimate(claim.household) }

    public struct ListFilter: Sendable {
        public var status: Claim.Status?
        public var person: PersonID?
        public var openOnly: Bool
        public init(status: Claim.Status? = nil, person: PersonID? = nil, openOnly: Bool = false) {
            self.status = status; self.person = person; self.openOnly = openOnly
        }
    }

    /// A page of claims oldest received first (the work queue's order); `after` is the page before's `next` cursor.
    public func list(_ filter: ListFilter, after: String? = nil, limit: Int = 50, by actor: Actor) async throws -> (items: [Claim], next: String?) {
        try actor.require(.benefitsRead)
        guard (1...200).contains(limit) else { throw TownhallError.invalid("limit", "limit is from 1 to 200.") }
        let position: (String, String)? = try after.map { after in
            let parts = after.split(separator: "_", maxSplits: 1).map(String.init)
            guard parts.count == 2, (try? LocalDate(parsing: parts[0], field: "after")) != nil, ClaimID(parts[1]) != nil else {
                throw TownhallError.invalid("after", "after is the next value a page of claims gave.")
            }
            return (parts[0], parts[1])
        }
        let items = try await database.read { db in
            let visible = try await Partnership.visibleOrganisations(for: actor, category: .benefits, on: db)
            return try await ClaimStore.claims(ClaimStore.Filter(status: filter.status, person: filter.person, openOnly: filter.openOnly),
                                               organisations: visible, after: position, limit: limit + 1, on: db)
        }
        let page = Array(items.prefix(limit))
        return (page, items.count > limit ? page.last.map { "\($0.receivedOn)_\($0.id)" } : nil)
    }

    /// NI 181 for the actor's organisation, month by month from `from` to `to` (months, "2026-04").
    public func speedOfProcessing(from: String, to: String, by actor: Actor) async throws -> SpeedOfProcessing {
        try actor.require(.benefitsRead)
        let first = try Self.month(from, field: "first_month"), last = try Self.month(to, field: "last_month")
        guard first <= last else { throw TownhallError.invalid("last_month", "last_month is on or after first_month.") }
        let end = try LocalDate(year: last.month == 12 ? last.year + 1 : last.year, month: last.month % 12 + 1, day: 1)
        let lastDay = LocalDate(dayNumber: end.dayNumber - 1)
        let decided = try await database.read { db in
            try await ClaimStore.decided(organisation: actor.organisationID, from: first, to: lastDay, on: db)
        }
        return SpeedOfProcessing.of(decided, from: first, to: lastDay)
    }

    /// The caseload: the actor's organisation's claims and changes in each status, every status listed.
    public func caseload(by actor: Actor) async throws -> [(status: Claim.Status, newClaims: Int, changes: Int)] {
        try actor.require(.benefitsRead)
        let rows = try await database.read { try await ClaimStore.caseload(organisation: actor.organisationID, on: $0) }
        return Claim.Status.allCases.map { status in
            (status, rows.filter { $0.0 == .newClaim && $0.1 == status }.reduce(0) { $0 + $1.2 },
             rows.filter { $0.0 == .change && $0.1 == status }.reduce(0) { $0 + $1.2 })
        }
    }

    func ownClaim(_ id: ClaimID, actor: Actor) async throws -> Claim {
        guard let claim = try await database.read({ try await ClaimStore.claim(id, organisations: [actor.organisationID], on: $0) }) else {
            throw TownhallError.notFound("Claim \(id)")
        }
        return claim
    }

    /// The checker's errors name fields from the household's top; in a claim they sit under `household`.
    static func inHousehold<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch var error as TownhallError {
            if let field = error.field, !field.isEmpty { error.field = "household." + field }
            throw error
        }
    }

    static func date(_ raw: String?, field: String) throws -> LocalDate? {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        return try LocalDate(parsing: raw, field: field)
    }

    static func month(_ raw: String, field: String) throws -> LocalDate {
        let parts = raw.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m),
              (2000...2100).contains(y) else {
            throw TownhallError.invalid(field, "\(field) is a month like 2026-04.")
        }
        return try LocalDate(year: y, month: m, day: 1)
    }

    static func note(_ raw: String?) throws -> String {
        let note = raw?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard note.count <= 2000 else { throw TownhallError.invalid("note", "Keep the note under 2,000 characters.") }
        return note
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
