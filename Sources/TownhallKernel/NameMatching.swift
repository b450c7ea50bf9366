import Foundation

/// Rules for matching people's names the way staff type them: any case, accents or not, misspelt.
/// Used to build search keys (stored in the full-text index) and to rank candidates the index returns.
public enum NameMatching {
    /// Lower case, accents folded, apostrophes dropped ("O'Brien" → "obrien"), other punctuation splits words.
    public static func tokens(_ text: String) -> [String] {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: Locale(identifier: "en_GB")).lowercased()
        var words: [String] = [], current = ""
        for scalar in folded.unicodeScalars {
            if scalar == "'" || scalar == "’" { continue }
            if CharacterSet.alphanumerics.contains(scalar), scalar.isASCII { current.unicodeScalars.append(scalar) }
            else if !current.isEmpty { words.append(current); current = "" }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// American Soundex (the census variant, with H and W transparent). Smith/Smyth, John/Jon/Jhon, Thompson/Thomson
    /// share a code, which is what makes search tolerant of the commonest spelling slips in surnames.
    public static func soundex(_ word: String) -> String? {
        let letters = Array(word.uppercased().unicodeScalars.filter { $0.isASCII && CharacterSet.letters.contains($0) })
        guard let first = letters.first else { return nil }
        func code(_ s: Unicode.Scalar) -> Character? {
            switch s {
            case "B", "F", "P", "V": "1"
            case "C", "G", "J", "K", "Q", "S", "X", "Z": "2"
            case "D", "T": "3"
            case "L": "4"
            case "M", "N": "5"
            case "R": "6"
            default: nil
            }
        }
        var result = String(Character(first))
        var previous = code(first)
        for s in letters.dropFirst() {
            if s == "H" || s == "W" { continue }              // transparent: do not reset the previous code
            let c = code(s)
            if let c, c != previous { result.append(c); if result.count == 4 { break } }
            previous = c                                        // vowels reset, so "Tymczak" keeps both Cs apart
        }
        while result.count < 4 { result.append("0") }
        return result
    }

    /// Levenshtein distance with an early exit once it exceeds `limit`.
    public static func editDistance(_ a: String, _ b: String, limit: Int = .max) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMin = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                rowMin = min(rowMin, current[j])
            }
            if rowMin > limit { return rowMin }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// How well one query word matches one name word, 0…1: exact 1; a prefix 0.7–0.9 by how much of the name it covers
    /// (so "jon" finds "John" before "Jonathan"); a small typo 0.8–0.6; the same sound 0.5.
    public static func wordScore(query: String, name: String) -> Double {
        wordScore(query: query, querySound: nil, name: name)
    }

    /// `querySound` is the query word's Soundex when the caller has it already (ranking scores one query against many names).
    static func wordScore(query: String, querySound: String??, name: String) -> Double {
        if query == name { return 1 }
        if name.hasPrefix(query) { return 0.7 + 0.2 * Double(query.count) / Double(name.count) }
        let allowed = query.count <= 4 ? 1 : 2
        if abs(query.count - name.count) <= allowed {
            let distance = editDistance(query, name, limit: allowed)
            if distance <= allowed { return 0.8 - 0.1 * Double(distance - 1) }
        }
        if let a = querySound ?? soundex(query), let b = soundex(name), a == b { return 0.5 }
        return 0
    }

    /// Scores a whole name against a query: each query word takes its best name word; a word that matches nothing
    /// gives 0 overall (all words must match, as they do in the index query).
    public static func score(query: [String], name: [String]) -> Double {
        score(query: query, sounds: query.map(soundex), name: name)
    }

    /// As `score`, with the query words' Soundex codes computed once by the caller.
    public static func score(query: [String], sounds: [String?], name: [String]) -> Double {
        guard !query.isEmpty, !name.isEmpty else { return 0 }
        var total = 0.0
        for (q, sound) in zip(query, sounds) {
            if name.contains(q) { total += 1; continue }   // the usual case, and nothing can beat it
            let best = name.map { wordScore(query: q, querySound: .some(sound), name: $0) }.max() ?? 0
            if best == 0 { return 0 }
            total += best
        }
        return total / Double(query.count)
    }
}
