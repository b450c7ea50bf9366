import Access
import Audit
import Cases
import Foundation
import Partnership
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Citizen accounts on the portal: register with a name, email address and password; confirm the address from a link
/// sent through the notifications outbox (giving the password again, so a link sent to someone who did not ask for it is
/// of no use to whoever did); sign in; and follow "my requests": every case reported with the confirmed address, across
/// the partnership.
public struct Citizens: Sendable {
    public static let migrations = CitizensStore.migrations
    public let database: Database
    let partnership: Partnership
    let access: Access
    let cases: Cases
    let publicURL: String
    public let throttle = CitizenSignInThrottle()
    /// How long a confirmation link works.
    public let linkLifetime: TimeInterval = 24 * 3600
    /// How long a citizen stays signed in.
    public let sessionLifetime: TimeInterval = 7 * 24 * 3600
    static let verifyPurpose = "verify_email"
    static let expiredLink = TownhallError.invalid("token", "This link has expired or has been used. Create your account again to get a new one.",
                                                   code: "expired_link")

    public init(database: Database, partnership: Partnership, access: Access, cases: Cases, publicURL: String) {
        self.database = database; self.partnership = partnership; self.access = access; self.cases = cases; self.publicURL = publicURL
    }

    /// The organisation that speaks for the portal (its messages' sender and audit owner): the shared-service provider if
    /// the partnership has one, otherwise the first organisation set up.
    func host() async throws -> Organisation {
        let all = try await partnership.organisations()
        guard let host = all.first(where: { $0.kind == .sharedServiceProvider }) ?? all.min(by: { ($0.createdAt, $0.id.string) < ($1.createdAt, $1.id.string) }) else {
            throw TownhallError.forbidden("The portal is not set up yet: no organisation has joined.")
        }
        return host
    }

    func actor(_ host: Organisation, _ account: CitizenAccount?) -> Actor {
        Actor(organisationID: host.id, principal: .system(account.map { "citizen \($0.email)" } ?? "citizen portal"), permissions: [], channel: .web)
    }

