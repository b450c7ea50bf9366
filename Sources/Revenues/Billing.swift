import Audit
import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// What a bill says an account owes for a year and how it was worked out.
struct Assessment {
    var total: Int64
    var band: CouncilTaxBand?
    var area: String
    var lines: [NoticeLine]
    var segments: [CouncilTaxLiability.Segment] = []
    var rates: [BusinessRatesLiability.Segment] = []
}

/// The valuation lists' entries for the properties being billed.
struct Valuations {
    var bands: [UPRN: [BandEntry]] = [:]
    var ratings: [UPRN: [RatingEntry]] = [:]

    static func load(for accounts: [CouncilTaxAccount], organisation: OrganisationID, on db: any SQLDatabase) async throws -> Valuations {
        let ct = accounts.filter { $0.tax == .councilTax }.map(\.uprn), br = accounts.filter { $0.tax == .businessRates }.map(\.uprn)
        return Valuations(bands: ct.isEmpty ? [:] : try await RevenuesStore.bandRows(uprns: ct, organisation: organisation, on: db),
                          ratings: br.isEmpty ? [:] : try await RevenuesStore.ratingRows(uprns: br, organisation: organisation, on: db))
    }
}

extension Revenues {
    /// What one account owes for a year, or why it cannot be billed.
    static func liability(_ a: CouncilTaxAccount, year: FinancialYear, valuations: Valuations, adjustments: [AccountAdjustment],
                          charges: [String: CouncilTaxCharges]) -> Result<Assessment, NotBilled> {
        switch a.tax {
        case .councilTax: return councilTax(a, year: year, bands: valuations.bands[a.uprn] ?? [], adjustments: adjustments, charges: charges)
        case .businessRates: return businessRates(a, year: year, values: valuations.ratings[a.uprn] ?? [], adjustments: adjustments)
        }
    }

    static func councilTax(_ a: CouncilTaxAccount, year: FinancialYear, bands: [BandEntry], adjustments: [AccountAdjustment],
                           charges: [String: CouncilTaxCharges]) -> Result<Assessment, NotBilled> {
        // The area is the one on the list entry in force at the start of liability in the year (a dwelling does not move parish).
        let start = max(year.start, a.liable.from)
        guard let entry = bands.last(where: { $0.from <= start }) ?? bands.first(where: { year.contains($0.from) }) else {
            return .failure(NotBilled(reference: a.reference, reason: "UPRN \(a.uprn) has no council tax band on the valuation list in \(year)."))
        }
        guard let c = charges[entry.area] else {
            return .failure(NotBilled(reference: a.reference, reason: "No charges are set for \(entry.area.isEmpty ? "the unparished area" : "area \(entry.area)") in \(year)."))
        }
        let result = CouncilTaxLiability.compute(year: year, liable: a.liable, bands: BandHistory(bands.map { ($0.from, $0.band) }),
                                                 adjustments: adjustments.map(\.adjustment), charges: c)
        return .success(Assessment(total: result.total, band: entry.band, area: entry.area, lines: c.noticeLines(entry.band), segments: result.segments))
    }

    /// Business rates from the rating list and the multipliers in law; the notice's lines are the annual amounts at the
    /// start of liability in the year (rateable value × multiplier, then each relief).
    static func businessRates(_ a: CouncilTaxAccount, year: FinancialYear, values: [RatingEntry], adjustments: [AccountAdjustment]) -> Result<Assessment, NotBilled> {
        guard !values.isEmpty else {
            return .failure(NotBilled(reference: a.reference, reason: "UPRN \(a.uprn) has no rateable value on the rating list in \(year)."))
        }
        do {
            let result = try BusinessRatesLiability.compute(year: year, liable: a.liable, values: values, adjustments: adjustments.map(\.adjustment))
            var lines: [NoticeLine] = []
            if let first = result.segments.first {
                lines.append(NoticeLine(name: "Rateable value \(Money.format(first.rateableValue * 100)) × \(first.pence)", amount: first.gross, previous: nil))
                for r in first.reliefs {
                    lines.append(NoticeLine(name: "\(r.kind.title) (\(r.percent))", amount: -r.amount, previous: nil))
                }
            }
            return .success(Assessment(total: result.total, band: nil, area: "", lines: lines, rates: result.segments))
        } catch let e as TownhallError {
            return .failure(NotBilled(reference: a.reference, reason: e.message))
        } catch {
            return .failure(NotBilled(reference: a.reference, reason: "\(error)"))
        }
    }

    public static func noCharges(_ year: FinancialYear) -> TownhallError {
        TownhallError.invalid("year", "No council tax charges are set for \(year). Set each area's Band D amounts before billing.", code: "no_charges")
    }

