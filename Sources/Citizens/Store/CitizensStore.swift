import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Citizen accounts, their email-confirmation tokens and sessions. Tokens and session cookies are stored as SHA-256
/// digests only.
enum CitizensStore {
    static let migrations: [Migration] = [
        Migration("citizens.0001_accounts", [
            """
            CREATE TABLE citizen_account (
                id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, password_hash TEXT, verified_at TEXT,
                created_at TEXT NOT NULL, failed_attempts INTEGER NOT NULL DEFAULT 0, last_failed_at TEXT
            )
            """,
            """
            CREATE TABLE citizen_token (
                id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES citizen_account (id), purpose TEXT NOT NULL,
                name TEXT NOT NULL, password_hash TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT, created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX citizen_token_account ON citizen_token (account_id)",
            """
            CREATE TABLE citizen_session (
                id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES citizen_account (id), csrf_token TEXT NOT NULL,
                expires_at TEXT NOT NULL, created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX citizen_session_account ON citizen_session (account_id)",
        ]),
    ]

    /// An account row. `passwordHash` is nil until the email address is confirmed: the password chosen at registration
    /// waits on its confirmation token, so nobody can pre-set the password of an address they do not control.
    struct Row { var account: CitizenAccount; var passwordHash: String?; var failures: Int; var lastFailure: Timestamp? }

    /// A confirmation token waiting to be used, with the name and password chosen when it was asked for.
    struct PendingToken { var account: CitizenID; var name: String; var passwordHash: String }

    static func insert(_ a: CitizenAccount, on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "citizen_account", columns: ["id", "email", "name", "verified_at", "created_at"],
                                      rows: [[a.id.string, a.email, a.name, a.verifiedAt?.iso, a.createdAt.iso]])
    }

    static func account(email: String, on db: any SQLDatabase) async throws -> Row? {
        try await db.raw("SELECT * FROM citizen_account WHERE email = \(bind: email)").first().map(decode)
    }

    static func account(id: CitizenID, on db: any SQLDatabase) async throws -> Row? {
        try await db.raw("SELECT * FROM citizen_account WHERE id = \(bind: id.string)").first().map(decode)
    }

    /// Confirms an account with the name and password its token carried.
    static func confirm(_ id: CitizenID, name: String, passwordHash: String, at: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE citizen_account SET verified_at = \(bind: at.iso), password_hash = \(bind: passwordHash), name = \(bind: name),
                failed_attempts = 0, last_failed_at = NULL
            WHERE id = \(bind: id.string) AND verified_at IS NULL
            """).run()
    }

    static func recordFailure(_ id: CitizenID, failures: Int, at: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("UPDATE citizen_account SET failed_attempts = \(bind: failures), last_failed_at = \(bind: at.iso) WHERE id = \(bind: id.string)").run()
    }

    static func clearFailures(_ id: CitizenID, on db: any SQLDatabase) async throws {
        try await db.raw("UPDATE citizen_account SET failed_attempts = 0, last_failed_at = NULL WHERE id = \(bind: id.string)").run()
    }

    static func insertToken(digest: String, account: CitizenID, purpose: String, name: String, passwordHash: String, expires: Timestamp, at: Timestamp,
                            on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "citizen_token", columns: ["id", "account_id", "purpose", "name", "password_hash", "expires_at", "created_at"],
                                      rows: [[digest, account.string, purpose, name, passwordHash, expires.iso, at.iso]])
    }

    /// A token that is known, unused and unexpired.
    static func pendingToken(digest: String, purpose: String, now: Timestamp, on db: any SQLDatabase) async throws -> PendingToken? {
        try await db.raw("""
            SELECT account_id, name, password_hash FROM citizen_token
            WHERE id = \(bind: digest) AND purpose = \(bind: purpose) AND used_at IS NULL AND expires_at > \(bind: now.iso)
            """).first().map { PendingToken(account: try $0.id("account_id"), name: try $0.string("name"), passwordHash: try $0.string("password_hash")) }
    }

    /// Takes a token once: true if this call marked it used.
    static func useToken(digest: String, now: Timestamp, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            UPDATE citizen_token SET used_at = \(bind: now.iso) WHERE id = \(bind: digest) AND used_at IS NULL AND expires_at > \(bind: now.iso)
            RETURNING id
            """).first() != nil
    }

    static func insertSession(digest: String, account: CitizenID, csrf: String, expires: Timestamp, at: Timestamp, on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "citizen_session", columns: ["id", "account_id", "csrf_token", "expires_at", "created_at"],
                                      rows: [[digest, account.string, csrf, expires.iso, at.iso]])
    }

    static func session(digest: String, now: Timestamp, on db: any SQLDatabase) async throws -> (Row, String)? {
        guard let row = try await db.raw("""
            SELECT citizen_account.*, citizen_session.csrf_token AS session_csrf FROM citizen_session
            JOIN citizen_account ON citizen_account.id = citizen_session.account_id
            WHERE citizen_session.id = \(bind: digest) AND citizen_session.expires_at > \(bind: now.iso)
            """).first() else { return nil }
        return (try decode(row), try row.string("session_csrf"))
    }

    static func deleteSession(digest: String, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM citizen_session WHERE id = \(bind: digest)").run()
    }

    static func decode(_ row: any SQLRow) throws -> Row {
        Row(account: CitizenAccount(id: try row.id("id"), email: try row.string("email"), name: try row.string("name"),
                                    verifiedAt: try row.optionalTimestamp("verified_at"), createdAt: try row.timestamp("created_at")),
            passwordHash: try row.optionalString("password_hash"), failures: try row.int("failed_attempts"), lastFailure: try row.optionalTimestamp("last_failed_at"))
    }
}
