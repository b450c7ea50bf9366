import Foundation

/// A row identifier tagged with the entity it names, so a `PersonID` can never be passed where an
/// `OrganisationID` is wanted. Stored and sent as the lower-case UUID string. New ones are time-ordered (`UUID.timeOrdered`).
public struct Identifier<Entity>: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let uuid: UUID

    public init(_ uuid: UUID = .timeOrdered()) { self.uuid = uuid }

    /// Parses the canonical string form; `nil` for anything that is not a UUID.
    public init?(_ string: String) {
        if let uuid = Identifier.parseCanonical(string) { self.uuid = uuid; return }
        guard let uuid = UUID(uuidString: string.trimmingCharacters(in: .whitespaces)) else { return nil }
        self.uuid = uuid
    }

    /// The 36-character hyphenated form by hand: every stored id is read this way, and Foundation's parser (sscanf after
    /// trimming through NSString) was most of the time it takes to read a batch of cases.
    static func parseCanonical(_ text: String) -> UUID? {
        var text = text
        text.makeContiguousUTF8()
        guard text.utf8.count == 36 else { return nil }
        return text.utf8.withContiguousStorageIfAvailable { b -> UUID? in
            guard b[8] == 45, b[13] == 45, b[18] == 45, b[23] == 45 else { return nil }
            var bytes = [UInt8](repeating: 0, count: 16)
            var i = 0, n = 0
            func hex(_ c: UInt8) -> UInt8? {
                switch c {
                case 48...57: c - 48
                case 97...102: c - 87
                case 65...70: c - 55
                default: nil
                }
            }
            while i < 36 {
                if i == 8 || i == 13 || i == 18 || i == 23 { i += 1; continue }
                guard let hi = hex(b[i]), let lo = hex(b[i + 1]) else { return nil }
                bytes[n] = hi << 4 | lo
                n += 1
                i += 2
            }
            return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                               bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        } ?? nil
    }

    /// Parses a value taken from input, naming the field when it is not a UUID.
    public static func parse(_ string: String, field: String) throws -> Self {
        guard let id = Self(string) else {
            throw TownhallError.invalid(field, "\(field) must be an identifier like 3f2b6c1e-8d4a-4b7e-9c3d-2a1f0e5b6c7d.", code: "invalid_identifier")
        }
        return id
    }

    public var string: String { uuid.lowercasedString }
    public var description: String { string }

    /// The order of the stored strings (lowercase hex compares as the bytes do), without writing them out.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.uuid.orderKey < rhs.uuid.orderKey }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let uuid = UUID(uuidString: raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an identifier: \(raw)")
        }
        self.uuid = uuid
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(string)
    }
}

/// Deterministic identifiers for demo and benchmark data: the same name always gives the same UUID,
/// so loading the demo twice changes nothing.
public enum StableUUID {
    public static func make(_ name: String) -> UUID {
        // FNV-1a over the name, twice with different seeds, shaped as a version-8 (custom) UUID.
        func fnv(_ seed: UInt64) -> UInt64 {
            var hash: UInt64 = seed
            for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
            return hash
        }
        let a = fnv(0xcbf29ce484222325), b = fnv(0x84222325cbf29ce4)
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * UInt64(i))) }
        for i in 0..<8 { bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * UInt64(i))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

extension UUID {
    /// The canonical lowercase form that every id is stored in, by table lookup: `uuidString` goes through `snprintf` and
    /// then needs lowercasing, and a billing run writes eleven ids a bill (a twentieth of its time went here).
    public var lowercasedString: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var o = 0
                for (i, byte) in bytes.enumerated() {
                    if i == 4 || i == 6 || i == 8 || i == 10 { out[o] = 45; o += 1 }
                    let high = byte >> 4, low = byte & 15
                    out[o] = high < 10 ? 48 + high : 87 + high
                    out[o + 1] = low < 10 ? 48 + low : 87 + low
                    o += 2
                }
                return 36
            }
        }
    }

    /// The 16 bytes as two big-endian numbers: compares as the canonical strings do.
    var orderKey: (UInt64, UInt64) {
        withUnsafeBytes(of: uuid) { ($0.loadUnaligned(fromByteOffset: 0, as: UInt64.self).bigEndian, $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self).bigEndian) }
    }

    /// A version 7 UUID (RFC 9562): the Unix time in milliseconds, then 74 random bits. Ids made one after another sort
    /// together, so a new row's key lands on the index's last page instead of a random one: a batch of inserts dirties a
    /// page or two per index rather than one each, which is most of what a commit writes to disk.
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        let millis = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded()))
        var random = SystemRandomNumberGenerator()
        let a = random.next() as UInt64, b = random.next() as UInt64
        return UUID(uuid: (UInt8(truncatingIfNeeded: millis >> 40), UInt8(truncatingIfNeeded: millis >> 32), UInt8(truncatingIfNeeded: millis >> 24),
                           UInt8(truncatingIfNeeded: millis >> 16), UInt8(truncatingIfNeeded: millis >> 8), UInt8(truncatingIfNeeded: millis),
                           0x70 | UInt8(truncatingIfNeeded: a) & 0x0F, UInt8(truncatingIfNeeded: a >> 8),
                           0x80 | UInt8(truncatingIfNeeded: b) & 0x3F, UInt8(truncatingIfNeeded: b >> 8), UInt8(truncatingIfNeeded: b >> 16),
                           UInt8(truncatingIfNeeded: b >> 24), UInt8(truncatingIfNeeded: b >> 32), UInt8(truncatingIfNeeded: b >> 40),
                           UInt8(truncatingIfNeeded: b >> 48), UInt8(truncatingIfNeeded: b >> 56)))
    }
}
