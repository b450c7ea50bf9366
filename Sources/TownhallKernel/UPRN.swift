import Foundation

/// Unique Property Reference Number: a whole number of 1 to 12 digits that names an addressable object for life.
/// Never a float, never zero-padded text (shared/reference/uk_standards.md §2).
public struct UPRN: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public static let range: ClosedRange<Int64> = 1...999_999_999_999
    public let value: Int64

    public init(_ value: Int64, field: String = "uprn") throws {
        guard UPRN.range.contains(value) else {
            throw TownhallError.invalid(field, "A UPRN is a whole number from 1 to 999999999999; \(value) is outside that range.", code: "invalid_uprn")
        }
        self.value = value
    }

    /// Parses text as found in real files: surrounding spaces are ignored; anything but 1–12 digits is refused with the reason.
    public init(parsing raw: String, field: String = "uprn") throws {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { throw TownhallError.missing(field) }
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw TownhallError.invalid(field, "A UPRN is made of digits only; \"\(text)\" is not a UPRN.", code: "invalid_uprn")
        }
        guard text.count <= 12, let number = Int64(text) else {
            throw TownhallError.invalid(field, "A UPRN has at most 12 digits; \"\(text)\" has \(text.count).", code: "invalid_uprn")
        }
        try self.init(number, field: field)
    }

    public var description: String { String(value) }
    public static func < (lhs: UPRN, rhs: UPRN) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let number: Int64
        if let n = try? container.decode(Int64.self) { number = n } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "uprn must be a number")
        }
        do { try self.init(number) } catch let error as TownhallError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

