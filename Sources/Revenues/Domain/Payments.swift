import TownhallKernel

public enum PaymentMethod: String, Sendable, Codable, CaseIterable {
    case cash, card
    case directDebit = "direct_debit"
    case bacs, cheque
    case adjustment

    public var title: String {
        switch self {
        case .cash: "Cash (cash office)"
        case .card: "Debit or credit card"
        case .directDebit: "Direct Debit"
        case .bacs: "Bank transfer (BACS)"
        case .cheque: "Cheque"
        case .adjustment: "Adjustment"
        }
    }
}

/// Payments go to the oldest year with something owing, unless the payer directed one to a year; what is left over is a
/// credit on the account (refundable, or carried to the next charge).
public enum PaymentAllocation {
    public struct Payment: Sendable, Equatable {
        public var amount: Int64
        public var directedTo: FinancialYear?
        public init(amount: Int64, directedTo: FinancialYear? = nil) { self.amount = amount; self.directedTo = directedTo }
    }

    public struct Result: Sendable, Equatable {
        /// Paid toward each year's charge.
        public var paid: [FinancialYear: Int64]
        /// Each year's charge less what was paid toward it.
        public var outstanding: [FinancialYear: Int64]
        public var credit: Int64
    }

    /// - Parameters:
    ///   - charges: each year's current charge (the latest bill's total, and any recovery costs).
    ///   - payments: in the order received.
    public static func allocate(charges: [FinancialYear: Int64], payments: [Payment]) -> Result {
        var owing = charges.filter { $0.value > 0 }
        var paid: [FinancialYear: Int64] = [:]
        var credit: Int64 = 0
        for p in payments {
            var left = p.amount
            if let year = p.directedTo, let due = owing[year], due > 0 {
                let take = min(due, left)
                owing[year] = due - take; paid[year, default: 0] += take; left -= take
            }
            for year in owing.keys.sorted() where left > 0 {
                let due = owing[year]!
                guard due > 0 else { continue }
                let take = min(due, left)
                owing[year] = due - take; paid[year, default: 0] += take; left -= take
            }
            credit += left
        }
        var outstanding: [FinancialYear: Int64] = [:]
        for (year, charge) in charges { outstanding[year] = charge - (paid[year] ?? 0) }
        return Result(paid: paid, outstanding: outstanding, credit: credit)
    }
}
