import SQLKit
import TownhallDatabase
import TownhallKernel

/// All SQL for staff, teams, sessions, API keys and sign-in attempts.
enum AccessStore {
    static let migrations: [Migration] = [
        Migration("access.0001_staff", [
            """
            CREATE TABLE team (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL REFERENCES organisation (id), name TEXT NOT NULL,
                UNIQUE (organisation_id, name)
            )
            """,
            """
            CREATE TABLE staff (
                id TEXT PRIMARY KEY,
                organisation_id TEXT NOT NULL REFERENCES organisation (id),
                username TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                email TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                roles TEXT NOT NULL,
                team_id TEXT REFERENCES team (id),
                active INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                version INTEGER NOT NULL
            )
            """,
            "CREATE INDEX staff_org ON staff (organisation_id, username)",
            """
            CREATE TABLE staff_session (
                id TEXT PRIMARY KEY,
                organisation_id TEXT NOT NULL REFERENCES organisation (id),
                staff_id TEXT NOT NULL REFERENCES staff (id),
                csrf_token TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX staff_session_staff ON staff_session (staff_id)",
            """
            CREATE TABLE api_key (
                id TEXT PRIMARY KEY,
                organisation_id TEXT NOT NULL REFERENCES organisation (id),
                name TEXT NOT NULL,
                prefix TEXT NOT NULL UNIQUE,
                secret_hash TEXT NOT NULL,
                scopes TEXT NOT NULL,
                created_at TEXT NOT NULL,
                revoked_at TEXT
            )
            """,
            """
            CREATE TABLE sign_in_attempt (
                id TEXT PRIMARY KEY, username TEXT NOT NULL, remote_address TEXT, succeeded INTEGER NOT NULL, attempted_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX sign_in_attempt_user ON sign_in_attempt (username, attempted_at)",
        ]),
    ]

    static func insert(_ s: Staff, passwordHash: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO staff (id, organisation_id, username, display_name, email, password_hash, roles, team_id, active, created_at, version)
            VALUES (\(bind: s.id.string), \(bind: s.organisationID.string), \(bind: s.username), \(bind: s.displayName), \(bind: s.email),
                    \(bind: passwordHash), \(bind: s.roles.map(\.rawValue).sorted().joined(separator: ",")), \(bind: s.teamID?.string),
                    \(bind: s.active ? 1 : 0), \(bind: s.createdAt.iso), \(bind: s.version))
            """).run()
    }

    static func staff(username: String, on db: any SQLDatabase) async throws -> (Staff, String)? {
        guard let row = try await db.raw("SELECT * FROM staff WHERE username = \(bind: username)").first() else { return nil }
        return (try decodeStaff(row), try row.string("password_hash"))
    }

    static func staff(id: StaffID, on db: any SQLDatabase) async throws -> Staff? {
        try await db.raw("SELECT * FROM staff WHERE id = \(bind: id.string)").first().map(decodeStaff)
    }

    static func staff(organisation: OrganisationID, on db: any SQLDatabase) async throws -> [Staff] {
        try await db.raw("SELECT * FROM staff WHERE organisation_id = \(bind: organisation.string) ORDER BY username").all().map(decodeStaff)
    }

    static func decodeStaff(_ row: any SQLRow) throws -> Staff {
        Staff(id: try row.id("id"), organisationID: try row.id("organisation_id"), username: try row.string("username"),
              displayName: try row.string("display_name"), email: try row.string("email"),
              roles: Set(try row.string("roles").split(separator: ",").compactMap { Role(rawValue: String($0)) }),
              teamID: try row.optionalID("team_id"), active: try row.flag("active"), createdAt: try row.timestamp("created_at"),
              version: try row.int("version"))
    }

    static func teams(organisation: OrganisationID, on db: any SQLDatabase) async throws -> [Team] {
        try await db.raw("SELECT * FROM team WHERE organisation_id = \(bind: organisation.string) ORDER BY name").all().map {
            Team(id: try $0.id("id"), organisationID: try $0.id("organisation_id"), name: try $0.string("name"))
        }
    }

    static func team(id: TeamID, on db: any SQLDatabase) async throws -> Team? {
        try await db.raw("SELECT * FROM team WHERE id = \(bind: id.string)").first().map {
            Team(id: try $0.id("id"), organisationID: try $0.id("organisation_id"), name: try $0.string("name"))
        }
    }

    static func staff(team: TeamID, on db: any SQLDatabase) async throws -> [Staff] {
        try await db.raw("SELECT * FROM staff WHERE team_id = \(bind: team.string) ORDER BY username").all().map(decodeStaff)
    }

    static func team(named name: String, organisation: OrganisationID, on db: any SQLDatabase) async throws -> Team {
        if let row = try await db.raw("SELECT * FROM team WHERE organisation_id = \(bind: organisation.string) AND name = \(bind: name)").first() {
            return Team(id: try row.id("id"), organisationID: organisation, name: name)
        }
        let team = Team(id: TeamID(StableUUID.make("team/\(organisation)/\(name)")), organisationID: organisation, name: name)
        try await db.raw("INSERT INTO team (id, organisation_id, name) VALUES (\(bind: team.id.string), \(bind: organisation.string), \(bind: name))").run()
        return team
    }

    static func recordAttempt(username: String, remoteAddress: String?, succeeded: Bool, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO sign_in_attempt (id, username, remote_address, succeeded, attempted_at)
            VALUES (\(bind: StaffID().string), \(bind: username), \(bind: remoteAddress), \(bind: succeeded ? 1 : 0), \(bind: Timestamp.now.iso))
            """).run()
    }

