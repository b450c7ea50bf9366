import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Guidance articles' SQL: the article rows, a row per service an article covers (so "guidance for this service" is an
/// index lookup), and the full-text table every search and suggestion starts from.
enum GuidanceStore {
    static let migrations: [Migration] = [
        Migration("contact.0004_guidance") { engine in
            [
                """
                CREATE TABLE guidance_article (
                    id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL REFERENCES organisation (id), kind TEXT NOT NULL, title TEXT NOT NULL,
                    summary TEXT, service_codes TEXT NOT NULL, keywords TEXT NOT NULL, body TEXT NOT NULL, active INTEGER NOT NULL,
                    updated_at TEXT NOT NULL, updated_by TEXT NOT NULL, version INTEGER NOT NULL
                )
                """,
                "CREATE INDEX guidance_article_title ON guidance_article (active, title, id)",
                "CREATE TABLE guidance_service (guidance_id TEXT NOT NULL REFERENCES guidance_article (id), service_code TEXT NOT NULL, PRIMARY KEY (service_code, guidance_id))",
            ] + Database.searchTableDDL("guidance_search", key: "guidance_id", engine: engine)
        },
    ]

    /// Writes an article with its service rows and search document. `expectedVersion` makes an update conditional: nil
    /// is returned when another change got there first.
    static func save(_ a: GuidanceArticle, expectedVersion: Int?, on db: any SQLDatabase) async throws -> GuidanceArticle? {
        let codes = String(decoding: try JSONEncoder().encode(a.serviceCodes), as: UTF8.self)
        let words = String(decoding: try JSONEncoder().encode(a.keywords), as: UTF8.self)
        let row: (any SQLRow)?
        if let expectedVersion {
            row = try await db.raw("""
                UPDATE guidance_article SET kind = \(bind: a.kind.rawValue), title = \(bind: a.title), summary = \(bind: a.summary), service_codes = \(bind: codes),
                    keywords = \(bind: words), body = \(bind: a.body), active = \(bind: a.active ? 1 : 0), updated_at = \(bind: a.updatedAt.iso),
                    updated_by = \(bind: a.updatedBy), version = version + 1
                WHERE id = \(bind: a.id.string) AND version = \(bind: expectedVersion)
                RETURNING *
                """).first()
        } else {
            row = try await db.raw("""
                INSERT INTO guidance_article (id, organisation_id, kind, title, summary, service_codes, keywords, body, active, updated_at, updated_by, version)
                VALUES (\(bind: a.id.string), \(bind: a.organisationID.string), \(bind: a.kind.rawValue), \(bind: a.title), \(bind: a.summary), \(bind: codes),
                        \(bind: words), \(bind: a.body), \(bind: a.active ? 1 : 0), \(bind: a.updatedAt.iso), \(bind: a.updatedBy), 1)
                RETURNING *
                """).first()
        }
        guard let row else { return nil }
        let saved = try decode(row)
        try await db.raw("DELETE FROM guidance_service WHERE guidance_id = \(bind: saved.id.string)").run()
        if saved.active {
            try await Database.insertRows(db, into: "guidance_service", columns: ["guidance_id", "service_code"], rows: saved.serviceCodes.map { [saved.id.string, $0] })
        }
        if saved.active {
            try await Database.replaceSearchDocument(db, table: "guidance_search", key: "guidance_id", id: saved.id.string, organisation: saved.organisationID,
                                                     document: saved.searchDocument)
        } else {
            try await db.raw("DELETE FROM guidance_search WHERE guidance_id = \(bind: saved.id.string)").run()
        }
        return saved
    }

    static func article(_ id: GuidanceID, on db: any SQLDatabase) async throws -> GuidanceArticle? {
        try await db.raw("SELECT * FROM guidance_article WHERE id = \(bind: id.string)").first().map(decode)
    }

    /// Active articles in title order, a page at a time (`offset` is small: guidance runs to hundreds of articles, not millions).
    static func list(offset: Int, limit: Int, on db: any SQLDatabase) async throws -> [GuidanceArticle] {
        try await db.raw("SELECT * FROM guidance_article WHERE active = 1 ORDER BY title, id LIMIT \(unsafeRaw: String(limit)) OFFSET \(unsafeRaw: String(offset))")
            .all().map(decode)
    }

    static func activeCount(on db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM guidance_article WHERE active = 1").first()!.int("n")
    }

    /// Active articles matching the full-text source, or covering the service; at most `limit` candidates for ranking.
    static func candidates(source: SQLQueryString?, serviceCode: String?, limit: Int, on db: any SQLDatabase) async throws -> [GuidanceArticle] {
        var ids: [String] = []
        if let source {
            ids += try await db.raw("SELECT guidance_search.guidance_id AS id FROM " + source + " LIMIT \(unsafeRaw: String(limit))").all().map { try $0.string("id") }
        }
        if let serviceCode {
            ids += try await db.raw("SELECT guidance_id AS id FROM guidance_service WHERE service_code = \(bind: serviceCode) LIMIT \(unsafeRaw: String(limit))")
                .all().map { try $0.string("id") }
        }
        guard !ids.isEmpty else { return [] }
        return try await db.raw("SELECT * FROM guidance_article WHERE active = 1 AND id IN (\(binds: Array(Set(ids)))) ").all().map(decode)
    }

    static func decode(_ row: any SQLRow) throws -> GuidanceArticle {
        let decoder = JSONDecoder()
        return GuidanceArticle(id: try row.id("id"), organisationID: try row.id("organisation_id"), kind: GuidanceArticle.Kind(rawValue: try row.string("kind")) ?? .article,
                               title: try row.string("title"), summary: try row.optionalString("summary"),
                               serviceCodes: try decoder.decode([String].self, from: Data(try row.string("service_codes").utf8)),
                               keywords: try decoder.decode([String].self, from: Data(try row.string("keywords").utf8)), body: try row.string("body"),
                               active: try row.flag("active"), updatedAt: try row.timestamp("updated_at"), updatedBy: try row.string("updated_by"),
                               version: try row.int("version"))
    }
}
