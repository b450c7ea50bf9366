import Foundation
import SQLKit
import TownhallKernel

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
    /// SQL for a full-text match on a column of a search table, which is an FTS5 table on SQLite and a table with a
    /// generated `tsvector` column `tsv` on PostgreSQL. `groups` are AND-ed; within a group the terms are OR-ed;
    /// a term ending in `*` is a prefix. Terms must be `[a-z0-9]` only (`FullTextQuery.term` makes them so).
    public func fullTextMatch(table: String, groups: [[String]]) -> SQLQueryString {
        switch engine {
        case .sqlite:
            let text = groups.map { "(" + $0.map { $0.hasSuffix("*") ? "\"\($0.dropLast())\"*" : "\"\($0)\"" }.joined(separator: " OR ") + ")" }
                .joined(separator: " AND ")
            return "\(ident: table) MATCH \(bind: text)"
        case .postgres:
            let text = groups.map { "(" + $0.map { $0.hasSuffix("*") ? "\($0.dropLast()):*" : $0 }.joined(separator: " | ") + ")" }
                .joined(separator: " & ")
            return "\(ident: table).tsv @@ to_tsquery('simple', \(bind: text))"
        }
    }

    /// DDL for a search table keyed by `key` with a `document` column and an organisation column, on either engine.
    public static func searchTableDDL(_ table: String, key: String, engine: Engine) -> [String] {
        switch engine {
        case .sqlite:
            return ["CREATE VIRTUAL TABLE \(table) USING fts5(\(key) UNINDEXED, organisation_id UNINDEXED, document, tokenize = 'unicode61 remove_diacritics 2')"]
        case .postgres:
            return [
                "CREATE TABLE \(table) (\(key) TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, document TEXT NOT NULL, tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', document)) STORED)",
                "CREATE INDEX \(table)_tsv ON \(table) USING GIN (tsv)",
            ]
        }
    }

    /// Replaces the search document of one row (FTS5 tables have no upsert, so delete then insert on both).
    public static func replaceSearchDocument(_ db: any SQLDatabase, table: String, key: String, id: String, organisation: OrganisationID, document: String) async throws {
        try await db.raw("DELETE FROM \(ident: table) WHERE \(ident: key) = \(bind: id)").run()
        try await db.raw("INSERT INTO \(ident: table) (\(ident: key), organisation_id, document) VALUES (\(bind: id), \(bind: organisation.string), \(bind: document))").run()
    }
}

/// Turns free text into safe full-text terms (letters and digits only), so no user input reaches the query syntax.
public enum FullTextQuery {
    public static func term(_ word: String) -> String? {
        let cleaned = String(word.lowercased().unicodeScalars.filter { $0.isASCII && CharacterSet.alphanumerics.contains($0) }.map(Character.init))
        return cleaned.isEmpty ? nil : String(cleaned.prefix(64))
    }

    /// The token that scopes a search document to its organisation (UUIDs are not single tokens in every tokenizer).
    public static func organisationToken(_ id: OrganisationID) -> String { "o" + id.string.replacingOccurrences(of: "-", with: "") }
}
