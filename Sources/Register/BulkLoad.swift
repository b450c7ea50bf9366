import Audit
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Loading whole households at once: how a council migrates people from a legacy system, and how the demo loads.
/// Each household (its people, contacts, address and membership) is written whole or not at all; a household whose id
/// is already present is skipped, so a load that stopped part-way can simply be run again.
public struct HouseholdSeed: Sendable {
    public struct Member: Sendable {
        public var id: PersonID
        public var input: PersonInput
        public var relationship: String?
        public init(id: PersonID, input: PersonInput, relationship: String?) { self.id = id; self.input = input; self.relationship = relationship }
    }
    public var id: HouseholdID
    public var uprn: UPRN
    public var name: String
    public var movedIn: LocalDate
    public var members: [Member]
    public init(id: HouseholdID, uprn: UPRN, name: String, movedIn: LocalDate, members: [Member]) {
        self.id = id; self.uprn = uprn; self.name = name; self.movedIn = movedIn; self.members = members
    }
}

extension Register {
    /// Returns how many households were created and how many were already there.
    public func loadHouseholds(_ seeds: [HouseholdSeed], by actor: Actor, batchSize: Int = 250) async throws -> (created: Int, skipped: Int) {
        try actor.require(.registerImport)
        // Validate everything first: a bad seed stops the load before anything is written.
        let validated = try seeds.map { seed in
            (seed, try seed.members.map { try $0.input.validated(organisation: actor.organisationID, id: $0.id) })
        }
        var created = 0, skipped = 0
        for start in stride(from: 0, to: validated.count, by: batchSize) {
            let batch = Array(validated[start..<min(start + batchSize, validated.count)])
            let (c, s) = try await database.transaction { db -> (Int, Int) in
                // A few multi-row statements per batch rather than several statements per person.
                let present = try await RegisterStore.existingHouseholds(batch.map(\.0.id), on: db)
                let properties = try await RegisterStore.properties(uprns: batch.map(\.0.uprn), organisation: actor.organisationID, on: db)
                var people: [Person] = [], contacts: [(ContactPoint, Person)] = [], residences: [(Residence, Person)] = []
                var households: [Household] = [], audit: [AuditEntry] = []
                for (seed, valid) in batch where !present.contains(seed.id.string) {
                    guard let property = properties[seed.uprn] else {
                        throw TownhallError.invalid("uprn", "UPRN \(seed.uprn) is not on the register.", code: "unknown_uprn")
                    }
                    var members: [Household.Member] = []
                    for (member, v) in zip(seed.members, valid) {
                        people.append(v.person)
                        contacts += v.contacts.map { ($0, v.person) }
                        residences.append((Residence(propertyID: property.id, uprn: seed.uprn, from: seed.movedIn, to: nil, address: nil), v.person))
                        members.append(Household.Member(personID: v.person.id, name: "\(v.person.givenName) \(v.person.familyName)",
                                                        relationship: member.relationship, joinedOn: seed.movedIn, leftOn: nil))
                        audit.append(AuditEntry(actor: actor, action: .create, entityType: "person", entityID: v.person.id.string,
                                                subject: v.person.id, changes: Register.snapshotChanges(nil, v.person)))
                    }
                    households.append(Household(id: seed.id, organisationID: actor.organisationID, propertyID: property.id, name: seed.name,
                                                members: members, createdAt: .now))
                }
                try await RegisterStore.insertPeople(people, on: db)
                try await RegisterStore.insertContacts(contacts, on: db)
                try await RegisterStore.insertResidences(residences, on: db)
                try await RegisterStore.insertHouseholds(households, on: db)
                try await AuditLog.recordAll(audit, on: db)
                return (households.count, batch.count - households.count)
            }
            created += c
            skipped += s
        }
        return (created, skipped)
    }
}
