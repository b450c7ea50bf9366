import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Triage flows and runs. A flow's questions and outcomes are one JSON document: they are read and written whole, and
/// checked whole (`TriageFlow.validated`) before they are saved.
enum TriageStore {
    static let migrations: [Migration] = [
        Migration("contact.0003_triage", [
            """
            CREATE TABLE triage_flow (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL REFERENCES organisation (id), service_code TEXT NOT NULL, name TEXT NOT NULL,
                summary TEXT, definition TEXT NOT NULL, active INTEGER NOT NULL, updated_at TEXT NOT NULL, UNIQUE (organisation_id, service_code)
            )
            """,
            """
            CREATE TABLE triage_run (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL REFERENCES organisation (id), flow_id TEXT NOT NULL REFERENCES triage_flow (id),
                person_id TEXT NOT NULL, answers TEXT NOT NULL, outcome_node TEXT NOT NULL, outcome TEXT NOT NULL, started_at TEXT NOT NULL,
                finished_at TEXT NOT NULL, contact_id TEXT NOT NULL, case_reference TEXT, agent TEXT NOT NULL
            )
            """,
            "CREATE INDEX triage_run_day ON triage_run (organisation_id, finished_at)",
        ]),
    ]

    struct Definition: Codable { var start: String; var nodes: [TriageFlow.Node] }

    static func upsert(_ f: TriageFlow, at: Timestamp, on db: any SQLDatabase) async throws -> TriageFlow {
        let json = String(decoding: try JSONEncoder().encode(Definition(start: f.start, nodes: f.nodes)), as: UTF8.self)
        let row = try await db.raw("""
            INSERT INTO triage_flow (id, organisation_id, service_code, name, summary, definition, active, updated_at)
            VALUES (\(bind: f.id.string), \(bind: f.organisationID.string), \(bind: f.serviceCode), \(bind: f.name), \(bind: f.summary), \(bind: json),
                    \(bind: f.active ? 1 : 0), \(bind: at.iso))
            ON CONFLICT (organisation_id, service_code) DO UPDATE SET name = excluded.name, summary = excluded.summary, definition = excluded.definition,
                active = excluded.active, updated_at = excluded.updated_at
            RETURNING *
            """).first()
        return try decode(row!)
    }

    static func flows(activeOnly: Bool, on db: any SQLDatabase) async throws -> [TriageFlow] {
        try await db.raw("SELECT * FROM triage_flow \(unsafeRaw: activeOnly ? "WHERE active = 1" : "") ORDER BY name, id").all().map(decode)
    }

    /// Every flow's name by id, without reading (and decoding) the trees.
    static func flowNames(on db: any SQLDatabase) async throws -> [TriageFlowID: String] {
        var names: [TriageFlowID: String] = [:]
        for row in try await db.raw("SELECT id, name FROM triage_flow").all() { names[try row.id("id")] = try row.string("name") }
        return names
    }

    static func flow(_ id: TriageFlowID, on db: any SQLDatabase) async throws -> TriageFlow? {
        try await db.raw("SELECT * FROM triage_flow WHERE id = \(bind: id.string)").first().map(decode)
    }

    static func insert(_ r: TriageRun, on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "triage_run", columns: ["id", "organisation_id", "flow_id", "person_id", "answers", "outcome_node", "outcome",
                                                                         "started_at", "finished_at", "contact_id", "case_reference", "agent"],
                                      rows: [[r.id.string, r.organisationID.string, r.flowID.string, r.personID.string, TriagePath.format(r.answers), r.outcomeNode,
                                              r.outcome.rawValue, r.startedAt.iso, r.finishedAt.iso, r.contactID.string, r.caseReference, r.agent]])
    }

    /// An organisation's runs finished in [from, to): per flow and outcome, how many and their durations in seconds.
    static func runs(organisation: OrganisationID, from: Timestamp, to: Timestamp, on db: any SQLDatabase) async throws -> [(flow: TriageFlowID, outcome: String, seconds: Int)] {
        try await db.raw("""
            SELECT flow_id, outcome, started_at, finished_at FROM triage_run
            WHERE organisation_id = \(bind: organisation.string) AND finished_at >= \(bind: from.iso) AND finished_at < \(bind: to.iso)
            """).all().map { row in
            let seconds = try row.timestamp("finished_at").date.timeIntervalSince(try row.timestamp("started_at").date)
            return (try row.id("flow_id"), try row.string("outcome"), max(0, Int(seconds.rounded())))
        }
    }

    static func decode(_ row: any SQLRow) throws -> TriageFlow {
        let definition = try JSONDecoder().decode(Definition.self, from: Data(try row.string("definition").utf8))
        return TriageFlow(id: try row.id("id"), organisationID: try row.id("organisation_id"), serviceCode: try row.string("service_code"), name: try row.string("name"),
                          summary: try row.optionalString("summary"), start: definition.start, nodes: definition.nodes, active: try row.flag("active"))
    }
}
