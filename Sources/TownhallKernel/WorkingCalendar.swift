import Foundation
import Synchronization

/// Civil time in the UK (Europe/London): GMT in winter, BST (UTC+1) from 01:00 UTC on the last Sunday of March to
/// 01:00 UTC on the last Sunday of October (Summer Time Order 2002). Computed rather than asked of Foundation's time-zone
/// database because SLA recomputation converts millions of instants and this is exact for every year the order covers.
public enum LondonTime {
    /// The instants a London day starts and ends (the next day's start): what "contacts today" counts between.
    /// An instant as people read it in messages: "3:05pm on 22 November 2026", London time.
    public static func describe(_ t: Timestamp) -> String {
        let (date, minute) = local(utcSeconds: t.seconds)
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let h = minute / 60, m = minute % 60
        let clock = "\(h % 12 == 0 ? 12 : h % 12):\(Digits.padded(m, width: 2))\(h < 12 ? "am" : "pm")"
        return "\(clock) on \(date.day) \(months[date.month - 1]) \(date.year)"
    }

    public static func bounds(of day: LocalDate) -> (from: Timestamp, to: Timestamp) {
        (Timestamp(seconds: utcSeconds(date: day, minute: 0)), Timestamp(seconds: utcSeconds(date: day.adding(days: 1), minute: 0)))
    }

    static func lastSunday(month: Int, year: Int) -> Int {
        let last = try! LocalDate(year: year, month: month, day: LocalDate.daysIn(month: month, year: year))
        return last.dayNumber - (last.weekday % 7)
    }

    /// Summer time's start and end (UTC seconds) for 1970–2199, computed once: the offset is then two comparisons.
    static let summers: [(start: Int, end: Int)] = (1970..<2200).map { year in
        (lastSunday(month: 3, year: year) * 86_400 + 3_600, lastSunday(month: 10, year: year) * 86_400 + 3_600)
    }

    /// Seconds to add to UTC for London civil time at `utcSeconds` since the epoch.
    public static func offset(utcSeconds: Int) -> Int {
        // Years start within a day of 365.2425-day steps; the table entry of the year before or after settles the edge.
        var index = Int((Double(utcSeconds) / 31_556_952).rounded(.down))
        guard index >= 0, index < summers.count else {
            let year = LocalDate(dayNumber: Int((Double(utcSeconds) / 86_400).rounded(.down))).year
            let start = lastSunday(month: 3, year: year) * 86_400 + 3_600, end = lastSunday(month: 10, year: year) * 86_400 + 3_600
            return utcSeconds >= start && utcSeconds < end ? 3_600 : 0
        }
        if index + 1 < summers.count, utcSeconds >= summers[index + 1].start - 100 * 86_400 { index += 1 }
        let s = summers[index]
        return utcSeconds >= s.start && utcSeconds < s.end ? 3_600 : 0
    }

    /// The UTC instant (seconds since the epoch) of a London wall-clock time. Times skipped by the spring change are read
    /// as GMT; repeated autumn times as the first (BST) occurrence.
    public static func utcSeconds(date: LocalDate, minute: Int) -> Int {
        let wall = date.dayNumber * 86_400 + minute * 60
        let summer = wall - 3_600
        return offset(utcSeconds: summer) == 3_600 ? summer : wall
    }

    /// The London date and minute of the day of a UTC instant.
    public static func local(utcSeconds: Int) -> (date: LocalDate, minute: Int) {
        let wall = utcSeconds + offset(utcSeconds: utcSeconds)
        let day = Int((Double(wall) / 86_400).rounded(.down))
        return (LocalDate(dayNumber: day), (wall - day * 86_400) / 60)
    }
}

/// When an organisation works: its working days and hours and the bank holidays it closes on. Service levels are measured
/// in this time, so a report made on Friday evening with a "1 working day" target is due at close on Monday.
public struct WorkingCalendar: Sendable, Hashable, Codable {
    /// ISO weekdays worked (1 Monday … 7 Sunday).
    public var workingDays: Set<Int> { didSet { days = DayTableBox() } }
    /// Opening and closing, in minutes after midnight, London time.
    public var opensAt: Int { didSet { days = DayTableBox() } }
    public var closesAt: Int { didSet { days = DayTableBox() } }
    public var holidays: Set<LocalDate> { didSet { days = DayTableBox() } }
    /// Each day's opening hours and the running totals of working time: looked up (or made) on first use, then kept.
    private var days = DayTableBox()

    private enum CodingKeys: String, CodingKey { case workingDays, opensAt, closesAt, holidays }

    public static func == (a: WorkingCalendar, b: WorkingCalendar) -> Bool {
        a.workingDays == b.workingDays && a.opensAt == b.opensAt && a.closesAt == b.closesAt && a.holidays == b.holidays
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(workingDays); hasher.combine(opensAt); hasher.combine(closesAt); hasher.combine(holidays)
    }

