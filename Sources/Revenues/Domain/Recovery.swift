import TownhallKernel

public enum RecoveryActionTag {}
public typealias RecoveryActionID = Identifier<RecoveryActionTag>
public enum ArrangementTag {}
public typealias ArrangementID = Identifier<ArrangementTag>

/// The statutory recovery stages for a year's council tax (SI 1992/613 regs 23, 33–35), in the order they can happen.
public enum RecoveryStage: String, Sendable, Codable, CaseIterable, Comparable {
    /// Reg 23(1): an instalment was missed; pay what is due (and what falls due within 7 days) within 7 days.
    case reminder
    /// The second reminder in the year, after the first was paid and a later instalment missed.
    case secondReminder = "second_reminder"
    /// Reg 23(3): a reminder was not paid within 7 days; the whole balance is due 7 days later.
    case instalmentsLost = "instalments_lost"
    /// Reg 33, after reg 23(4): a third failure after a second reminder was paid makes the whole balance due at once.
    case finalNotice = "final_notice"
    /// Reg 34: a summons to the magistrates' court, with the council's costs, served at least 14 days before the hearing.
    case summons
    /// Reg 34(6)–(7): the court's order for the balance and the costs reasonably incurred.
    case liabilityOrder = "liability_order"

    public var title: String {
        switch self {
        case .reminder: "Reminder"
        case .secondReminder: "Second reminder"
        case .instalmentsLost: "Loss of instalments"
        case .finalNotice: "Final notice"
        case .summons: "Summons"
        case .liabilityOrder: "Liability order"
        }
    }

    var order: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.order < b.order }
}

/// A council's recovery timetable and court costs. England sets no cap on costs (reg 34(7): "costs reasonably incurred"),
/// so each council configures its own; Wales caps the total at £70.
public struct RecoverySettings: Sendable, Codable, Equatable {
    /// Days after a missed instalment before the reminder (councils use 7–14).
    public var reminderAfterDays: Int
    /// Arrears below this are not chased (pence).
    public var minimumArrears: Int64
    public var summonsCosts: Int64
    public var liabilityOrderCosts: Int64
    /// Days from issuing a summons to the hearing; at least 14 (reg 35(2A)).
    public var hearingAfterDays: Int
    /// When true the daily job proposes notices for an officer to review and issue; when false it issues them at once.
    public var reviewBeforeIssue: Bool

    public static let standard = RecoverySettings(reminderAfterDays: 10, minimumArrears: 500, summonsCosts: 7000, liabilityOrderCosts: 3000,
                                                  hearingAfterDays: 21, reviewBeforeIssue: true)

    public init(reminderAfterDays: Int, minimumArrears: Int64, summonsCosts: Int64, liabilityOrderCosts: Int64, hearingAfterDays: Int, reviewBeforeIssue: Bool) {
        self.reminderAfterDays = reminderAfterDays; self.minimumArrears = minimumArrears; self.summonsCosts = summonsCosts
        self.liabilityOrderCosts = liabilityOrderCosts; self.hearingAfterDays = hearingAfterDays; self.reviewBeforeIssue = reviewBeforeIssue
    }

    public func validated() throws -> RecoverySettings {
        guard (1...60).contains(reminderAfterDays) else { throw TownhallError.invalid("reminder_after_days", "Send reminders 1 to 60 days after a missed instalment.") }
        guard (0...100_000).contains(minimumArrears) else { throw TownhallError.invalid("minimum_arrears", "The smallest arrears to chase must be from £0 to £1,000.") }
        guard (0...100_000).contains(summonsCosts) else { throw TownhallError.invalid("summons_costs", "Summons costs must be from £0 to £1,000.") }
        guard (0...100_000).contains(liabilityOrderCosts) else { throw TownhallError.invalid("liability_order_costs", "Liability order costs must be from £0 to £1,000.") }
        guard (14...120).contains(hearingAfterDays) else {
            throw TownhallError.invalid("hearing_after_days", "A summons must be served at least 14 days before the hearing (reg 35(2A)); give 14 to 120 days.")
        }
        return self
    }
}

/// One stage of recovery for an account's year: proposed by the daily job, then issued (with its letter) or withheld
/// by an officer. At most one of each stage per account and year, so running the job twice proposes nothing new.
public struct RecoveryAction: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable { case proposed, issued, withheld }
    public var id: RecoveryActionID
    public var organisationID: OrganisationID
    public var accountID: RevenuesAccountID
    public var accountReference: String
    public var year: FinancialYear
    public var stage: RecoveryStage
    public var status: Status
    public var proposedOn: LocalDate
    public var issuedOn: LocalDate?
    /// What the notice demands (before costs).
    public var amount: Int64
    /// Costs the stage adds to the account when issued.
    public var costs: Int64
    /// Pay by (reminders, final notice), the day the whole balance falls due (loss of instalments) or the hearing (summons).
    public var dueOn: LocalDate?
    /// Why it was withheld.
    public var reason: String?
    public var createdAt: Timestamp

    public init(id: RecoveryActionID = RecoveryActionID(), organisationID: OrganisationID, accountID: RevenuesAccountID, accountReference: String, year: FinancialYear,
                stage: RecoveryStage, status: Status, proposedOn: LocalDate, issuedOn: LocalDate?, amount: Int64, costs: Int64, dueOn: LocalDate?,
                reason: String? = nil, createdAt: Timestamp = .now) {
        self.id = id; self.organisationID = organisationID; self.accountID = accountID; self.accountReference = accountReference; self.year = year
        self.stage = stage; self.status = status; self.proposedOn = proposedOn; self.issuedOn = issuedOn; self.amount = amount; self.costs = costs
        self.dueOn = dueOn; self.reason = reason; self.createdAt = createdAt
    }
}

