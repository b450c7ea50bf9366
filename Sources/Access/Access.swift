import Audit
import Crypto
import Foundation
import HummingbirdBcrypt
import Partnership
import SQLKit
import Synchronization
import TownhallDatabase
import TownhallKernel

/// Staff accounts, sign-in sessions and API keys: the public service API of the Access area.
public struct Access: Sendable {
    public static let migrations = AccessStore.migrations
    public let database: Database
    /// What each role and scope may do, from every installed area.
    public let catalogue: PermissionCatalogue
    /// bcrypt work factor. 12 in production; tests may lower it to keep the suite fast.
    public let bcryptCost: UInt8
    public let throttle: LoginThrottle
    /// How long a staff session lasts from sign-in.
    public let sessionLifetime: TimeInterval
    /// Checked when a username does not exist, so a failed sign-in takes as long either way. Made at the first such
    /// sign-in, not at start-up: every command line run would otherwise spend a quarter of a second hashing it.
    private let dummyHash: DummyHash

    public init(database: Database, catalogue: PermissionCatalogue, bcryptCost: UInt8 = 12, throttle: LoginThrottle = LoginThrottle(),
                sessionLifetime: TimeInterval = 10 * 3600) {
        self.database = database
        self.catalogue = catalogue
        self.bcryptCost = bcryptCost
        self.throttle = throttle
        self.sessionLifetime = sessionLifetime
        self.dummyHash = DummyHash(cost: bcryptCost)
    }

    /// A member of staff acting on a channel, with what their roles grant.
    public func actor(for staff: Staff, channel: Channel, requestID: String? = nil) -> Actor {
        staff.actor(catalogue: catalogue, channel: channel, requestID: requestID)
    }

    /// A machine client acting with its key, with what its scopes grant.
    public func actor(for key: APIKey, channel: Channel = .api, requestID: String? = nil) -> Actor {
        key.actor(catalogue: catalogue, channel: channel, requestID: requestID)
    }

    /// A scope as typed (`revenues:read`), checked against those the installed areas offer.
    public func scope(parsing raw: String) throws -> APIScope { try catalogue.scope(parsing: raw) }

    // MARK: Staff

    /// Creates a staff account. `actor` nil is the bootstrap path (`townhall user add`, demo loading).
    public func createStaff(_ input: NewStaff, organisation: OrganisationID, by actor: Actor?, id: StaffID = StaffID(),
                            passwordHash: String? = nil) async throws -> Staff {
        if let actor {
            try actor.require(.staffManage)
            guard actor.organisationID == organisation else { throw TownhallError.forbidden("You can only add staff to your own organisation.") }
        }
        let input = try input.validated()
        let hash = passwordHash ?? Bcrypt.hash(input.password, cost: bcryptCost)
        return try await database.transaction { db in
            if try await AccessStore.staff(username: input.username, on: db) != nil {
                throw TownhallError.conflict("The username \(input.username) is taken.", code: "duplicate_username", field: "username")
            }
            var teamID: TeamID?
            if let name = input.teamName?.trimmingCharacters(in: .whitespaces), !name.isEmpty {
                teamID = try await AccessStore.team(named: name, organisation: organisation, on: db).id
            }
            let staff = Staff(id: id, organisationID: organisation, username: input.username, displayName: input.displayName,
                              email: input.email, roles: input.roles, teamID: teamID)
            try await AccessStore.insert(staff, passwordHash: hash, on: db)
            try await AuditLog.record(AuditEntry(actor: actor ?? .system(organisation, "bootstrap"), action: .create, entityType: "staff",
                                                 entityID: staff.id.string,
                                                 changes: ["username": .init(old: nil, new: staff.username),
                                                           "roles": .init(old: nil, new: staff.roles.map(\.rawValue).sorted().joined(separator: ","))]), on: db)
            return staff
        }
    }

    public func staff(in organisation: OrganisationID, by actor: Actor) async throws -> [Staff] {
        guard actor.organisationID == organisation else { throw TownhallError.forbidden("You can only list your own organisation's staff.") }
        return try await database.read { try await AccessStore.staff(organisation: organisation, on: $0) }
    }

    // MARK: Teams

    public func teams(in organisation: OrganisationID) async throws -> [Team] {
        try await database.read { try await AccessStore.teams(organisation: organisation, on: $0) }
    }

