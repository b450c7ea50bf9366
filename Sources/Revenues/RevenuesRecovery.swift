import Audit
import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// What one run of the daily recovery job did.
public struct RecoveryRunResult: Sendable, Codable, Equatable {
    public var runOn: LocalDate
    public var accounts = 0
    /// Stages proposed (or, without review, issued) by stage name.
    public var proposed: [String: Int] = [:]
    public var issued = 0
    public var proposedTotal: Int { proposed.values.reduce(0, +) }
}

/// The outcome of issuing proposed stages: the ones issued with their letters, and the ones withdrawn (deleted, with an
/// audit entry) because they were no longer due when issued (paid meanwhile, an arrangement made).
public struct RecoveryIssueResult: Sendable, Codable, Equatable {
    public var issued: [RecoveryAction] = []
    public var withdrawn: [RecoveryAction] = []
}

extension Revenues {
    /// Accounts per recovery-job transaction.
    static let recoveryBatch = 500

    // MARK: Settings

    public func recoverySettings(by actor: Actor) async throws -> RecoverySettings {
        try actor.require(.revenuesRead)
        return try await database.read { try await RevenuesStore.recoverySettings(organisation: actor.organisationID, on: $0) }
    }

    public func setRecoverySettings(_ input: RecoverySettings, by actor: Actor, now: Timestamp = .now) async throws -> RecoverySettings {
        try actor.require(.revenuesManage)
        let settings = try input.validated()
        try await database.transaction { db in
            let old = try await RevenuesStore.recoverySettings(organisation: actor.organisationID, on: db)
            try await RevenuesStore.saveRecoverySettings(settings, organisation: actor.organisationID, at: now, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "recovery_settings", entityID: actor.organisationID.string,
                                                 changes: ["summons_costs": .init(old: Money.format(old.summonsCosts), new: Money.format(settings.summonsCosts)),
                                                           "liability_order_costs": .init(old: Money.format(old.liabilityOrderCosts), new: Money.format(settings.liabilityOrderCosts)),
                                                           "review_before_issue": .init(old: String(old.reviewBeforeIssue), new: String(settings.reviewBeforeIssue))],
                                                 at: now), on: db)
        }
        return settings
    }

    // MARK: Arrangements to pay

    /// Records an arrangement to pay; while it runs, recovery takes no further step on the account.
    public func addArrangement(account id: RevenuesAccountID, _ input: NewArrangement, by actor: Actor, now: Timestamp = .now) async throws -> Arrangement {
        try actor.require(.revenuesWrite)
        let today = LocalDate.today(at: now.date)
        let (amount, frequency, first, ends, note) = try input.validated(today: today)
        return try await database.transaction { db in
            let a = try await changeableAccount(id, version: nil, actor: actor, on: db)
            if (try await RevenuesStore.arrangements(accounts: [a.id], on: db)[a.id] ?? []).contains(where: { $0.holds(on: today) }) {
                throw TownhallError.conflict("Account \(a.reference) already has an arrangement to pay; cancel it before making another.",
                                             code: "arrangement_exists", field: "account")
            }
            let arrangement = Arrangement(id: ArrangementID(), accountID: a.id, amount: amount, frequency: frequency, firstPaymentOn: first, endsOn: ends,
                                          note: note, cancelledOn: nil, createdAt: now)
            try await RevenuesStore.insertArrangement(arrangement, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "council_tax_arrangement", entityID: arrangement.id.string,
                                                 subject: a.parties.first?.personID,
                                                 changes: ["account": .init(old: nil, new: a.reference),
                                                           "amount": .init(old: nil, new: "\(Money.format(amount)) \(frequency.rawValue) from \(first)")], at: now), on: db)
            return arrangement
        }
    }

    /// Ends an arrangement (broken, or no longer needed); recovery resumes from the next run.
    public func cancelArrangement(account id: RevenuesAccountID, arrangement: ArrangementID, by actor: Actor, now: Timestamp = .now) async throws {
        try actor.require(.revenuesWrite)
        try await database.transaction { db in
            let a = try await changeableAccount(id, version: nil, actor: actor, on: db)
            guard try await RevenuesStore.cancelArrangement(id: arrangement, account: a.id, on: LocalDate.today(at: now.date), on: db) else {
                throw TownhallError.notFound("Arrangement \(arrangement)", field: "arrangement")
            }
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "council_tax_arrangement", entityID: arrangement.string,
                                                 subject: a.parties.first?.personID, changes: ["cancelled_on": .init(old: nil, new: LocalDate.today(at: now.date).description)],
                                                 at: now), on: db)
        }
    }

    // MARK: The daily job

    /// The daily recovery job: for every open account with a bill, each year's next stage due `today` by the timetable,
    /// unless an arrangement to pay holds it. Stages are proposed for review, or issued at once when the council does not
    /// review. Idempotent: a stage is proposed once per account and year, so a second run the same day (or a run on
    /// another node) adds nothing; a run missed one day is caught up on the next.
    public func runRecovery(on today: LocalDate, by actor: Actor, now: Timestamp = .now) async throws -> RecoveryRunResult {
        try actor.require(.revenuesManage)
        let org = actor.organisationID
        let settings = try await database.read { try await RevenuesStore.recoverySettings(organisation: org, on: $0) }
        var result = RecoveryRunResult(runOn: today)
        var after = ""
        while true {
            let cursor = after
            let (batch, last) = try await database.transaction { db -> (RecoveryRunResult, String?) in
                var batch = RecoveryRunResult(runOn: today)
                let accounts = try await RevenuesStore.billedAccounts(organisation: org, after: cursor, limit: Self.recoveryBatch, on: db)
                guard let last = accounts.last else { return (batch, nil) }
                batch.accounts = accounts.count
                let loaded = try await RecoveryBatch.load(accounts, organisation: org, on: db)
                var proposed: [RecoveryAction] = []
                for a in accounts where !loaded.held(a.id, on: today) {
                    let history = loaded.actions[a.id] ?? []
                    for (year, facts) in loaded.ledger(a.id, recovery: history).recoveryFacts.sorted(by: { $0.key < $1.key }) {
                        guard let p = RecoveryTimetable.next(facts, history: history.filter { $0.year == year }, settings: settings, today: today) else { continue }
                        proposed.append(RecoveryAction(id: RecoveryActionID(), organisationID: org, accountID: a.id, accountReference: a.reference, year: year,
                                                       stage: p.stage, status: .proposed, proposedOn: today, issuedOn: nil, amount: p.amount, costs: p.costs,
                                                       dueOn: p.dueOn, reason: nil, createdAt: now))
                    }
                }
                try await RevenuesStore.insertActions(proposed, on: db)
                for p in proposed { batch.proposed[p.stage.rawValue, default: 0] += 1 }
                if !settings.reviewBeforeIssue, !proposed.isEmpty {
                    // Read back what this transaction proposed (a concurrent run may have taken some) and issue it at once.
                    let mine = try await RevenuesStore.actions(where: "r.id IN (\(binds: proposed.map(\.id.string))) AND r.status = 'proposed'", limit: nil, on: db)
                    batch.issued = try await issue(mine, settings: settings, actor: actor, today: today, now: now, loaded: loaded, on: db).issued.count
                }
                return (batch, last.id.string)
            }
            guard let last else { break }
            after = last
            result.accounts += batch.accounts
            result.issued += batch.issued
            for (k, v) in batch.proposed { result.proposed[k, default: 0] += v }
        }
        let summary = result
        try await database.transaction { db in
            try await RevenuesStore.recordRecoveryRun(organisation: org, on: today, accounts: summary.accounts, proposed: summary.proposedTotal, issued: summary.issued,
                                                      at: now, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "recovery_run", entityID: today.description,
                                                 changes: ["proposed": .init(old: nil, new: String(summary.proposedTotal)), "issued": .init(old: nil, new: String(summary.issued))],
                                                 at: now), on: db)
        }
        return result
    }

    /// Whether the job has run for the organisation on a day (the scheduler runs it once a day).
    public func ranRecovery(organisation: OrganisationID, on day: LocalDate) async throws -> Bool {
        try await database.read { try await RevenuesStore.ranRecovery(organisation: organisation, on: day, on: $0) }
    }

    /// Organisations that bill council tax.
    public func billingOrganisations() async throws -> [OrganisationID] {
        try await database.read { try await RevenuesStore.billingOrganisations(on: $0) }
    }

    // MARK: Review and issue

    /// Stages for review (or already issued), a page at a time.
    public func recoveryActions(status: RecoveryAction.Status?, stage: RecoveryStage?, after: String?, limit: Int = 50, by actor: Actor) async throws -> [RecoveryAction] {
        try actor.require(.revenuesRead)
        return try await database.read {
            try await RevenuesStore.actions(organisation: actor.organisationID, status: status, stage: stage, ids: nil, after: after, limit: min(max(limit, 1), 500), on: $0)
        }
    }

    /// One stage, whatever its status.
    public func recoveryAction(_ id: RecoveryActionID, by actor: Actor) async throws -> RecoveryAction {
        try actor.require(.revenuesRead)
        guard let action = try await database.read({
            try await RevenuesStore.actions(organisation: actor.organisationID, status: nil, stage: nil, ids: [id], after: nil, limit: 1, on: $0).first
        }) else { throw TownhallError.notFound("Recovery stage \(id)", field: "id") }
        return action
    }

    /// Issues proposed stages (the ones named, or every proposed one of a stage): each is checked again against the
    /// timetable on `today`, so a stage paid off or held by an arrangement since it was proposed is withdrawn rather than
    /// sent. Issuing dates the letter, sets its pay-by or hearing date, adds any costs to the account and queues the letter.
    public func issueRecovery(ids: [RecoveryActionID]?, stage: RecoveryStage?, by actor: Actor, today: LocalDate? = nil, now: Timestamp = .now) async throws -> RecoveryIssueResult {
        try actor.require(.revenuesManage)
        guard ids != nil || stage != nil else { throw TownhallError.missing("ids", "Name the stages to issue, or a stage to issue every proposed one of.") }
        if let ids, ids.isEmpty || ids.count > 1000 { throw TownhallError.invalid("ids", "Name between 1 and 1,000 stages.") }
        let today = today ?? LocalDate.today(at: now.date)
        let org = actor.organisationID
        if let ids {
            // Named stages must all be waiting for review: otherwise nothing is issued.
            let named = try await database.read {
                try await RevenuesStore.actions(organisation: org, status: .proposed, stage: stage, ids: ids, after: nil, limit: ids.count, on: $0)
            }
            if named.count < Set(ids).count {
                throw TownhallError.conflict("Only stages waiting for review can be issued; \(Set(ids).count - named.count) of those named are not, so none was issued.",
                                             code: "not_proposed", field: "ids")
            }
        }
        var result = RecoveryIssueResult()
        var after: String?
        while true {
            let cursor = after
            let (batch, last) = try await database.transaction { db -> (RecoveryIssueResult, String?) in
                let settings = try await RevenuesStore.recoverySettings(organisation: org, on: db)
                let actions = try await RevenuesStore.actions(organisation: org, status: .proposed, stage: stage, ids: ids, after: cursor, limit: Self.recoveryBatch, on: db)
                guard let last = actions.last else { return (RecoveryIssueResult(), nil) }
                return (try await issue(actions, settings: settings, actor: actor, today: today, now: now, on: db), last.id.string)
            }
            result.issued += batch.issued
            result.withdrawn += batch.withdrawn
            guard let last else { break }
            after = last
        }
        return result
    }

    /// Withholds a proposed stage with a reason (a dispute, a vulnerable customer, a claim for support in progress). A
    /// withheld stage stops recovery for that year until an officer decides otherwise.
    public func withholdRecovery(_ id: RecoveryActionID, reason: String, by actor: Actor, now: Timestamp = .now) async throws -> RecoveryAction {
        try actor.require(.revenuesManage)
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500 else { throw TownhallError.missing("reason", "Say why the stage is withheld (up to 500 characters).") }
        return try await database.transaction { db in
            guard var action = try await RevenuesStore.actions(organisation: actor.organisationID, status: nil, stage: nil, ids: [id], after: nil, limit: 1, on: db).first else {
                throw TownhallError.notFound("Recovery stage \(id)", field: "id")
            }
            guard action.status == .proposed else {
                throw TownhallError.conflict("That \(action.stage.title.lowercased()) is already \(action.status.rawValue).", code: "not_proposed", field: "id")
            }
            action.status = .withheld
            action.reason = reason
            guard try await RevenuesStore.updateAction(action, on: db) else { throw TownhallError.conflict("It was reviewed meanwhile.", code: "not_proposed", field: "id") }
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "recovery_action", entityID: action.id.string,
                                                 changes: ["status": .init(old: "proposed", new: "withheld"), "reason": .init(old: nil, new: reason)], at: now), on: db)
            return action
        }
    }

    /// Issues each proposed stage that is still due, inside the caller's transaction. `loaded` is the accounts' data when
    /// the caller (the daily job) has it already.
    func issue(_ actions: [RecoveryAction], settings: RecoverySettings, actor: Actor, today: LocalDate, now: Timestamp, loaded: RecoveryBatch? = nil,
               on db: any SQLDatabase) async throws -> RecoveryIssueResult {
        var result = RecoveryIssueResult()
        guard !actions.isEmpty else { return result }
        let batch: RecoveryBatch
        if let loaded { batch = loaded } else {
            let ids = Array(Set(actions.map(\.accountID)))
            batch = try await RecoveryBatch.load(try await RevenuesStore.accounts(where: "a.id IN (\(binds: ids.map(\.string)))", limit: nil, on: db),
                                                 organisation: actor.organisationID, on: db)
        }
        var history = batch.actions
        var letters: [(RecoveryAction, CouncilTaxAccount, balance: Int64)] = []
        for var action in actions {
            guard let account = batch.accounts[action.accountID] else { continue }
            let others = (history[account.id] ?? []).filter { $0.id != action.id }
            let facts = batch.ledger(account.id, recovery: others).recoveryFacts[action.year]
            let held = batch.held(account.id, on: today)
            let due = facts.flatMap { RecoveryTimetable.next($0, history: others.filter { $0.year == action.year }, settings: settings, today: today) }
            guard !account.isClosed, !held, let facts, let due, due.stage == action.stage else {
                // Withdrawn, not withheld: the proposal goes, so the year is free for whatever becomes due next.
                action.reason = held ? "An arrangement to pay holds recovery." : "No longer due on \(today): paid, or the account changed, since it was proposed."
                guard try await RevenuesStore.deleteProposed(action.id, on: db) else { continue }
                try await AuditLog.record(AuditEntry(actor: actor, action: .delete, entityType: "recovery_action", entityID: action.id.string,
                                                     subject: account.parties.first?.personID,
                                                     changes: ["stage": .init(old: action.stage.rawValue, new: nil), "reason": .init(old: nil, new: action.reason)], at: now), on: db)
                result.withdrawn.append(action)
                continue
            }
            action.status = .issued
            action.issuedOn = today
            action.amount = due.amount
            action.costs = due.costs
            switch action.stage {
            case .reminder, .secondReminder, .finalNotice: action.dueOn = today.adding(days: RecoveryTimetable.daysToPay)
            case .instalmentsLost: action.dueOn = due.dueOn
            case .summons: action.dueOn = today.adding(days: settings.hearingAfterDays)
            case .liabilityOrder: action.dueOn = nil
            }
            guard try await RevenuesStore.updateAction(action, on: db) else { continue }
            history[account.id] = others + [action]
            letters.append((action, account, facts.balance(on: today) + action.costs))
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "recovery_action", entityID: action.id.string,
                                                 subject: account.parties.first?.personID,
                                                 changes: ["stage": .init(old: nil, new: action.stage.rawValue), "account": .init(old: nil, new: account.reference),
                                                           "amount": .init(old: nil, new: Money.format(action.amount)),
                                                           "costs": .init(old: nil, new: Money.format(action.costs))], at: now), on: db)
            result.issued.append(action)
        }
        try await queueLetters(letters, on: db)
        return result
    }
}

