import Audit
import Foundation
import Partnership
import Register
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Council tax: the valuation list, the charges set each year, accounts and who is liable, adjustments, bills and
/// re-profiled instalments, payments and statements, and the annual billing run. Reads follow the `revenues` sharing
/// category; changes are to the actor's own organisation's accounts only, each audited in its own transaction.
public struct Revenues: Sendable {
    public static let migrations = RevenuesStore.migrations
    public let database: Database
    let register: Register
    let partnership: Partnership
    /// Accounts per billing-run transaction: each batch commits its bills and the run's counts together.
    public var billingBatch = 500

    public init(database: Database, register: Register, partnership: Partnership) {
        self.database = database; self.register = register; self.partnership = partnership
    }

    func visible(_ actor: Actor, _ db: any SQLDatabase) async throws -> Set<OrganisationID> {
        try await Partnership.visibleOrganisations(for: actor, category: .revenues, on: db)
    }

    // MARK: Valuation list

    /// Loads council tax bands from CSV: `uprn,band[,effective_from][,area]` (also `parish` for `area`). Every rejected
    /// row is reported with its line and reason; the rest are upserted by UPRN and effective date, so a rerun changes nothing.
    public func importValuationList(csv text: String, by actor: Actor, now: Timestamp = .now) async throws -> ImportReport {
        try await importList(csv: text, columns: ["uprn", "band"], optional: "effective_from and area", format: "council tax valuation list",
                             entity: "valuation_list", by: actor, now: now, key: { ($0.uprn, $0.from) },
                             parse: { try BandEntry.parse(uprn: $0["uprn"], band: $0["band"], from: $0["effective_from"], area: $0["area"] ?? $0["parish"]) },
                             upsert: { try await RevenuesStore.upsertBands($0, organisation: $1, at: now, on: $2) })
    }

