import Foundation

/// A calendar date with no time or zone (a date of birth, a move-in date). Sent and stored as `YYYY-MM-DD`.
public struct LocalDate: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int

    public init(year: Int, month: Int, day: Int) throws {
        guard (1800...9999).contains(year), (1...12).contains(month), (1...LocalDate.daysIn(month: month, year: year)).contains(day) else {
            throw TownhallError.invalid("date", "\(year)-\(month)-\(day) is not a real date.", code: "invalid_date")
        }
        self.year = year; self.month = month; self.day = day
    }

    /// Parses `YYYY-MM-DD`, naming the field when the text is not a real date.
    public init(parsing text: String, field: String) throws {
        // The stored form, digit by digit: every account, bill and instalment read carries dates, and trimming and splitting
        // through Foundation cost more than the rest of reading them.
        var text = text
        text.makeContiguousUTF8()
        if let (y, m, d) = text.utf8.withContiguousStorageIfAvailable({ b -> (Int, Int, Int)? in
            guard b.count == 10, b[4] == 45, b[7] == 45,
                  let y = b.digits(at: 0, width: 4), let m = b.digits(at: 5, width: 2), let d = b.digits(at: 8, width: 2) else { return nil }
            return (y, m, d)
        }) ?? nil {
            do { try self.init(year: y, month: m, day: d); return } catch {
                throw TownhallError.invalid(field, "\(text) is not a real date.", code: "invalid_date")
            }
        }
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else {
            throw TownhallError.invalid(field, "\(field) must be a date written as YYYY-MM-DD, like 1984-03-27.", code: "invalid_date")
        }
        do { try self.init(year: y, month: m, day: d) } catch {
            throw TownhallError.invalid(field, "\(text) is not a real date.", code: "invalid_date")
        }
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Today in Europe/London, where every business rule lives.
    /// By `LondonTime`'s exact rule rather than a `Calendar` and the zone database, which cost microseconds a request.
    public static func today(at instant: Date = Date()) -> LocalDate {
        LondonTime.local(utcSeconds: Int(instant.timeIntervalSince1970.rounded(.down))).date
    }

    /// `YYYY-MM-DD` by integer arithmetic: `String(format:)` cost a sixth of a billing run, which writes eleven dates a bill.
    public var description: String {
        String(unsafeUninitializedCapacity: 10) { out in
            write(into: out)
            return 10
        }
    }

    /// Writes `YYYY-MM-DD` into the first ten bytes of `out` (also the start of a stored timestamp).
    func write(into out: UnsafeMutableBufferPointer<UInt8>) {
        out.putDigits(year, at: 0, width: 4); out[4] = 45; out.putDigits(month, at: 5, width: 2); out[7] = 45; out.putDigits(day, at: 8, width: 2)
    }

    public static func < (l: LocalDate, r: LocalDate) -> Bool { (l.year, l.month, l.day) < (r.year, r.month, r.day) }

    /// Whole years between this date and `date` (an age on that day).
    public func years(until date: LocalDate) -> Int {
        var years = date.year - year
        if (date.month, date.day) < (month, day) { years -= 1 }
        return years
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do { try self.init(parsing: try container.decode(String.self), field: "date") } catch let e as TownhallError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: e.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension LocalDate {
    /// Days since 1970-01-01 (negative before). Howard Hinnant's days-from-civil: exact and allocation-free, so calendar
    /// arithmetic over a million cases costs microseconds, not Foundation `Calendar` calls.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `dayNumber` days after 1970-01-01.
    public init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// ISO weekday: 1 is Monday, 7 is Sunday.
    public var weekday: Int { ((dayNumber % 7 + 7) % 7 + 3) % 7 + 1 }
}

extension UnsafeBufferPointer<UInt8> {
    /// The number written in `width` decimal digits at `at`, or nil if any is not a digit: stored dates and times read
    /// without Foundation.
    func digits(at: Int, width: Int) -> Int? {
        var v = 0
        for i in at..<(at + width) {
            let c = Int(self[i]) - 48
            guard (0...9).contains(c) else { return nil }
            v = v * 10 + c
        }
        return v
    }
}

extension UnsafeMutableBufferPointer<UInt8> {
    /// Writes `value` as `width` decimal digits, zero-padded, at `at`: dates and times without `printf`.
    func putDigits(_ value: Int, at: Int, width: Int) {
        var v = value
        for i in stride(from: at + width - 1, through: at, by: -1) { self[i] = UInt8(48 + v % 10); v /= 10 }
    }
}
