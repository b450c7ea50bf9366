import Foundation

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
    public var description: String { "\(startYear)/\(Digits.padded((startYear + 1) % 100, width: 2))" }
    /// A year already known to be in range (read back from storage).
    public init(uncheckedStart: Int) { startYear = uncheckedStart }

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
