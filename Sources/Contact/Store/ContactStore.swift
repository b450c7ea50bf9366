import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// The contact module's SQL, all of it.
enum ContactStore {
    static let migrations: [Migration] = [
        Migration("contact.0001_contact_log", [
            """
            CREATE TABLE contact_log (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL REFERENCES organisation (id), person_id TEXT, property_id TEXT,
                channel TEXT NOT NULL, reason TEXT NOT NULL, service_code TEXT, outcome TEXT NOT NULL, duration_seconds INTEGER NOT NULL,
                notes TEXT, case_id TEXT, partner_id TEXT, agent TEXT NOT NULL, at TEXT NOT NULL
            )
            """,
            "CREATE INDEX contact_log_person ON contact_log (person_id, at)",
            "CREATE INDEX contact_log_property ON contact_log (property_id, at)",
            "CREATE INDEX contact_log_day ON contact_log (organisation_id, at)",
        ]),
    ]

    static func insert(_ c: ContactRecord, on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "contact_log", columns: ["id", "organisation_id", "person_id", "property_id", "channel", "reason", "service_code",
                                                                         "outcome", "duration_seconds", "notes", "case_id", "partner_id", "agent", "at"],
                                      rows: [[c.id.string, c.organisationID.string, c.personID?.string, c.propertyID?.string, c.channel.rawValue, c.reason,
                                              c.serviceCode, c.outcome.rawValue, c.durationSeconds, c.notes, c.caseID, c.partnerID?.string, c.agent, c.at.iso]])
    }

    /// Contacts about a person or a property recorded by any of `organisations`, newest first.
    static func recent(person: PersonID?, property: PropertyID?, organisations: Set<OrganisationID>, limit: Int, on db: any SQLDatabase) async throws -> [ContactRecord] {
        guard !organisations.isEmpty, person != nil || property != nil else { return [] }
        var q: SQLQueryString = "SELECT * FROM contact_log WHERE organisation_id IN (\(binds: organisations.map(\.string).sorted()))"
        if let person { q += " AND person_id = \(bind: person.string)" }
        if let property { q += " AND property_id = \(bind: property.string)" }
        q += " ORDER BY at DESC, id LIMIT \(unsafeRaw: String(limit))"
        return try await db.raw(q).all().map(decode)
    }

    /// Counts of an organisation's contacts in [from, to) by channel and outcome.
    static func summary(organisation: OrganisationID, from: Timestamp, to: Timestamp, on db: any SQLDatabase) async throws -> ContactSummary {
        var s = ContactSummary()
        for row in try await db.raw("""
            SELECT channel, outcome, COUNT(*) AS n FROM contact_log
            WHERE organisation_id = \(bind: organisation.string) AND at >= \(bind: from.iso) AND at < \(bind: to.iso) GROUP BY channel, outcome
            """).all() {
            let n = try row.int("n")
            s.total += n
            s.byChannel[try row.string("channel"), default: 0] += n
            s.byOutcome[try row.string("outcome"), default: 0] += n
        }
        return s
    }

    static func decode(_ row: any SQLRow) throws -> ContactRecord {
        ContactRecord(id: try row.id("id"), organisationID: try row.id("organisation_id"), personID: try row.optionalID("person_id"),
                      propertyID: try row.optionalID("property_id"), channel: ContactChannel(rawValue: try row.string("channel")) ?? .phone,
                      reason: try row.string("reason"), serviceCode: try row.optionalString("service_code"),
                      outcome: ContactOutcome(rawValue: try row.string("outcome")) ?? .signposted, durationSeconds: try row.int("duration_seconds"),
                      notes: try row.optionalString("notes"), caseID: try row.optionalString("case_id"), partnerID: try row.optionalID("partner_id"),
                      agent: try row.string("agent"), at: try row.timestamp("at"))
    }
}
