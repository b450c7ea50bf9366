import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// All SQL for cases: the service catalogue, routing rules, working calendars, cases and their timelines, attachments,
/// and the notifications outbox.
enum CasesStore {
    static let migrations: [Migration] = [
        Migration("cases.0001_catalogue") { engine in
            [
                """
                CREATE TABLE case_service (
                    id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL REFERENCES organisation (id), code TEXT NOT NULL, name TEXT NOT NULL,
                    group_name TEXT NOT NULL, description TEXT NOT NULL, keywords TEXT NOT NULL, tier TEXT NOT NULL, attributes TEXT NOT NULL,
                    default_priority TEXT NOT NULL, targets TEXT NOT NULL, is_public INTEGER NOT NULL, active INTEGER NOT NULL,
                    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL, UNIQUE (organisation_id, code)
                )
                """,
                """
                CREATE TABLE routing_rule (
                    id TEXT PRIMARY KEY, owner_id TEXT NOT NULL REFERENCES organisation (id), name TEXT NOT NULL, service_code TEXT,
                    postcode_prefixes TEXT NOT NULL, polygon TEXT, target_id TEXT NOT NULL REFERENCES organisation (id), team_id TEXT,
                    rank INTEGER NOT NULL, created_at TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE working_calendar (
                    organisation_id TEXT PRIMARY KEY REFERENCES organisation (id), working_days TEXT NOT NULL, opens_at INTEGER NOT NULL,
                    closes_at INTEGER NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL
                )
                """,
                "CREATE TABLE bank_holiday (holiday_date TEXT PRIMARY KEY, title TEXT NOT NULL)",
                "CREATE TABLE case_sequence (year INTEGER PRIMARY KEY, last_number INTEGER NOT NULL)",
            ]
        },
        Migration("cases.0002_cases") { engine in
            let blob = engine == .sqlite ? "BLOB" : "BYTEA"
            var statements = [
                """
                CREATE TABLE case_record (
                    id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL REFERENCES organisation (id), reference TEXT NOT NULL UNIQUE,
                    service_id TEXT NOT NULL REFERENCES case_service (id), service_code TEXT NOT NULL, service_name TEXT NOT NULL,
                    status TEXT NOT NULL, resolution TEXT, priority TEXT NOT NULL, channel TEXT NOT NULL,
                    requester_id TEXT, contact_name TEXT, contact_email TEXT, contact_phone TEXT,
                    uprn BIGINT, usrn INTEGER, latitude DOUBLE PRECISION, longitude DOUBLE PRECISION, address TEXT, postcode TEXT,
                    description TEXT NOT NULL, attributes TEXT NOT NULL, media_urls TEXT NOT NULL,
                    team_id TEXT, assignee_id TEXT, logged_by_id TEXT NOT NULL, duplicate_of_id TEXT REFERENCES case_record (id),
                    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, resolved_at TEXT,
                    due_at TEXT, warning_at TEXT, sla_state TEXT NOT NULL, clock_running INTEGER NOT NULL,
                    warned INTEGER NOT NULL, breached INTEGER NOT NULL, version INTEGER NOT NULL
                )
                """,
                "CREATE INDEX case_record_org_status ON case_record (organisation_id, status, due_at)",
                "CREATE INDEX case_record_org_team ON case_record (organisation_id, team_id, status)",
                "CREATE INDEX case_record_org_created ON case_record (organisation_id, created_at, id)",
                "CREATE INDEX case_record_org_updated ON case_record (organisation_id, updated_at)",
                "CREATE INDEX case_record_requester ON case_record (requester_id)",
                "CREATE INDEX case_record_uprn ON case_record (uprn)",
                "CREATE INDEX case_record_warning ON case_record (clock_running, warned, warning_at)",
                "CREATE INDEX case_record_due ON case_record (clock_running, breached, due_at)",
                """
                CREATE TABLE case_event (
                    id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES case_record (id), organisation_id TEXT NOT NULL, seq INTEGER NOT NULL,
                    at TEXT NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL, actor_organisation_id TEXT NOT NULL, channel TEXT NOT NULL,
                    from_status TEXT, to_status TEXT, is_public INTEGER NOT NULL, body TEXT, data TEXT NOT NULL, UNIQUE (case_id, seq)
                )
                """,
                "CREATE INDEX case_event_org_at ON case_event (organisation_id, at)",
                """
                CREATE TABLE case_link (
                    case_id TEXT NOT NULL REFERENCES case_record (id), other_id TEXT NOT NULL REFERENCES case_record (id), kind TEXT NOT NULL,
                    created_at TEXT NOT NULL, PRIMARY KEY (case_id, other_id, kind)
                )
                """,
                """
                CREATE TABLE case_attachment (
                    id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES case_record (id), organisation_id TEXT NOT NULL,
                    filename TEXT NOT NULL, content_type TEXT NOT NULL, size INTEGER NOT NULL, content \(blob) NOT NULL, created_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX case_attachment_case ON case_attachment (case_id)",
            ]
            switch engine {
            case .sqlite:
                statements += [
                    "CREATE TRIGGER case_event_no_update BEFORE UPDATE ON case_event BEGIN SELECT RAISE(ABORT, 'a case timeline is append-only'); END",
                    "CREATE TRIGGER case_event_no_delete BEFORE DELETE ON case_event BEGIN SELECT RAISE(ABORT, 'a case timeline is append-only'); END",
                ]
            case .postgres:
                statements += [
                    "CREATE FUNCTION case_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'a case timeline is append-only'; END $$",
                    "CREATE TRIGGER case_event_no_change BEFORE UPDATE OR DELETE ON case_event FOR EACH ROW EXECUTE FUNCTION case_event_append_only()",
                ]
            }
            return statements
        },
        Migration("cases.0003_notifications", [
            """
            CREATE TABLE notification_template (
                organisation_id TEXT NOT NULL REFERENCES organisation (id), kind TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,
                version INTEGER NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (organisation_id, kind)
            )
            """,
            """
            CREATE TABLE notification (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, event_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, case_id TEXT,
                recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
                next_attempt_at TEXT NOT NULL, lease_until TEXT, sent_at TEXT, sender_reference TEXT, last_error TEXT, created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX notification_due ON notification (status, next_attempt_at)",
            "CREATE INDEX notification_case ON notification (case_id)",
        ]),
        // Status histories (what a service-level recompute reads) straight from the index, without visiting the table.
        Migration("cases.0004_history_index", ["CREATE INDEX case_event_history ON case_event (case_id, seq, to_status, at)"]),
        // Photos sent with a report are public (Open311 media_url, the track page); what staff attach is not.
        Migration("cases.0005_public_attachments", [
            "ALTER TABLE case_attachment ADD COLUMN is_public INTEGER NOT NULL DEFAULT 0",
            // Several photos arrive in one instant; their order is the order they were sent.
            "ALTER TABLE case_attachment ADD COLUMN position INTEGER NOT NULL DEFAULT 0",
        ]),
        // A citizen's "my requests": every case reported with their confirmed email address (stored lower-cased).
        Migration("cases.0006_contact_email_index", ["CREATE INDEX case_record_contact_email ON case_record (contact_email, created_at)"]),
        // Indexes that a clock's move touches, cut to what reads them. Moving every clock (a recompute after a calendar
        // change) rewrote an entry in each of three indexes per case, at places scattered over weeks of due times, so each
        // batch dirtied thousands of index pages. The scheduler's two hold only running clocks not yet alerted (few, in a
        // table of mostly closed cases); the organisation's cases by status no longer carry the due time, which no query
        // ordered by; the month's service-level summary reads its own (organisation, due) index.
        Migration("cases.0007_scheduler_indexes", [
            "DROP INDEX case_record_warning",
            "DROP INDEX case_record_due",
            "DROP INDEX case_record_org_status",
            "CREATE INDEX case_record_warning ON case_record (warning_at) WHERE clock_running = 1 AND warned = 0",
            "CREATE INDEX case_record_due ON case_record (due_at) WHERE clock_running = 1 AND breached = 0",
            "CREATE INDEX case_record_org_status ON case_record (organisation_id, status)",
            "CREATE INDEX case_record_org_due ON case_record (organisation_id, due_at)",
        ]),
        // The cases an organisation logged for others, in page order (see `cases(_:after:limit:on:)`): only those, so the
        // branch never walks past the organisation's own cases, which it also logged.
        Migration("cases.0008_logged_for_others_index", [
            "CREATE INDEX case_record_logged_for_others ON case_record (logged_by_id, created_at, id) WHERE logged_by_id <> organisation_id",
        ]),
    ]

    /// Cases reported with an email address, across every organisation, newest first.
    static func cases(contactEmail email: String, offset: Int, limit: Int, on db: any SQLDatabase) async throws -> [Case] {
        try await db.raw("""
            SELECT * FROM case_record WHERE contact_email = \(bind: email) ORDER BY created_at DESC, id DESC
            LIMIT \(unsafeRaw: String(limit)) OFFSET \(unsafeRaw: String(offset))
            """).all().map(decodeCase)
    }

    /// An organisation's open cases now: by service-level state (worked out from the stored due and warning times, so it
    /// is right between scheduler sweeps) and by team (nil: not yet assigned).
    static func workload(organisation: OrganisationID, now: Timestamp, on db: any SQLDatabase) async throws -> (bySLA: [String: Int], byTeam: [(TeamID?, Int)]) {
        let open = CaseStatus.allCases.filter(\.isOpen).map(\.rawValue)
        var bySLA: [String: Int] = [:]
        for row in try await db.raw("""
            SELECT CASE WHEN clock_running = 0 THEN 'paused' WHEN due_at IS NOT NULL AND due_at <= \(bind: now.iso) THEN 'breached'
                        WHEN warning_at IS NOT NULL AND warning_at <= \(bind: now.iso) THEN 'warning' ELSE 'on_track' END AS state, COUNT(*) AS n
            FROM case_record WHERE organisation_id = \(bind: organisation.string) AND status IN (\(binds: open)) GROUP BY 1
            """).all() { bySLA[try row.string("state"), default: 0] += try row.int("n") }
        let byTeam = try await db.raw("""
            SELECT team_id, COUNT(*) AS n FROM case_record WHERE organisation_id = \(bind: organisation.string) AND status IN (\(binds: open))
            GROUP BY team_id ORDER BY COUNT(*) DESC
            """).all().map { (try $0.optionalID("team_id", as: TeamID.self), try $0.int("n")) }
        return (bySLA, byTeam)
    }

    static func json<T: Encodable>(_ value: T) -> String { String(decoding: (try? JSONEncoder.sortedKeys.encode(value)) ?? Data("null".utf8), as: UTF8.self) }
    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try JSONDecoder().decode(type, from: Data(text.utf8)) }
    // The columns every case and event row carries, read without JSONDecoder when they have the usual shape.
    static func strings(_ text: String) throws -> [String] { try FlatJSON.strings(text) ?? decodeJSON([String].self, text) }
    static func stringLists(_ text: String) throws -> [String: [String]] { try FlatJSON.stringLists(text) ?? decodeJSON([String: [String]].self, text) }
    static func stringMap(_ text: String) throws -> [String: String] { try FlatJSON.stringMap(text) ?? decodeJSON([String: String].self, text) }

