import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// The append-only audit log. `record` is called inside the caller's transaction, so an audited change and its
/// entry commit together. The tables refuse UPDATE and DELETE at the database level.
public enum AuditLog {
    public static let migrations: [Migration] = [
        Migration("audit.0001_events") { engine in
            var statements = [
                """
                CREATE TABLE audit_event (
                    id TEXT PRIMARY KEY,
                    organisation_id TEXT NOT NULL,
                    actor_kind TEXT NOT NULL,
                    actor_id TEXT,
                    actor_label TEXT NOT NULL,
                    action TEXT NOT NULL,
                    entity_type TEXT NOT NULL,
                    entity_id TEXT,
                    subject_person_id TEXT,
                    changes TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    purpose TEXT,
                    request_id TEXT,
                    occurred_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX audit_event_org_time ON audit_event (organisation_id, occurred_at, id)",
                "CREATE INDEX audit_event_entity ON audit_event (entity_type, entity_id)",
                "CREATE INDEX audit_event_subject ON audit_event (subject_person_id)",
            ]
            switch engine {
            case .sqlite:
                statements += [
                    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
                    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
                ]
            case .postgres:
                statements += [
                    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
                    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
                ]
            }
            return statements
        },
    ]

    /// Records many entries in a few statements (bulk loads).
    public static func recordAll(_ entries: [AuditEntry], on db: any SQLDatabase) async throws {
        let rows: [[any Encodable & Sendable]] = try entries.map { e in
            [e.id.string, e.organisationID.string, e.actorKind, e.actorID, e.actorLabel, e.action.rawValue, e.entityType, e.entityID,
             e.subjectPersonID?.string, String(decoding: try JSONEncoder.sorted.encode(e.changes), as: UTF8.self), e.channel.rawValue,
             e.purpose, e.requestID, e.occurredAt.iso]
        }
        try await Database.insertRows(db, into: "audit_event", columns: ["id", "organisation_id", "actor_kind", "actor_id", "actor_label", "action",
                                                                         "entity_type", "entity_id", "subject_person_id", "changes", "channel",
                                                                         "purpose", "request_id", "occurred_at"], rows: rows)
    }

    public static func record(_ entry: AuditEntry, on db: any SQLDatabase) async throws {
        let changes = String(decoding: try JSONEncoder.sorted.encode(entry.changes), as: UTF8.self)
        try await db.raw("""
            INSERT INTO audit_event (id, organisation_id, actor_kind, actor_id, actor_label, action, entity_type, entity_id,
                subject_person_id, changes, channel, purpose, request_id, occurred_at)
            VALUES (\(bind: entry.id.string), \(bind: entry.organisationID.string), \(bind: entry.actorKind), \(bind: entry.actorID),
                \(bind: entry.actorLabel), \(bind: entry.action.rawValue), \(bind: entry.entityType), \(bind: entry.entityID),
                \(bind: entry.subjectPersonID?.string), \(bind: changes), \(bind: entry.channel.rawValue), \(bind: entry.purpose),
                \(bind: entry.requestID), \(bind: entry.occurredAt.iso))
            """).run()
    }

    /// Searches the acting organisation's log, newest first. Needs `audit.read`.
    public static func search(_ database: Database, actor: Actor, filter: AuditFilter, after cursor: Cursor?, limit: PageSize) async throws -> Page<AuditEntry> {
        try actor.require(.auditRead)
        if let cursor, cursor.key.count != 2 { throw TownhallError.invalid("cursor", "The cursor is not one this server gave out.", code: "invalid_cursor") }
        let rows = try await database.read { db in
            var q: SQLQueryString = "SELECT * FROM audit_event WHERE organisation_id = \(bind: actor.organisationID.string)"
            if let v = filter.entityType { q += " AND entity_type = \(bind: v)" }
            if let v = filter.entityID { q += " AND entity_id = \(bind: v)" }
            if let v = filter.actorID { q += " AND actor_id = \(bind: v)" }
            if let v = filter.action { q += " AND action = \(bind: v.rawValue)" }
            if let v = filter.subjectPersonID { q += " AND subject_person_id = \(bind: v.string)" }
            if let v = filter.from { q += " AND occurred_at >= \(bind: v.iso)" }
            if let v = filter.to { q += " AND occurred_at < \(bind: v.iso)" }
            if let cursor {
                q += " AND (occurred_at < \(bind: cursor.key[0]) OR (occurred_at = \(bind: cursor.key[0]) AND id < \(bind: cursor.key[1])))"
            }
            q += " ORDER BY occurred_at DESC, id DESC LIMIT \(literal: limit.value + 1)"
            return try await db.raw(q).all()
        }
        let entries = try rows.prefix(limit.value).map(decode)
        let next = rows.count > limit.value ? entries.last.map { Cursor(key: [$0.occurredAt.iso, $0.id.string]) } : nil
        return Page(items: entries, next: next)
    }

    /// Every entry about one person, oldest first, for a subject-access export.
    public static func entries(about person: PersonID, on db: any SQLDatabase) async throws -> [AuditEntry] {
        try await db.raw("SELECT * FROM audit_event WHERE subject_person_id = \(bind: person.string) ORDER BY occurred_at, id").all().map(decode)
    }

    static func decode(_ row: any SQLRow) throws -> AuditEntry {
        let changes = try JSONDecoder().decode([String: AuditEntry.FieldChange].self, from: Data(try row.string("changes").utf8))
        var entry = AuditEntry(
            actor: .system(try row.id("organisation_id"), ""), action: AuditEntry.Action(rawValue: try row.string("action")) ?? .read,
            entityType: try row.string("entity_type"), entityID: try row.optionalString("entity_id"))
        entry.id = try row.id("id")
        entry.actorKind = try row.string("actor_kind")
        entry.actorID = try row.optionalString("actor_id")
        entry.actorLabel = try row.string("actor_label")
        entry.subjectPersonID = try row.optionalID("subject_person_id")
        entry.changes = changes
        entry.channel = Channel(rawValue: try row.string("channel")) ?? .system
        entry.purpose = try row.optionalString("purpose")
        entry.requestID = try row.optionalString("request_id")
        entry.occurredAt = try row.timestamp("occurred_at")
        return entry
    }
}

extension JSONEncoder {
    /// Stable key order, so stored JSON is byte-for-byte reproducible.
    public static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