/// An arrangement to pay: while it runs, recovery takes no further step on the account.
public struct Arrangement: Sendable, Codable, Equatable {
    public enum Frequency: String, Sendable, Codable, CaseIterable { case weekly, fortnightly, monthly }
    public var id: ArrangementID
    public var accountID: RevenuesAccountID
    public var amount: Int64
    public var frequency: Frequency
    public var firstPaymentOn: LocalDate
    public var endsOn: LocalDate?
    public var note: String
    public var cancelledOn: LocalDate?
    public var createdAt: Timestamp

    public init(id: ArrangementID, accountID: RevenuesAccountID, amount: Int64, frequency: Frequency, firstPaymentOn: LocalDate, endsOn: LocalDate?,
                note: String, cancelledOn: LocalDate?, createdAt: Timestamp) {
        self.id = id; self.accountID = accountID; self.amount = amount; self.frequency = frequency; self.firstPaymentOn = firstPaymentOn
        self.endsOn = endsOn; self.note = note; self.cancelledOn = cancelledOn; self.createdAt = createdAt
    }

    public func holds(on day: LocalDate) -> Bool {
        (cancelledOn.map { day < $0 } ?? true) && (endsOn.map { day <= $0 } ?? true)
    }
}

/// Input for an arrangement to pay.
public struct NewArrangement: Sendable, Codable, Equatable {
    public var amount: String?
    public var frequency: String?
    public var firstPaymentOn: String?
    public var endsOn: String?
    public var note: String?

    public init(amount: String?, frequency: String?, firstPaymentOn: String?, endsOn: String? = nil, note: String?) {
        self.amount = amount; self.frequency = frequency; self.firstPaymentOn = firstPaymentOn; self.endsOn = endsOn; self.note = note
    }

    public func validated(today: LocalDate) throws -> (amount: Int64, frequency: Arrangement.Frequency, first: LocalDate, ends: LocalDate?, note: String) {
        guard let raw = amount, !raw.trimmingCharacters(in: .whitespaces).isEmpty else { throw TownhallError.missing("amount", "Enter the amount of each payment.") }
        let pence = try Money.parse(raw, field: "amount")
        guard pence > 0 else { throw TownhallError.invalid("amount", "Each payment must be more than £0.00.", code: "negative_amount") }
        guard let f = frequency, let frequency = Arrangement.Frequency(rawValue: f) else {
            throw TownhallError.invalid("frequency", "Say how often: weekly, fortnightly or monthly.")
        }
        guard let firstRaw = firstPaymentOn, !firstRaw.isEmpty else { throw TownhallError.missing("first_payment_on", "Give the date of the first payment.") }
        let first = try LocalDate(parsing: firstRaw, field: "first_payment_on")
        guard first >= today.adding(days: -31), first <= today.adding(days: 62) else {
            throw TownhallError.invalid("first_payment_on", "The first payment must be within a month before or two months after today.")
        }
        let ends = try endsOn.flatMap { $0.isEmpty ? nil : try LocalDate(parsing: $0, field: "ends_on") }
        if let ends, ends < first { throw TownhallError.invalid("ends_on", "The arrangement cannot end before its first payment.", code: "invalid_period") }
        let note = (note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else { throw TownhallError.missing("note", "Say what was agreed and why (for example, income and outgoings checked).") }
        guard note.count <= 2000 else { throw TownhallError.invalid("note", "Keep the note under 2,000 characters.") }
        return (pence, frequency, first, ends, note)
    }
}

/// The recovery timetable as a pure rule: given one year of an account (its standing bill, the payments toward the year,
/// the recovery so far) it says which stage, if any, is due on a day.
public enum RecoveryTimetable {
    /// A reminder gives 7 days to pay (reg 23(3)); after loss of instalments the balance is due 7 days later.
    public static let daysToPay = 7

    public struct Proposal: Sendable, Equatable {
        public var stage: RecoveryStage
        public var amount: Int64
        public var costs: Int64
        /// Fixed when proposed for loss of instalments (reg 23(3) counts from the reminder); otherwise set on issue.
        public var dueOn: LocalDate?