    // MARK: Catalogue

    static func upsert(_ s: ServiceDefinition, on db: any SQLDatabase) async throws {
        let targets = Dictionary(uniqueKeysWithValues: s.targets.map { ($0.key.rawValue, $0.value) })
        let now = Timestamp.now.iso
        try await db.raw("""
            INSERT INTO case_service (id, organisation_id, code, name, group_name, description, keywords, tier, attributes, default_priority, targets,
                is_public, active, created_at, updated_at, version)
            VALUES (\(bind: s.id.string), \(bind: s.organisationID.string), \(bind: s.code), \(bind: s.name), \(bind: s.group), \(bind: s.description),
                \(bind: s.keywords.joined(separator: ",")), \(bind: s.tier.rawValue), \(bind: json(s.attributes)), \(bind: s.defaultPriority.rawValue),
                \(bind: json(targets)), \(bind: s.isPublic ? 1 : 0), \(bind: s.active ? 1 : 0), \(bind: now), \(bind: now), \(bind: s.version))
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, group_name = excluded.group_name, description = excluded.description,
                keywords = excluded.keywords, tier = excluded.tier, attributes = excluded.attributes, default_priority = excluded.default_priority,
                targets = excluded.targets, is_public = excluded.is_public, active = excluded.active, updated_at = excluded.updated_at,
                version = excluded.version
            """).run()
    }

    static func services(organisations: [OrganisationID], code: String? = nil, publicOnly: Bool, on db: any SQLDatabase) async throws -> [ServiceDefinition] {
        guard !organisations.isEmpty else { return [] }
        var q: SQLQueryString = "SELECT * FROM case_service WHERE organisation_id IN (\(binds: organisations.map(\.string)))"
        if let code { q += " AND code = \(bind: code)" }
        if publicOnly { q += " AND is_public = 1 AND active = 1" }
        q += " ORDER BY group_name, name, organisation_id"
        return try await db.raw(q).all().map(decodeService)
    }