    /// Registers, or asks again for, an account and queues the confirmation link. An address that already has a confirmed
    /// account changes nothing and sends nothing, and the caller shows the same page either way, so the form does not
    /// reveal who has an account.
    public func register(_ input: NewCitizenAccount, now: Timestamp = .now) async throws {
        let input = try input.validated()
        let host = try await host()
        let hash = access.hash(password: input.password)
        let token = Access.randomToken(), digest = Access.digest(token)
        let expires = now.adding(seconds: linkLifetime)
        let link = "\(publicURL)/account/confirm?token=\(token)"
        let cases = self.cases, actor = self.actor(host, nil)
        try await database.transaction { db in
            let existing = try await CitizensStore.account(email: input.email, on: db)
            if existing?.account.isVerified == true { return }
            let account = existing?.account ?? CitizenAccount(email: input.email, name: input.name, createdAt: now)
            if existing == nil {
                try await CitizensStore.insert(account, on: db)
                try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "citizen_account", entityID: account.id.string, at: now), on: db)
            }
            try await CitizensStore.insertToken(digest: digest, account: account.id, purpose: Citizens.verifyPurpose, name: input.name, passwordHash: hash,
                                                expires: expires, at: now, on: db)
            try await Cases.queueMessage(.accountVerification, to: input.email,
                                         values: ["name": input.name, "verify_url": link, "organisation_name": host.name,
                                                  "expires": LondonTime.describe(expires)],
                                         organisation: host.id, eventKey: "citizen/\(account.id)/verify/\(digest.prefix(16))", at: now, on: db)
        }
    }

    /// A confirmed account made without a link, for setting up (the demo's resident). Does nothing if the address has an
    /// account already; returns whether it made one.
    @discardableResult
    public func createConfirmed(_ input: NewCitizenAccount, now: Timestamp = .now) async throws -> Bool {
        let input = try input.validated()
        let host = try await host()
        let hash = access.hash(password: input.password)
        let actor = Actor.system(host.id, "bootstrap")
        return try await database.transaction { db in
            guard try await CitizensStore.account(email: input.email, on: db) == nil else { return false }
            let account = CitizenAccount(email: input.email, name: input.name, createdAt: now)
            try await CitizensStore.insert(account, on: db)
            try await CitizensStore.confirm(account.id, name: input.name, passwordHash: hash, at: now, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "citizen_account", entityID: account.id.string, at: now), on: db)
            return true
        }
    }

    public struct SignedIn: Sendable {
        public var account: CitizenAccount
        /// The cookie value; only its digest is stored.
        public var token: String
        public var csrfToken: String
        public var expires: Timestamp
    }

    /// Whether a confirmation link is still good (to show its form, or say it has expired).
    public func linkIsValid(_ token: String, now: Timestamp = .now) async throws -> Bool {
        guard token.count <= 128 else { return false }
        return try await database.read { try await CitizensStore.pendingToken(digest: Access.digest(token), purpose: Citizens.verifyPurpose, now: now, on: $0) } != nil
    }

    /// Confirms the address behind a link, given the password chosen with it, and signs the citizen in.
    public func confirm(token: String, password: String, now: Timestamp = .now) async throws -> SignedIn {
        let digest = Access.digest(token)
        guard token.count <= 128, let (pending, row) = try await database.read({ db -> (CitizensStore.PendingToken, CitizensStore.Row)? in
            guard let pending = try await CitizensStore.pendingToken(digest: digest, purpose: Citizens.verifyPurpose, now: now, on: db),
                  let row = try await CitizensStore.account(id: pending.account, on: db) else { return nil }
            return (pending, row)
        }) else { throw Citizens.expiredLink }
        if throttle.isLocked(failures: row.failures, lastFailure: row.lastFailure, now: now) { throw locked() }
        guard access.verify(password: password, hash: pending.passwordHash) else {
            try await recordFailure(row, now: now)
            throw TownhallError.invalid("password", "That is not the password you chose when you made the account.", code: "wrong_password")
        }
        let actor = self.actor(try await host(), row.account)
        var account = row.account
        if !account.isVerified { account.verifiedAt = now; account.name = pending.name }
        return try await startSession(account, now: now) { db in
            guard try await CitizensStore.useToken(digest: digest, now: now, on: db) else { throw Citizens.expiredLink }
            if !row.account.isVerified {
                try await CitizensStore.confirm(row.account.id, name: pending.name, passwordHash: pending.passwordHash, at: now, on: db)
                try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "citizen_account", entityID: row.account.id.string,
                                                     changes: ["verified": .init(old: "false", new: "true")], at: now), on: db)
            }
        }
    }

    /// Opens a session for an account, writing it in one transaction with what signing in changed (`alsoWrite`).
    func startSession(_ account: CitizenAccount, now: Timestamp, alsoWrite: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws -> SignedIn {
        let session = Access.randomToken(), csrf = Access.randomToken(), expires = now.adding(seconds: sessionLifetime)
        try await database.transaction { db in
            try await alsoWrite(db)
            try await CitizensStore.insertSession(digest: Access.digest(session), account: account.id, csrf: csrf, expires: expires, at: now, on: db)
        }
        return SignedIn(account: account, token: session, csrfToken: csrf, expires: expires)
    }

    /// Signs in with a confirmed account. The message never says whether the address has an account.
    public func signIn(email rawEmail: String, password: String, now: Timestamp = .now) async throws -> SignedIn {
        guard !rawEmail.trimmingCharacters(in: .whitespaces).isEmpty else { throw TownhallError.missing("email", "Enter your email address.") }
        guard !password.isEmpty else { throw TownhallError.missing("password", "Enter your password.") }
        let email = try ContactPointRules.email(rawEmail, field: "email")
        let row = try await database.read { try await CitizensStore.account(email: email, on: $0) }
        if let row, throttle.isLocked(failures: row.failures, lastFailure: row.lastFailure, now: now) { throw locked() }
        guard access.verify(password: password, hash: row?.passwordHash), let row, row.account.isVerified else {
            if let row { try await recordFailure(row, now: now) }
            throw TownhallError(.unauthenticated, code: "invalid_credentials",
                                message: "The email address or password is not right. If you have just made your account, open the link in the email we sent you first.",
                                field: "password")
        }
        let actor = self.actor(try await host(), row.account)
        return try await startSession(row.account, now: now) { db in
            if row.failures > 0 { try await CitizensStore.clearFailures(row.account.id, on: db) }
            try await AuditLog.record(AuditEntry(actor: actor, action: .signIn, entityType: "citizen_account", entityID: row.account.id.string, at: now), on: db)
        }
    }

    func locked() -> TownhallError {
        TownhallError(.tooManyRequests, code: "sign_in_locked",
                      message: "Too many wrong passwords. Wait \(Int(throttle.window / 60)) minutes and try again.", field: "password")
    }

    func recordFailure(_ row: CitizensStore.Row, now: Timestamp) async throws {
        let failures = throttle.failuresAfterOneMore(failures: row.failures, lastFailure: row.lastFailure, now: now)
        try await database.transaction { try await CitizensStore.recordFailure(row.account.id, failures: failures, at: now, on: $0) }
    }

    /// The signed-in citizen behind a session cookie, with the session's form token.
    public func session(token: String, now: Timestamp = .now) async throws -> (account: CitizenAccount, csrfToken: String)? {
        guard !token.isEmpty, token.count <= 128 else { return nil }
        return try await database.read { try await CitizensStore.session(digest: Access.digest(token), now: now, on: $0) }.map { ($0.0.account, $0.1) }
    }

    public func signOut(token: String) async throws {
        try await database.transaction { try await CitizensStore.deleteSession(digest: Access.digest(token), on: $0) }
    }

    /// "My requests": what the citizen reported with their confirmed address, newest first, as the public sees it plus
    /// nothing more.
    public func requests(of account: CitizenAccount, page: Int = 1) async throws -> [Cases.PublicView] {
        guard account.isVerified else { throw TownhallError.forbidden("Confirm your email address to see your requests.") }
        return try await cases.requests(contactEmail: account.email, page: page)
    }
}
