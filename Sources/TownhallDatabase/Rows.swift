import Foundation
import SQLKit
import TownhallKernel
import VaporCSQLite

/// Column readers that behave the same on both engines, so stores never decode engine-specific types.
extension SQLRow {
    public func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    public func optionalString(_ column: String) throws -> String? { try decode(column: column, as: String?.self) }
    public func int(_ column: String) throws -> Int { Int(try decode(column: column, as: Int64.self)) }
    public func int64(_ column: String) throws -> Int64 { try decode(column: column, as: Int64.self) }
    public func optionalInt64(_ column: String) throws -> Int64? { try decode(column: column, as: Int64?.self) }
    public func optionalDouble(_ column: String) throws -> Double? { try decode(column: column, as: Double?.self) }
    public func flag(_ column: String) throws -> Bool { try decode(column: column, as: Int64.self) != 0 }

    public func id<Tag>(_ column: String, as: Identifier<Tag>.Type = Identifier<Tag>.self) throws -> Identifier<Tag> {
        let raw = try string(column)
        guard let id = Identifier<Tag>(raw) else { throw TownhallError(.invalid, code: "corrupt_row", message: "stored id \(raw) in \(column) is not a UUID") }
        return id
    }

    public func optionalID<Tag>(_ column: String, as: Identifier<Tag>.Type = Identifier<Tag>.self) throws -> Identifier<Tag>? {
        try optionalString(column).flatMap { Identifier<Tag>($0) }
    }

    public func timestamp(_ column: String) throws -> Timestamp {
        let raw = try string(column)
        guard let t = Timestamp(iso: raw) else { throw TownhallError(.invalid, code: "corrupt_row", message: "stored time \(raw) in \(column) is not ISO 8601") }
        return t
    }

    public func optionalTimestamp(_ column: String) throws -> Timestamp? {
        try optionalString(column).flatMap { Timestamp(iso: $0) }
    }

    public func optionalDate(_ column: String) throws -> LocalDate? {
        try optionalString(column).map { try LocalDate(parsing: $0, field: column) }
    }
}

extension Database {
    // Full-text search. Both engines keep an ordinary table `<name>` (key, organisation_id, document) keyed by the record's id,
    // so writes are the same SQL and deletes are indexed. PostgreSQL adds a generated tsvector column with a GIN index;
    // SQLite adds an external-content FTS5 index `<name>_fts` kept in step by triggers.

    /// DDL for a search table keyed by `key`.
    public static func searchTableDDL(_ table: String, key: String, engine: Engine) -> [String] {
        switch engine {
        case .sqlite:
            return ["CREATE TABLE \(table) (\(key) TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, document TEXT NOT NULL)"] + sqliteIndexDDL(table)
        case .postgres:
            return [
                "CREATE TABLE \(table) (\(key) TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, document TEXT NOT NULL, tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', document)) STORED)",
                "CREATE INDEX \(table)_tsv ON \(table) USING GIN (tsv)",
            ]
        }
    }

    /// Recreates a search table's full-text index with the current definition and refills it from the table (SQLite);
    /// nothing to do on PostgreSQL, whose GIN index already serves prefix queries.
    public static func rebuildSearchIndexDDL(_ table: String, engine: Engine) -> [String] {
        guard engine == .sqlite else { return [] }
        return ["DROP TRIGGER IF EXISTS \(table)_ai", "DROP TRIGGER IF EXISTS \(table)_ad", "DROP TRIGGER IF EXISTS \(table)_au",
                "DROP TABLE IF EXISTS \(table)_fts"] + sqliteIndexDDL(table) + ["INSERT INTO \(table)_fts (\(table)_fts) VALUES ('rebuild')"]
    }

    private static func sqliteIndexDDL(_ table: String) -> [String] {
        [
                // Prefix indexes make `word*` terms (people type the start of a name, or an initial) as cheap as whole words.
                "CREATE VIRTUAL TABLE \(table)_fts USING fts5(document, content = '\(table)', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4')",
                "CREATE TRIGGER \(table)_ai AFTER INSERT ON \(table) BEGIN INSERT INTO \(table)_fts (rowid, document) VALUES (new.rowid, new.document); END",
                "CREATE TRIGGER \(table)_ad AFTER DELETE ON \(table) BEGIN INSERT INTO \(table)_fts (\(table)_fts, rowid, document) VALUES ('delete', old.rowid, old.document); END",
                "CREATE TRIGGER \(table)_au AFTER UPDATE ON \(table) BEGIN INSERT INTO \(table)_fts (\(table)_fts, rowid, document) VALUES ('delete', old.rowid, old.document); INSERT INTO \(table)_fts (rowid, document) VALUES (new.rowid, new.document); END",
        ]
    }