/// One batch of accounts with everything recovery reads about them, loaded in one query per table.
struct RecoveryBatch {
    let accounts: [RevenuesAccountID: CouncilTaxAccount]
    let bills: [RevenuesAccountID: [Bill]]
    let payments: [RevenuesAccountID: [RevenuesPayment]]
    let actions: [RevenuesAccountID: [RecoveryAction]]
    let arrangements: [RevenuesAccountID: [Arrangement]]
    let refunds: [RevenuesAccountID: [Refund]]

    static func load(_ accounts: [CouncilTaxAccount], organisation: OrganisationID, on db: any SQLDatabase) async throws -> RecoveryBatch {
        let ids = accounts.map(\.id)
        return RecoveryBatch(accounts: Dictionary(accounts.map { ($0.id, $0) }) { a, _ in a },
                             bills: try await RevenuesStore.bills(accounts: ids, organisation: organisation, on: db),
                             payments: try await RevenuesStore.payments(accounts: ids, on: db),
                             actions: try await RevenuesStore.actions(accounts: ids, on: db),
                             arrangements: try await RevenuesStore.arrangements(accounts: ids, on: db),
                             refunds: try await RevenuesStore.refunds(accounts: ids, on: db))
    }

    func ledger(_ id: RevenuesAccountID, recovery: [RecoveryAction]) -> AccountLedger {
        AccountLedger(bills: bills[id] ?? [], payments: payments[id] ?? [], recovery: recovery, refunds: refunds[id] ?? [])
    }

    /// Whether an arrangement to pay holds the account's recovery on a day.
    func held(_ id: RevenuesAccountID, on day: LocalDate) -> Bool { (arrangements[id] ?? []).contains { $0.holds(on: day) } }
}
