/// Text made safe to place in XML (Open311's XML responses, the dashboard's SVG): markup characters escaped, and
/// characters XML 1.0 cannot carry dropped rather than breaking the document.
public enum XMLText {
    public static func escape(_ s: String) -> String {
        // Most text needs nothing done: one pass over the bytes finds that, and the string is returned as it is.
        guard s.utf8.contains(where: { $0 < 0x20 || $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return s }
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                if ch.value < 0x20 && ch != "\n" && ch != "\r" && ch != "\t" { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