    /// `FROM … WHERE …` for the rows of a search table matching `groups` in one of `organisations`: groups are AND-ed, terms
    /// within a group OR-ed, and a term ending in `*` is a prefix. Terms must be `[a-z0-9]` only (`NameMatching.tokens`
    /// makes them so), so no user text reaches the query syntax. Unordered: engine ranking (FTS5's bm25) costs more than the whole search, and callers rank in Swift.
    public func fullTextSource(table: String, groups: [[String]], organisations: [String]) -> SQLQueryString {
        switch engine {
        case .sqlite:
            let text = groups.map { "(" + $0.map { $0.hasSuffix("*") ? "\"\($0.dropLast())\"*" : "\"\($0)\"" }.joined(separator: " OR ") + ")" }
                .joined(separator: " AND ")
            return "\(ident: table) JOIN \(ident: table + "_fts") ON \(ident: table + "_fts").rowid = \(ident: table).rowid WHERE \(ident: table + "_fts") MATCH \(bind: text) AND \(ident: table).organisation_id IN (\(binds: organisations))"
        case .postgres:
            let text = groups.map { "(" + $0.map { $0.hasSuffix("*") ? "\($0.dropLast()):*" : $0 }.joined(separator: " | ") + ")" }
                .joined(separator: " & ")
            return "\(ident: table) WHERE \(ident: table).tsv @@ to_tsquery('simple', \(bind: text)) AND \(ident: table).organisation_id IN (\(binds: organisations))"
        }
    }

    /// Replaces the search document of one row.
    public static func replaceSearchDocument(_ db: any SQLDatabase, table: String, key: String, id: String, organisation: OrganisationID, document: String) async throws {
        try await db.raw("DELETE FROM \(ident: table) WHERE \(ident: key) = \(bind: id)").run()
        try await db.raw("INSERT INTO \(ident: table) (\(ident: key), organisation_id, document) VALUES (\(bind: id), \(bind: organisation.string), \(bind: document))").run()
    }
}

extension Database {
    /// Inserts many rows: on PostgreSQL with multi-row `INSERT … VALUES (…), (…)` statements, one round trip per chunk
    /// instead of one per row (chunks stay under its 65,535 bind parameters); on SQLite, which has no round trips, by
    /// running one prepared single-row statement for each.
    public static func insertRows(_ db: any SQLDatabase, into table: String, columns: [String], rows: [[any Encodable & Sendable]]) async throws {
        guard !rows.isEmpty else { return }
        if let sqlite = db as? DirectSQLiteDatabase { return try sqlite.insertRows(into: table, columns: columns, rows: rows) }
        let chunk = max(1, 30_000 / max(1, columns.count))
        for start in stride(from: 0, to: rows.count, by: chunk) {
            var q: SQLQueryString = "INSERT INTO \(ident: table) (\(idents: columns, joinedBy: ", ")) VALUES "
            for (i, row) in rows[start..<min(start + chunk, rows.count)].enumerated() {
                q += i == 0 ? "(\(binds: row))" : ", (\(binds: row))"
            }
            try await db.raw(q).run()
        }
    }

    /// SQLite's bulk path: runs `sql` (placeholders `?1`, `?2`…) once per row of binds as one prepared statement, and
    /// returns how many rows each run changed. (PostgreSQL's bulk path is one statement over a `VALUES` list, which costs
    /// one round trip instead of one per row.)
    ///
    /// Keep `RETURNING` (and anything else that fires a trigger) out of `sql`: SQLite runs RETURNING as a trigger, a
    /// statement with a trigger keeps a statement journal inside the transaction's savepoint, and that in-memory journal
    /// is truncated at each statement's end by walking everything journalled so far, which makes a batch quadratic (it
    /// was 38 % of a service-level recompute). Use the change counts instead.
    public static func runEachOnSQLite(_ db: any SQLDatabase, _ sql: String, rows: [[any Encodable & Sendable]]) throws -> [Int] {
        guard let sqlite = db as? DirectSQLiteDatabase else { throw SQLiteStatementError(code: SQLITE_MISUSE, message: "runEachOnSQLite needs a Townhall SQLite connection") }
        return try sqlite.runEach(sql, rows: rows)
    }
}