    /// Puts one dwelling in a band from a date (a new dwelling, or a band change after a VOA decision), then recalculates
    /// the accounts for that dwelling.
    public func setBand(_ entry: BandEntry, by actor: Actor, now: Timestamp = .now) async throws {
        try actor.require(.revenuesManage)
        try await database.transaction { db in
            _ = try await RevenuesStore.upsertBands([entry], organisation: actor.organisationID, at: now, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "valuation_list", entityID: String(entry.uprn.value),
                                                 changes: ["band": .init(old: nil, new: "\(entry.band.rawValue) from \(entry.from)")], at: now), on: db)
            try await recalculateAccounts(uprn: entry.uprn, tax: .councilTax, actor: actor, now: now, on: db)
        }
    }

    /// Loads business rates rateable values from CSV: `uprn,rateable_value[,effective_from][,description]`, the rating list
    /// as the VOA publishes it (whole pounds; `£` and commas are allowed). Every rejected row is reported with its line and
    /// reason; the rest are upserted by UPRN and effective date, so a rerun changes nothing.
    public func importRatingList(csv text: String, by actor: Actor, now: Timestamp = .now) async throws -> ImportReport {
        try await importList(csv: text, columns: ["uprn", "rateable_value"], optional: "effective_from and description", format: "business rates rating list",
                             entity: "rating_list", by: actor, now: now, key: { ($0.uprn, $0.from) },
                             parse: { try RatingEntry.parse(uprn: $0["uprn"], rateableValue: $0["rateable_value"], from: $0["effective_from"], description: $0["description"]) },
                             upsert: { try await RevenuesStore.upsertRatings($0, organisation: $1, at: now, on: $2) })
    }

    /// Gives a hereditament a rateable value from a date (a new entry, or a VOA alteration), then recalculates its accounts.
    public func setRateableValue(_ entry: RatingEntry, by actor: Actor, now: Timestamp = .now) async throws {
        try actor.require(.revenuesManage)
        try await database.transaction { db in
            _ = try await RevenuesStore.upsertRatings([entry], organisation: actor.organisationID, at: now, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "rating_list", entityID: String(entry.uprn.value),
                                                 changes: ["rateable_value": .init(old: nil, new: "\(Money.format(entry.rateableValue * 100)) from \(entry.from)")], at: now), on: db)
            try await recalculateAccounts(uprn: entry.uprn, tax: .businessRates, actor: actor, now: now, on: db)
        }
    }

    /// A list import, either list: every row parsed and checked (the same UPRN and date twice is refused), rejected rows
    /// reported by line, the rest upserted a thousand to a transaction, and one audit entry with the result.
    func importList<Entry: Sendable>(csv text: String, columns: [String], optional: String, format: String, entity: String, by actor: Actor, now: Timestamp,
                                     key: (Entry) -> (UPRN, LocalDate), parse: ([String: String]) throws -> Entry,
                                     upsert: @escaping @Sendable ([Entry], OrganisationID, any SQLDatabase) async throws -> Int) async throws -> ImportReport {
        try actor.require(.revenuesManage)
        let csv = try CSVRows(text)
        guard columns.allSatisfy(csv.header.contains) else {
            throw TownhallError.invalid("file", "The header row must name \(columns.joined(separator: " and ")) (and may name \(optional)).", code: "unknown_format")
        }
        var report = ImportReport(format: format)
        report.rowsRead = csv.rows.count
        var entries: [Entry] = [], seen: [String: Int] = [:]
        for (line, values) in csv.rows {
            do {
                let entry = try parse(values)
                let (uprn, from) = key(entry)
                if let first = seen["\(uprn)/\(from)"] { throw TownhallError.invalid("uprn", "UPRN \(uprn) from \(from) is already on line \(first).", code: "duplicate_row") }
                seen["\(uprn)/\(from)"] = line
                entries.append(entry)
            } catch let e as TownhallError {
                report.rejected.append(.init(line: line, field: e.field, reason: e.message))
            }
        }
        let org = actor.organisationID
        for start in stride(from: 0, to: entries.count, by: 1000) {
            let batch = Array(entries[start..<min(start + 1000, entries.count)])
            let created = try await database.transaction { try await upsert(batch, org, $0) }
            report.created += created
            report.updated += batch.count - created
        }
        let summary = report.summary
        try await database.transaction { db in
            try await AuditLog.record(AuditEntry(actor: actor, action: .import, entityType: entity, entityID: nil,
                                                 changes: ["result": .init(old: nil, new: summary)], at: now), on: db)
        }
        return report
    }

    /// After a list change: recalculates the open accounts of that tax for the property.
    func recalculateAccounts(uprn: UPRN, tax: Tax, actor: Actor, now: Timestamp, on db: any SQLDatabase) async throws {
        for account in try await RevenuesStore.accounts(uprn: uprn, organisations: [actor.organisationID], on: db) where !account.isClosed && account.tax == tax {
            try await recalculate(account, actor: actor, now: now, on: db)
        }
    }

    /// The hereditament's rateable values over time in the actor's organisation's rating list.
    public func ratings(uprn: UPRN, by actor: Actor) async throws -> [RatingEntry] {
        try actor.require(.revenuesRead)
        return try await database.read { try await RevenuesStore.ratingRows(uprns: [uprn], organisation: actor.organisationID, on: $0)[uprn] ?? [] }
    }

    /// The dwelling's bands over time in the actor's organisation's list.
    public func bands(uprn: UPRN, by actor: Actor) async throws -> [BandEntry] {
        try actor.require(.revenuesRead)
        return try await database.read { try await RevenuesStore.bandRows(uprns: [uprn], organisation: actor.organisationID, on: $0)[uprn] ?? [] }
    }

    // MARK: Charges

    /// Sets (or replaces) a year's charges for one area. Refused once the year has been billed: bills already issued stand
    /// on the charges they were worked out from.
    public func setCharges(_ input: CouncilTaxCharges, by actor: Actor, now: Timestamp = .now) async throws -> CouncilTaxCharges {
        try actor.require(.revenuesManage)
        let charges = try input.validated()
        try await database.transaction { db in
            if try await RevenuesStore.hasBills(year: charges.year, organisation: actor.organisationID, on: db) {
                throw TownhallError.conflict("\(charges.year) has been billed; its charges can no longer change.", code: "year_billed", field: "year")
            }
            try await RevenuesStore.replaceCharges(charges, organisation: actor.organisationID, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "council_tax_charges", entityID: "\(charges.year.startYear)/\(charges.area)",
                                                 changes: ["band_d": .init(old: nil, new: Money.format(charges.bandD))], at: now), on: db)
        }
        return charges
    }

    /// A year's charges for every area of the actor's organisation.
    public func charges(year: FinancialYear, by actor: Actor) async throws -> [CouncilTaxCharges] {
        try actor.require(.revenuesRead)
        return try await database.read { try await RevenuesStore.charges(year: year, organisation: actor.organisationID, on: $0) }.values.sorted { $0.area < $1.area }
    }

    // MARK: Accounts

    /// Opens an account for the people liable for a dwelling from a date. Refused when another account for the dwelling
    /// covers any of the same days (joint liability is several people on one account). When the year is already billed,
    /// the new account gets its bill at once.
    public func openAccount(_ input: NewCouncilTaxAccount, by actor: Actor, now: Timestamp = .now) async throws -> CouncilTaxAccount {
        try actor.require(.revenuesWrite)
        let (tax, uprn, span, day, email) = try input.validated()
        var parties: [LiableParty] = []
        for (i, p) in input.parties.enumerated() {
            if let raw = p.personID, !raw.isEmpty {
                let id = try PersonID.parse(raw, field: "parties[\(i)].person_id")
                guard let person = try await register.visiblePerson(id: id, by: actor) else { throw TownhallError.notFound("Person \(raw)", field: "parties[\(i)].person_id") }
                parties.append(LiableParty(personID: id, name: person.fullName))
            } else {
                let name = (p.name ?? "").trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty, name.count <= 200 else { throw TownhallError.missing("parties[\(i)].name", "Give the liable person's name, or choose them from the register.") }
                parties.append(LiableParty(personID: nil, name: name))
            }
        }
        let property = try? await register.property(uprn: uprn, by: actor)
        let template = CouncilTaxAccount(id: RevenuesAccountID(), organisationID: actor.organisationID, tax: tax, reference: "", uprn: uprn, propertyID: property?.id,
                                         liable: span, parties: parties, twelveInstalments: input.twelveInstalments ?? false, instalmentDay: day,
                                         eBillingEmail: email, closedAt: nil, createdAt: now, version: 1)
        let firstPerson = parties.first?.personID
        return try await database.transaction { db in
            if let other = try await RevenuesStore.overlapping(uprn: uprn, span: span, tax: tax, organisation: actor.organisationID, on: db).first {
                throw Self.overlap(other)
            }
            var account = template
            account.reference = try await RevenuesStore.nextReference(organisation: actor.organisationID, tax: tax, on: db)
            try await RevenuesStore.insert(account, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "\(tax.rawValue)_account", entityID: account.id.string,
                                                 subject: firstPerson,
                                                 changes: ["uprn": .init(old: nil, new: String(uprn.value)), "liable_from": .init(old: nil, new: span.from.description)],
                                                 at: now), on: db)
            try await recalculate(account, actor: actor, now: now, on: db)
            return account
        }
    }

    static func overlap(_ other: CouncilTaxAccount) -> TownhallError {
        TownhallError.conflict("Account \(other.reference) is already liable for this property from \(other.liable.from)\(other.liable.to.map { " to \($0)" } ?? ""). "
                               + "Record the move-out on that account first, or add the person to it for joint liability.",
                               code: "overlapping_liability", field: "liable_from")
    }

    /// The account, if the actor may see it.
    func loadAccount(_ id: RevenuesAccountID, actor: Actor, on db: any SQLDatabase) async throws -> CouncilTaxAccount {
        guard let a = try await RevenuesStore.account(id: id, organisations: try await visible(actor, db), on: db) else {
            throw TownhallError.notFound("Revenues account \(id)", field: "account")
        }
        return a
    }

    /// The account for a change: the actor's own organisation's, open, at the version the caller read.
    func changeableAccount(_ id: RevenuesAccountID, version: Int?, actor: Actor, on db: any SQLDatabase) async throws -> CouncilTaxAccount {
        let a = try await loadAccount(id, actor: actor, on: db)
        guard a.organisationID == actor.organisationID else { throw TownhallError.forbidden("Only \(a.reference)'s own council can change it.") }
        guard !a.isClosed else { throw TownhallError.conflict("Account \(a.reference) is closed.", code: "account_closed", field: "account") }
        if let version, version != a.version {
            throw TownhallError.conflict("Account \(a.reference) has changed since you opened it; reload it and try again.", code: "stale_version", field: "version")
        }
        return a
    }

    /// Records the last day of liability (a move-out, or a sale), recalculates the account from that day and re-profiles
    /// what is left to pay.
    public func recordMoveOut(account id: RevenuesAccountID, lastDay: LocalDate, version: Int?, by actor: Actor, now: Timestamp = .now) async throws -> AccountView {
        try actor.require(.revenuesWrite)
        try await database.transaction { db in
            var a = try await changeableAccount(id, version: version, actor: actor, on: db)
            guard lastDay >= a.liable.from else {
                throw TownhallError.invalid("last_day", "The last day of liability cannot be before it began (\(a.liable.from)).", code: "invalid_period")
            }
            let old = a.liable.to
            a.liable.to = lastDay
            guard try await RevenuesStore.update(a, expectedVersion: a.version, on: db) else { throw TownhallError.conflict("The account changed meanwhile.", code: "stale_version") }
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "council_tax_account", entityID: a.id.string, subject: a.parties.first?.personID,
                                                 changes: ["liable_to": .init(old: old?.description, new: lastDay.description)], at: now), on: db)
            try await recalculate(a, actor: actor, now: now, on: db)
        }
        return try await account(id: id, by: actor, today: LocalDate.today(at: now.date))
    }

    /// Closes an account that owes nothing and is owed nothing. A closed account takes no payments and no changes.
    public func closeAccount(_ id: RevenuesAccountID, by actor: Actor, now: Timestamp = .now) async throws {
        try actor.require(.revenuesWrite)
        try await database.transaction { db in
            var a = try await changeableAccount(id, version: nil, actor: actor, on: db)
            let balance = try await Self.view(a, today: LocalDate.today(at: now.date), on: db).balance
            guard balance == 0 else {
                throw TownhallError.conflict("Account \(a.reference) has a balance of \(Money.format(balance)); settle or refund it before closing.",
                                             code: "balance_not_nil", field: "account")
            }
            a.closedAt = now
            guard try await RevenuesStore.update(a, expectedVersion: a.version, on: db) else { throw TownhallError.conflict("The account changed meanwhile.", code: "stale_version") }
            try await AuditLog.record(AuditEntry(actor: actor, action: .close, entityType: "council_tax_account", entityID: a.id.string, subject: a.parties.first?.personID,
                                                 at: now), on: db)
        }
    }

    /// Adds a discount, exemption, reduction or premium from a date, with its evidence; the account is recalculated from
    /// that date and the instalments still to come are re-profiled.
    public func addAdjustment(account id: RevenuesAccountID, _ input: Adjustment, by actor: Actor, now: Timestamp = .now) async throws -> AccountView {
        try actor.require(.revenuesWrite)
        guard input.kind != .councilTaxReduction else {
            throw TownhallError.invalid("kind", "Council tax reduction is awarded by deciding a benefits claim, not added by hand.", code: "awarded_by_benefits")
        }
        try await database.transaction { db in
            let a = try await changeableAccount(id, version: nil, actor: actor, on: db)
            let existing = try await RevenuesStore.adjustments(accounts: [a.id], on: db)[a.id] ?? []
            let adjustment = try input.validated(against: existing.map(\.adjustment), tax: a.tax)
            let stored = AccountAdjustment(id: UUID.timeOrdered().lowercasedString, adjustment: adjustment, createdAt: now)
            try await RevenuesStore.insertAdjustment(stored, account: a.id, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "council_tax_adjustment", entityID: stored.id, subject: a.parties.first?.personID,
                                                 changes: ["kind": .init(old: nil, new: adjustment.kind.rawValue),
                                                           "from": .init(old: nil, new: adjustment.span.from.description),
                                                           "account": .init(old: nil, new: a.reference)], at: now), on: db)
            try await recalculate(a, actor: actor, now: now, on: db)
        }
        return try await account(id: id, by: actor, today: LocalDate.today(at: now.date))
    }

    /// A council tax reduction award put on the account inside the caller's transaction (a benefits decision, which
    /// writes its claim in the same one): the award `replacing` ends the day before this one starts, the account is
    /// recalculated and a new bill re-profiles the instalments. Returns the adjustment's id. The caller has checked the
    /// actor may decide the award; the account must be the actor's organisation's and open.
    public func awardReduction(account id: RevenuesAccountID, amountPerYear: Int64, span: DateSpan, replacing: String?, evidence: String,
                               by actor: Actor, now: Timestamp, on db: any SQLDatabase) async throws -> String? {
        let a = try await changeableAccount(id, version: nil, actor: actor, on: db)
        guard a.tax == .councilTax else { throw TownhallError.invalid("account_id", "Account \(a.reference) is not a council tax account.") }
        var existing = try await RevenuesStore.adjustments(accounts: [a.id], on: db)[a.id] ?? []
        if let replacing, let old = existing.first(where: { $0.id == replacing }) {
            let lastDay = LocalDate(dayNumber: span.from.dayNumber - 1)
            if old.adjustment.span.to.map({ $0 > lastDay }) ?? true {
                _ = try await RevenuesStore.endAdjustment(id: replacing, account: a.id, on: max(lastDay, old.adjustment.span.from), on: db)
                existing = try await RevenuesStore.adjustments(accounts: [a.id], on: db)[a.id] ?? []
            }
        }
        var stored: AccountAdjustment?
        if amountPerYear > 0 {
            let adjustment = try Adjustment(kind: .councilTaxReduction, span: span, amount: amountPerYear, evidence: evidence)
                .validated(against: existing.map(\.adjustment), tax: a.tax)
            let row = AccountAdjustment(id: UUID.timeOrdered().lowercasedString, adjustment: adjustment, createdAt: now)
            try await RevenuesStore.insertAdjustment(row, account: a.id, on: db)
            stored = row
        }
        try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "council_tax_adjustment", entityID: stored?.id ?? replacing ?? a.id.string,
                                             subject: a.parties.first?.personID,
                                             changes: ["kind": .init(old: nil, new: Adjustment.Kind.councilTaxReduction.rawValue),
                                                       "amount": .init(old: nil, new: Money.format(amountPerYear)),
                                                       "from": .init(old: nil, new: span.from.description), "account": .init(old: nil, new: a.reference)],
                                             at: now), on: db)
        try await recalculate(a, actor: actor, now: now, on: db)
        return stored?.id
    }

    /// Ends an adjustment on a day (a single person discount when a partner moves in).
    public func endAdjustment(account id: RevenuesAccountID, adjustment: String, lastDay: LocalDate, by actor: Actor, now: Timestamp = .now) async throws -> AccountView {
        try actor.require(.revenuesWrite)
        try await database.transaction { db in
            let a = try await changeableAccount(id, version: nil, actor: actor, on: db)
            guard let existing = (try await RevenuesStore.adjustments(accounts: [a.id], on: db)[a.id] ?? []).first(where: { $0.id == adjustment }) else {
                throw TownhallError.notFound("Adjustment \(adjustment)", field: "adjustment")
            }
            guard lastDay >= existing.adjustment.span.from else {
                throw TownhallError.invalid("last_day", "The last day cannot be before the adjustment began (\(existing.adjustment.span.from)).", code: "invalid_period")
            }
            _ = try await RevenuesStore.endAdjustment(id: adjustment, account: a.id, on: lastDay, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "council_tax_adjustment", entityID: adjustment, subject: a.parties.first?.personID,
                                                 changes: ["to": .init(old: existing.adjustment.span.to?.description, new: lastDay.description)], at: now), on: db)
            try await recalculate(a, actor: actor, now: now, on: db)
        }
        return try await account(id: id, by: actor, today: LocalDate.today(at: now.date))
    }

    /// One account in full: adjustments, every bill, payments, and each year's position on `today`.
    public func account(id: RevenuesAccountID, by actor: Actor, today: LocalDate = .today()) async throws -> AccountView {
        try actor.require(.revenuesRead)
        return try await database.read { db in
            let a = try await loadAccount(id, actor: actor, on: db)
            return try await Self.view(a, today: today, on: db)
        }
    }

    static func view(_ a: CouncilTaxAccount, today: LocalDate, on db: any SQLDatabase) async throws -> AccountView {
        let adjustments = try await RevenuesStore.adjustments(accounts: [a.id], on: db)[a.id] ?? []
        let bills = try await RevenuesStore.bills(account: a.id, organisation: a.organisationID, on: db)
        let payments = try await RevenuesStore.payments(account: a.id, on: db)
        let recovery = try await RevenuesStore.actions(accounts: [a.id], on: db)[a.id] ?? []
        let arrangements = try await RevenuesStore.arrangements(accounts: [a.id], on: db)[a.id] ?? []
        let refunds = try await RevenuesStore.refunds(accounts: [a.id], on: db)[a.id] ?? []
        return Self.view(a, adjustments: adjustments, bills: bills, payments: payments, recovery: recovery, arrangements: arrangements, refunds: refunds, today: today)
    }

    static func view(_ a: CouncilTaxAccount, adjustments: [AccountAdjustment], bills: [Bill], payments: [RevenuesPayment], recovery: [RecoveryAction],
                     arrangements: [Arrangement], refunds: [Refund] = [], today: LocalDate) -> AccountView {
        var view = AccountView(account: a, adjustments: adjustments, bills: bills, payments: payments, recovery: recovery, arrangements: arrangements,
                               refunds: refunds, years: [], balance: 0, credit: 0)
        let ledger = AccountLedger(bills: bills, payments: payments, recovery: recovery, refunds: refunds)
        let allocation = ledger.allocation()
        view.years = view.currentBills.map { bill in
            let paid = allocation.paid[bill.year] ?? 0
            let yearCosts = ledger.costs[bill.year] ?? 0
            let position = bill.position(paid: ledger.taxPaid(bill.year, allocated: paid), on: today)
            let issued = recovery.filter { $0.year == bill.year && $0.status == .issued }.max { $0.stage < $1.stage }
            return YearPosition(year: bill.year, charge: bill.total, costs: yearCosts, paid: paid, outstanding: bill.total + yearCosts - paid, arrears: position.arrears,
                                nextInstalment: position.next, missedInstalments: position.missed, recoveryStage: issued?.stage)
        }
        view.credit = allocation.credit
        view.balance = ledger.balance
        return view
    }

    /// One bill (demand notice), if the actor may see its account.
    public func bill(id: BillID, by actor: Actor) async throws -> Bill {
        try actor.require(.revenuesRead)
        guard let bill = try await database.read({ try await RevenuesStore.bill(id: id, organisations: try await visible(actor, $0), on: $0) }) else {
            throw TownhallError.notFound("Bill \(id)", field: "bill")
        }
        return bill
    }

    /// The accounts a person is (or was) liable on, newest first.
    public func accounts(person: PersonID, by actor: Actor) async throws -> [CouncilTaxAccount] {
        try actor.require(.revenuesRead)
        return try await database.read { try await RevenuesStore.accounts(person: person, organisations: try await visible(actor, $0), on: $0) }
    }

    /// The accounts for a dwelling, newest first.
    public func accounts(uprn: UPRN, by actor: Actor) async throws -> [CouncilTaxAccount] {
        try actor.require(.revenuesRead)
        return try await database.read { try await RevenuesStore.accounts(uprn: uprn, organisations: try await visible(actor, $0), on: $0) }
    }
}
