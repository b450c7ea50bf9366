import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Claims' SQL. The household and the assessment are JSON columns (read whole, never queried into); the dates NI 181
/// and the queues need are columns of their own.
enum ClaimStore {
    static let migrations: [Migration] = [
        Migration("benefits.0001_claims", [
            """
            CREATE TABLE benefits_claim (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL REFERENCES organisation (id), reference TEXT NOT NULL,
                kind TEXT NOT NULL, person_id TEXT NOT NULL REFERENCES person (id), account_id TEXT, previous_claim_id TEXT,
                status TEXT NOT NULL, household TEXT NOT NULL, received_on TEXT NOT NULL, effective_from TEXT NOT NULL,
                decided_on TEXT, notified_on TEXT, assessment TEXT, award_adjustment_id TEXT,
                created_at TEXT NOT NULL, version INTEGER NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX benefits_claim_reference ON benefits_claim (organisation_id, reference)",
            "CREATE INDEX benefits_claim_person ON benefits_claim (person_id)",
            "CREATE INDEX benefits_claim_queue ON benefits_claim (organisation_id, status, received_on)",
            "CREATE INDEX benefits_claim_decided ON benefits_claim (organisation_id, decided_on)",
            """
            CREATE TABLE benefits_claim_event (
                claim_id TEXT NOT NULL REFERENCES benefits_claim (id), seq INTEGER NOT NULL, status TEXT NOT NULL,
                happened_on TEXT NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL, note TEXT NOT NULL, PRIMARY KEY (claim_id, seq)
            )
            """,
            """
            CREATE TABLE benefits_sequence (
                organisation_id TEXT NOT NULL, name TEXT NOT NULL, value BIGINT NOT NULL, PRIMARY KEY (organisation_id, name)
            )
            """,
        ]),
    ]

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return e
    }()

    static func nextReference(organisation: OrganisationID, on db: any SQLDatabase) async throws -> String {
        let value = try await db.raw("""
            INSERT INTO benefits_sequence (organisation_id, name, value) VALUES (\(bind: organisation.string), 'claim', 1)
            ON CONFLICT (organisation_id, name) DO UPDATE SET value = benefits_sequence.value + 1 RETURNING value
            """).first()!.int64("value")
        return "HB" + Digits.padded(value, width: 8)
    }

    static func insert(_ c: Claim, on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "benefits_claim",
                                      columns: ["id", "organisation_id", "reference", "kind", "person_id", "account_id", "previous_claim_id", "status",
                                                "household", "received_on", "effective_from", "decided_on", "notified_on", "assessment",
                                                "award_adjustment_id", "created_at", "version"],
                                      rows: [[c.id.string, c.organisationID.string, c.reference, c.kind.rawValue, c.personID.string, c.accountID?.string,
                                              c.previousClaimID?.string, c.status.rawValue, try json(c.household), c.receivedOn.description,
                                              c.effectiveFrom.description, c.decidedOn?.description, c.notifiedOn?.description,
                                              try c.assessment.map(json), c.awardAdjustmentID, c.createdAt.iso, c.version]])
        try await insertEvents(c.events, claim: c.id, from: 0, on: db)
    }

    /// Saves a changed claim at `c.version` (already incremented by the caller) and its new events.
    static func update(_ c: Claim, newEvents: ArraySlice<Claim.Event>, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE benefits_claim SET status = \(bind: c.status.rawValue), household = \(bind: try json(c.household)),
                effective_from = \(bind: c.effectiveFrom.description), decided_on = \(bind: c.decidedOn?.description),
                notified_on = \(bind: c.notifiedOn?.description), assessment = \(bind: try c.assessment.map(json)),
                award_adjustment_id = \(bind: c.awardAdjustmentID), account_id = \(bind: c.accountID?.string), version = \(bind: c.version)
            WHERE id = \(bind: c.id.string)
            """).run()
        try await insertEvents(Array(newEvents), claim: c.id, from: newEvents.startIndex, on: db)
    }

    static func insertEvents(_ events: [Claim.Event], claim: ClaimID, from first: Int, on db: any SQLDatabase) async throws {
        guard !events.isEmpty else { return }
        try await Database.insertRows(db, into: "benefits_claim_event", columns: ["claim_id", "seq", "status", "happened_on", "at", "actor", "note"],
                                      rows: events.enumerated().map { n, e in
                                          [claim.string, first + n, e.status.rawValue, e.on.description, e.at.iso, e.by, e.note]
                                      })
    }

    static func claim(_ id: ClaimID, organisations: Set<OrganisationID>, on db: any SQLDatabase) async throws -> Claim? {
        guard let row = try await db.raw("""
            SELECT * FROM benefits_claim WHERE id = \(bind: id.string) AND organisation_id IN (\(binds: organisations.map(\.string)))
            """).first() else { return nil }
        var claim = try decode(row)
        claim.events = try await db.raw("SELECT * FROM benefits_claim_event WHERE claim_id = \(bind: id.string) ORDER BY seq").all().map { r in
            Claim.Event(status: Claim.Status(rawValue: try r.string("status")) ?? .received,
                        on: try LocalDate(parsing: try r.string("happened_on"), field: "happened_on"), at: try r.timestamp("at"),
                        by: try r.string("actor"), note: try r.string("note"))
        }
        return claim
    }

    struct Filter: Sendable {
        var status: Claim.Status?
        var person: PersonID?
        var openOnly = false
    }

    /// A page of claims, oldest received first (the order they are worked), then by id; `after` is the last row's
    /// (received_on, id) from the page before.
    static func claims(_ filter: Filter, organisations: Set<OrganisationID>, after: (String, String)?, limit: Int,
                       on db: any SQLDatabase) async throws -> [Claim] {
        var q: SQLQueryString = "SELECT * FROM benefits_claim WHERE organisation_id IN (\(binds: organisations.map(\.string)))"
        if let status = filter.status { q += " AND status = \(bind: status.rawValue)" }
        if filter.openOnly {
            q += " AND status IN (\(binds: Claim.Status.allCases.filter(\.isOpen).map(\.rawValue)))"
        }
        if let person = filter.person { q += " AND person_id = \(bind: person.string)" }
        if let (received, id) = after {
            q += " AND (received_on > \(bind: received) OR (received_on = \(bind: received) AND id > \(bind: id)))"
        }
        q += " ORDER BY received_on, id LIMIT \(unsafeRaw: String(limit))"
        return try await db.raw(q).all().map(decode)
    }

    /// Kind, receipt and decision of every claim an organisation decided between two days (NI 181).
    static func decided(organisation: OrganisationID, from: LocalDate, to: LocalDate,
                        on db: any SQLDatabase) async throws -> [(kind: Claim.Kind, received: LocalDate, decided: LocalDate)] {
        try await db.raw("""
            SELECT kind, received_on, decided_on FROM benefits_claim WHERE organisation_id = \(bind: organisation.string)
            AND decided_on >= \(bind: from.description) AND decided_on <= \(bind: to.description)
            """).all().map { r in
            (Claim.Kind(rawValue: try r.string("kind")) ?? .newClaim, try LocalDate(parsing: try r.string("received_on"), field: "received_on"),
             try LocalDate(parsing: try r.string("decided_on"), field: "decided_on"))
        }
    }

    /// How many of an organisation's claims are in each status, by kind.
    static func caseload(organisation: OrganisationID, on db: any SQLDatabase) async throws -> [(Claim.Kind, Claim.Status, Int)] {
        try await db.raw("""
            SELECT kind, status, COUNT(*) AS n FROM benefits_claim WHERE organisation_id = \(bind: organisation.string) GROUP BY kind, status
            """).all().compactMap { r in
            guard let kind = Claim.Kind(rawValue: try r.string("kind")), let status = Claim.Status(rawValue: try r.string("status")) else { return nil }
            return (kind, status, try r.int("n"))
        }
    }

    static func decode(_ row: any SQLRow) throws -> Claim {
        let decoder = JSONDecoder()
        return Claim(id: try row.id("id"), organisationID: try row.id("organisation_id"), reference: try row.string("reference"),
                     kind: Claim.Kind(rawValue: try row.string("kind")) ?? .newClaim, personID: try row.id("person_id"),
                     accountID: try row.optionalID("account_id"), previousClaimID: try row.optionalID("previous_claim_id"),
                     status: Claim.Status(rawValue: try row.string("status")) ?? .received,
                     household: try decoder.decode(EstimateInput.self, from: Data(try row.string("household").utf8)),
                     receivedOn: try LocalDate(parsing: try row.string("received_on"), field: "received_on"),
                     effectiveFrom: try LocalDate(parsing: try row.string("effective_from"), field: "effective_from"),
                     decidedOn: try row.optionalDate("decided_on"), notifiedOn: try row.optionalDate("notified_on"),
                     assessment: try row.optionalString("assessment").map { try decoder.decode(Claim.Assessment.self, from: Data($0.utf8)) },
                     awardAdjustmentID: try row.optionalString("award_adjustment_id"), events: [], createdAt: try row.timestamp("created_at"),
                     version: try row.int("version"))
    }

    static func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
}
