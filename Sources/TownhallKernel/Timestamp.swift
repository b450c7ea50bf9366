import Foundation

/// An instant, stored as fixed-width UTC text (`2026-11-22T01:27:39.123Z`) so it sorts and compares the same in
/// SQLite and PostgreSQL and reads plainly in either.
public struct Timestamp: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let date: Date

    public init(_ date: Date = Date()) {
        // Millisecond precision: what the stored form keeps, so a value read back compares equal.
        self.date = Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    public init?(iso text: String) {
        guard let date = try? Date(text, strategy: Timestamp.style) else { return nil }
        self.init(date)
    }

    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    public var iso: String { date.formatted(Timestamp.style) }
    public var description: String { iso }
    public static func < (l: Timestamp, r: Timestamp) -> Bool { l.date < r.date }
    public static var now: Timestamp { Timestamp() }

    public func adding(seconds: TimeInterval) -> Timestamp { Timestamp(date.addingTimeInterval(seconds)) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Timestamp(iso: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 timestamp: \(text)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}