    public init(workingDays: Set<Int> = [1, 2, 3, 4, 5], opensAt: Int = 9 * 60, closesAt: Int = 17 * 60, holidays: Set<LocalDate> = []) throws {
        guard !workingDays.isEmpty, workingDays.allSatisfy({ (1...7).contains($0) }) else {
            throw TownhallError.invalid("working_days", "Working days are numbers 1 (Monday) to 7 (Sunday), at least one.")
        }
        guard (0..<1440).contains(opensAt), (1...1440).contains(closesAt), opensAt < closesAt else {
            throw TownhallError.invalid("closes_at", "Closing time must be after opening time, both within the day (like 09:00 and 17:00).")
        }
        self.workingDays = workingDays; self.opensAt = opensAt; self.closesAt = closesAt; self.holidays = holidays
    }

    /// Monday to Friday, 09:00 to 17:00, closed on `holidays`.
    public static func standard(holidays: Set<LocalDate> = []) -> WorkingCalendar {
        try! WorkingCalendar(holidays: holidays)
    }

    public var minutesPerDay: Int { closesAt - opensAt }

    public func isWorkingDay(_ date: LocalDate) -> Bool { workingDays.contains(date.weekday) && !holidays.contains(date) }

    /// Working seconds between two instants (0 if `to` is not after `from`).
    public func workingSeconds(from: Date, to: Date) -> Int {
        workingSeconds(from: Int(from.timeIntervalSince1970), to: Int(to.timeIntervalSince1970))
    }

    public func workingSeconds(from: Int, to: Int) -> Int {
        guard to > from else { return 0 }
        let first = LondonTime.local(utcSeconds: from).date.dayNumber, last = LondonTime.local(utcSeconds: to).date.dayNumber
        let t = table
        guard let f = t.index(first), let l = t.index(last) else { return dayByDay(from: from, to: to) }
        func part(_ i: Int) -> Int { t.isWorking(i) ? max(0, min(t.close[i], to) - max(t.open[i], from)) : 0 }
        if f == l { return part(f) }
        // Days strictly between the two are worked whole.
        return part(f) + (t.secondsBefore[l] - t.secondsBefore[f + 1]) + part(l)
    }

    /// The same sum a day at a time: for instants outside the table, and to check the table against.
    func dayByDay(from: Int, to: Int) -> Int {
        guard to > from else { return 0 }
        let first = LondonTime.local(utcSeconds: from).date, last = LondonTime.local(utcSeconds: to).date
        var total = 0
        var day = first
        while day <= last {
            if isWorkingDay(day) {
                let open = LondonTime.utcSeconds(date: day, minute: opensAt), close = LondonTime.utcSeconds(date: day, minute: closesAt)
                let start = max(open, from), end = min(close, to)
                if end > start { total += end - start }
            }
            day = day.adding(days: 1)
        }
        return total
    }

    /// The instant `seconds` of working time after `from` (at the close of the day it runs out on, if it runs out exactly then).
    public func adding(workingSeconds seconds: Int, to from: Int) -> Int {
        let t = table
        guard seconds > 0, let f = t.index(LondonTime.local(utcSeconds: from).date.dayNumber) else { return addingDayByDay(workingSeconds: seconds, to: from) }
        var remaining = seconds
        if t.isWorking(f) {
            let start = max(t.open[f], from)
            if t.close[f] > start {
                if start + remaining <= t.close[f] { return start + remaining }
                remaining -= t.close[f] - start
            }
        }
        // The first later day by whose close the remaining time is used up: a working day, since the total only grows on those.
        let base = t.secondsBefore[f + 1]
        guard let d = t.firstDay(after: f, where: { t.secondsBefore[$0 + 1] - base >= remaining }) else { return addingDayByDay(workingSeconds: seconds, to: from) }
        return t.open[d] + remaining - (t.secondsBefore[d] - base)
    }

    func addingDayByDay(workingSeconds seconds: Int, to from: Int) -> Int {
        var remaining = max(0, seconds)
        var day = LondonTime.local(utcSeconds: from).date
        // A calendar with no working days at all is refused at init; holidays cannot fill more than a few years.
        for _ in 0..<36_600 {
            if isWorkingDay(day) {
                let open = LondonTime.utcSeconds(date: day, minute: opensAt), close = LondonTime.utcSeconds(date: day, minute: closesAt)
                let start = max(open, from)
                if close > start {
                    if start + remaining <= close { return start + remaining }
                    remaining -= close - start
                }
            }
            day = day.adding(days: 1)
        }
        return from + seconds
    }

    /// Close of business on the `days`-th working day after the day of `from`. A report that arrives on a non-working day,
    /// or after closing, counts from the next working day, as contact centres count it.
    public func closeOfWorkingDay(_ days: Int, after from: Int) -> Int {
        let (date, minute) = LondonTime.local(utcSeconds: from)
        let t = table
        guard let f = t.index(date.dayNumber) else { return closeOfWorkingDayByDay(days, after: from) }
        // Day 0: the day of receipt if worked and still open, else the next working day; then `days` working days on.
        let base = t.workingDaysBefore[f] + (t.isWorking(f) && minute >= closesAt ? 1 : 0)
        guard let d = t.firstDay(after: f - 1, where: { t.workingDaysBefore[$0 + 1] - base >= max(0, days) + 1 }) else { return closeOfWorkingDayByDay(days, after: from) }
        return t.close[d]
    }

