import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// The collection report managers and partnership boards watch (BVPI 9 style): the year's net collectable debit and what
/// has been collected toward it, arrears by year, bills issued, and recovery stage counts.
public struct CollectionReport: Sendable, Codable, Equatable {
    public struct YearLine: Sendable, Codable, Equatable {
        public var year: FinancialYear
        /// Every account's standing bill for the year, plus recovery costs.
        public var debit: Int64
        public var paid: Int64
        public var outstanding: Int64
        public var accounts: Int
    }
    public struct BillsLine: Sendable, Codable, Equatable {
        public var year: FinancialYear
        public var annual: Int
        public var revised: Int
    }
    public struct StageLine: Sendable, Codable, Equatable {
        public var stage: RecoveryStage
        public var proposed: Int
        public var issued: Int
        public var withheld: Int
    }

    /// Council tax (BVPI 9) or business rates (BVPI 10).
    public var tax: Tax
    public var year: FinancialYear
    public var asOf: LocalDate
    /// The year's net collectable debit (standing bills after discounts, exemptions and reductions).
    public var netDebit: Int64
    /// Received by `asOf` (and within the year) and allocated to the year.
    public var collected: Int64
    /// Collected as a percentage of the debit, to two places ("97.67").
    public var collectionRate: String
    public var years: [YearLine]
    public var bills: [BillsLine]
    public var recovery: [StageLine]

    /// What the CSV is called when downloaded, like `council-tax-collection-2026-2026-11-22.csv`.
    public var csvFilename: String { "\(tax.rawValue.replacingOccurrences(of: "_", with: "-"))-collection-\(year.startYear)-\(asOf).csv" }

    /// One row per figure, for a spreadsheet.
    public var csv: String {
        var rows = ["section,year,measure,value"]
        rows.append("collection,\(year),net_collectable_debit,\(Money.decimal(netDebit))")
        rows.append("collection,\(year),collected_by_\(asOf),\(Money.decimal(collected))")
        rows.append("collection,\(year),collection_rate_percent,\(collectionRate)")
        for y in years {
            rows.append("arrears,\(y.year),debit,\(Money.decimal(y.debit))")
            rows.append("arrears,\(y.year),paid,\(Money.decimal(y.paid))")
            rows.append("arrears,\(y.year),outstanding,\(Money.decimal(y.outstanding))")
            rows.append("arrears,\(y.year),accounts,\(y.accounts)")
        }
        for b in bills {
            rows.append("bills,\(b.year),annual,\(b.annual)")
            rows.append("bills,\(b.year),revised,\(b.revised)")
        }
        for r in recovery {
            rows.append("recovery,,\(r.stage.rawValue)_proposed,\(r.proposed)")
            rows.append("recovery,,\(r.stage.rawValue)_issued,\(r.issued)")
            rows.append("recovery,,\(r.stage.rawValue)_withheld,\(r.withheld)")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// A percentage to two places, rounded half-up; 0 of 0 is 0.00.
    static func percent(_ part: Int64, of whole: Int64) -> String {
        guard whole > 0 else { return "0.00" }
        let hundredths = Money.roundHalfUp(part * 10_000, whole)
        return "\(hundredths / 100).\(Digits.padded(hundredths % 100, width: 2))"
    }
}

extension Revenues {
    /// The collection report for a year on a day, computed from every account's bills, costs and payments (a walk over the
    /// accounts in batches, so it holds one batch in memory at a time).
    public func collectionReport(year: FinancialYear, asOf: LocalDate, tax: Tax = .councilTax, by actor: Actor) async throws -> CollectionReport {
        try actor.require(.revenuesRead)
        let org = actor.organisationID
        var byYear: [FinancialYear: CollectionReport.YearLine] = [:]
        var collected: Int64 = 0
        var after = ""
        let cutOff = min(asOf, year.end)
        while true {
            let cursor = after
            let (ids, bills, payments, actions, refunds) = try await database.read { db in
                let ids = try await RevenuesStore.billedAccountIDs(organisation: org, tax: tax, after: cursor, limit: Self.recoveryBatch, on: db)
                return (ids, try await RevenuesStore.bills(accounts: ids, organisation: org, on: db), try await RevenuesStore.payments(accounts: ids, on: db),
                        try await RevenuesStore.actions(accounts: ids, on: db), try await RevenuesStore.refunds(accounts: ids, on: db))
            }
            guard let last = ids.last else { break }
            after = last.string
            for id in ids {
                let ledger = AccountLedger(bills: bills[id] ?? [], payments: payments[id] ?? [],
                                           recovery: (actions[id] ?? []).filter { ($0.issuedOn ?? asOf) <= asOf },
                                           refunds: (refunds[id] ?? []).filter { $0.requestedOn <= asOf })
                let allocation = ledger.allocation(receivedBy: asOf)
                for (y, debit) in ledger.charges {
                    let paid = allocation.paid[y] ?? 0
                    var line = byYear[y] ?? .init(year: y, debit: 0, paid: 0, outstanding: 0, accounts: 0)
                    line.debit += debit; line.paid += paid; line.outstanding += debit - paid; line.accounts += 1
                    byYear[y] = line
                }
                if ledger.charges[year] != nil { collected += ledger.allocation(receivedBy: cutOff).paid[year] ?? 0 }
            }
        }
        let (bills, stages) = try await database.read { db in
            (try await RevenuesStore.billCounts(organisation: org, tax: tax, on: db), try await RevenuesStore.actionCounts(organisation: org, year: nil, tax: tax, on: db))
        }
        var recovery: [RecoveryStage: CollectionReport.StageLine] = [:]
        for (stage, status, n) in stages {
            var line = recovery[stage] ?? .init(stage: stage, proposed: 0, issued: 0, withheld: 0)
            switch status {
            case .proposed: line.proposed += n
            case .issued: line.issued += n
            case .withheld: line.withheld += n
            }
            recovery[stage] = line
        }
        let debit = byYear[year]?.debit ?? 0
        return CollectionReport(tax: tax, year: year, asOf: asOf, netDebit: debit, collected: collected, collectionRate: CollectionReport.percent(collected, of: debit),
                                years: byYear.values.sorted { $0.year > $1.year }, bills: bills, recovery: recovery.values.sorted { $0.stage < $1.stage })
    }
}
