import TownhallKernel

/// Money is integer pence everywhere (`Int64`); these are the only places it is rounded, parsed or written as pounds.
public enum Money {
    /// `numerator / denominator` rounded to the nearest whole unit, halves away from zero. The revenues rules round half-up
    /// (band amounts to the penny, Schedule 1 instalments to the pound); every amount they round is positive.
    public static func roundHalfUp(_ numerator: Int64, _ denominator: Int64) -> Int64 {
        precondition(denominator > 0)
        let q = (2 * abs(numerator) + denominator) / (2 * denominator)
        return numerator < 0 ? -q : q
    }

    /// `£1,835.56`, or `-£12.00` for a credit.
    /// Plain pounds and pence for a spreadsheet: `-1234.50`.
    public static func decimal(_ pence: Int64) -> String {
        "\(pence < 0 ? "-" : "")\(abs(pence) / 100).\(String(format: "%02lld", abs(pence) % 100))"
    }

    public static func format(_ pence: Int64) -> String {
        let sign = pence < 0 ? "-" : ""
        let p = abs(pence)
        var pounds = String(p / 100)
        var grouped = ""
        while pounds.count > 3 {
            grouped = "," + pounds.suffix(3) + grouped
            pounds.removeLast(3)
        }
        let pennies = p % 100
        return "\(sign)£\(pounds)\(grouped).\(pennies < 10 ? "0" : "")\(pennies)"
    }

    /// `12.34` in a CSV or a form: pounds with at most two decimals, no sign, as written for people (`£1,234.50` too).
    public static func parse(_ raw: String, field: String) throws -> Int64 {
        var text = raw.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("-") {
            throw TownhallError.invalid(field, "\(field) must be more than zero.", code: "negative_amount")
        }
        if text.hasPrefix("£") { text.removeFirst() }
        text = text.replacingOccurrences(of: ",", with: "")
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !text.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              !parts[0].isEmpty, parts[0].count <= 12, parts.count == 1 || (1...2).contains(parts[1].count),
              let pounds = Int64(parts[0]) else {
            throw TownhallError.invalid(field, "\(field) must be an amount in pounds, like 125.50.", code: "invalid_amount")
        }
        let pence = parts.count == 2 ? Int64(parts[1].count == 1 ? String(parts[1]) + "0" : String(parts[1]))! : 0
        return pounds * 100 + pence
    }
}

/// A financial year, 1 April to 31 March, named by the calendar year it starts in (2026 is 2026/27).
public struct FinancialYear: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let startYear: Int

    public init(_ startYear: Int) throws {
        guard (2000...2100).contains(startYear) else {
            throw TownhallError.invalid("year", "The financial year must be between 2000/01 and 2100/01.", code: "invalid_year")
        }
        self.startYear = startYear
    }

    /// `2026`, `2026/27` or `2026-27`.
    public init(parsing raw: String, field: String = "year") throws {
        let text = raw.trimmingCharacters(in: .whitespaces)
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == "-" }).map(String.init)
        guard (1...2).contains(parts.count), parts[0].count == 4, let start = Int(parts[0]),
              parts.count == 1 || (parts[1].count == 2 && Int(parts[1]) == (start + 1) % 100) else {
            throw TownhallError.invalid(field, "\(field) must be a financial year written like 2026 or 2026/27.", code: "invalid_year")
        }
        do { try self.init(start) } catch { throw TownhallError.invalid(field, "\(text) is not a financial year Townhall bills.", code: "invalid_year") }
    }

    /// The year a date falls in.
    public init(containing date: LocalDate) {
        startYear = date.month >= 4 ? date.year : date.year - 1
    }

    public var start: LocalDate { try! LocalDate(year: startYear, month: 4, day: 1) }
    public var end: LocalDate { try! LocalDate(year: startYear + 1, month: 3, day: 31) }
    public var days: Int { end.dayNumber - start.dayNumber + 1 }
    public func contains(_ date: LocalDate) -> Bool { start <= date && date <= end }
    public var description: String { "\(startYear)/\(String(format: "%02d", (startYear + 1) % 100))" }
    init(uncheckedStart: Int) { startYear = uncheckedStart }

    public static func < (l: FinancialYear, r: FinancialYear) -> Bool { l.startYear < r.startYear }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) { try self.init(n) } else { try self.init(parsing: try c.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(startYear)
    }
}

/// A run of days, both ends included; `to` nil means open-ended.
public struct DateSpan: Sendable, Equatable, Codable {
    public var from: LocalDate
    public var to: LocalDate?
    public init(from: LocalDate, to: LocalDate?) { self.from = from; self.to = to }

    public func contains(_ day: LocalDate) -> Bool { from <= day && (to.map { day <= $0 } ?? true) }

    public func overlaps(_ other: DateSpan) -> Bool {
        let endsBefore = to.map { $0 < other.from } ?? false
        let startsAfter = other.to.map { from > $0 } ?? false
        return !endsBefore && !startsAfter
    }

    /// Checks the end is not before the start, naming the field.
    public func validated(field: String = "to") throws -> DateSpan {
        if let to, to < from { throw TownhallError.invalid(field, "The end date \(to) is before the start date \(from).", code: "invalid_period") }
        return self
    }
}
