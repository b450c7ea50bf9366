import Foundation
import TownhallKernel

public enum GuidanceTag {}
public typealias GuidanceID = Identifier<GuidanceTag>

/// Agent guidance: a call script ("what to say", "what to ask") or a knowledge article, written in markdown by the
/// organisation that provides the service and read by every agent in the partnership, because a one-stop shop answers for
/// every partner. Guidance is not personal data, so reading it is not audited; every change is.
public struct GuidanceArticle: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// What to say and what to ask on a call about a service.
        case script
        /// Background an agent looks up: rules, prices, who to send people to.
        case article

        public var title: String { self == .script ? "Call script" : "Knowledge article" }
    }

    public static let maximumBody = 50_000

    public var id: GuidanceID
    public var organisationID: OrganisationID
    public var kind: Kind
    public var title: String
    /// One line shown in search results and suggestions.
    public var summary: String?
    /// LGSL (or local) service codes the guidance is about; suggested when the agent chooses one of them.
    public var serviceCodes: [String]
    /// Words a caller might use ("sofa", "mattress"): suggested when the agent types them.
    public var keywords: [String]
    /// Markdown.
    public var body: String
    public var active: Bool
    public var updatedAt: Timestamp
    public var updatedBy: String
    public var version: Int

    public init(id: GuidanceID = GuidanceID(), organisationID: OrganisationID, kind: Kind, title: String, summary: String? = nil, serviceCodes: [String] = [],
                keywords: [String] = [], body: String, active: Bool = true, updatedAt: Timestamp = .now, updatedBy: String = "", version: Int = 1) {
        self.id = id; self.organisationID = organisationID; self.kind = kind; self.title = title; self.summary = summary; self.serviceCodes = serviceCodes
        self.keywords = keywords; self.body = body; self.active = active; self.updatedAt = updatedAt; self.updatedBy = updatedBy; self.version = version
    }

    /// Trims and checks every field; lists are de-duplicated and kept in the order given.
    public func validated() throws -> GuidanceArticle {
        var copy = self
        copy.title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !copy.title.isEmpty else { throw TownhallError.missing("title", "Enter a title, for example \"Bulky waste: what to ask\".") }
        guard copy.title.count <= 150 else { throw TownhallError.invalid("title", "A title can be at most 150 characters.") }
        copy.summary = summary?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmptyOrNil
        if let s = copy.summary, s.count > 300 { throw TownhallError.invalid("summary", "A summary can be at most 300 characters.") }
        copy.body = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !copy.body.isEmpty else { throw TownhallError.missing("body", "Enter the guidance itself, in markdown.") }
        guard copy.body.count <= GuidanceArticle.maximumBody else { throw TownhallError.invalid("body", "Guidance can be at most 50,000 characters. Split it into several articles.") }
        copy.serviceCodes = try GuidanceArticle.list(serviceCodes, field: "service_codes", maximumCount: 20, maximumLength: 20) { code in
            code.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        }
        copy.keywords = try GuidanceArticle.list(keywords.map { $0.lowercased() }, field: "keywords", maximumCount: 30, maximumLength: 40) { _ in true }
        return copy
    }

    static func list(_ items: [String], field: String, maximumCount: Int, maximumLength: Int, allowed: (String) -> Bool) throws -> [String] {
        var seen = Set<String>(), out: [String] = []
        for raw in items {
            let item = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !item.isEmpty, seen.insert(item).inserted else { continue }
            guard item.count <= maximumLength, allowed(item) else {
                throw TownhallError.invalid(field, "\"\(item.prefix(50))\" is not allowed here: use letters, numbers and hyphens, at most \(maximumLength) characters.")
            }
            out.append(item)
        }
        guard out.count <= maximumCount else { throw TownhallError.invalid(field, "Give at most \(maximumCount).") }
        return out
    }

    /// Splits a comma-separated form field ("sofa, mattress") into items.
    public static func split(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0 == "," || $0 == "\n" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// What the full-text index holds: title, summary, keywords and body as plain words.
    public var searchDocument: String {
        NameMatching.tokens([title, summary ?? "", keywords.joined(separator: " "), serviceCodes.joined(separator: " "), body].joined(separator: " "))
            .joined(separator: " ")
    }
}

/// How guidance is ranked, for a search and for suggestions while the agent types. Pure, so it is tested on its own.
public enum GuidanceRanking {
    /// Words too common to say anything about what a caller wants.
    static let stopWords: Set<String> = ["a", "an", "and", "are", "at", "be", "but", "by", "can", "do", "for", "from", "has", "have", "i", "in", "is", "it",
                                         "me", "my", "of", "on", "or", "our", "so", "that", "the", "their", "there", "they", "this", "to", "was", "we",
                                         "were", "what", "when", "where", "who", "will", "with", "you", "your", "about", "not", "no", "get", "got"]

    /// The least score worth suggesting: a service match, a word in the title or keywords, or two words in the text. One
    /// common word somewhere in a long article ("away") is noise beside a call.
    public static let suggestionThreshold = 2.0

    /// The words of what was typed worth searching for: lower case, `[a-z0-9]` only, no stop words, at most eight.
    public static func terms(_ text: String) -> [String] {
        var seen = Set<String>()
        return NameMatching.tokens(text).filter { !stopWords.contains($0) && seen.insert($0).inserted }.prefix(8).map { $0 }
    }

    /// A score for one article: a chosen service it covers counts most, then words in the title or keywords, then in the
    /// summary or body; a prefix counts for less than a whole word. The viewer's own organisation's guidance breaks ties.
    public static func score(_ article: GuidanceArticle, terms: [String], serviceCode: String?, viewer: OrganisationID) -> Double {
        var score = 0.0
        if let serviceCode, article.serviceCodes.contains(serviceCode) { score += 10 }
        let title = Set(NameMatching.tokens(article.title)).union(article.keywords.flatMap(NameMatching.tokens))
        let rest = Set(NameMatching.tokens((article.summary ?? "") + " " + article.body))
        for term in terms {
            if title.contains(term) { score += 3 }
            else if title.contains(where: { $0.hasPrefix(term) }) { score += 2 }
            else if rest.contains(term) { score += 1 }
            else if rest.contains(where: { $0.hasPrefix(term) }) { score += 0.5 }
        }
        if score > 0, article.organisationID == viewer { score += 0.25 }
        if score > 0, article.kind == .script, serviceCode != nil { score += 0.1 }
        return score
    }

    /// Articles in order: best score first, then title, then id (a total order).
    public static func rank(_ articles: [GuidanceArticle], terms: [String], serviceCode: String?, viewer: OrganisationID) -> [(GuidanceArticle, Double)] {
        articles.map { ($0, score($0, terms: terms, serviceCode: serviceCode, viewer: viewer)) }
            .sorted { a, b in
                if a.1 != b.1 { return a.1 > b.1 }
                if a.0.title != b.0.title { return a.0.title < b.0.title }
                return a.0.id.string < b.0.id.string
            }
    }
}
