import TownhallKernel

/// An account's charges as payments meet them: each year's standing bill plus the recovery costs issued on it, with
/// payments allocated oldest year first unless directed. Within a year costs are paid first, so what went to the tax is
/// what was allocated less the year's costs. The one place the view, recalculation, recovery and the report get these.
public struct AccountLedger: Sendable {
    public let standing: [FinancialYear: Bill]
    /// Costs issued on each year (summons, liability order).
    public let costs: [FinancialYear: Int64]
    /// What each year owes: the standing bill and its costs.
    public let charges: [FinancialYear: Int64]
    /// The payments, less what was refunded out of them.
    public let payments: [RevenuesPayment]
    public let refunded: Int64

    /// Refunds (other than cancelled ones) come off the latest payments first: the money that made the credit.
    public init(bills: [Bill], payments: [RevenuesPayment], recovery: [RecoveryAction], refunds: [Refund] = []) {
        standing = Bill.standing(bills)
        costs = recovery.filter { $0.status == .issued && $0.costs > 0 }.reduce(into: [:]) { $0[$1.year, default: 0] += $1.costs }
        var charges = standing.mapValues(\.total)
        for (year, c) in costs { charges[year, default: 0] += c }
        self.charges = charges
        let refunded = refunds.filter { $0.status != .cancelled }.reduce(0) { $0 + $1.amount }
        var netted = payments, left = refunded
        for i in netted.indices.reversed() where left > 0 {
            let take = min(left, netted[i].amount)
            netted[i].amount -= take
            left -= take
        }
        self.payments = netted.filter { $0.amount > 0 }
        self.refunded = refunded
    }

    /// The payments received by `day` (all of them when nil) allocated to the years.
    public func allocation(receivedBy day: LocalDate? = nil) -> PaymentAllocation.Result {
        let received = day.map { day in payments.filter { $0.receivedOn <= day } } ?? payments
        return PaymentAllocation.allocate(charges: charges, payments: received.map { .init(amount: $0.amount, directedTo: $0.directedTo) })
    }

    /// What went to a year's tax out of what was allocated to the year.
    public func taxPaid(_ year: FinancialYear, allocated: Int64) -> Int64 { max(0, allocated - (costs[year] ?? 0)) }

    /// Everything owed less everything paid; negative is a credit.
    public var balance: Int64 { charges.values.reduce(0, +) - payments.reduce(0) { $0 + $1.amount } }

    /// The recovery timetable's facts for each year with a bill standing.
    public var recoveryFacts: [FinancialYear: RecoveryTimetable.YearFacts] {
        standing.reduce(into: [:]) { facts, entry in
            let year = entry.key
            facts[year] = RecoveryTimetable.YearFacts(bill: entry.value, costs: costs[year] ?? 0) { allocation(receivedBy: $0).paid[year] ?? 0 }
        }
    }
}
