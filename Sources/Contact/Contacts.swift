import Audit
import Cases
import Foundation
import Partnership
import Register
import SQLKit
import TownhallDatabase
import TownhallKernel

/// The one-stop shop's contact log: every interaction an agent has with a customer, how it ended, and the day's figures.
public struct Contacts: Sendable {
    public static let migrations = ContactStore.migrations + RestrictionStore.migrations + TriageStore.migrations + GuidanceStore.migrations
    public let database: Database
    let register: Register
    let cases: Cases

    public init(database: Database, register: Register, cases: Cases) {
        self.database = database
        self.register = register
        self.cases = cases
    }

    /// A contact as the agent records it.
    public struct NewContact: Sendable {
        public var personID: PersonID?
        public var propertyID: PropertyID?
        public var channel: String
        public var reason: String
        public var serviceCode: String?
        public var outcome: String
        public var minutes: String?
        public var notes: String?
        public var caseID: String?
        public var partnerID: OrganisationID?

        public init(personID: PersonID? = nil, propertyID: PropertyID? = nil, channel: String, reason: String, serviceCode: String? = nil, outcome: String,
                    minutes: String? = nil, notes: String? = nil, caseID: String? = nil, partnerID: OrganisationID? = nil) {
            self.personID = personID; self.propertyID = propertyID; self.channel = channel; self.reason = reason; self.serviceCode = serviceCode
            self.outcome = outcome; self.minutes = minutes; self.notes = notes; self.caseID = caseID; self.partnerID = partnerID
        }
    }

    /// Records a contact about a person (or property) the agent may see. One transaction with its audit entry.
    public func log(_ input: NewContact, by actor: Actor, now: Timestamp = .now) async throws -> ContactRecord {
        try await log(input, by: actor, now: now, also: nil)
    }

    /// The same, writing whatever `also` writes (a triage run) in the contact's transaction.
    func log(_ input: NewContact, by actor: Actor, now: Timestamp, also: AlsoWrite?) async throws -> ContactRecord {
        let record = try await prepare(input, by: actor, now: now)
        try await database.transaction { db in
            try await Self.write(record, by: actor, on: db)
            try await also?(record, nil, db)
        }
        return record
    }

    /// Something a caller writes in the same transaction as a contact: given the contact and the case it raised, if any.
    typealias AlsoWrite = @Sendable (ContactRecord, Case?, any SQLDatabase) async throws -> Void

    /// A case raised from a contact, pre-filled by the caller from the single view (requester, location), and the contact
    /// that raised it. The contact is checked before the case is created, so a refused contact creates nothing; the
    /// contact is written once the case exists, naming it.
    public func raiseCase(_ newCase: Cases.NewCase, contact input: NewContact, by actor: Actor, now: Timestamp = .now) async throws -> (Case, ContactRecord) {
        try await raiseCase(newCase, contact: input, by: actor, now: now, also: nil)
    }

    func raiseCase(_ newCase: Cases.NewCase, contact input: NewContact, by actor: Actor, now: Timestamp, also: AlsoWrite?) async throws -> (Case, ContactRecord) {
        var input = input
        input.outcome = ContactOutcome.caseCreated.rawValue
        input.caseID = "pending"   // validation asks a case-created contact for its case; the real id follows
        var record = try await prepare(input, by: actor, now: now)
        let created = try await cases.create(newCase, by: actor, now: now)
        record.caseID = created.id.string
        record.serviceCode = record.serviceCode ?? created.serviceCode
        let written = record
        try await database.transaction { db in
            try await Self.write(written, by: actor, on: db)
            try await also?(written, created, db)
        }
        return (created, written)
    }

    /// Checks a contact and that its person or property is visible to the agent, without writing anything.
    private func prepare(_ input: NewContact, by actor: Actor, now: Timestamp) async throws -> ContactRecord {
        try actor.require(.contactsLog)
        let channel = try ContactChannel(parsing: input.channel)
        let outcome = try ContactOutcome(parsing: input.outcome)
        var seconds = 0
        if let raw = input.minutes?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            guard let minutes = Double(raw), minutes >= 0, minutes.isFinite else {
                throw TownhallError.invalid("duration", "Enter the duration in minutes, for example 4 or 2.5.", code: "invalid_duration")
            }
            seconds = Int((minutes * 60).rounded())
        }
        let record = try ContactRecord(organisationID: actor.organisationID, personID: input.personID, propertyID: input.propertyID, channel: channel,
                                       reason: input.reason, serviceCode: input.serviceCode, outcome: outcome, durationSeconds: seconds, notes: input.notes,
                                       caseID: input.caseID, partnerID: input.partnerID, agent: actor.label, at: now).validated()
        if let person = record.personID, try await register.visiblePerson(id: person, by: actor) == nil {
            throw TownhallError.notFound("Person \(person)", field: "person")
        }
        if let property = record.propertyID { _ = try await register.property(id: property, by: actor) }
        return record
    }

    private static func write(_ record: ContactRecord, by actor: Actor, on db: any SQLDatabase) async throws {
        try await ContactStore.insert(record, on: db)
        try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "contact", entityID: record.id.string, subject: record.personID,
                                             changes: ["outcome": .init(old: nil, new: record.outcome.rawValue), "channel": .init(old: nil, new: record.channel.rawValue)]), on: db)
    }

    /// Recent contacts about a person or property, from the actor's organisation and those sharing case history with it.
    public func recent(person: PersonID? = nil, property: PropertyID? = nil, limit: Int = 10, by actor: Actor) async throws -> [ContactRecord] {
        try actor.require(.registerRead)
        return try await database.read { db in
            let organisations = try await Partnership.visibleOrganisations(for: actor, category: .cases, on: db)
            return try await ContactStore.recent(person: person, property: property, organisations: organisations, limit: max(1, min(limit, 100)), on: db)
        }
    }

    /// The actor's organisation's contacts on one London day, by channel and outcome.
    public func summary(on day: LocalDate = .today(), by actor: Actor) async throws -> ContactSummary {
        try actor.require(.registerRead)
        let (from, to) = LondonTime.bounds(of: day)
        return try await database.read { try await ContactStore.summary(organisation: actor.organisationID, from: from, to: to, on: $0) }
    }
}
