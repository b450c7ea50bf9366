import Audit
import Foundation
import Register
import SQLKit
import TownhallDatabase
import TownhallKernel

/// An account to load in bulk (a migration from another system, the demo, the benchmark).
public struct AccountSeed: Sendable {
    public var id: RevenuesAccountID
    public var uprn: UPRN
    public var liableFrom: LocalDate
    public var parties: [LiableParty]
    /// Adds a single person discount from the start of liability.
    public var singlePersonDiscount: Bool
    public var tax: Tax
    /// Business rates: adds small business rate relief from the start of liability.
    public var smallBusinessRateRelief: Bool
    public init(id: RevenuesAccountID, uprn: UPRN, liableFrom: LocalDate, parties: [LiableParty], singlePersonDiscount: Bool, tax: Tax = .councilTax,
                smallBusinessRateRelief: Bool = false) {
        self.id = id; self.uprn = uprn; self.liableFrom = liableFrom; self.parties = parties; self.singlePersonDiscount = singlePersonDiscount
        self.tax = tax; self.smallBusinessRateRelief = smallBusinessRateRelief
    }
}

extension Revenues {
    /// Loads accounts with multi-row inserts, a batch per transaction, with one audit entry per batch. Seeds whose id is
    /// already loaded are skipped, so a rerun adds nothing; a seed that overlaps another account for its dwelling fails
    /// its batch. Bills come from the next billing run. Returns how many were created.
    public func loadAccounts(_ seeds: [AccountSeed], by actor: Actor, now: Timestamp = .now) async throws -> Int {
        try actor.require(.revenuesManage)
        var created = 0
        for start in stride(from: 0, to: seeds.count, by: 1000) {
            let batch = Array(seeds[start..<min(start + 1000, seeds.count)])
            created += try await database.transaction { db in
                let existing = try await RevenuesStore.existingAccounts(batch.map(\.id), on: db)
                let fresh = batch.filter { !existing.contains($0.id) }
                guard !fresh.isEmpty else { return 0 }
                var spans: [String: [DateSpan]] = [:]
                for a in try await RevenuesStore.accounts(uprns: fresh.map(\.uprn), organisation: actor.organisationID, on: db) {
                    spans["\(a.tax.rawValue)/\(a.uprn)", default: []].append(a.liable)
                }
                var references: [Tax: [String]] = [:]
                for tax in Tax.allCases {
                    let n = fresh.filter { $0.tax == tax }.count
                    if n > 0 { references[tax] = Array(try await RevenuesStore.nextReferences(n, organisation: actor.organisationID, tax: tax, on: db).reversed()) }
                }
                var accounts: [CouncilTaxAccount] = []
                for seed in fresh {
                    let span = DateSpan(from: seed.liableFrom, to: nil), key = "\(seed.tax.rawValue)/\(seed.uprn)"
                    if spans[key]?.contains(where: { $0.overlaps(span) }) == true {
                        throw TownhallError.conflict("UPRN \(seed.uprn) already has an account liable from \(seed.liableFrom).", code: "overlapping_liability", field: "liable_from")
                    }
                    spans[key, default: []].append(span)
                    let reference = references[seed.tax]!.removeLast()
                    accounts.append(CouncilTaxAccount(id: seed.id, organisationID: actor.organisationID, tax: seed.tax, reference: reference, uprn: seed.uprn, propertyID: nil,
                                                      liable: span, parties: seed.parties, twelveInstalments: false, instalmentDay: 1, eBillingEmail: nil,
                                                      closedAt: nil, createdAt: now, version: 1))
                }
                try await RevenuesStore.insert(accounts, on: db)
                for seed in fresh {
                    // Each flag is its own adjustment kind, checked against the account's tax like any other adjustment.
                    for (wanted, kind, key) in [(seed.singlePersonDiscount, Adjustment.Kind.singlePersonDiscount, "spd"), (seed.smallBusinessRateRelief, .smallBusinessRateRelief, "sbrr")]
                    where wanted {
                        let adjustment = try Adjustment(kind: kind, span: DateSpan(from: seed.liableFrom, to: nil), evidence: "Loaded with the account")
                            .validated(against: [], tax: seed.tax)
                        try await RevenuesStore.insertAdjustment(AccountAdjustment(id: StableUUID.make("\(key)/\(seed.id)").lowercasedString, adjustment: adjustment,
                                                                                   createdAt: now), account: seed.id, on: db)
                    }
                }
                try await AuditLog.record(AuditEntry(actor: actor, action: .import, entityType: "council_tax_account", entityID: nil,
                                                     changes: ["loaded": .init(old: nil, new: "\(fresh.count) accounts")], at: now), on: db)
                return fresh.count
            }
        }
        return created
    }