    func closeOfWorkingDayByDay(_ days: Int, after from: Int) -> Int {
        let (date, minute) = LondonTime.local(utcSeconds: from)
        var day = date
        var counted = 0
        // The day of receipt counts as day 0; if it is not a working day or it came after closing, the next working day is day 0.
        if !isWorkingDay(day) || minute >= closesAt {
            repeat { day = day.adding(days: 1) } while !isWorkingDay(day)
        }
        while counted < days {
            day = day.adding(days: 1)
            if isWorkingDay(day) { counted += 1 }
        }
        return LondonTime.utcSeconds(date: day, minute: closesAt)
    }
}

extension WorkingCalendar {
    var table: DayTable { days.table(for: self) }

    /// Working time day by day from 2000 to 2100 (36,525 days, about 1 MB): each day's opening and closing instants and
    /// the working seconds and days before it. Sums over any span are then two subtractions, where walking the days one
    /// at a time was most of the cost of recomputing a million service levels.
    final class DayTable: Sendable {
        static let firstDay = 10_957   // 2000-01-01
        static let dayCount = 36_525
        let open: [Int], close: [Int]
        /// Running totals: working seconds and working days in the table's days before day i (so `count + 1` entries).
        let secondsBefore: [Int], workingDaysBefore: [Int]

        init(_ calendar: WorkingCalendar) {
            var open = [Int](repeating: 0, count: Self.dayCount), close = [Int](repeating: 0, count: Self.dayCount)
            var seconds = [Int](repeating: 0, count: Self.dayCount + 1), days = [Int](repeating: 0, count: Self.dayCount + 1)
            for i in 0..<Self.dayCount {
                let date = LocalDate(dayNumber: Self.firstDay + i)
                if calendar.isWorkingDay(date) {
                    open[i] = LondonTime.utcSeconds(date: date, minute: calendar.opensAt)
                    close[i] = LondonTime.utcSeconds(date: date, minute: calendar.closesAt)
                }
                seconds[i + 1] = seconds[i] + (close[i] - open[i])
                days[i + 1] = days[i] + (close[i] > open[i] ? 1 : 0)
            }
            self.open = open; self.close = close; secondsBefore = seconds; workingDaysBefore = days
        }

        func index(_ dayNumber: Int) -> Int? {
            let i = dayNumber - Self.firstDay
            return i >= 0 && i < Self.dayCount ? i : nil
        }

        func isWorking(_ i: Int) -> Bool { close[i] > open[i] }

        /// The first day after `i` for which `reached` holds; `reached` must stay true once it holds (running totals).
        func firstDay(after i: Int, where reached: (Int) -> Bool) -> Int? {
            var low = i + 1, high = Self.dayCount
            guard low < high, reached(high - 1) else { return nil }
            while low < high {
                let mid = (low + high) / 2
                if reached(mid) { high = mid } else { low = mid + 1 }
            }
            return low
        }
    }

    /// Holds a calendar value's table. Copies of a calendar share the box; changing a copy's days or hours gives it a new
    /// one. Tables are made once per distinct calendar in the process (milliseconds each): a calendar is read afresh
    /// from the database for each status change and sweep, and must not cost a new table each time.
    final class DayTableBox: Sendable {
        private let made = Mutex<DayTable?>(nil)
        private static let tables = Mutex<[WorkingCalendar: DayTable]>([:])

        func table(for calendar: WorkingCalendar) -> DayTable {
            made.withLock { table in
                if let table { return table }
                let shared = Self.tables.withLock { tables in
                    if let known = tables[calendar] { return known }
                    if tables.count >= 64 { tables.removeAll() }   // calendars are one an organisation: this is a bound, not an eviction policy
                    let new = DayTable(calendar)
                    tables[calendar] = new
                    return new
                }
                table = shared
                return shared
            }
        }
    }
}

/// The England and Wales bank holidays from GOV.UK's `bank-holidays.json` (https://www.gov.uk/bank-holidays.json).
public enum BankHolidays {
    public struct Event: Sendable, Equatable { public var date: LocalDate; public var title: String }

    public static func parse(_ data: Data, division: String = "england-and-wales") throws -> [Event] {
        struct Feed: Decodable { struct Division: Decodable { struct E: Decodable { var title: String; var date: String }; var events: [E] } }
        guard let feed = try? JSONDecoder().decode([String: Feed.Division].self, from: data) else {
            throw TownhallError.invalid("file", "This is not GOV.UK bank-holidays JSON (an object of divisions, each with events).", code: "malformed_json")
        }
        guard let events = feed[division]?.events else {
            throw TownhallError.invalid("division", "The file has no \(division) division. It has: \(feed.keys.sorted().joined(separator: ", ")).")
        }
        return try events.map { Event(date: try LocalDate(parsing: $0.date, field: "date"), title: $0.title) }
    }
}