        public init(stage: RecoveryStage, amount: Int64, costs: Int64, dueOn: LocalDate?) {
            self.stage = stage; self.amount = amount; self.costs = costs; self.dueOn = dueOn
        }
    }

    /// What the year's tax and costs still need, and how far the instalments are paid, on a day.
    public struct YearFacts: Sendable {
        public var bill: Bill
        /// Payments (received on or before each day) allocated to this year, tax and costs together.
        public var paidBy: @Sendable (LocalDate) -> Int64
        /// Costs issued on the year so far.
        public var costs: Int64

        public init(bill: Bill, costs: Int64, paidBy: @escaping @Sendable (LocalDate) -> Int64) { self.bill = bill; self.costs = costs; self.paidBy = paidBy }

        public func balance(on day: LocalDate) -> Int64 { bill.total + costs - paidBy(day) }

        /// The instalment position on `day` counting payments received by `paidOn` (costs are paid first).
        public func position(on day: LocalDate, paidOn: LocalDate? = nil) -> InstalmentPosition {
            bill.position(paid: max(0, paidBy(paidOn ?? day) - costs), on: day)
        }
    }

    /// The next stage due on `today`, or nil. `history` is the year's recovery so far, any status.
    public static func next(_ facts: YearFacts, history: [RecoveryAction], settings: RecoverySettings, today: LocalDate) -> Proposal? {
        // One step at a time: a stage waiting for review, or withheld by an officer, stops the year here.
        if history.contains(where: { $0.status != .issued }) { return nil }
        let balance = facts.balance(on: today)
        guard balance >= settings.minimumArrears else { return nil }
        let issued = history.sorted { $0.stage < $1.stage }
        guard let last = issued.last else { return reminder(.reminder, facts, settings: settings, today: today) }
        let lastOn = last.issuedOn ?? last.proposedOn
        switch last.stage {
        case .reminder, .secondReminder:
            let payBy = lastOn.adding(days: daysToPay)
            guard today > payBy else { return nil }
            // Paid within 7 days? What the reminder demanded is what fell due by the pay-by day.
            if facts.position(on: payBy, paidOn: payBy).arrears > 0 {
                return Proposal(stage: .instalmentsLost, amount: balance, costs: 0, dueOn: payBy.adding(days: daysToPay))
            }
            // Paid: anything overdue now is a later instalment.
            if last.stage == .reminder { return reminder(.secondReminder, facts, settings: settings, today: today) }
            // Reg 23(4): after paying a second reminder, the next failure makes the whole balance due the day after it.
            guard let failure = missed(facts, settings: settings, today: today) else { return nil }
            return Proposal(stage: .finalNotice, amount: balance, costs: 0, dueOn: failure.adding(days: 1))
        case .instalmentsLost:
            guard let due = last.dueOn, today > due else { return nil }
            return Proposal(stage: .summons, amount: balance, costs: settings.summonsCosts, dueOn: nil)
        case .finalNotice:
            guard today > lastOn.adding(days: daysToPay) else { return nil }
            return Proposal(stage: .summons, amount: balance, costs: settings.summonsCosts, dueOn: nil)
        case .summons:
            // Paying the balance and costs before the hearing ends the case (reg 34(5)); the guard on balance covers it.
            guard let hearing = last.dueOn, today >= hearing else { return nil }
            return Proposal(stage: .liabilityOrder, amount: balance, costs: settings.liabilityOrderCosts, dueOn: nil)
        case .liabilityOrder:
            return nil
        }
    }

    /// The due date of the earliest instalment unpaid `reminderAfterDays` after it fell due, if the arrears are worth chasing.
    static func missed(_ facts: YearFacts, settings: RecoverySettings, today: LocalDate) -> LocalDate? {
        let position = facts.position(on: today.adding(days: -settings.reminderAfterDays), paidOn: today)
        guard position.arrears >= settings.minimumArrears, let first = position.next else { return nil }
        return first.due
    }

    static func reminder(_ stage: RecoveryStage, _ facts: YearFacts, settings: RecoverySettings, today: LocalDate) -> Proposal? {
        guard missed(facts, settings: settings, today: today) != nil else { return nil }
        // Reg 23(1): the instalments due, plus any falling due within 7 days of the notice.
        let demanded = facts.position(on: today.adding(days: daysToPay), paidOn: today).arrears
        return Proposal(stage: stage, amount: demanded, costs: 0, dueOn: nil)
    }
}

extension Bill {
    /// Where the bill's instalments stand on a day, given what was paid toward its year. A revised bill's instalments
    /// cover only what was outstanding when it was issued: payments before it are already allowed for.
    public func position(paid: Int64, on day: LocalDate) -> InstalmentPosition {
        let paidBefore = sequence == 1 ? 0 : min(paid, total - instalments.reduce(0) { $0 + $1.amount })
        return InstalmentPosition.of(instalments, paid: paid - paidBefore, on: day)
    }
}
