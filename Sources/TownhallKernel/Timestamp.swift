import Foundation

/// An instant, stored as fixed-width UTC text (`2026-11-22T01:27:39.123Z`) so it sorts and compares the same in
/// SQLite and PostgreSQL and reads plainly in either.
public struct Timestamp: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let date: Date

    public init(_ date: Date = Date()) {
        // Millisecond precision: what the stored form keeps, so a value read back compares equal.
        // The small nudge keeps a value that is already whole milliseconds (read back from storage) from losing one to rounding.
        self.date = Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000 + 1e-2).rounded(.down) / 1000)
    }

    public init?(iso text: String) {
        if let stored = Timestamp.parseStored(text) {
            guard let ms = stored else { return nil }
            self.init(Date(timeIntervalSince1970: Double(ms) / 1000))
            return
        }
        guard let date = try? Date(text, strategy: Timestamp.style) else { return nil }
        self.init(date)
    }

    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the stored form, by integer arithmetic: Foundation's ISO 8601 style costs microseconds a
    /// call, and reading a million cases' timelines makes several million of these calls.
    public var iso: String {
        let ms = Int((date.timeIntervalSince1970 * 1000).rounded())
        let day = Int((Double(ms) / 86_400_000).rounded(.down))
        let d = LocalDate(dayNumber: day)
        var rest = ms - day * 86_400_000
        let h = rest / 3_600_000; rest -= h * 3_600_000
        let m = rest / 60_000; rest -= m * 60_000
        let sec = rest / 1000, milli = rest % 1000
        return String(unsafeUninitializedCapacity: 24) { out in
            d.write(into: out); out[10] = 84
            out.putDigits(h, at: 11, width: 2); out[13] = 58; out.putDigits(m, at: 14, width: 2); out[16] = 58
            out.putDigits(sec, at: 17, width: 2); out[19] = 46; out.putDigits(milli, at: 20, width: 3); out[23] = 90
            return 24
        }
    }

    /// For text shaped like the stored form: its milliseconds since the epoch, or `.some(nil)` if it is not a real instant.
    /// nil for any other shape (other ISO forms take Foundation's slower path).
    static func parseStored(_ text: String) -> Int?? {
        var text = text
        text.makeContiguousUTF8()
        guard text.utf8.count == 24 else { return nil }
        return text.utf8.withContiguousStorageIfAvailable { b -> Int?? in
            guard b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58, b[19] == 46, b[23] == 90 else { return nil }
            guard let y = b.digits(at: 0, width: 4), let mo = b.digits(at: 5, width: 2), let d = b.digits(at: 8, width: 2), let h = b.digits(at: 11, width: 2),
                  let mi = b.digits(at: 14, width: 2), let s = b.digits(at: 17, width: 2), let ms = b.digits(at: 20, width: 3),
                  h < 24, mi < 60, s < 60, let date = try? LocalDate(year: y, month: mo, day: d) else { return .some(nil) }
            return ((date.dayNumber * 86_400 + h * 3600 + mi * 60 + s) * 1000) + ms
        } ?? nil
    }
    public var description: String { iso }
    public static func < (l: Timestamp, r: Timestamp) -> Bool { l.date < r.date }
    public static var now: Timestamp { Timestamp() }

    /// Whole seconds since the epoch (rounded down), the unit working-time arithmetic uses.
    public var seconds: Int { Int(date.timeIntervalSince1970.rounded(.down)) }
    public init(seconds: Int) { self.init(Date(timeIntervalSince1970: Double(seconds))) }

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