    /// The state of an organisation's catalogue in one short string: it changes when a service is added (count), changed
    /// (every change raises a version) or replaced (latest update), whichever node made the change.
    static func catalogueTag(organisation: OrganisationID, on db: any SQLDatabase) async throws -> String {
        let row = try await db.raw("""
            SELECT COUNT(*) AS n, COALESCE(SUM(version), 0) AS v, COALESCE(MAX(updated_at), '') AS u
            FROM case_service WHERE organisation_id = \(bind: organisation.string)
            """).first()
        guard let row else { return "0" }
        let latest = try row.decode(column: "u", as: String.self).filter(\.isNumber)
        return "\(try row.decode(column: "n", as: Int.self))-\(try row.decode(column: "v", as: Int.self))-\(latest)"
    }

    /// An organisation's active service with this code, if it offers one.
    static func activeService(organisation: OrganisationID, code: String, on db: any SQLDatabase) async throws -> ServiceDefinition? {
        try await services(organisations: [organisation], code: code, publicOnly: false, on: db).first { $0.active }
    }

    static func service(id: ServiceID, on db: any SQLDatabase) async throws -> ServiceDefinition? {
        try await db.raw("SELECT * FROM case_service WHERE id = \(bind: id.string)").first().map(decodeService)
    }

    static func decodeService(_ row: any SQLRow) throws -> ServiceDefinition {
        let targets = try decodeJSON([String: ServiceLevelTarget].self, try row.string("targets"))
        var byPriority: [Priority: ServiceLevelTarget] = [:]
        for (k, v) in targets { if let p = Priority(rawValue: k) { byPriority[p] = v } }
        return ServiceDefinition(id: try row.id("id"), organisationID: try row.id("organisation_id"), code: try row.string("code"), name: try row.string("name"),
                                 group: try row.string("group_name"), description: try row.string("description"),
                                 keywords: try row.string("keywords").split(separator: ",").map(String.init),
                                 tier: ProvidingTier(rawValue: try row.string("tier")) ?? .all,
                                 attributes: try decodeJSON([ServiceAttribute].self, try row.string("attributes")),
                                 defaultPriority: Priority(rawValue: try row.string("default_priority")) ?? .normal, targets: byPriority,
                                 isPublic: try row.flag("is_public"), active: try row.flag("active"), version: try row.int("version"))
    }

    // MARK: Routing rules

