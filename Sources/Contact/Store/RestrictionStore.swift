import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Restricted flags' SQL. Rows are never deleted: a flag is ended, so its history and every read of it stay auditable.
enum RestrictionStore {
    static let migrations: [Migration] = [
        Migration("contact.0002_restricted_flag", [
            """
            CREATE TABLE restricted_flag (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL REFERENCES organisation (id), person_id TEXT NOT NULL REFERENCES person (id),
                kind TEXT NOT NULL, disclosure TEXT NOT NULL, details TEXT NOT NULL, starts_on TEXT NOT NULL, review_on TEXT,
                ended_on TEXT, ended_reason TEXT, raised_by TEXT NOT NULL, raised_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX restricted_flag_person ON restricted_flag (person_id)",
        ]),
    ]

    static func insert(_ f: RestrictedFlag, on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "restricted_flag", columns: ["id", "organisation_id", "person_id", "kind", "disclosure", "details", "starts_on",
                                                                              "review_on", "ended_on", "ended_reason", "raised_by", "raised_at"],
                                      rows: [[f.id.string, f.organisationID.string, f.personID.string, f.kind.rawValue, f.disclosure.rawValue, f.details,
                                              f.startsOn.description, f.reviewOn?.description, f.endedOn?.description, f.endedReason, f.raisedBy, f.raisedAt.iso]])
    }

    /// A person's flags that have not ended by `day`, oldest first.
    static func current(person: PersonID, on day: LocalDate, on db: any SQLDatabase) async throws -> [RestrictedFlag] {
        try await db.raw("""
            SELECT * FROM restricted_flag WHERE person_id = \(bind: person.string) AND (ended_on IS NULL OR ended_on > \(bind: day.description))
            ORDER BY starts_on, id
            """).all().map(decode)
    }

    static func flag(_ id: RestrictedFlagID, on db: any SQLDatabase) async throws -> RestrictedFlag? {
        try await db.raw("SELECT * FROM restricted_flag WHERE id = \(bind: id.string)").first().map(decode)
    }

    static func end(_ id: RestrictedFlagID, on day: LocalDate, reason: String, on db: any SQLDatabase) async throws {
        try await db.raw("UPDATE restricted_flag SET ended_on = \(bind: day.description), ended_reason = \(bind: reason) WHERE id = \(bind: id.string)").run()
    }

    static func decode(_ row: any SQLRow) throws -> RestrictedFlag {
        RestrictedFlag(id: try row.id("id"), organisationID: try row.id("organisation_id"), personID: try row.id("person_id"),
                       kind: RestrictionKind(rawValue: try row.string("kind")) ?? .vulnerableAdult,
                       disclosure: RestrictionDisclosure(rawValue: try row.string("disclosure")) ?? .hidden, details: try row.string("details"),
                       startsOn: try LocalDate(parsing: try row.string("starts_on"), field: "starts_on"), reviewOn: try row.optionalDate("review_on"), endedOn: try row.optionalDate("ended_on"),
                       endedReason: try row.optionalString("ended_reason"), raisedBy: try row.string("raised_by"), raisedAt: try row.timestamp("raised_at"))
    }
}
