import Audit
import Foundation
import Partnership
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Agent guidance: call scripts and knowledge articles in markdown, searchable, and suggested from the service and the
/// words an agent types while a caller is talking. Written by the organisation that provides a service (managers), read
/// by every agent in the partnership.
public struct Guidance: Sendable {
    public let database: Database
    let partnership: Partnership
    /// How many full-text candidates are ranked at most; guidance runs to hundreds of articles.
    static let candidateLimit = 500

    public init(database: Database, partnership: Partnership) {
        self.database = database; self.partnership = partnership
    }

    /// What a writer sends: everything but the identity and the bookkeeping.
    public struct Draft: Sendable {
        public var kind: GuidanceArticle.Kind
        public var title: String
        public var summary: String?
        public var serviceCodes: [String]
        public var keywords: [String]
        public var body: String
        public var active: Bool
        public init(kind: GuidanceArticle.Kind, title: String, summary: String? = nil, serviceCodes: [String] = [], keywords: [String] = [], body: String, active: Bool = true) {
            self.kind = kind; self.title = title; self.summary = summary; self.serviceCodes = serviceCodes; self.keywords = keywords; self.body = body; self.active = active
        }

        /// The article this draft makes, checked.
        func article(id: GuidanceID, organisation: OrganisationID, by actor: Actor, at now: Timestamp) throws -> GuidanceArticle {
            try GuidanceArticle(id: id, organisationID: organisation, kind: kind, title: title, summary: summary, serviceCodes: serviceCodes, keywords: keywords,
                                body: body, active: active, updatedAt: now, updatedBy: actor.label).validated()
        }
    }

    public func create(_ draft: Draft, id: GuidanceID = GuidanceID(), by actor: Actor, now: Timestamp = .now) async throws -> GuidanceArticle {
        try actor.require(.casesManage)
        let article = try draft.article(id: id, organisation: actor.organisationID, by: actor, at: now)
        return try await database.transaction { db in
            guard let saved = try await GuidanceStore.save(article, expectedVersion: nil, on: db) else { throw TownhallError.conflict("Not saved.", code: "not_saved") }
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "guidance_article", entityID: saved.id.string,
                                                 changes: ["title": .init(old: nil, new: saved.title)], at: now), on: db)
            return saved
        }
    }

    /// Changes an article the actor's organisation wrote. `version` is the one the writer saw: a change made meanwhile
    /// is a 409, never silently overwritten.
    public func update(_ id: GuidanceID, _ draft: Draft, version: Int, by actor: Actor, now: Timestamp = .now) async throws -> GuidanceArticle {
        try actor.require(.casesManage)
        return try await database.transaction { db in
            guard let old = try await GuidanceStore.article(id, on: db) else { throw TownhallError.notFound("Guidance \(id)") }
            guard old.organisationID == actor.organisationID else {
                throw TownhallError.forbidden("Only the organisation that wrote this guidance can change it.")
            }
            let article = try draft.article(id: id, organisation: old.organisationID, by: actor, at: now)
            guard let saved = try await GuidanceStore.save(article, expectedVersion: version, on: db) else {
                throw TownhallError.conflict("Someone else changed this guidance since you opened it. Reload it and make your change again.", code: "stale_version", field: "version")
            }
            func fields(_ a: GuidanceArticle) -> [String: String?] {
                ["title": a.title, "kind": a.kind.rawValue, "active": "\(a.active)", "service_codes": a.serviceCodes.joined(separator: ","),
                 "body": "\(a.body.count) characters"]
            }
            let changes = AuditEntry.diff(fields(old), fields(saved))
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "guidance_article", entityID: saved.id.string, changes: changes, at: now), on: db)
            return saved
        }
    }

    public func article(_ id: GuidanceID, by actor: Actor) async throws -> GuidanceArticle {
        try actor.require(.registerRead)
        guard let article = try await database.read({ try await GuidanceStore.article(id, on: $0) }) else { throw TownhallError.notFound("Guidance \(id)") }
        return article
    }

    public struct Results: Sendable {
        public var items: [GuidanceArticle]
        public var total: Int
        public var page: Int
        public var pageSize: Int
        public var hasNext: Bool { page * pageSize < total }
    }

    /// Search: every word must appear (as a word or the start of one), or, with no words, every article for the service;
    /// with neither, every article by title. Ranked by `GuidanceRanking`.
    public func search(_ text: String, serviceCode: String? = nil, page: Int = 1, pageSize: Int = 20, by actor: Actor) async throws -> Results {
        try actor.require(.registerRead)
        guard text.count <= 200 else { throw TownhallError.invalid("q", "Search for at most 200 characters.") }
        let page = max(1, page), pageSize = min(max(pageSize, 1), 100)
        let code = serviceCode?.trimmingCharacters(in: .whitespaces).nonEmptyOrNil
        let terms = GuidanceRanking.terms(text)
        if terms.isEmpty && code == nil {
            let (rows, total) = try await database.read { db in
                (try await GuidanceStore.list(offset: (page - 1) * pageSize, limit: pageSize, on: db), try await GuidanceStore.activeCount(on: db))
            }
            return Results(items: rows, total: total, page: page, pageSize: pageSize)
        }
        let organisations = try await partnership.organisations().map(\.id.string)
        let source = terms.isEmpty ? nil : database.fullTextSource(table: "guidance_search", groups: terms.map { [$0 + "*"] }, organisations: organisations)
        let candidates = try await database.read { db in
            try await GuidanceStore.candidates(source: source, serviceCode: terms.isEmpty ? code : nil, limit: Guidance.candidateLimit, on: db)
        }
        let ranked = GuidanceRanking.rank(candidates, terms: terms, serviceCode: code, viewer: actor.organisationID).map(\.0)
        let items = Array(ranked.dropFirst((page - 1) * pageSize).prefix(pageSize))
        return Results(items: items, total: ranked.count, page: page, pageSize: pageSize)
    }

    /// Suggestions while the agent types: guidance for the chosen service, and any whose title or keywords share a word
    /// with what was typed (or whose text shares two), best first.
    public func suggest(serviceCode: String?, text: String, limit: Int = 5, by actor: Actor) async throws -> [GuidanceArticle] {
        try actor.require(.registerRead)
        let code = serviceCode?.trimmingCharacters(in: .whitespaces).nonEmptyOrNil
        let terms = GuidanceRanking.terms(String(text.suffix(500)))
        guard code != nil || !terms.isEmpty else { return [] }
        let organisations = try await partnership.organisations().map(\.id.string)
        // Words of three letters or more may be the start of a longer word the agent is still typing.
        let group = terms.map { $0.count >= 3 ? $0 + "*" : $0 }
        let source = group.isEmpty ? nil : database.fullTextSource(table: "guidance_search", groups: [group], organisations: organisations)
        let candidates = try await database.read { db in
            try await GuidanceStore.candidates(source: source, serviceCode: code, limit: Guidance.candidateLimit, on: db)
        }
        return GuidanceRanking.rank(candidates, terms: terms, serviceCode: code, viewer: actor.organisationID)
            .filter { $0.1 >= GuidanceRanking.suggestionThreshold }.prefix(min(max(limit, 1), 20)).map(\.0)
    }
}