    /// Failures since the last success, within the window.
    static func recentFailures(username: String, since: Timestamp, on db: any SQLDatabase) async throws -> Int {
        let lastSuccess = try await db.raw("""
            SELECT MAX(attempted_at) AS t FROM sign_in_attempt WHERE username = \(bind: username) AND succeeded = 1
            """).first()?.optionalString("t")
        let from = max(since.iso, lastSuccess ?? "")
        return try await db.raw("""
            SELECT COUNT(*) AS n FROM sign_in_attempt WHERE username = \(bind: username) AND succeeded = 0 AND attempted_at > \(bind: from)
            """).first()?.int("n") ?? 0
    }

    static func insertSession(id: String, staff: Staff, csrf: String, expires: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO staff_session (id, organisation_id, staff_id, csrf_token, created_at, expires_at)
            VALUES (\(bind: id), \(bind: staff.organisationID.string), \(bind: staff.id.string), \(bind: csrf), \(bind: Timestamp.now.iso), \(bind: expires.iso))
            """).run()
    }

    /// The session and its staff member in one query (this runs on every cookie-authenticated request).
    static func sessionWithStaff(id: String, on db: any SQLDatabase) async throws -> (staff: Staff, csrf: String, expires: Timestamp)? {
        try await db.raw("""
            SELECT staff.*, staff_session.csrf_token AS session_csrf, staff_session.expires_at AS session_expires
            FROM staff_session JOIN staff ON staff.id = staff_session.staff_id WHERE staff_session.id = \(bind: id)
            """).first().map { (try decodeStaff($0), try $0.string("session_csrf"), try $0.timestamp("session_expires")) }
    }

    static func session(id: String, on db: any SQLDatabase) async throws -> (staffID: StaffID, csrf: String, expires: Timestamp)? {
        try await db.raw("SELECT staff_id, csrf_token, expires_at FROM staff_session WHERE id = \(bind: id)").first().map {
            (try $0.id("staff_id"), try $0.string("csrf_token"), try $0.timestamp("expires_at"))
        }
    }

    static func deleteSession(id: String, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM staff_session WHERE id = \(bind: id)").run()
    }

    static func insert(_ key: APIKey, secretHash: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO api_key (id, organisation_id, name, prefix, secret_hash, scopes, created_at, revoked_at)
            VALUES (\(bind: key.id.string), \(bind: key.organisationID.string), \(bind: key.name), \(bind: key.prefix), \(bind: secretHash),
                    \(bind: key.scopes.map(\.rawValue).sorted().joined(separator: ",")), \(bind: key.createdAt.iso), \(bind: key.revokedAt?.iso))
            """).run()
    }

    static func apiKey(prefix: String, on db: any SQLDatabase) async throws -> (APIKey, String)? {
        guard let row = try await db.raw("SELECT * FROM api_key WHERE prefix = \(bind: prefix)").first() else { return nil }
        let key = APIKey(id: try row.id("id"), organisationID: try row.id("organisation_id"), name: try row.string("name"), prefix: prefix,
                         scopes: Set(try row.string("scopes").split(separator: ",").map { APIScope(String($0)) }),
                         createdAt: try row.timestamp("created_at"), revokedAt: try row.optionalTimestamp("revoked_at"))
        return (key, try row.string("secret_hash"))
    }
}