    public func team(id: TeamID) async throws -> Team? {
        try await database.read { try await AccessStore.team(id: id, on: $0) }
    }

    /// The team with this name in an organisation, created if it does not exist yet.
    public func team(named name: String, organisation: OrganisationID) async throws -> Team {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100 else { throw TownhallError.invalid("team", "A team name is 1 to 100 characters.") }
        return try await database.transaction { try await AccessStore.team(named: name, organisation: organisation, on: $0) }
    }

    /// Active team leaders (and managers) of a team: who an overdue case escalates to.
    public func leaders(of team: TeamID) async throws -> [Staff] {
        try await database.read { try await AccessStore.staff(team: team, on: $0) }
            .filter { $0.active && ($0.roles.contains(.teamLeader) || $0.roles.contains(.manager)) }
    }

    /// Active managers of an organisation: who an overdue case with no team escalates to.
    public func managers(of organisation: OrganisationID) async throws -> [Staff] {
        try await database.read { try await AccessStore.staff(organisation: organisation, on: $0) }.filter { $0.active && $0.roles.contains(.manager) }
    }

    public func staff(id: StaffID) async throws -> Staff? {
        try await database.read { try await AccessStore.staff(id: id, on: $0) }
    }

    /// A bcrypt hash at this service's work factor (also for loading many demo accounts that share a password).
    public func hash(password: String) -> String { Bcrypt.hash(password, cost: bcryptCost) }

    /// Checks a password against a bcrypt hash; with no hash, checks a dummy one, so a missing account costs the same time.
    public func verify(password: String, hash: String?) -> Bool {
        let valid = Bcrypt.verify(password, hash: hash ?? dummyHash.value)
        return hash != nil && valid
    }

    // MARK: Sessions

    public struct SignedIn: Sendable {
        public var staff: Staff
        /// The cookie value. Only its SHA-256 is stored, so a copy of the database cannot be used to sign in.
        public var token: String
        public var csrfToken: String
        public var expires: Timestamp
    }

    /// Checks a username and password. Every attempt is recorded and audited; too many failures lock the username for
    /// the throttle window. The message never says whether the username exists.
    public func signIn(username rawUsername: String, password: String, remoteAddress: String?) async throws -> SignedIn {
        let username = rawUsername.trimmingCharacters(in: .whitespaces).lowercased()
        guard !username.isEmpty else { throw TownhallError.missing("username") }
        guard !password.isEmpty else { throw TownhallError.missing("password") }
        let throttle = self.throttle
        let failures = try await database.read {
            try await AccessStore.recentFailures(username: username, since: Timestamp.now.adding(seconds: -throttle.window), on: $0)
        }
        if throttle.isLocked(recentFailures: failures) {
            throw TownhallError(.tooManyRequests, code: "sign_in_locked",
                                message: "Too many failed attempts. Wait \(Int(throttle.window / 60)) minutes and try again, or ask an administrator.", field: "username")
        }
        let found = try await database.read { try await AccessStore.staff(username: username, on: $0) }
        // A missing user is checked against a dummy hash, so timing does not reveal which usernames exist.
        let valid = verify(password: password, hash: found?.1) && found?.0.active == true
        guard valid, let staff = found?.0 else {
            try await database.transaction { db in
                try await AccessStore.recordAttempt(username: username, remoteAddress: remoteAddress, succeeded: false, on: db)
                if let staff = found?.0 {
                    try await AuditLog.record(AuditEntry(actor: actor(for: staff, channel: .web), action: .signInFailed, entityType: "staff", entityID: staff.id.string), on: db)
                }
            }
            throw TownhallError(.unauthenticated, code: "invalid_credentials", message: "The username or password is not right.", field: "password")
        }
        let token = Access.randomToken(), csrf = Access.randomToken()
        let expires = Timestamp.now.adding(seconds: sessionLifetime)
        try await database.transaction { db in
            try await AccessStore.recordAttempt(username: username, remoteAddress: remoteAddress, succeeded: true, on: db)
            try await AccessStore.insertSession(id: Access.digest(token), staff: staff, csrf: csrf, expires: expires, on: db)
            try await AuditLog.record(AuditEntry(actor: actor(for: staff, channel: .web), action: .signIn, entityType: "staff", entityID: staff.id.string), on: db)
        }
        return SignedIn(staff: staff, token: token, csrfToken: csrf, expires: expires)
    }