    static func insert(_ r: RoutingRule, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO routing_rule (id, owner_id, name, service_code, postcode_prefixes, polygon, target_id, team_id, rank, created_at)
            VALUES (\(bind: r.id.string), \(bind: r.ownerID.string), \(bind: r.name), \(bind: r.serviceCode), \(bind: r.postcodePrefixes.joined(separator: ",")),
                \(bind: r.polygon.map { json($0) }), \(bind: r.targetID.string), \(bind: r.teamID?.string), \(bind: r.rank), \(bind: Timestamp.now.iso))
            """).run()
    }

    static func rules(on db: any SQLDatabase) async throws -> [RoutingRule] {
        try await db.raw("SELECT * FROM routing_rule ORDER BY rank, name").all().map { row in
            RoutingRule(id: try row.id("id"), ownerID: try row.id("owner_id"), name: try row.string("name"), serviceCode: try row.optionalString("service_code"),
                        postcodePrefixes: try row.string("postcode_prefixes").split(separator: ",").map(String.init),
                        polygon: try row.optionalString("polygon").map { try decodeJSON([[Double]].self, $0) },
                        targetID: try row.id("target_id"), teamID: try row.optionalID("team_id"), rank: try row.int("rank"))
        }
    }

    static func deleteRule(id: RoutingRuleID, owner: OrganisationID, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("DELETE FROM routing_rule WHERE id = \(bind: id.string) AND owner_id = \(bind: owner.string) RETURNING id").first() != nil
    }

    // MARK: Calendars

    static func calendar(organisation: OrganisationID, on db: any SQLDatabase) async throws -> WorkingCalendar {
        let holidays = try await bankHolidays(on: db)
        guard let row = try await db.raw("SELECT * FROM working_calendar WHERE organisation_id = \(bind: organisation.string)").first() else {
            return .standard(holidays: holidays)
        }
        return try WorkingCalendar(workingDays: Set(try row.string("working_days").split(separator: ",").compactMap { Int($0) }),
                                   opensAt: try row.int("opens_at"), closesAt: try row.int("closes_at"), holidays: holidays)
    }

    static func save(_ c: WorkingCalendar, organisation: OrganisationID, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO working_calendar (organisation_id, working_days, opens_at, closes_at, updated_at, version)
            VALUES (\(bind: organisation.string), \(bind: c.workingDays.sorted().map(String.init).joined(separator: ",")), \(bind: c.opensAt), \(bind: c.closesAt),
                \(bind: Timestamp.now.iso), 1)
            ON CONFLICT (organisation_id) DO UPDATE SET working_days = excluded.working_days, opens_at = excluded.opens_at,
                closes_at = excluded.closes_at, updated_at = excluded.updated_at, version = working_calendar.version + 1
            """).run()
    }

    static func bankHolidays(on db: any SQLDatabase) async throws -> Set<LocalDate> {
        Set(try await db.raw("SELECT holiday_date FROM bank_holiday").all().map { try LocalDate(parsing: try $0.string("holiday_date"), field: "holiday_date") })
    }

    static func replaceBankHolidays(_ events: [BankHolidays.Event], on db: any SQLDatabase) async throws -> (added: Int, total: Int) {
        let before = try await bankHolidays(on: db)
        try await db.raw("DELETE FROM bank_holiday").run()
        try await Database.insertRows(db, into: "bank_holiday", columns: ["holiday_date", "title"],
                                      rows: Dictionary(events.map { ($0.date, $0.title) }, uniquingKeysWith: { a, _ in a }).map { [$0.key.description, $0.value] })
        let after = Set(events.map(\.date))
        return (after.subtracting(before).count, after.count)
    }

    // MARK: Cases

    /// Takes `count` consecutive case numbers for `year`; returns the first.
    static func reserveNumbers(year: Int, count: Int, on db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw("""
            INSERT INTO case_sequence (year, last_number) VALUES (\(bind: year), \(bind: count))
            ON CONFLICT (year) DO UPDATE SET last_number = case_sequence.last_number + excluded.last_number
            RETURNING last_number
            """).first()
        return (try row?.int("last_number") ?? count) - count + 1
    }

    static let caseColumns = ["id", "organisation_id", "reference", "service_id", "service_code", "service_name", "status", "resolution", "priority", "channel",
                              "requester_id", "contact_name", "contact_email", "contact_phone", "uprn", "usrn", "latitude", "longitude", "address", "postcode",
                              "description", "attributes", "media_urls", "team_id", "assignee_id", "logged_by_id", "duplicate_of_id",
                              "created_at", "updated_at", "resolved_at", "due_at", "warning_at", "sla_state", "clock_running", "warned", "breached", "version"]

    static func values(_ c: Case, warned: Bool = false, breached: Bool = false) -> [any Encodable & Sendable] {
        let running: Int = c.status.isOpen && !c.status.pausesClock ? 1 : 0
        let values: [any Encodable & Sendable] = [
            c.id.string, c.organisationID.string, c.reference, c.serviceID.string, c.serviceCode, c.serviceName, c.status.rawValue, c.resolution?.rawValue,
            c.priority.rawValue, c.channel.rawValue, c.requesterID?.string, c.contact.name, c.contact.email, c.contact.phone,
            c.location.uprn?.value, c.location.usrn.map(Int64.init), c.location.latitude, c.location.longitude, c.location.address, c.location.postcode?.value,
            c.description, json(c.attributes), json(c.mediaURLs), c.teamID?.string, c.assigneeID?.string, c.loggedByID.string, c.duplicateOfID?.string,
            c.createdAt.iso, c.updatedAt.iso, c.resolvedAt?.iso, c.dueAt?.iso, c.warningAt?.iso, c.slaState.rawValue, running, warned ? 1 : 0, breached ? 1 : 0, c.version,
        ]
        return values
    }

    static func insert(_ cases: [Case], on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "case_record", columns: caseColumns, rows: cases.map { values($0) })
    }

    /// Writes a changed case if its version is still `expectedVersion`; false when someone else changed it first.
    /// `resetAlerts` clears the raised warning/breach flags (the due time moved).
    static func update(_ c: Case, expectedVersion: Int, resetAlerts: Bool, on db: any SQLDatabase) async throws -> Bool {
        let running = c.status.isOpen && !c.status.pausesClock ? 1 : 0
        var q: SQLQueryString = """
            UPDATE case_record SET organisation_id = \(bind: c.organisationID.string), service_id = \(bind: c.serviceID.string),
                service_code = \(bind: c.serviceCode), service_name = \(bind: c.serviceName), status = \(bind: c.status.rawValue),
                resolution = \(bind: c.resolution?.rawValue), priority = \(bind: c.priority.rawValue), team_id = \(bind: c.teamID?.string),
                assignee_id = \(bind: c.assigneeID?.string), duplicate_of_id = \(bind: c.duplicateOfID?.string), updated_at = \(bind: c.updatedAt.iso),
                resolved_at = \(bind: c.resolvedAt?.iso), due_at = \(bind: c.dueAt?.iso), warning_at = \(bind: c.warningAt?.iso),
                sla_state = \(bind: c.slaState.rawValue), clock_running = \(bind: running), version = \(bind: c.version)
            """
        if resetAlerts { q += ", warned = 0, breached = 0" }
        q += " WHERE id = \(bind: c.id.string) AND version = \(bind: expectedVersion) RETURNING id"
        return try await db.raw(q).first() != nil
    }

    /// Marks a case as changed now without a new version (a public update: it cannot clash with anyone's edit).
    static func touch(_ id: CaseID, at time: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("UPDATE case_record SET updated_at = \(bind: time.iso) WHERE id = \(bind: id.string)").run()
    }

    static func caseRow(id: CaseID, on db: any SQLDatabase) async throws -> Case? {
        try await db.raw("SELECT * FROM case_record WHERE id = \(bind: id.string)").first().map(decodeCase)
    }

    static func caseRow(reference: String, on db: any SQLDatabase) async throws -> Case? {
        try await db.raw("SELECT * FROM case_record WHERE reference = \(bind: reference)").first().map(decodeCase)
    }

    static func decodeCase(_ row: any SQLRow) throws -> Case {
        Case(id: try row.id("id"), organisationID: try row.id("organisation_id"), reference: try row.string("reference"), serviceID: try row.id("service_id"),
             serviceCode: try row.string("service_code"), serviceName: try row.string("service_name"),
             status: CaseStatus(rawValue: try row.string("status")) ?? .new, resolution: try row.optionalString("resolution").flatMap(Resolution.init(rawValue:)),
             priority: Priority(rawValue: try row.string("priority")) ?? .normal, channel: CaseChannel(rawValue: try row.string("channel")) ?? .web,
             requesterID: try row.optionalID("requester_id"),
             contact: CaseContact(name: try row.optionalString("contact_name"), email: try row.optionalString("contact_email"), phone: try row.optionalString("contact_phone")),
             location: CaseLocation(uprn: try row.optionalInt64("uprn").flatMap { try? UPRN($0) }, usrn: try row.optionalInt64("usrn").map { Int($0) },
                                    latitude: try row.optionalDouble("latitude"), longitude: try row.optionalDouble("longitude"),
                                    address: try row.optionalString("address"), postcode: try row.optionalString("postcode").map { Postcode(normalised: $0) }),
             description: try row.string("description"), attributes: try stringLists(try row.string("attributes")),
             teamID: try row.optionalID("team_id"), assigneeID: try row.optionalID("assignee_id"), loggedByID: try row.id("logged_by_id"),
             duplicateOfID: try row.optionalID("duplicate_of_id"), mediaURLs: try strings(try row.string("media_urls")),
             createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"), dueAt: try row.optionalTimestamp("due_at"),
             warningAt: try row.optionalTimestamp("warning_at"), slaState: ServiceLevelClock.State(rawValue: try row.string("sla_state")) ?? .onTrack,
             resolvedAt: try row.optionalTimestamp("resolved_at"), version: try row.int("version"))
    }

    /// Filters for case lists: team queues, Open311 `requests`, customers' own cases.
    struct CaseFilter: Sendable {
        var organisations: [OrganisationID]
        var loggedBy: OrganisationID?
        var statuses: [CaseStatus] = []
        var serviceCodes: [String] = []
        var slaStates: [ServiceLevelClock.State] = []
        var teamID: TeamID?
        var assigneeID: StaffID?
        var requesterID: PersonID?
        var uprn: UPRN?
        /// Leave out cases at this UPRN (a property's "near by" list, after its own).
        var notUPRN: UPRN?
        var postcodePrefix: String?
        var references: [String] = []
        var createdFrom: Timestamp?
        var createdTo: Timestamp?
        var publicOnly = false
        var newestFirst = true
    }

    /// A page of cases: one branch per organisation (and one for the cases this organisation logged for others), each
    /// walking its own `(…, created_at, id)` index in page order and stopping at `limit`, and the page is the first
    /// `limit` of their union. As one `organisation_id IN (…) OR logged_by_id = …` SQLite read every case and sorted them:
    /// 1.5 s a page at 1,000,000 cases; this way a page costs the same at any size (issue 29).
    static func cases(_ f: CaseFilter, after cursor: Cursor?, limit: Int, on db: any SQLDatabase) async throws -> [Case] {
        var branches: [SQLQueryString] = f.organisations.map { "organisation_id = \(bind: $0.string)" }
        if let by = f.loggedBy {
            var logged: SQLQueryString = "logged_by_id = \(bind: by.string) AND logged_by_id <> organisation_id"
            if !f.organisations.isEmpty { logged += " AND organisation_id NOT IN (\(binds: f.organisations.map(\.string)))" }
            branches.append(logged)
        }
        guard !branches.isEmpty else { return [] }
        let order: SQLQueryString = f.newestFirst ? " ORDER BY created_at DESC, id DESC" : " ORDER BY created_at, id"
        func branch(_ scope: SQLQueryString) -> SQLQueryString {
            "SELECT * FROM case_record WHERE " + scope + conditions(f, after: cursor) + order + " LIMIT \(literal: limit)"
        }
        if branches.count == 1 { return try await db.raw(branch(branches[0])).all().map(decodeCase) }
        var q: SQLQueryString = "SELECT * FROM ("
        for (n, scope) in branches.enumerated() {
            q += (n == 0 ? "" : " UNION ALL ") + "SELECT * FROM (" + branch(scope) + ") AS branch\(unsafeRaw: String(n))"
        }
        q += ") AS page" + order + " LIMIT \(literal: limit)"
        return try await db.raw(q).all().map(decodeCase)
    }

    /// The filters every branch of a page shares, each starting " AND".
    static func conditions(_ f: CaseFilter, after cursor: Cursor?) -> SQLQueryString {
        var q: SQLQueryString = ""
        if !f.statuses.isEmpty { q += " AND status IN (\(binds: f.statuses.map(\.rawValue)))" }
        if !f.serviceCodes.isEmpty { q += " AND service_code IN (\(binds: f.serviceCodes))" }
        if !f.slaStates.isEmpty { q += " AND sla_state IN (\(binds: f.slaStates.map(\.rawValue)))" }
        if let t = f.teamID { q += " AND team_id = \(bind: t.string)" }
        if let a = f.assigneeID { q += " AND assignee_id = \(bind: a.string)" }
        if let r = f.requesterID { q += " AND requester_id = \(bind: r.string)" }
        if let u = f.uprn { q += " AND uprn = \(bind: u.value)" }
        if let u = f.notUPRN { q += " AND (uprn IS NULL OR uprn <> \(bind: u.value))" }
        if let p = f.postcodePrefix { q += " AND postcode LIKE \(bind: p + "%")" }
        if !f.references.isEmpty { q += " AND reference IN (\(binds: f.references))" }
        if let from = f.createdFrom { q += " AND created_at >= \(bind: from.iso)" }
        if let to = f.createdTo { q += " AND created_at <= \(bind: to.iso)" }
        if f.publicOnly { q += " AND service_id IN (SELECT id FROM case_service WHERE is_public = 1)" }
        // A row value, so both engines seek straight to the page in the index rather than filter their way to it.
        if let cursor, cursor.key.count == 2 {
            q += f.newestFirst ? " AND (created_at, id) < (\(bind: cursor.key[0]), \(bind: cursor.key[1]))"
                               : " AND (created_at, id) > (\(bind: cursor.key[0]), \(bind: cursor.key[1]))"
        }
        return q
    }

    // MARK: Timeline

    /// Appends an event as the next in its case's timeline.
    static func append(_ e: CaseEvent, on db: any SQLDatabase) async throws {
        let seq = try await db.raw("SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM case_event WHERE case_id = \(bind: e.caseID.string)").first()?.int("seq") ?? 1
        try await append([(e, seq)], on: db)
    }

    /// Events at known timeline places (a new case's are 1, 2, …), in a few statements.
    static func append(_ events: [(CaseEvent, Int)], on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "case_event", columns: ["id", "case_id", "organisation_id", "seq", "at", "kind", "actor", "actor_organisation_id",
                                                                        "channel", "from_status", "to_status", "is_public", "body", "data"],
                                      rows: events.map { e, seq in
            [e.id.string, e.caseID.string, e.organisationID.string, seq, e.at.iso, e.kind.rawValue, e.actor, e.actorOrganisationID.string, e.channel,
             e.fromStatus?.rawValue, e.toStatus?.rawValue, e.isPublic ? 1 : 0, e.text, json(e.data)]
        })
    }

    static func events(case id: CaseID, on db: any SQLDatabase) async throws -> [CaseEvent] {
        try await db.raw("SELECT * FROM case_event WHERE case_id = \(bind: id.string) ORDER BY seq").all().map(decodeEvent)
    }

    /// The public events of many cases in one query, keyed by case, each in timeline order.
    static func publicEvents(cases: [CaseID], on db: any SQLDatabase) async throws -> [CaseID: [CaseEvent]] {
        guard !cases.isEmpty else { return [:] }
        let rows = try await db.raw("SELECT * FROM case_event WHERE case_id IN (\(binds: cases.map(\.string))) AND is_public = 1 ORDER BY case_id, seq").all()
        return Dictionary(grouping: try rows.map(decodeEvent), by: \.caseID)
    }

    static func caseRows(ids: [CaseID], on db: any SQLDatabase) async throws -> [CaseID: Case] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.raw("SELECT * FROM case_record WHERE id IN (\(binds: ids.map(\.string)))").all().map(decodeCase)
        return Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Public events (status changes and updates to the customer) of an organisation's cases in a time window, oldest first:
    /// the FixMyStreet `servicerequestupdates` feed.
    static func publicEvents(organisation: OrganisationID, from: Timestamp?, to: Timestamp?, limit: Int, on db: any SQLDatabase) async throws -> [(CaseEvent, String)] {
        var q: SQLQueryString = """
            SELECT e.*, c.reference AS case_reference FROM case_event e JOIN case_record c ON c.id = e.case_id
            WHERE e.organisation_id = \(bind: organisation.string) AND e.is_public = 1
            """
        if let from { q += " AND e.at >= \(bind: from.iso)" }
        if let to { q += " AND e.at <= \(bind: to.iso)" }
        q += " ORDER BY e.at, e.id LIMIT \(literal: limit)"
        return try await db.raw(q).all().map { (try decodeEvent($0), try $0.string("case_reference")) }
    }

    static func decodeEvent(_ row: any SQLRow) throws -> CaseEvent {
        CaseEvent(id: try row.id("id"), caseID: try row.id("case_id"), organisationID: try row.id("organisation_id"), at: try row.timestamp("at"),
                  kind: CaseEvent.Kind(rawValue: try row.string("kind")) ?? .note, actor: try row.string("actor"),
                  actorOrganisationID: try row.id("actor_organisation_id"), channel: try row.string("channel"),
                  fromStatus: try row.optionalString("from_status").flatMap(CaseStatus.init(rawValue:)),
                  toStatus: try row.optionalString("to_status").flatMap(CaseStatus.init(rawValue:)), isPublic: try row.flag("is_public"),
                  text: try row.optionalString("body"), data: try stringMap(try row.string("data")))
    }

    /// The status history of many cases at once (for recomputing service levels), keyed by case.
    static func statusHistories(cases: [CaseID], on db: any SQLDatabase) async throws -> [CaseID: [ServiceLevelClock.Change]] {
        guard !cases.isEmpty else { return [:] }
        let rows = try await db.raw("""
            SELECT case_id, at, to_status FROM case_event WHERE case_id IN (\(binds: cases.map(\.string))) AND to_status IS NOT NULL ORDER BY case_id, seq
            """).all()
        var out: [CaseID: [ServiceLevelClock.Change]] = [:]
        for row in rows {
            guard let status = CaseStatus(rawValue: try row.string("to_status")) else { continue }
            out[try row.id("case_id"), default: []].append(.init(at: try row.timestamp("at").seconds, status: status))
        }
        return out
    }

    // MARK: Links and attachments

    static func link(_ a: CaseID, _ b: CaseID, kind: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO case_link (case_id, other_id, kind, created_at) VALUES (\(bind: a.string), \(bind: b.string), \(bind: kind), \(bind: Timestamp.now.iso))
            ON CONFLICT DO NOTHING
            """).run()
    }

    static func links(case id: CaseID, on db: any SQLDatabase) async throws -> [(kind: String, other: CaseID, reference: String)] {
        try await db.raw("""
            SELECT l.kind, l.other_id, c.reference FROM case_link l JOIN case_record c ON c.id = l.other_id WHERE l.case_id = \(bind: id.string)
            UNION SELECT l.kind, l.case_id AS other_id, c.reference FROM case_link l JOIN case_record c ON c.id = l.case_id WHERE l.other_id = \(bind: id.string)
            """).all().map { (try $0.string("kind"), try $0.id("other_id"), try $0.string("reference")) }
    }

    static func insertAttachment(_ a: CaseAttachment, case c: Case, position: Int, content: Data, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO case_attachment (id, case_id, organisation_id, filename, content_type, size, content, created_at, is_public, position)
            VALUES (\(bind: a.id), \(bind: c.id.string), \(bind: c.organisationID.string), \(bind: a.filename), \(bind: a.contentType), \(bind: a.size),
                \(bind: content), \(bind: a.createdAt.iso), \(bind: a.isPublic ? 1 : 0), \(bind: position))
            """).run()
    }

    static func decodeAttachment(_ row: any SQLRow) throws -> CaseAttachment {
        CaseAttachment(id: try row.string("id"), filename: try row.string("filename"), contentType: try row.string("content_type"), size: try row.int("size"),
                       createdAt: try row.timestamp("created_at"), isPublic: try row.flag("is_public"))
    }

    static func attachments(case id: CaseID, on db: any SQLDatabase) async throws -> [CaseAttachment] {
        try await db.raw("SELECT id, filename, content_type, size, created_at, is_public FROM case_attachment WHERE case_id = \(bind: id.string) ORDER BY created_at, position, id")
            .all().map(decodeAttachment)
    }

    /// Public attachments of many cases at once (an Open311 page), by case.
    static func publicAttachments(cases ids: [CaseID], on db: any SQLDatabase) async throws -> [CaseID: [CaseAttachment]] {
        guard !ids.isEmpty else { return [:] }
        var out: [CaseID: [CaseAttachment]] = [:]
        for row in try await db.raw("""
            SELECT case_id, id, filename, content_type, size, created_at, is_public FROM case_attachment
            WHERE is_public = 1 AND case_id IN (\(binds: ids.map(\.string))) ORDER BY created_at, position, id
            """).all() {
            out[try row.id("case_id"), default: []].append(try decodeAttachment(row))
        }
        return out
    }

    /// One attachment with its content; `case` nil finds it by its own id alone (public photos).
    static func attachmentContent(id: String, case caseID: CaseID?, on db: any SQLDatabase) async throws -> (CaseAttachment, Data)? {
        var q: SQLQueryString = "SELECT * FROM case_attachment WHERE id = \(bind: id)"
        if let caseID { q += " AND case_id = \(bind: caseID.string)" }
        guard let row = try await db.raw(q).first() else { return nil }
        return (try decodeAttachment(row), try row.decode(column: "content", as: Data.self))
    }

    // MARK: Service levels

    /// Open cases whose due or warning time has passed and not yet been raised (at most `limit` of each), locked for this
    /// node where the engine can (PostgreSQL skips rows another node holds, so several nodes share the sweep without
    /// raising anything twice); `more` when either kind may have more. Two queries, each answered by its partial index:
    /// SQLite answers one query with an OR between them by a scan of every case. The index's terms are written as
    /// literals, as PostgreSQL needs to match a partial index to a prepared statement.
    static func dueAlerts(now: Timestamp, limit: Int, engine: Engine, on db: any SQLDatabase) async throws -> (cases: [(Case, warned: Bool, breached: Bool)], more: Bool) {
        var seen = Set<String>()
        var cases: [(Case, warned: Bool, breached: Bool)] = []
        var more = false
        for query in dueAlertQueries(now: now, limit: limit, engine: engine) {
            let rows = try await db.raw(query).all()
            more = more || rows.count == limit
            for row in rows where seen.insert(try row.string("id")).inserted {
                cases.append((try decodeCase(row), try row.flag("warned"), try row.flag("breached")))
            }
        }
        return (cases, more)
    }

    /// The sweep's queries: breaches due, then warnings due.
    static func dueAlertQueries(now: Timestamp, limit: Int, engine: Engine) -> [SQLQueryString] {
        let lock: SQLQueryString = engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return [
            "SELECT * FROM case_record WHERE clock_running = 1 AND breached = 0 AND due_at <= \(bind: now.iso) ORDER BY due_at LIMIT \(literal: limit)\(lock)",
            "SELECT * FROM case_record WHERE clock_running = 1 AND warned = 0 AND warning_at <= \(bind: now.iso) ORDER BY warning_at LIMIT \(literal: limit)\(lock)",
        ]
    }

    /// Records what the sweep raised for a case, with its clock as recomputed then.
    static func markAlerted(_ c: Case, warned: Bool, breached: Bool, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE case_record SET warned = \(bind: warned ? 1 : 0), breached = \(bind: breached ? 1 : 0), sla_state = \(bind: c.slaState.rawValue),
                due_at = \(bind: c.dueAt?.iso), warning_at = \(bind: c.warningAt?.iso)
            WHERE id = \(bind: c.id.string)
            """).run()
    }

    /// Per service and priority, the cases due in [from, to): how many, met (resolved by their due time), missed.
    static func serviceLevelSummary(organisation: OrganisationID, from: Timestamp, to: Timestamp, now: Timestamp, on db: any SQLDatabase) async throws -> [ServiceLevelSummaryRow] {
        let rows = try await db.raw("""
            SELECT service_code, service_name, priority,
                COUNT(*) AS due,
                SUM(CASE WHEN resolved_at IS NOT NULL AND resolved_at <= due_at THEN 1 ELSE 0 END) AS met,
                SUM(CASE WHEN (resolved_at IS NOT NULL AND resolved_at > due_at) OR (resolved_at IS NULL AND due_at < \(bind: now.iso)) THEN 1 ELSE 0 END) AS missed
            FROM case_record
            WHERE organisation_id = \(bind: organisation.string) AND due_at >= \(bind: from.iso) AND due_at < \(bind: to.iso)
            GROUP BY service_code, service_name, priority
            ORDER BY service_name, priority
            """).all()
        return try rows.map {
            ServiceLevelSummaryRow(serviceCode: try $0.string("service_code"), serviceName: try $0.string("service_name"),
                                   priority: Priority(rawValue: try $0.string("priority")) ?? .normal, due: try $0.int("due"), met: try $0.int("met"), missed: try $0.int("missed"))
        }
    }

    // MARK: Notifications

    static func template(organisation: OrganisationID, kind: NotificationTemplate.Kind, on db: any SQLDatabase) async throws -> NotificationTemplate? {
        try await db.raw("SELECT * FROM notification_template WHERE organisation_id = \(bind: organisation.string) AND kind = \(bind: kind.rawValue)").first().map {
            NotificationTemplate(organisationID: organisation, kind: kind, subject: try $0.string("subject"), body: try $0.string("body"), version: try $0.int("version"))
        }
    }

    static func save(_ t: NotificationTemplate, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO notification_template (organisation_id, kind, subject, body, version, updated_at)
            VALUES (\(bind: t.organisationID.string), \(bind: t.kind.rawValue), \(bind: t.subject), \(bind: t.body), 1, \(bind: Timestamp.now.iso))
            ON CONFLICT (organisation_id, kind) DO UPDATE SET subject = excluded.subject, body = excluded.body,
                version = notification_template.version + 1, updated_at = excluded.updated_at
            """).run()
    }

    /// Queues messages, once per event key: a message whose event is already queued is skipped, so queuing the same
    /// event twice changes nothing.
    static func enqueue(_ messages: [OutgoingMessage], on db: any SQLDatabase) async throws {
        guard !messages.isEmpty else { return }
        var q: SQLQueryString = "INSERT INTO notification (id, organisation_id, event_key, kind, case_id, recipient, subject, body, status, attempts, next_attempt_at, created_at) VALUES "
        for (i, n) in messages.enumerated() {
            q += i == 0 ? "" : ", "
            q += """
                (\(bind: n.id), \(bind: n.organisationID.string), \(bind: n.eventKey), \(bind: n.kind.rawValue), \(bind: n.caseID?.string), \(bind: n.recipient),
                \(bind: n.subject), \(bind: n.body), 'pending', 0, \(bind: n.createdAt.iso), \(bind: n.createdAt.iso))
                """
        }
        q += " ON CONFLICT (event_key) DO NOTHING"
        try await db.raw(q).run()
    }

    /// Takes up to `limit` due messages and leases them to this worker for `lease` seconds, so another worker (or node)
    /// does not send them meanwhile; a worker that dies lets its lease run out and the message is taken again.
    static func lease(now: Timestamp, lease: Double, limit: Int, engine: Engine, on db: any SQLDatabase) async throws -> [OutgoingMessage] {
        var q: SQLQueryString = """
            SELECT * FROM notification WHERE status = 'pending' AND next_attempt_at <= \(bind: now.iso)
                AND (lease_until IS NULL OR lease_until <= \(bind: now.iso)) ORDER BY next_attempt_at LIMIT \(literal: limit)
            """
        if engine == .postgres { q += " FOR UPDATE SKIP LOCKED" }
        let messages = try await db.raw(q).all().map(decodeMessage)
        if !messages.isEmpty {
            try await db.raw("UPDATE notification SET lease_until = \(bind: now.adding(seconds: lease).iso) WHERE id IN (\(binds: messages.map(\.id)))").run()
        }
        return messages
    }

    static func markSent(id: String, reference: String?, at: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("UPDATE notification SET status = 'sent', sent_at = \(bind: at.iso), sender_reference = \(bind: reference), lease_until = NULL, attempts = attempts + 1 WHERE id = \(bind: id)").run()
    }

    static func markFailed(id: String, error: String, retryAt: Timestamp?, on db: any SQLDatabase) async throws {
        if let retryAt {
            try await db.raw("UPDATE notification SET attempts = attempts + 1, last_error = \(bind: error), next_attempt_at = \(bind: retryAt.iso), lease_until = NULL WHERE id = \(bind: id)").run()
        } else {
            try await db.raw("UPDATE notification SET status = 'failed', attempts = attempts + 1, last_error = \(bind: error), lease_until = NULL WHERE id = \(bind: id)").run()
        }
    }

    static func messages(case id: CaseID?, organisation: OrganisationID, limit: Int, on db: any SQLDatabase) async throws -> [OutgoingMessage] {
        var q: SQLQueryString = "SELECT * FROM notification WHERE organisation_id = \(bind: organisation.string)"
        if let id { q += " AND case_id = \(bind: id.string)" }
        q += " ORDER BY created_at DESC, id LIMIT \(literal: limit)"
        return try await db.raw(q).all().map(decodeMessage)
    }

    static func decodeMessage(_ row: any SQLRow) throws -> OutgoingMessage {
        OutgoingMessage(id: try row.string("id"), organisationID: try row.id("organisation_id"), eventKey: try row.string("event_key"),
                        kind: NotificationTemplate.Kind(rawValue: try row.string("kind")) ?? .casePublicUpdate, caseID: try row.optionalID("case_id"),
                        recipient: try row.string("recipient"), subject: try row.string("subject"), body: try row.string("body"),
                        status: try row.string("status"), attempts: try row.int("attempts"), createdAt: try row.timestamp("created_at"),
                        lastError: try row.optionalString("last_error"))
    }
}

