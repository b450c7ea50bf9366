import Audit
import Foundation
import Partnership
import Register
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Restricted information (safeguarding flags). Designated officers raise and end flags; reading one needs the
/// `safeguarding.read` permission, an organisation that holds the flag or receives its `safeguarding` data under an
/// agreement in force, and a stated purpose, which goes on an audit entry per flag read. Everyone else sees that a flag
/// exists only where its disclosure says so (`RestrictionAccess`).
public struct Restrictions: Sendable {
    public let database: Database
    let register: Register

    public init(database: Database, register: Register) {
        self.database = database
        self.register = register
    }

    public struct NewFlag: Sendable {
        public var kind: String
        public var disclosure: String?
        public var details: String
        public var startsOn: String?
        public var reviewOn: String?

        public init(kind: String, disclosure: String? = nil, details: String, startsOn: String? = nil, reviewOn: String? = nil) {
            self.kind = kind; self.disclosure = disclosure; self.details = details; self.startsOn = startsOn; self.reviewOn = reviewOn
        }
    }

    /// Records a flag against a person the officer can see. The raise is audited; the details are not copied into the audit log.
    public func raise(_ input: NewFlag, person: PersonID, by actor: Actor, now: Timestamp = .now) async throws -> RestrictedFlag {
        try actor.require(.safeguardingRead)
        let kind = try RestrictionKind(parsing: input.kind)
        let disclosure = try input.disclosure.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : try RestrictionDisclosure(parsing: $0) }
        let today = LocalDate.today(at: now.date)
        let startsOn = try Self.date(input.startsOn, field: "starts_on") ?? today
        let flag = try RestrictedFlag(organisationID: actor.organisationID, personID: person, kind: kind, disclosure: disclosure, details: input.details,
                                      startsOn: startsOn, reviewOn: try Self.date(input.reviewOn, field: "review_on"), raisedBy: actor.label, raisedAt: now).validated()
        guard try await register.visiblePerson(id: person, by: actor) != nil else { throw TownhallError.notFound("Person \(person)", field: "person") }
        try await database.transaction { db in
            try await RestrictionStore.insert(flag, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "restricted_flag", entityID: flag.id.string, subject: person,
                                                 changes: ["kind": .init(old: nil, new: kind.rawValue), "disclosure": .init(old: nil, new: flag.disclosure.rawValue)],
                                                 at: now), on: db)
        }
        return flag
    }

    /// Ends a flag the officer's organisation holds, with the reason. It stays in the history.
    public func end(_ id: RestrictedFlagID, reason: String, by actor: Actor, now: Timestamp = .now) async throws -> RestrictedFlag {
        try actor.require(.safeguardingRead)
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw TownhallError.missing("reason", "Say why the flag is ending.") }
        guard reason.count <= 500 else { throw TownhallError.invalid("reason", "The reason can be at most 500 characters.") }
        let today = LocalDate.today(at: now.date)
        return try await database.transaction { db in
            guard var flag = try await RestrictionStore.flag(id, on: db), flag.organisationID == actor.organisationID else {
                throw TownhallError.notFound("Restricted flag \(id)")
            }
            guard flag.endedOn == nil else { throw TownhallError.conflict("This flag has already ended.", code: "already_ended") }
            try await RestrictionStore.end(id, on: today, reason: reason, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .close, entityType: "restricted_flag", entityID: id.string, subject: flag.personID,
                                                 changes: ["ended_on": .init(old: nil, new: today.description)], at: now), on: db)
            flag.endedOn = today; flag.endedReason = reason
            return flag
        }
    }

    /// What the single view shows about a person's flags to this actor: readable ones and those whose existence is disclosed.
    /// Listing does not read details, so it writes no audit entry.
    public func notices(person: PersonID, by actor: Actor, on day: LocalDate = .today()) async throws -> [RestrictionNotice] {
        try actor.require(.registerRead)
        guard try await register.visiblePerson(id: person, by: actor) != nil else { throw TownhallError.notFound("Person \(person)", field: "person") }
        return try await database.read { db in
            let providers = try await Partnership.visibleOrganisations(for: actor, category: .safeguarding, on: db, today: day)
            return try await RestrictionStore.current(person: person, on: day, on: db).compactMap { flag in
                let access = RestrictionAccess.of(flag, viewerPermissions: actor.permissions, safeguardingProviders: providers)
                return access == .hidden ? nil : RestrictionNotice(flag, access: access)
            }
        }
    }

    /// The details of every current flag on a person that this actor may read, for a stated purpose: one audit entry per
    /// flag, in the same transaction as the read. Refused, and nothing recorded, when there is nothing the actor may read.
    public func read(person: PersonID, purpose: RestrictedReadPurpose, by actor: Actor, now: Timestamp = .now) async throws -> [RestrictedFlag] {
        try actor.require(.safeguardingRead)
        guard try await register.visiblePerson(id: person, by: actor) != nil else { throw TownhallError.notFound("Person \(person)", field: "person") }
        let day = LocalDate.today(at: now.date)
        return try await database.transaction { db in
            let providers = try await Partnership.visibleOrganisations(for: actor, category: .safeguarding, on: db, today: day)
            let flags = try await RestrictionStore.current(person: person, on: day, on: db)
                .filter { RestrictionAccess.of($0, viewerPermissions: actor.permissions, safeguardingProviders: providers) == .readable }
            guard !flags.isEmpty else { throw TownhallError.notFound("Restricted information you may read about this person") }
            try await AuditLog.recordAll(flags.map {
                AuditEntry(actor: actor, action: .restrictedRead, entityType: "restricted_flag", entityID: $0.id.string, subject: person, purpose: purpose.text, at: now)
            }, on: db)
            return flags
        }
    }

    static func date(_ raw: String?, field: String) throws -> LocalDate? {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        return try LocalDate(parsing: raw, field: field)
    }
}