    /// The staff member a session cookie belongs to, if the session is live and the account still active.
    public func session(token: String) async throws -> (staff: Staff, csrfToken: String)? {
        guard token.count <= 128 else { return nil }
        let id = Access.digest(token)
        return try await database.read { db in
            guard let session = try await AccessStore.sessionWithStaff(id: id, on: db), session.expires > .now, session.staff.active else { return nil }
            return (session.staff, session.csrf)
        }
    }

    public func signOut(token: String) async throws {
        let id = Access.digest(token)
        try await database.transaction { db in
            guard let session = try await AccessStore.session(id: id, on: db), let staff = try await AccessStore.staff(id: session.staffID, on: db) else { return }
            try await AccessStore.deleteSession(id: id, on: db)
            try await AuditLog.record(AuditEntry(actor: actor(for: staff, channel: .web), action: .signOut, entityType: "staff", entityID: staff.id.string), on: db)
        }
    }

    // MARK: API keys

    /// Creates a key and returns it with its secret, which is shown once and stored only as a SHA-256 digest.
    public func createAPIKey(organisation: OrganisationID, name: String, scopes: Set<APIScope>, by actor: Actor?) async throws -> (APIKey, String) {
        if let actor {
            try actor.require(.apiKeysManage)
            guard actor.organisationID == organisation else { throw TownhallError.forbidden("You can only create keys for your own organisation.") }
        }
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100 else { throw TownhallError.invalid("name", "Give the key a name of 1 to 100 characters, saying what uses it.") }
        guard !scopes.isEmpty else { throw TownhallError.invalid("scope", "Give the key at least one scope.") }
        let prefix = String(Access.randomToken().filter { $0.isLetter || $0.isNumber }.prefix(10))
        let secret = "th_\(prefix)_\(Access.randomToken())"
        let key = APIKey(id: APIKeyID(), organisationID: organisation, name: name, prefix: prefix, scopes: scopes, createdAt: .now, revokedAt: nil)
        try await database.transaction { db in
            try await AccessStore.insert(key, secretHash: Access.digest(secret), on: db)
            try await AuditLog.record(AuditEntry(actor: actor ?? .system(organisation, "cli"), action: .create, entityType: "api_key", entityID: key.id.string,
                                                 changes: ["name": .init(old: nil, new: name),
                                                           "scopes": .init(old: nil, new: scopes.map(\.rawValue).sorted().joined(separator: ","))]), on: db)
        }
        return (key, secret)
    }

    /// The key a bearer secret belongs to, or nil for an unknown, malformed or revoked key.
    public func apiKey(secret: String) async throws -> APIKey? {
        // th_PREFIX_SECRET: the prefix is alphanumeric; the secret (base64url) may itself contain "_".
        let parts = secret.split(separator: "_", maxSplits: 2)
        guard secret.count <= 128, parts.count == 3, parts[0] == "th" else { return nil }
        let prefix = String(parts[1])
        guard let (key, storedHash) = try await database.read({ try await AccessStore.apiKey(prefix: prefix, on: $0) }) else { return nil }
        guard Access.constantTimeEqual(Access.digest(secret), storedHash), key.revokedAt == nil else { return nil }
        return key
    }

    // MARK: Tokens

    /// 256 random bits, URL-safe: session cookies, CSRF tokens, email links.
    public static func randomToken() -> String {
        let key = SymmetricKey(size: .bits256)
        return key.withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// What is stored for a token: its SHA-256, so a copy of the database cannot be used to sign in.
    public static func digest(_ token: String) -> String {
        Digits.hex(SHA256.hash(data: Data(token.utf8)))
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Access {
    /// A random token for a form's double-submit CSRF check before anyone has signed in.
    public static func newFormToken() -> String { randomToken() }
}

/// A bcrypt hash of a random password, made once when first asked for.
private final class DummyHash: Sendable {
    private let cost: UInt8
    private let hash = Mutex<String?>(nil)
    init(cost: UInt8) { self.cost = cost }
    var value: String {
        hash.withLock { stored in
            if let stored { return stored }
            let made = Bcrypt.hash(Access.randomToken(), cost: cost)
            stored = made
            return made
        }
    }
}