extension JSONEncoder {
    static var sortedKeys: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}

/// A case's service-level inputs and stored clock, as a recompute reads them.
struct ClockRow: Sendable {
    var rowid: Int64   // SQLite's, how a write finds the row fastest; 0 on PostgreSQL
    var id: CaseID
    var organisationID: OrganisationID
    var serviceID: ServiceID
    var priority: Priority
    var dueAt: String?
    var warningAt: String?
    var state: String
    var version: Int
}

/// A recomputed clock, to be written only if the case is still at the version it was worked out from.
struct ClockUpdate: Sendable {
    var rowid: Int64
    var id: CaseID
    var dueAt: String
    var warningAt: String
    var state: String
    var version: Int
}

extension CasesStore {
    private static func clockColumns(_ engine: Engine) -> SQLQueryString {
        engine == .sqlite ? "SELECT rowid, id, organisation_id, service_id, priority, due_at, warning_at, sla_state, version FROM case_record"
            : "SELECT CAST(0 AS BIGINT) AS rowid, id, organisation_id, service_id, priority, due_at, warning_at, sla_state, version FROM case_record"
    }

    private static func clockRow(_ row: any SQLRow) throws -> ClockRow {
        ClockRow(rowid: try row.int64("rowid"), id: try row.id("id"), organisationID: try row.id("organisation_id"), serviceID: try row.id("service_id"),
                 priority: Priority(rawValue: try row.string("priority")) ?? .normal, dueAt: try row.optionalString("due_at"),
                 warningAt: try row.optionalString("warning_at"), state: try row.string("sla_state"), version: try row.int("version"))
    }