    static func makeBill(_ a: CouncilTaxAccount, year: FinancialYear, sequence: Int, issued: LocalDate, assessment x: Assessment,
                         instalments: [Instalment], run: BillingRunID?, now: Timestamp) -> Bill {
        Bill(id: BillID(), organisationID: a.organisationID, accountID: a.id, year: year, sequence: sequence, issuedOn: issued, total: x.total,
             band: x.band, area: x.area, lines: x.lines, segments: x.segments, rates: x.rates, instalments: instalments, runID: run, createdAt: now)
    }

    /// Brings an account's bills up to date after a change: for every year it has a bill for, or the organisation has run
    /// billing for and the account is liable in, a changed charge gets a revised notice whose instalments spread what is
    /// still owed (allowing for payments) over the instalments still to come; a year with no bill yet gets its first.
    func recalculate(_ a: CouncilTaxAccount, actor: Actor, now: Timestamp, on db: any SQLDatabase) async throws {
        let today = LocalDate.today(at: now.date)
        let bills = try await RevenuesStore.bills(account: a.id, organisation: a.organisationID, on: db)
        let runYears = try await RevenuesStore.billedYears(organisation: a.organisationID, on: db)
        var years = Set(bills.map(\.year))
        for y in runYears where a.liable.from <= y.end && (a.liable.to.map { $0 >= y.start } ?? true) { years.insert(y) }
        guard !years.isEmpty else { return }
        let valuations = try await Valuations.load(for: [a], organisation: a.organisationID, on: db)
        let adjustments = try await RevenuesStore.adjustments(accounts: [a.id], on: db)[a.id] ?? []
        let payments = try await RevenuesStore.payments(account: a.id, on: db)
        let ledger = AccountLedger(bills: bills, payments: payments, recovery: try await RevenuesStore.actions(accounts: [a.id], on: db)[a.id] ?? [],
                                   refunds: try await RevenuesStore.refunds(accounts: [a.id], on: db)[a.id] ?? [])
        let latest = ledger.standing
        let allocated = ledger.allocation().paid
        var created: [Bill] = []
        for year in years.sorted() {
            let charges = try await RevenuesStore.charges(year: year, organisation: a.organisationID, on: db)
            guard case .success(let x) = Self.liability(a, year: year, valuations: valuations, adjustments: adjustments, charges: charges) else { continue }
            if let previous = latest[year] {
                guard previous.total != x.total else { continue }
                let outstanding = x.total - ledger.taxPaid(year, allocated: allocated[year] ?? 0)
                let instalments = InstalmentScheme.reprofile(outstanding: outstanding, previous: previous.instalments, year: year, issued: today)
                created.append(Self.makeBill(a, year: year, sequence: previous.sequence + 1, issued: today, assessment: x, instalments: instalments, run: nil, now: now))
            } else {
                let instalments = InstalmentScheme.schedule(total: x.total, year: year, issued: today, twelve: a.twelveInstalments, day: a.instalmentDay)
                created.append(Self.makeBill(a, year: year, sequence: 1, issued: today, assessment: x, instalments: instalments, run: nil, now: now))
            }
        }
        try await RevenuesStore.insertBills(created, on: db)
        try await queueEBills(created, accounts: [a.id: a], on: db)
        for b in created {
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "council_tax_bill", entityID: b.id.string, subject: a.parties.first?.personID,
                                                 changes: ["year": .init(old: nil, new: b.year.description), "total": .init(old: latest[b.year].map { Money.format($0.total) },
                                                                                                                         new: Money.format(b.total))], at: now), on: db)
        }
    }

    /// The annual billing run: a demand notice with its instalment schedule for every account liable in the year.
    ///
    /// Resumable and idempotent. Accounts are walked in id order in batches; each batch's bills and the run's counts commit
    /// together, and an account that already has a bill for the year is counted, not billed again (the bill's unique key
    /// on account, year and sequence enforces it even against a second node). Killed at any point and run again, every
    /// account ends with exactly one annual bill.
    /// - Parameters:
    ///   - issuedOn: the date printed on the notices; instalments start at least 14 days later.
    ///   - progress: called after each batch with the run's counts so far; throwing stops the run (it can be run again).
    public func billingRun(year: FinancialYear, issuedOn: LocalDate, by actor: Actor, now: Timestamp = .now,
                           progress: (@Sendable (BillingRun) async throws -> Void)? = nil) async throws -> (run: BillingRun, notBilled: [NotBilled]) {
        let (run, charges) = try await beginBillingRun(year: year, issuedOn: issuedOn, by: actor, now: now)
        return try await continueBillingRun(run, charges: charges, by: actor, now: now, progress: progress)
    }

    /// Checks a run can start (charges are set for the year) and records it as running: what the API returns at once
    /// before the run carries on in the background.
    public func beginBillingRun(year: FinancialYear, issuedOn: LocalDate, by actor: Actor, now: Timestamp = .now) async throws -> (BillingRun, [String: CouncilTaxCharges]) {
        try actor.require(.revenuesManage)
        let org = actor.organisationID
        let charges = try await database.read { try await RevenuesStore.charges(year: year, organisation: org, on: $0) }
        guard !charges.isEmpty else {
            throw Self.noCharges(year)
        }
        let total = try await database.read { try await RevenuesStore.countLiable(in: year, organisation: org, on: $0) }
        let run = BillingRun(id: BillingRunID(), organisationID: org, year: year, issuedOn: issuedOn, status: .running, accounts: total,
                             created: 0, alreadyBilled: 0, notBilled: 0, startedAt: now, finishedAt: nil, message: nil)
        try await database.transaction { try await RevenuesStore.insertRun(run, on: $0) }
        return (run, charges)
    }

    /// One batch of a run as its accounts stood when read: the bills to write and the accounts that cannot be billed.
    struct BillingBatch: Sendable {
        /// The accounts with no bill for the year when read, as read (their versions are checked again before writing).
        var toBill: [CouncilTaxAccount]
        var alreadyBilled: Int
        var bills: [Bill]
        var refused: [NotBilled]
        /// The walk's cursor: the last account id read.
        var last: String
    }

    /// Reads the batch of liable accounts after `cursor` and works out their bills, on a reader: the next batch is worked
    /// out while the writer writes this one, so the run uses two cores.
    func readBillingBatch(_ run: BillingRun, after cursor: String, charges: [String: CouncilTaxCharges], now: Timestamp) async throws -> BillingBatch? {
        let size = billingBatch
        return try await database.read { db in
            let accounts = try await RevenuesStore.accountsLiable(in: run.year, organisation: run.organisationID, after: cursor, limit: size, on: db)
            guard let last = accounts.last else { return nil }
            let billed = try await RevenuesStore.billed(accounts: accounts.map(\.id), year: run.year, on: db)
            let toBill = accounts.filter { !billed.contains($0.id) }
            let (bills, refused) = try await Self.assess(toBill, for: run, charges: charges, now: now, on: db)
            return BillingBatch(toBill: toBill, alreadyBilled: billed.count, bills: bills, refused: refused, last: last.id.string)
        }
    }

    /// The annual bills of `accounts` for a run, and those that cannot be billed with the reason.
    private static func assess(_ accounts: [CouncilTaxAccount], for run: BillingRun, charges: [String: CouncilTaxCharges], now: Timestamp,
                               on db: any SQLDatabase) async throws -> (bills: [Bill], refused: [NotBilled]) {
        let valuations = try await Valuations.load(for: accounts, organisation: run.organisationID, on: db)
        let adjustments = try await RevenuesStore.adjustments(accounts: accounts.map(\.id), on: db)
        var bills: [Bill] = [], refused: [NotBilled] = []
        for a in accounts {
            switch liability(a, year: run.year, valuations: valuations, adjustments: adjustments[a.id] ?? [], charges: charges) {
            case .failure(let reason): refused.append(reason)
            case .success(let x):
                let instalments = InstalmentScheme.schedule(total: x.total, year: run.year, issued: run.issuedOn, twelve: a.twelveInstalments, day: a.instalmentDay)
                bills.append(makeBill(a, year: run.year, sequence: 1, issued: run.issuedOn, assessment: x, instalments: instalments, run: run.id, now: now))
            }
        }
        return (bills, refused)
    }

    /// Writes a batch worked out on a reader. Between the read and this transaction an account may have been billed (a
    /// change recalculates an account for every year with a run, so a move or a discount bills it itself), closed, or
    /// otherwise changed (its version moved on): the first is counted as already billed, the others are read and worked
    /// out again here, so every bill written matches the account as it stands at the commit.
    func writeBillingBatch(_ batch: BillingBatch, run current: BillingRun, charges: [String: CouncilTaxCharges], now: Timestamp,
                           on db: any SQLDatabase) async throws -> (BillingRun, [NotBilled]) {
        var run = current
        let ids = batch.toBill.map(\.id)
        let billed = try await RevenuesStore.billed(accounts: ids, year: run.year, on: db)
        let versions = try await RevenuesStore.liableVersions(accounts: ids, in: run.year, organisation: run.organisationID, on: db)
        let pending = batch.toBill.filter { !billed.contains($0.id) }
        let unchanged = pending.filter { versions[$0.id] == $0.version }, changed = pending.filter { versions[$0.id] != $0.version }
        let keep = Set(unchanged.map(\.id)), keepReferences = Set(unchanged.map(\.reference))
        var bills = batch.bills.filter { keep.contains($0.accountID) }
        var refused = batch.refused.filter { keepReferences.contains($0.reference) }
        var accounts = unchanged
        if !changed.isEmpty {
            let reread = try await RevenuesStore.accountsLiable(ids: changed.map(\.id), in: run.year, organisation: run.organisationID, on: db)
            let again = try await Self.assess(reread, for: run, charges: charges, now: now, on: db)
            bills += again.bills
            refused += again.refused
            accounts += reread
        }
        try await RevenuesStore.insertBills(bills, on: db)
        try await queueEBills(bills, accounts: Dictionary(accounts.map { ($0.id, $0) }) { a, _ in a }, on: db)
        run.created += bills.count
        run.alreadyBilled += batch.alreadyBilled + billed.count
        run.notBilled += refused.count
        try await RevenuesStore.updateRun(run, on: db)
        return (run, refused)
    }

    /// Bills every account of a begun run, batch by batch: each batch is read and worked out on a reader while the one
    /// before it is written.
    public func continueBillingRun(_ started: BillingRun, charges: [String: CouncilTaxCharges], by actor: Actor, now: Timestamp = .now,
                                   progress: (@Sendable (BillingRun) async throws -> Void)? = nil) async throws -> (run: BillingRun, notBilled: [NotBilled]) {
        let year = started.year
        var run = started
        var notBilled: [NotBilled] = []
        var next = Task { try await self.readBillingBatch(started, after: "", charges: charges, now: now) }
        var unwritten = 0
        do {
            while let batch = try await next.value {
                next = Task { try await self.readBillingBatch(started, after: batch.last, charges: charges, now: now) }
                if batch.toBill.isEmpty {
                    // All billed already (a rerun): counted, and the counts recorded every 20 such batches rather than each,
                    // because every commit makes the reader's next read start cold (SQLite drops a reader's pages when
                    // another connection commits): that made a rerun of 500,000 accounts take 13.8 s instead of 8.3 s.
                    run.alreadyBilled += batch.alreadyBilled
                    unwritten += 1
                    if unwritten % 20 == 0 {
                        let counts = run
                        try await database.transaction { try await RevenuesStore.updateRun(counts, on: $0) }
                    }
                } else {
                    let current = run
                    let (written, refused) = try await database.transaction { db in
                        try await self.writeBillingBatch(batch, run: current, charges: charges, now: now, on: db)
                    }
                    run = written
                    if notBilled.count < 1000 { notBilled += refused.prefix(1000 - notBilled.count) }
                }
                try await progress?(run)
            }
            run.status = .finished
            run.finishedAt = .now
            let finished = run
            try await database.transaction { db in
                try await RevenuesStore.updateRun(finished, on: db)
                try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "billing_run", entityID: finished.id.string,
                                                     changes: ["year": .init(old: nil, new: year.description), "result": .init(old: nil, new: finished.summary)], at: now), on: db)
            }
            return (run, notBilled)
        } catch {
            next.cancel()
            run.status = .failed
            run.message = String(describing: error).prefix(500).description
            let failed = run
            try? await database.transaction { try await RevenuesStore.updateRun(failed, on: $0) }
            throw error
        }
    }

    /// The organisations that have council tax charges set for a year (what an operator's billing run covers).
    public func chargingOrganisations(year: FinancialYear) async throws -> [OrganisationID] {
        try await database.read { db in
            try await db.raw("SELECT DISTINCT organisation_id FROM revenues_charge WHERE year = \(bind: year.startYear) ORDER BY organisation_id").all()
                .map { try $0.id("organisation_id") }
        }
    }

    /// Recent billing runs, newest first.
    public func billingRuns(by actor: Actor, limit: Int = 20) async throws -> [BillingRun] {
        try actor.require(.revenuesRead)
        return try await database.read { try await RevenuesStore.runs(organisation: actor.organisationID, limit: limit, on: $0) }
    }

    public func billingRun(id: BillingRunID, by actor: Actor) async throws -> BillingRun {
        try actor.require(.revenuesRead)
        guard let run = try await database.read({ try await RevenuesStore.run(id: id, organisation: actor.organisationID, on: $0) }) else {
            throw TownhallError.notFound("Billing run \(id)", field: "run")
        }
        return run
    }
}
