import TownhallKernel

/// What a staff member typed into the one search box, recognised before any query runs.
public enum SearchQuery: Sendable, Equatable {
    case email(String)
    case phone(String)
    case postcode(Postcode)
    /// A postcode district or sector typed without the unit ("BB11", "BB11 2").
    case postcodePrefix(String)
    case uprn(UPRN)
    case name([String])

    public static func classify(_ raw: String) throws -> SearchQuery {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw TownhallError.missing("q") }
        guard text.count <= 200 else { throw TownhallError.invalid("q", "A search can be at most 200 characters.") }
        if text.contains("@") { return .email(try ContactPointRules.email(text, field: "q")) }
        let digits = text.filter { $0.isASCII && $0.isNumber }
        if text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            if text.hasPrefix("0") && (10...11).contains(text.count) { return .phone(text) }
            return .uprn(try UPRN(parsing: text, field: "q"))
        }
        if digits.count >= 10, text.allSatisfy({ $0.isNumber || " +-()".contains($0) }) {
            return .phone(try ContactPointRules.phone(text, field: "q"))
        }
        if let postcode = try? Postcode(text) { return .postcode(postcode) }
        let compact = text.uppercased().filter { !$0.isWhitespace }
        if (2...5).contains(compact.count), compact.first?.isLetter == true, compact.contains(where: \.isNumber),
           compact.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
           (try? Postcode("\(compact)1AA")) != nil || (try? Postcode("\(compact.dropLast())\(compact.last!)AA")) != nil {
            return .postcodePrefix(text.uppercased())
        }
        let words = NameMatching.tokens(text)
        guard !words.isEmpty else { throw TownhallError.invalid("q", "Type a name, postcode, UPRN, phone number or email address.") }
        return .name(Array(words.prefix(6)))
    }
}

/// The search documents stored in the full-text index. Words are stored as they are (for prefix matches) and as
/// Soundex codes with an `s` in front (for misspellings). Tenancy is a column of the search table, not a token.
public enum SearchDocument {
    public static func person(_ p: Person) -> String {
        let words = NameMatching.tokens([p.givenName, p.familyName].joined(separator: " "))
        let sounds = words.compactMap { NameMatching.soundex($0).map { "s" + $0.lowercased() } }
        var parts = words + sounds
        if let dob = p.dateOfBirth { parts.append("d" + dob.description.replacingOccurrences(of: "-", with: "")) }
        return parts.joined(separator: " ")
    }

    /// The name words of a stored person document: names never contain digits, and every code token does.
    /// On bytes, not through each `Character`'s Unicode properties (which showed in profiles of the search).
    public static func nameWords(ofPersonDocument document: String) -> [String] {
        document.utf8.split(separator: 0x20).compactMap { word in
            word.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) ? nil : String(Substring(word))
        }
    }

    /// The query words as exact terms only: the cheap first pass of a name search.
    public static func exactGroups(_ words: [String]) -> [[String]] { words.map { [$0] } }

    public static func property(_ p: Property) -> String {
        var words = NameMatching.tokens([p.saon, p.paon, p.name, p.street, p.locality, p.town].compactMap { $0 }.joined(separator: " "))
        if let postcode = p.postcode { words.append(postcode.value.lowercased().replacingOccurrences(of: " ", with: "")); words.append(postcode.outward.lowercased()) }
        words.append(String(p.uprn.value))
        return words.joined(separator: " ")
    }

    /// The match groups for a name query: each word as itself, as a prefix, or by sound.
    public static func nameGroups(_ words: [String]) -> [[String]] {
        words.map { word in
            var group = [word, word + "*"]
            if let code = NameMatching.soundex(word) { group.append("s" + code.lowercased()) }
            return group
        }
    }

    public static func addressGroups(_ words: [String]) -> [[String]] { words.map { [$0, $0 + "*"] } }
}

/// A search hit with the score that ranked it.
public struct PersonMatch: Sendable, Codable, Equatable {
    public var person: Person
    public var score: Double
    public var currentAddress: String?
    public var organisationName: String?
}

public enum PersonRanking {
    /// A search hit before its record is loaded: the id and the name words from the search document.
    public struct Candidate: Sendable, Equatable {
        public var id: String
        public var words: [String]
        public init(id: String, words: [String]) { self.id = id; self.words = words }
    }

    /// Ranks candidates best first: name score, then family name, given name, id (a total order, so pages are stable).
    /// With no name words (a search by phone, email, postcode or UPRN) every candidate is an exact match, scoring 1.
    public static func rank(_ candidates: [Candidate], query: [String]) -> [(id: String, score: Double)] {
        let sounds = query.map(NameMatching.soundex)
        return candidates.compactMap { c -> (Candidate, Double)? in
            let score = query.isEmpty ? 1 : NameMatching.score(query: query, sounds: sounds, name: c.words)
            return score > 0 ? (c, (score * 1000).rounded() / 1000) : nil
        }.sorted { a, b in
            if a.1 != b.1 { return a.1 > b.1 }
            let fa = a.0.words.last ?? "", fb = b.0.words.last ?? ""
            if fa != fb { return fa < fb }
            if a.0.words != b.0.words { return a.0.words.lexicographicallyPrecedes(b.0.words) }
            return a.0.id < b.0.id
        }.map { (id: $0.0.id, score: $0.1) }
    }

    /// How many ranked hits come after `cursor` (all of them without one; none if the cursor is past this list).
    public static func remaining(_ ranked: [(id: String, score: Double)], after cursor: Cursor?) -> Int {
        guard let cursor else { return ranked.count }
        guard cursor.key.count == 2, let i = ranked.firstIndex(where: { $0.id == cursor.key[1] }) else { return 0 }
        return ranked.count - i - 1
    }
}

/// Rules for spotting two records of the same person.
public enum DuplicateRules {
    public struct Candidate: Sendable, Codable, Equatable {
        public var person: Person
        public var score: Double
        public var reasons: [String]
    }

    /// 0…1. Same date of birth and a close name, or a shared phone or email, make a likely duplicate (≥ 0.6).
    public static func score(_ a: Person, _ b: Person, sharedContacts: Int) -> (Double, [String]) {
        var score = 0.0, reasons: [String] = []
        let family = NameMatching.wordScore(query: NameMatching.tokens(a.familyName).joined(), name: NameMatching.tokens(b.familyName).joined())
        let given = NameMatching.score(query: NameMatching.tokens(a.givenName), name: NameMatching.tokens(b.givenName))
        let initial = a.givenName.lowercased().first == b.givenName.lowercased().first
        if family >= 0.5 { score += 0.3 * family; reasons.append(family == 1 ? "same family name" : "similar family name") }
        if given >= 0.5 { score += 0.2 * given; reasons.append(given == 1 ? "same given name" : "similar given name") }
        else if initial { score += 0.05 }
        if let d1 = a.dateOfBirth, let d2 = b.dateOfBirth {
            if d1 == d2 { score += 0.4; reasons.append("same date of birth") } else { score -= 0.3 }
        }
        if sharedContacts > 0 { score += 0.3; reasons.append("shared phone or email") }
        return (min(1, max(0, score)), reasons)
    }

    public static let threshold = 0.6
}
