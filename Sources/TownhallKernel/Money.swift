import Foundation

/// An amount of money in integer pence: never floating point. Arithmetic is exact; the only rounding is `roundHalfUp`,
/// where a rule says to round. New code uses this type; the revenues ledgers keep bare pence (`Int64`) and use the static
/// helpers below, which this type's members call, so there is one way to round, parse and print an amount.
public struct Money: Hashable, Comparable, Sendable, Codable, AdditiveArithmetic, CustomStringConvertible {
    public var pence: Int64

    public init(pence: Int64) { self.pence = pence }
    public static func pounds(_ pounds: Int64) -> Money { Money(pence: pounds * 100) }
    public static let zero = Money(pence: 0)

    /// Pounds as people write them (`125.50`, `£1,234.50`): more than nothing, at most two decimals.
    public init(parsing raw: String, field: String) throws { pence = try Money.parse(raw, field: field) }

    public static func + (a: Money, b: Money) -> Money { Money(pence: a.pence + b.pence) }
    public static func - (a: Money, b: Money) -> Money { Money(pence: a.pence - b.pence) }
    public static prefix func - (a: Money) -> Money { Money(pence: -a.pence) }
    public static func * (a: Money, n: Int64) -> Money { Money(pence: a.pence * n) }
    public static func < (a: Money, b: Money) -> Bool { a.pence < b.pence }

    /// `amount × numerator / denominator` to the penny, halves away from zero (a share, a rate, a proportion of days).
    public func times(_ numerator: Int64, over denominator: Int64) -> Money {
        Money(pence: Money.roundHalfUp(pence * numerator, denominator))
    }

    public var isNegative: Bool { pence < 0 }
    /// `£1,835.56`, or `-£12.00` for a credit.
    public var description: String { Money.format(pence) }
    /// Plain pounds and pence for a spreadsheet or a JSON string: `-1234.50`.
    public var decimal: String { Money.decimal(pence) }

    /// Encoded as whole pence, as every amount in the API and the database is.
    public init(from decoder: any Decoder) throws { pence = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(pence)
    }

    // The rules on bare pence, for the ledgers that keep `Int64`.

    /// `numerator / denominator` rounded to the nearest whole unit, halves away from zero. The revenues rules round half-up
    /// (band amounts to the penny, Schedule 1 instalments to the pound); every amount they round is positive.
    public static func roundHalfUp(_ numerator: Int64, _ denominator: Int64) -> Int64 {
        precondition(denominator > 0)
        let q = (2 * abs(numerator) + denominator) / (2 * denominator)
        return numerator < 0 ? -q : q
    }

    /// Plain pounds and pence for a spreadsheet: `-1234.50`.
    public static func decimal(_ pence: Int64) -> String {
        "\(pence < 0 ? "-" : "")\(abs(pence) / 100).\(Digits.padded(abs(pence) % 100, width: 2))"
    }

    /// `£1,835.56`, or `-£12.00` for a credit.
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