    /// A batch of cases' clocks in storage order after `after` (SQLite: rowid, read sequentially; PostgreSQL: id), and the
    /// key to continue from. Recomputing a million cases is a walk over the table, not a million random seeks.
    static func clockRows(after: String, organisation: OrganisationID?, limit: Int, engine: Engine, on db: any SQLDatabase) async throws -> ([ClockRow], String) {
        var q = clockColumns(engine)
        if engine == .sqlite { q += " WHERE rowid > \(bind: Int64(after) ?? 0)" } else { q += " WHERE id > \(bind: after)" }
        // On SQLite the unary plus keeps the organisation filter off its indexes: with it, SQLite read every one of the
        // organisation's index entries and sorted them for each batch (quadratic: 68 s for 1,000,000 cases) instead of
        // walking the table from the last rowid.
        if let organisation { q += engine == .sqlite ? " AND +organisation_id = \(bind: organisation.string)" : " AND organisation_id = \(bind: organisation.string)" }
        q += engine == .sqlite ? " ORDER BY rowid LIMIT \(literal: limit)" : " ORDER BY id LIMIT \(literal: limit)"
        let rows = try await db.raw(q).all().map(clockRow)
        guard let last = rows.last else { return ([], after) }
        return (rows, engine == .sqlite ? String(last.rowid) : last.id.string)
    }

