import TownhallKernel

public struct Instalment: Sendable, Codable, Equatable {
    public var number: Int
    public var due: LocalDate
    public var amount: Int64
    public init(number: Int, due: LocalDate, amount: Int64) { self.number = number; self.due = due; self.amount = amount }
}

/// The statutory instalment scheme (Council Tax (Administration and Enforcement) Regulations 1992, SI 1992/613, Schedule 1
/// Part I; the 12-instalment right from reg 21(1A)–(1D), SI 2012/3086).
public enum InstalmentScheme {
    /// The first instalment falls due at least this many days after the notice is issued.
    public static let minimumNotice = 14

    /// How many instalments a notice issued on `issued` may have.
    /// - Issued by 30 April: 10, or 12 on request when issued by 15 April (para 2(3A)); a 12-instalment request issued
    ///   later in April gets the 11 whole months left.
    /// - Issued 1 May to 31 December: the whole months left after the month of issue, less one (May 9, June 8, … December 2);
    ///   on request, the whole months left (a June notice gives 9, July to March).
    /// - Issued January to March: one.
    public static func count(year: FinancialYear, issued: LocalDate, twelve: Bool) -> Int {
        if issued < (try! LocalDate(year: year.startYear, month: 5, day: 1)) {
            guard twelve else { return 10 }
            return issued <= (try! LocalDate(year: year.startYear, month: 4, day: 15)) ? 12 : 11
        }
        guard issued.year == year.startYear else { return 1 }
        let monthsLeft = 12 - issued.month + 3   // whole months after the month of issue, to March
        return twelve ? monthsLeft : monthsLeft - 1
    }

    /// Splits an aggregate over `count` instalments (paras 2(5)–(7) and 3):
    /// - under £10: one instalment; otherwise no more instalments than whole £5s in the amount;
    /// - an amount that divides into whole pounds is split equally; otherwise every instalment after the first is the
    ///   average rounded to the nearest pound (a half rounds up; the regulations leave the tie open) and the first takes
    ///   the difference;
    /// - a first instalment that would be under £5 absorbs the second (para 2(7)).
    public static func split(_ total: Int64, count requested: Int) -> [Int64] {
        guard total > 0 else { return [] }
        var count = total < 1000 ? 1 : max(1, min(requested, Int(total / 500)))
        if total % (100 * Int64(count)) == 0 { return Array(repeating: total / Int64(count), count: count) }
        let rest = Money.roundHalfUp(total, 100 * Int64(count)) * 100
        var first = total - Int64(count - 1) * rest
        while count > 1 && first < 500 {
            first += rest
            count -= 1
        }
        return [first] + Array(repeating: rest, count: count - 1)
    }

    /// The first date on the instalment day that is at least `minimumNotice` days after issue and inside the year.
    static func firstDue(year: FinancialYear, issued: LocalDate, day: Int) -> LocalDate {
        let earliest = max(issued.adding(days: minimumNotice), year.start)
        var y = earliest.year, m = earliest.month
        if earliest.day > day { m += 1; if m > 12 { m = 1; y += 1 } }
        return try! LocalDate(year: y, month: m, day: day)
    }

    /// Monthly dates from `first`, `count` of them, never past the end of the year.
    static func monthly(from first: LocalDate, count: Int, year: FinancialYear) -> [LocalDate] {
        var dates: [LocalDate] = []
        var y = first.year, m = first.month
        while dates.count < count {
            let date = try! LocalDate(year: y, month: m, day: first.day)
            if date > year.end { break }
            dates.append(date)
            m += 1; if m > 12 { m = 1; y += 1 }
        }
        return dates
    }

    /// The schedule on a demand notice: dates on `day` of uninterrupted months, the first at least 14 days after issue.
    /// The count is cut to the months left in the year when the first date leaves too few (a notice issued late in April
    /// whose first instalment falls in May). A notice issued after the year is one instalment.
    /// - Parameter day: the instalment day of the month, 1–28.
    public static func schedule(total: Int64, year: FinancialYear, issued: LocalDate, twelve: Bool = false, day: Int = 1) -> [Instalment] {
        let day = min(max(day, 1), 28)
        let first = firstDue(year: year, issued: issued, day: day)
        guard issued <= year.end, first <= year.end else {
            return split(total, count: 1).map { Instalment(number: 1, due: issued.adding(days: minimumNotice), amount: $0) }
        }
        let dates = monthly(from: first, count: count(year: year, issued: issued, twelve: twelve), year: year)
        return zip(dates, split(total, count: dates.count)).enumerated().map { Instalment(number: $0.offset + 1, due: $0.element.0, amount: $0.element.1) }
    }

    /// A revised schedule after liability changes (Schedule 1 paras 10–11, SI 1995/22): what is still owed (the new
    /// aggregate less payments made) is spread over the instalments of the old schedule not yet due at least 14 days
    /// after the revised notice, with the same rounding; when none is left, it is one instalment 14 days after the notice.
    public static func reprofile(outstanding: Int64, previous: [Instalment], year: FinancialYear, issued: LocalDate) -> [Instalment] {
        guard outstanding > 0 else { return [] }
        let earliest = issued.adding(days: minimumNotice)
        var dates = previous.map(\.due).filter { $0 >= earliest }
        if dates.isEmpty {
            // No instalment left to spread over: monthly from the first date allowed, within the year, else one payment.
            let day = previous.first?.due.day ?? 1
            let first = firstDue(year: year, issued: issued, day: day)
            dates = first <= year.end ? monthly(from: first, count: 1, year: year) : [earliest]
        }
        return zip(dates, split(outstanding, count: dates.count)).enumerated().map { Instalment(number: $0.offset + 1, due: $0.element.0, amount: $0.element.1) }
    }
}

/// Where a year's account stands against its instalments on a day.
public struct InstalmentPosition: Sendable, Equatable {
    /// Instalments fallen due, in total, less what has been paid toward the year (never negative).
    public var arrears: Int64
    /// The first instalment not yet covered by payments, and how much of it is still to pay.
    public var next: Instalment?
    /// How many instalments are due and not covered in full.
    public var missed: Int

    public init(arrears: Int64, next: Instalment?, missed: Int) { self.arrears = arrears; self.next = next; self.missed = missed }

    public static func of(_ instalments: [Instalment], paid: Int64, on day: LocalDate) -> InstalmentPosition {
        var covered = paid, arrears: Int64 = 0, missed = 0
        var next: Instalment?
        for i in instalments.sorted(by: { $0.number < $1.number }) {
            let unpaid = max(0, i.amount - max(0, covered))
            covered -= i.amount
            guard unpaid > 0 else { continue }
            if i.due <= day { arrears += unpaid; missed += 1 }
            if next == nil { var n = i; n.amount = unpaid; next = n }
        }
        return InstalmentPosition(arrears: arrears, next: next, missed: missed)
    }
}
