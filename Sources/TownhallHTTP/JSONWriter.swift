/// Writes a `BodyValue` as compact JSON bytes, the same bytes Foundation's `JSONEncoder` wrote with `.sortedKeys` for the
/// API's keys, without its per-request work: keys are ordered by their bytes (`JSONWriter.precedes`), never by a
/// locale's collation, so the order is the same on every machine and engine; "/" is escaped as "\/" as Foundation does.
public enum JSONWriter {
    public static func bytes(_ value: BodyValue, sortedKeys: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(value, into: &out, sortedKeys: sortedKeys)
        return out
    }

    public static func write(_ value: BodyValue, into out: inout [UInt8], sortedKeys: Bool = true) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): appendInteger(i, into: &out)
        case .double(let d): out.append(contentsOf: number(d).utf8)
        case .string(let s): string(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out, sortedKeys: sortedKeys)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            let ordered = sortedKeys && !isSorted(fields) ? fields.sorted { precedes($0.key, $1.key) } : fields
            for (i, field) in ordered.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                string(field.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(field.value, into: &out, sortedKeys: sortedKeys)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func isSorted(_ fields: [BodyValue.Field]) -> Bool {
        var i = 1
        while i < fields.count {
            if !precedes(fields[i - 1].key, fields[i].key) { return false }
            i += 1
        }
        return true
    }

    /// Key order: byte by byte (Unicode scalar order), as Foundation's `JSONEncoder` sorts; no locale, no collation.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Foundation's form: shortest round-trip digits, and no ".0" on a whole number.
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        var s = d.description
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }

    static func appendInteger(_ i: Int64, into out: inout [UInt8]) {
        if i == 0 { out.append(UInt8(ascii: "0")); return }
        var digits: [UInt8] = []
        var n = i.magnitude
        while n > 0 { digits.append(UInt8(n % 10) + 0x30); n /= 10 }
        if i < 0 { out.append(UInt8(ascii: "-")) }
        out.append(contentsOf: digits.reversed())
    }

    static let hex = Array("0123456789abcdef".utf8)

    /// Runs that need no escape are copied whole: appending a byte at a time was a fifth of a list's cost.
    static func string(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var run = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                guard b < 0x20 || b == 0x22 || b == 0x5C || b == 0x2F else { continue }
                if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i])) }
                run = i + 1
                switch b {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x2F: out.append(contentsOf: [0x5C, 0x2F])
                case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default: out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                }
            }
            if run < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}
