/// Zero-padded decimals and hex without `String(format:)`, which goes through Foundation's locale-aware formatter on
/// every call (issue 29: nothing locale-aware on a hot path).
public enum Digits {
    /// `n` in decimal, left-padded with zeros to `width` characters, a minus sign included (as `%0*d` pads).
    public static func padded<N: BinaryInteger>(_ n: N, width: Int) -> String {
        let digits = String(n.magnitude), sign = n < 0 ? "-" : ""
        let zeros = String(repeating: "0", count: max(0, width - digits.count - sign.count))
        return sign + zeros + digits
    }

    /// Lower-case hex, two digits a byte.
    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let table = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes { out.append(table[Int(b >> 4)]); out.append(table[Int(b & 0x0F)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