    /// Imports a payment file (a BACS or card processor's daily file as CSV): `account,amount,received_on,method,reference`.
    /// Every row is checked first and rejected rows are reported with their line and reason (unknown or closed account,
    /// bad amount, a reference already taken); the rest are written in one transaction with one audit entry. A payment's
    /// reference is taken once per account and method, so importing the same file twice adds nothing the second time.
    public func importPayments(csv text: String, by actor: Actor, now: Timestamp = .now) async throws -> ImportReport {
        try actor.require(.revenuesWrite)
        let csv = try CSVRows(text)
        guard ["account", "amount", "reference"].allSatisfy(csv.header.contains) else {
            throw TownhallError.invalid("file", "The header row must name account, amount and reference (and may name received_on and method).", code: "unknown_format")
        }
        let today = LocalDate.today(at: now.date)
        var initial = ImportReport(format: "payments")
        initial.rowsRead = csv.rows.count
        let org = actor.organisationID, start = initial
        return try await database.transaction { db in
            var report = start
            let known = try await RevenuesStore.accounts(references: Array(Set(csv.rows.compactMap { $0.values["account"]?.uppercased() })), organisation: org, on: db)
            var taken = try await RevenuesStore.takenReferences(accounts: known.values.map(\.0), on: db)
            var payments: [RevenuesPayment] = []
            for (line, values) in csv.rows {
                do {
                    let reference = (values["account"] ?? "").trimmingCharacters(in: .whitespaces).uppercased()
                    guard let (account, closed) = known[reference] else { throw TownhallError.notFound("Account \(reference)", field: "account") }
                    guard !closed else { throw TownhallError.conflict("Account \(reference) is closed.", code: "account_closed", field: "account") }
                    let p = try NewPayment(amount: values["amount"], method: values["method"].flatMap { $0.isEmpty ? nil : $0 } ?? "bacs",
                                           receivedOn: values["received_on"], reference: values["reference"]).validated(today: today)
                    guard let ref = p.reference else { throw TownhallError.missing("reference", "Each payment in a file needs its bank reference.") }
                    guard taken.insert("\(account)/\(p.method.rawValue)/\(ref)").inserted else {
                        throw TownhallError.conflict("Payment \(ref) is already recorded on \(reference).", code: "duplicate_payment", field: "reference")
                    }
                    payments.append(RevenuesPayment(id: PaymentID(), accountID: account, amount: p.amount, receivedOn: p.on, method: p.method, reference: ref,
                                                    directedTo: p.year, createdAt: now))
                } catch let e as TownhallError {
                    report.rejected.append(.init(line: line, field: e.field, reason: e.message))
                }
            }
            try await RevenuesStore.insertPayments(payments, organisation: org, on: db)
            report.created = payments.count
            let total = payments.reduce(0) { $0 + $1.amount }
            if !payments.isEmpty {
                try await AuditLog.record(AuditEntry(actor: actor, action: .import, entityType: "council_tax_payment", entityID: nil,
                                                     changes: ["result": .init(old: nil, new: "\(payments.count) payments, \(Money.format(total))")], at: now), on: db)
            }
            return report
        }
    }
}

extension Revenues {
    /// Pays, for every account liable in the year except those whose reference number is a multiple of `missEvery`, the instalments due by a day, as one bank payment
    /// each (reference `BULK-<year>-<day>`, so a rerun adds nothing). For the benchmark and load tests: it writes payments
    /// a batch at a time without reading each account's view.
    public func payInstalmentsDue(year: FinancialYear, by day: LocalDate, missEvery: Int, actor: Actor, now: Timestamp = .now) async throws -> Int {
        try actor.require(.revenuesManage)
        let org = actor.organisationID, reference = "BULK-\(year.startYear)-\(day)"
        var after = "", paid = 0
        while true {
            let from = after
            let (count, last) = try await database.transaction { db -> (Int, String?) in
                let accounts = try await RevenuesStore.accountsLiable(in: year, organisation: org, after: from, limit: 1000, on: db)
                guard let last = accounts.last else { return (0, nil) }
                let taken = try await RevenuesStore.takenReferences(accounts: accounts.map(\.id), on: db)
                let bills = try await RevenuesStore.bills(accounts: accounts.map(\.id), organisation: org, on: db)
                var payments: [RevenuesPayment] = []
                for a in accounts {
                    let number = Int(a.reference.filter(\.isNumber)) ?? 1
                    guard missEvery <= 0 || number % missEvery != 0, !taken.contains("\(a.id)/bacs/\(reference)"),
                          let bill = Bill.standing(bills[a.id] ?? [])[year] else { continue }
                    let due = bill.instalments.filter { $0.due <= day }.reduce(0) { $0 + $1.amount }
                    guard due > 0 else { continue }
                    payments.append(RevenuesPayment(id: PaymentID(), accountID: a.id, amount: due, receivedOn: day, method: .bacs, reference: reference,
                                                    directedTo: year, createdAt: now))
                }
                try await RevenuesStore.insertPayments(payments, organisation: org, on: db)
                return (payments.count, last.id.string)
            }
            guard let last else { break }
            paid += count
            after = last
        }
        return paid
    }
}
