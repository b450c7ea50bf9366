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
                var c = 0, s = 0
                for (seed, people) in batch {
                    if try await RegisterStore.household(id: seed.id.string, on: db) != nil { s += 1; continue }
                    guard let property = try await RegisterStore.property(uprn: seed.uprn, organisations: [actor.organisationID], on: db) else {
                        throw TownhallError.invalid("uprn", "UPRN \(seed.uprn) is not on the register.", code: "unknown_uprn")
                    }
                    var members: [Household.Member] = []
                    for (member, valid) in zip(seed.members, people) {
                        try await RegisterStore.insert(valid.person, on: db)
                        for contact in valid.contacts { try await RegisterStore.insert(contact, person: valid.person, on: db) }
                        try await RegisterStore.replaceResidences(person: valid.person, with: [Residence(propertyID: property.id, uprn: seed.uprn, from: seed.movedIn, to: nil, address: nil)], on: db)
                        members.append(Household.Member(personID: valid.person.id, name: "\(valid.person.givenName) \(valid.person.familyName)",
                                                        relationship: member.relationship, joinedOn: seed.movedIn, leftOn: nil))
                        try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "person", entityID: valid.person.id.string,
                                                             subject: valid.person.id, changes: Register.snapshotChanges(nil, valid.person)), on: db)
                    }
                    try await RegisterStore.insert(Household(id: seed.id, organisationID: actor.organisationID, propertyID: property.id, name: seed.name,
                                                             members: members, createdAt: .now), on: db)
                    c += 1
                }
                return (c, s)
            }
            created += c
            skipped += s
        }
        return (created, skipped)
    }
}
