/// Reads the small JSON shapes the stores keep in text columns (a list of strings, an object of strings or of lists of
/// strings) without `JSONDecoder`, which costs a tenth of a case list for two tiny columns a row (issue 29). Anything
/// else, or anything malformed, gives nil, and the caller falls back to `JSONDecoder`.
public enum FlatJSON {
    public static func strings(_ text: String) -> [String]? {
        if text == "[]" { return [] }
        var p = Parser(Array(text.utf8))
        guard let list = p.stringList(), p.atEnd else { return nil }
        return list
    }

    public static func stringLists(_ text: String) -> [String: [String]]? {
        if text == "{}" { return [:] }
        var p = Parser(Array(text.utf8))
        var out: [String: [String]] = [:]
        guard p.object({ key, p in
            guard let list = p.stringList() else { return false }
            out[key] = list
            return true
        }), p.atEnd else { return nil }
        return out
    }

    public static func stringMap(_ text: String) -> [String: String]? {
        if text == "{}" { return [:] }
        var p = Parser(Array(text.utf8))
        var out: [String: String] = [:]
        guard p.object({ key, p in
            guard let value = p.string() else { return false }
            out[key] = value
            return true
        }), p.atEnd else { return nil }
        return out
    }

    struct Parser {
        let s: [UInt8]
        var i = 0
        init(_ s: [UInt8]) { self.s = s }

        var atEnd: Bool { mutating get { skipSpace(); return i == s.count } }

        mutating func skipSpace() { while i < s.count, s[i] == 0x20 || s[i] == 0x0A || s[i] == 0x0D || s[i] == 0x09 { i += 1 } }

        mutating func take(_ c: UInt8) -> Bool {
            skipSpace()
            guard i < s.count, s[i] == c else { return false }
            i += 1
            return true
        }

        mutating func object(_ member: (String, inout Parser) -> Bool) -> Bool {
            guard take(UInt8(ascii: "{")) else { return false }
            if take(UInt8(ascii: "}")) { return true }
            repeat {
                guard let key = string(), take(UInt8(ascii: ":")), member(key, &self) else { return false }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}"))
        }

        mutating func stringList() -> [String]? {
            guard take(UInt8(ascii: "[")) else { return nil }
            var out: [String] = []
            if take(UInt8(ascii: "]")) { return out }
            repeat {
                guard let v = string() else { return nil }
                out.append(v)
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) ? out : nil
        }

        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var out: [UInt8] = []
            while i < s.count {
                let c = s[i]
                i += 1
                switch c {
                case UInt8(ascii: "\""): return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard i < s.count else { return nil }
                    let e = s[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        if scalar >= 0xD800 && scalar < 0xDC00 {   // a surrogate pair
                            guard take(UInt8(ascii: "\\")), i < s.count, s[i] == UInt8(ascii: "u") else { return nil }
                            i += 1
                            guard let low = hex4(), low >= 0xDC00 && low < 0xE000 else { return nil }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let u = Unicode.Scalar(scalar) else { return nil }
                        out.append(contentsOf: Array(String(Character(u)).utf8))
                    default: return nil
                    }
                case 0x00..<0x20: return nil
                default: out.append(c)
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= s.count else { return nil }
            var v: UInt32 = 0
            for c in s[i..<(i + 4)] {
                v <<= 4
                switch c {
                case 0x30...0x39: v |= UInt32(c - 0x30)
                case 0x41...0x46: v |= UInt32(c - 0x37)
                case 0x61...0x66: v |= UInt32(c - 0x57)
                default: return nil
                }
            }
            i += 4
            return v
        }
    }
}