    static func clockRows(ids: [CaseID], engine: Engine, on db: any SQLDatabase) async throws -> [ClockRow] {
        guard !ids.isEmpty else { return [] }
        var q = clockColumns(engine)
        q += " WHERE id IN (\(binds: ids.map(\.string)))"
        return try await db.raw(q).all().map(clockRow)
    }

    /// Writes recomputed clocks, each only if its case is still at the version it was worked out from, and returns the
    /// cases that had moved on. A new due or warning time clears the raised-alert flags (compared with the row as it is at
    /// the write) so the new times are alerted.
    static func applyClocks(_ updates: [ClockUpdate], engine: Engine, on db: any SQLDatabase) async throws -> [CaseID] {
        guard !updates.isEmpty else { return [] }
        switch engine {
        case .sqlite:
            // One prepared statement stepped per row, by rowid: a table seek per case and nothing else to parse or plan. The
            // change count says whether the version matched (no RETURNING: see `runEachOnSQLite`).
            let changed = try Database.runEachOnSQLite(db, """
                UPDATE case_record SET due_at = ?2, warning_at = ?3, sla_state = ?4,
                    warned = CASE WHEN due_at IS NOT ?2 OR warning_at IS NOT ?3 THEN 0 ELSE warned END,
                    breached = CASE WHEN due_at IS NOT ?2 OR warning_at IS NOT ?3 THEN 0 ELSE breached END
                WHERE rowid = ?1 AND version = ?5
                """, rows: updates.map { [$0.rowid, $0.dueAt, $0.warningAt, $0.state, $0.version] })
            return zip(updates, changed).compactMap { $1 == 0 ? $0.id : nil }
        case .postgres:
            var written = Set<String>()
            for start in stride(from: 0, to: updates.count, by: 500) {
                var q: SQLQueryString = """
                    UPDATE case_record SET due_at = v.due_at, warning_at = v.warning_at, sla_state = v.sla_state,
                        warned = CASE WHEN case_record.due_at IS DISTINCT FROM v.due_at OR case_record.warning_at IS DISTINCT FROM v.warning_at THEN 0 ELSE case_record.warned END,
                        breached = CASE WHEN case_record.due_at IS DISTINCT FROM v.due_at OR case_record.warning_at IS DISTINCT FROM v.warning_at THEN 0 ELSE case_record.breached END
                    FROM (VALUES 
                    """
                for (i, u) in updates[start..<min(start + 500, updates.count)].enumerated() {
                    q += i == 0 ? "" : ", "
                    q += "(\(bind: u.id.string), \(bind: u.dueAt), \(bind: u.warningAt), \(bind: u.state), \(bind: u.version))"
                }
                q += ") AS v (id, due_at, warning_at, sla_state, version) WHERE case_record.id = v.id AND case_record.version = v.version RETURNING case_record.id"
                for row in try await db.raw(q).all() { written.insert(try row.string("id")) }
            }
            return updates.compactMap { written.contains($0.id.string) ? nil : $0.id }
        }
    }
}
