import Audit
import Foundation
import Partnership
import SQLKit
import TownhallDatabase
import TownhallKernel

/// The people-and-property register's public service API: the spine every other area links its records to.
/// Every read is scoped by the sharing policy; every write is one transaction with its audit entry.
public struct Register: Sendable {
    public static let migrations = RegisterStore.migrations
    public let database: Database
    /// How many candidates a search ranks (per tier). Past this, staff are asked to narrow the search, as they would be
    /// by any contact-centre system: nobody pages through 500 John Smiths.
    public static let candidateLimit = 500

    public init(database: Database) { self.database = database }

    static func visible(_ actor: Actor, _ category: DataCategory, _ db: any SQLDatabase) async throws -> Set<OrganisationID> {
        try await Partnership.visibleOrganisations(for: actor, category: category, on: db)
    }

    // MARK: Properties

    public func createProperty(_ input: PropertyInput, by actor: Actor) async throws -> Property {
        try actor.require(.registerWrite)
        let property = try input.validated(organisation: actor.organisationID)
        return try await database.transaction { db in
            if try await RegisterStore.property(uprn: property.uprn, organisations: [actor.organisationID], on: db) != nil {
                throw TownhallError.conflict("UPRN \(property.uprn) is already on your register.", code: "duplicate_uprn", field: "uprn")
            }
            let (saved, _) = try await RegisterStore.upsert(property, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "property", entityID: saved.id.string,
                                                 changes: ["uprn": .init(old: nil, new: saved.uprn.description), "address": .init(old: nil, new: saved.singleLine)]), on: db)
            return saved
        }
    }

    public func property(id: PropertyID, by actor: Actor) async throws -> Property {
        try actor.require(.registerRead)
        guard let p = try await database.read({ db in
            try await RegisterStore.property(id: id, organisations: try await Register.visible(actor, .properties, db), on: db)
        }) else { throw TownhallError.notFound("Property \(id)") }
        return p
    }

    public func property(uprn: UPRN, by actor: Actor) async throws -> Property {
        try actor.require(.registerRead)
        guard let p = try await database.read({ db in
            try await RegisterStore.property(uprn: uprn, organisations: try await Register.visible(actor, .properties, db), prefer: actor.organisationID, on: db)
        }) else { throw TownhallError.notFound("UPRN \(uprn)", field: "uprn") }
        return p
    }

    /// The organisation's own properties with these UPRNs, read inside the caller's transaction (addresses for letters).
    public static func properties(uprns: [UPRN], organisation: OrganisationID, on db: any SQLDatabase) async throws -> [UPRN: Property] {
        var result: [UPRN: Property] = [:]
        for chunk in stride(from: 0, to: uprns.count, by: 1000) {
            result.merge(try await RegisterStore.properties(uprns: Array(uprns[chunk..<min(chunk + 1000, uprns.count)]), organisation: organisation, on: db)) { a, _ in a }
        }
        return result
    }

    /// Searches properties by `q` (an address, postcode or UPRN typed freely) or exact `postcode`/`uprn` filters.
    public func searchProperties(q: String?, postcode: String?, uprn: String?, after cursor: Cursor?, limit: PageSize, by actor: Actor) async throws -> Page<Property> {
        try actor.require(.registerRead)
        var exactPostcode = try postcode.flatMap { $0.isEmpty ? nil : try Postcode($0) }
        var exactUPRN = try uprn.flatMap { $0.isEmpty ? nil : try UPRN(parsing: $0) }
        var prefix: String?
        var words: [String] = []
        if let q, !q.trimmingCharacters(in: .whitespaces).isEmpty {
            switch try SearchQuery.classify(q) {
            case .postcode(let p): exactPostcode = p
            case .postcodePrefix(let p): prefix = p
            case .uprn(let u): exactUPRN = u
            case .name(let w): words = w
            case .email, .phone: throw TownhallError.invalid("q", "Search properties by address, postcode or UPRN.")
            }
        }
        guard exactPostcode != nil || exactUPRN != nil || prefix != nil || !words.isEmpty else {
            throw TownhallError.invalid("q", "Give q, postcode or uprn to search the property register.", code: "missing_search")
        }
        let database = self.database
        let rows = try await database.read { [exactPostcode, exactUPRN, prefix, words] db in
            try await RegisterStore.searchProperties(postcode: exactPostcode, postcodePrefix: prefix, uprn: exactUPRN, words: words,
                                                     organisations: try await Register.visible(actor, .properties, db),
                                                     after: cursor, limit: limit.value + 1, database: database, on: db)
        }
        let items = Array(rows.prefix(limit.value))
        let next = rows.count > limit.value ? items.last.map { Cursor(key: [$0.postcode?.value ?? "", String($0.uprn.value), $0.id.string]) } : nil
        return Page(items: items, next: next)
    }

    /// Occupants of a property over time, current first.
    public func occupants(of property: PropertyID, by actor: Actor) async throws -> [(Person, Residence)] {
        try actor.require(.registerRead)
        return try await database.read { db in
            try await RegisterStore.occupants(property: property, organisations: try await Register.visible(actor, .contactDetails, db), on: db)
        }
    }

    /// What the register knows about a place given in any of the ways a report can give it: the property's address and
    /// postcode for a UPRN, the postcode's directory entry (coordinates and local authority), or the nearest postcode to a point.
    public struct Place: Sendable, Equatable {
        public var address: String?
        public var postcode: Postcode?
        public var latitude: Double?
        public var longitude: Double?
        public var authorityGSS: String?
        public var uprnKnown: Bool
        /// The organisations whose registers hold the UPRN: for a council, the custodian of the address.
        public var custodians: [OrganisationID] = []
    }

    public func place(uprn: UPRN?, postcode: Postcode?, latitude: Double?, longitude: Double?) async throws -> Place {
        try await database.read { db in
            var place = Place(address: nil, postcode: postcode, latitude: latitude, longitude: longitude, authorityGSS: nil, uprnKnown: false)
            var holders: [Property] = []
            if let uprn { holders = try await RegisterStore.properties(uprn: uprn, on: db) }
            if let property = holders.first {
                place.uprnKnown = true
                place.custodians = holders.map(\.organisationID)
                place.address = property.singleLine
                place.postcode = place.postcode ?? property.postcode
                place.latitude = place.latitude ?? property.latitude
                place.longitude = place.longitude ?? property.longitude
            }
            var record: PostcodeRecord?
            if let p = place.postcode { record = try await RegisterStore.postcode(p, on: db) }
            if record == nil, let lat = place.latitude, let long = place.longitude {
                record = try await RegisterStore.nearestPostcode(latitude: lat, longitude: long, on: db)
                if place.postcode == nil { place.postcode = record?.postcode }
            }
            place.authorityGSS = record?.authorityGSS
            if place.latitude == nil, let r = record { place.latitude = r.latitude; place.longitude = r.longitude }
            return place
        }
    }

    public func postcode(_ raw: String) async throws -> PostcodeRecord? {
        let postcode = try Postcode(raw)
        return try await database.read { try await RegisterStore.postcode(postcode, on: $0) }
    }

    // MARK: People

    public struct PersonRecord: Sendable {
        public var person: Person
        public var contacts: [ContactPoint]
        public var residences: [Residence]
        public var households: [Household]
        public var currentAddress: Residence? { residences.last { $0.isCurrent } }
    }

    public func createPerson(_ input: PersonInput, by actor: Actor, id: PersonID = PersonID()) async throws -> PersonRecord {
        try actor.require(.registerWrite)
        let valid = try input.validated(organisation: actor.organisationID, id: id)
        return try await database.transaction { db in
            try await RegisterStore.insert(valid.person, on: db)
            for c in valid.contacts { try await RegisterStore.insert(c, person: valid.person, on: db) }
            var residences: [Residence] = []
            if let uprn = valid.uprn {
                guard let property = try await RegisterStore.property(uprn: uprn, organisations: try await Register.visible(actor, .properties, db),
                                                                      prefer: actor.organisationID, on: db) else {
                    throw TownhallError.invalid("uprn", "UPRN \(uprn) is not on the register. Add the property first.", code: "unknown_uprn")
                }
                residences = [Residence(propertyID: property.id, uprn: uprn, from: valid.movedIn, to: nil, address: property.singleLine)]
                try await RegisterStore.replaceResidences(person: valid.person, with: residences, on: db)
            }
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "person", entityID: valid.person.id.string,
                                                 subject: valid.person.id, changes: Register.snapshotChanges(nil, valid.person)), on: db)
            return PersonRecord(person: valid.person, contacts: valid.contacts, residences: residences, households: [])
        }
    }

    /// The whole record of a person the actor may see. Viewing it is audited, with the purpose when one is given.
    /// The person, if the actor may see them; no audit entry (for checks before writing something about them).
    public func visiblePerson(id: PersonID, by actor: Actor) async throws -> Person? {
        try actor.require(.registerRead)
        return try await database.read { db in
            try await RegisterStore.person(id: id, organisations: try await Register.visible(actor, .contactDetails, db), on: db)
        }
    }

    /// The people among `ids` the actor may see, by id, in one query (names for a list of claims or accounts). No audit
    /// entry: a name in a list is not a view of the record.
    public func visiblePeople(ids: [PersonID], by actor: Actor) async throws -> [PersonID: Person] {
        try actor.require(.registerRead)
        guard !ids.isEmpty else { return [:] }
        return try await database.read { db in
            let organisations = try await Register.visible(actor, .contactDetails, db)
            var found: [PersonID: Person] = [:]
            for chunk in stride(from: 0, to: ids.count, by: 500) {
                for p in try await RegisterStore.people(ids: ids[chunk..<min(chunk + 500, ids.count)].map(\.string), on: db)
                where organisations.contains(p.organisationID) { found[p.id] = p }
            }
            return found
        }
    }

    public func person(id: PersonID, by actor: Actor, purpose: String? = nil) async throws -> PersonRecord {
        try actor.require(.registerRead)
        return try await database.transaction { db in
            guard let person = try await RegisterStore.person(id: id, organisations: try await Register.visible(actor, .contactDetails, db), on: db) else {
                throw TownhallError.notFound("Person \(id)")
            }
            let record = PersonRecord(person: person, contacts: try await RegisterStore.contacts(person: id, on: db),
                                      residences: try await RegisterStore.residences(person: id, on: db),
                                      households: try await RegisterStore.households(person: id, on: db))
            try await AuditLog.record(AuditEntry(actor: actor, action: .read, entityType: "person", entityID: id.string, subject: id, purpose: purpose), on: db)
            return record
        }
    }

    public struct PersonChanges: Sendable, Codable {
        public var title: String?
        public var givenName: String?
        public var familyName: String?
        public var dateOfBirth: String?
        public var preferredChannel: String?
        public var preferredLanguage: String?
        enum CodingKeys: String, CodingKey {
            case title, givenName = "given_name", familyName = "family_name", dateOfBirth = "date_of_birth"
            case preferredChannel = "preferred_channel", preferredLanguage = "preferred_language"
        }
        public init(title: String? = nil, givenName: String? = nil, familyName: String? = nil, dateOfBirth: String? = nil,
                    preferredChannel: String? = nil, preferredLanguage: String? = nil) {
            self.title = title; self.givenName = givenName; self.familyName = familyName; self.dateOfBirth = dateOfBirth
            self.preferredChannel = preferredChannel; self.preferredLanguage = preferredLanguage
        }
    }

    /// Changes a person's details if `version` is still current; a stale version is a 409 and changes nothing.
    public func updatePerson(id: PersonID, changes: PersonChanges, version: Int, by actor: Actor) async throws -> Person {
        try actor.require(.registerWrite)
        return try await database.transaction { db in
            guard let old = try await RegisterStore.person(id: id, organisations: [actor.organisationID], on: db) else {
                throw TownhallError.notFound("Person \(id)")
            }
            if old.mergedInto != nil { throw TownhallError.conflict("This record was merged into another; change that one.", code: "merged") }
            guard old.version == version else {
                throw TownhallError.conflict("Someone else changed this record (now version \(old.version)). Reload it and make your change again.", code: "stale_version", field: "version")
            }
            let input = PersonInput(title: changes.title ?? old.title, givenName: changes.givenName ?? old.givenName, familyName: changes.familyName ?? old.familyName,
                                    dateOfBirth: changes.dateOfBirth ?? old.dateOfBirth?.description,
                                    preferredChannel: changes.preferredChannel ?? old.preferredChannel?.rawValue,
                                    preferredLanguage: changes.preferredLanguage ?? old.preferredLanguage)
            var updated = try input.validated(organisation: old.organisationID, id: old.id).person
            updated.createdAt = old.createdAt
            updated.version = version + 1
            guard try await RegisterStore.update(updated, expectedVersion: version, on: db) else {
                throw TownhallError.conflict("Someone else changed this record. Reload it and make your change again.", code: "stale_version", field: "version")
            }
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "person", entityID: id.string, subject: id,
                                                 changes: Register.snapshotChanges(old, updated)), on: db)
            return updated
        }
    }

    /// Records a move into a property (and, by closing the open spell, out of the last one).
    public func recordMove(person id: PersonID, uprn: UPRN, from: LocalDate, to: LocalDate?, by actor: Actor) async throws -> [Residence] {
        try actor.require(.registerWrite)
        return try await database.transaction { db in
            guard let person = try await RegisterStore.person(id: id, organisations: [actor.organisationID], on: db) else { throw TownhallError.notFound("Person \(id)") }
            guard let property = try await RegisterStore.property(uprn: uprn, organisations: try await Register.visible(actor, .properties, db), prefer: actor.organisationID, on: db) else {
                throw TownhallError.invalid("uprn", "UPRN \(uprn) is not on the register.", code: "unknown_uprn")
            }
            let history = try await RegisterStore.residences(person: id, on: db)
            let updated = try Residence.applyMove(Residence(propertyID: property.id, uprn: uprn, from: from, to: to, address: property.singleLine), to: history)
            try await RegisterStore.replaceResidences(person: person, with: updated, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "person", entityID: id.string, subject: id,
                                                 changes: ["residence": .init(old: history.last(where: \.isCurrent)?.address, new: property.singleLine)]), on: db)
            return updated
        }
    }

    public func addContact(person id: PersonID, kind: ContactPointKind, value: String, by actor: Actor) async throws -> [ContactPoint] {
        try actor.require(.registerWrite)
        let normal = try ContactPointRules.normalise(kind: kind, value: value, field: "value")
        return try await database.transaction { db in
            guard let person = try await RegisterStore.person(id: id, organisations: [actor.organisationID], on: db) else { throw TownhallError.notFound("Person \(id)") }
            let existing = try await RegisterStore.contacts(person: id, on: db)
            if existing.contains(where: { $0.kind == kind && $0.value == normal }) {
                throw TownhallError.conflict("That \(kind.rawValue) is already recorded.", code: "duplicate_contact", field: "value")
            }
            try await RegisterStore.insert(ContactPoint(kind: kind, value: normal), person: person, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "person", entityID: id.string, subject: id,
                                                 changes: ["contact.\(kind.rawValue)": .init(old: nil, new: normal)]), on: db)
            return try await RegisterStore.contacts(person: id, on: db)
        }
    }

    /// One search box: a name (typo-tolerant), postcode, UPRN, phone or email. Ranked best first; keyset-paged.
    public func searchPeople(q: String, after cursor: Cursor?, limit: PageSize, by actor: Actor) async throws -> Page<PersonMatch> {
        try actor.require(.registerRead)
        let query = try SearchQuery.classify(q)
        let database = self.database
        let ranked = try await database.read { db -> [(id: String, score: Double)] in
            let orgs = try await Register.visible(actor, .contactDetails, db)
            switch query {
            case .name(let words):
                // Exact words first: cheap, and always the best matches (score 1; anything found only by prefix or sound
                // scores less). Prefixes and sounds are searched only when the exact matches do not fill this page.
                let exact = try await RegisterStore.personCandidates(groups: SearchDocument.exactGroups(words), organisations: orgs,
                                                                     limit: Register.candidateLimit, database: database, on: db)
                let exactRanked = PersonRanking.rank(exact, query: words)
                if exact.count >= Register.candidateLimit || PersonRanking.remaining(exactRanked, after: cursor) > limit.value {
                    return exactRanked
                }
                let seen = Set(exact.map(\.id))
                let fuzzy = try await RegisterStore.personCandidates(groups: SearchDocument.nameGroups(words), organisations: orgs,
                                                                     limit: Register.candidateLimit, database: database, on: db).filter { !seen.contains($0.id) }
                return PersonRanking.rank(exact + fuzzy, query: words)
            case .email(let v), .phone(let v):
                let ids = try await RegisterStore.personIDs(contactValue: v, organisations: orgs, on: db)
                return PersonRanking.rank(try await RegisterStore.personCandidates(ids: ids, organisations: orgs, on: db), query: [])
            case .postcode(let p):
                let ids = try await RegisterStore.personIDs(atPostcode: p.value, uprn: nil, organisations: orgs, on: db)
                return PersonRanking.rank(try await RegisterStore.personCandidates(ids: ids, organisations: orgs, on: db), query: [])
            case .postcodePrefix(let p):
                let ids = try await RegisterStore.personIDs(atPostcode: nil, outward: p, uprn: nil, organisations: orgs, on: db)
                return PersonRanking.rank(try await RegisterStore.personCandidates(ids: ids, organisations: orgs, on: db), query: [])
            case .uprn(let u):
                let ids = try await RegisterStore.personIDs(atPostcode: nil, uprn: u, organisations: orgs, on: db)
                return PersonRanking.rank(try await RegisterStore.personCandidates(ids: ids, organisations: orgs, on: db), query: [])
            }
        }
        // Keyset over the ranked order: the cursor holds the last row's score and id.
        var start = ranked.startIndex
        if let cursor {
            guard cursor.key.count == 2, let score = Double(cursor.key[0]) else {
                throw TownhallError.invalid("cursor", "The cursor is not one this server gave out.", code: "invalid_cursor")
            }
            // After the cursor's row; if that row has gone (merged meanwhile), after the last row of its score.
            start = ranked.firstIndex(where: { $0.id == cursor.key[1] }).map { ranked.index(after: $0) }
                ?? ranked.firstIndex(where: { $0.score < score }) ?? ranked.endIndex
        }
        // Only the page's records are loaded in full.
        let slice = Array(ranked[start...].prefix(limit.value))
        let (people, addresses) = try await database.read { db in
            let people = try await RegisterStore.people(ids: slice.map(\.id), on: db)
            return (Dictionary(people.map { ($0.id.string, $0) }, uniquingKeysWith: { a, _ in a }),
                    try await RegisterStore.currentAddresses(people: people.map(\.id), on: db))
        }
        let items = slice.compactMap { hit in people[hit.id].map { PersonMatch(person: $0, score: hit.score, currentAddress: addresses[$0.id]) } }
        let next = start + slice.count < ranked.endIndex ? items.last.map { Cursor(key: [String($0.score), $0.person.id.string]) } : nil
        return Page(items: items, next: next)
    }

    // MARK: Duplicates and merge

    public func duplicates(of id: PersonID, by actor: Actor) async throws -> [DuplicateRules.Candidate] {
        try actor.require(.registerRead)
        return try await database.read { db in
            guard let person = try await RegisterStore.person(id: id, organisations: [actor.organisationID], on: db) else { throw TownhallError.notFound("Person \(id)") }
            return try await RegisterStore.duplicateCandidates(of: person, on: db).compactMap { candidate, shared in
                let (score, reasons) = DuplicateRules.score(person, candidate, sharedContacts: shared)
                return score >= DuplicateRules.threshold ? DuplicateRules.Candidate(person: candidate, score: (score * 100).rounded() / 100, reasons: reasons) : nil
            }.sorted { $0.score != $1.score ? $0.score > $1.score : $0.person.id < $1.person.id }
        }
    }

    /// Merges `duplicate` into `survivor`: contacts, address history and household memberships join the survivor; the
    /// duplicate record stays, marked as merged, so both histories survive. Audited against both people.
    public func merge(survivor survivorID: PersonID, duplicate duplicateID: PersonID, by actor: Actor) async throws -> PersonRecord {
        try actor.require(.registerMerge)
        guard survivorID != duplicateID else { throw TownhallError.invalid("duplicate_id", "A record cannot be merged into itself.") }
        try await database.transaction { db in
            let own: Set<OrganisationID> = [actor.organisationID]
            guard let survivor = try await RegisterStore.person(id: survivorID, organisations: own, on: db) else { throw TownhallError.notFound("Person \(survivorID)") }
            guard var duplicate = try await RegisterStore.person(id: duplicateID, organisations: own, on: db) else {
                throw TownhallError.notFound("Person \(duplicateID)", field: "duplicate_id")
            }
            if survivor.mergedInto != nil || duplicate.mergedInto != nil {
                throw TownhallError.conflict("One of these records has already been merged.", code: "already_merged", field: "duplicate_id")
            }
            try await RegisterStore.moveRecords(from: duplicateID, to: survivor, on: db)
            let survivorHistory = try await RegisterStore.residences(person: survivorID, on: db)
            let duplicateHistory = try await RegisterStore.residences(person: duplicateID, on: db)
            var combined = survivorHistory
            for spell in duplicateHistory where !combined.contains(where: { $0.propertyID == spell.propertyID && $0.from == spell.from }) {
                combined.append(spell)
            }
            try await RegisterStore.replaceResidences(person: survivor, with: combined.sorted { $0.from < $1.from }, on: db)
            let version = duplicate.version
            duplicate.mergedInto = survivorID
            duplicate.version += 1
            guard try await RegisterStore.update(duplicate, expectedVersion: version, on: db) else {
                throw TownhallError.conflict("The record changed while merging. Try again.", code: "stale_version")
            }
            try await RegisterStore.recordMerge(survivor: survivorID, merged: duplicateID, organisation: actor.organisationID, by: actor.label, on: db)
            for (subject, other) in [(survivorID, duplicateID), (duplicateID, survivorID)] {
                try await AuditLog.record(AuditEntry(actor: actor, action: .merge, entityType: "person", entityID: subject.string, subject: subject,
                                                     changes: ["merged_into": .init(old: nil, new: survivorID.string), "other": .init(old: nil, new: other.string)]), on: db)
            }
        }
        return try await person(id: survivorID, by: actor)
    }

    // MARK: Households

    public func createHousehold(uprn: UPRN, name: String, members: [(PersonID, String?)], joinedOn: LocalDate = .today(), by actor: Actor) async throws -> Household {
        try actor.require(.registerWrite)
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100 else { throw TownhallError.invalid("name", "Give the household a name of 1 to 100 characters, like \"The Khan household\".") }
        guard !members.isEmpty else { throw TownhallError.invalid("members", "A household needs at least one member.") }
        return try await database.transaction { db in
            guard let property = try await RegisterStore.property(uprn: uprn, organisations: try await Register.visible(actor, .properties, db), prefer: actor.organisationID, on: db) else {
                throw TownhallError.invalid("uprn", "UPRN \(uprn) is not on the register.", code: "unknown_uprn")
            }
            var resolved: [Household.Member] = []
            for (index, (id, relationship)) in members.enumerated() {
                guard let person = try await RegisterStore.person(id: id, organisations: [actor.organisationID], on: db), person.mergedInto == nil else {
                    throw TownhallError.invalid("members[\(index)].person_id", "Person \(id) is not on your register.", code: "unknown_person")
                }
                resolved.append(Household.Member(personID: id, name: "\(person.givenName) \(person.familyName)", relationship: relationship, joinedOn: joinedOn, leftOn: nil))
            }
            let household = Household(id: HouseholdID(), organisationID: actor.organisationID, propertyID: property.id, name: name, members: resolved, createdAt: .now)
            try await RegisterStore.insert(household, on: db)
            for m in resolved {
                try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "household", entityID: household.id.string, subject: m.personID,
                                                     changes: ["household": .init(old: nil, new: name)]), on: db)
            }
            return household
        }
    }

    // MARK: Subject access

    public struct SubjectAccessExport: Sendable {
        public var record: PersonRecord
        public var merges: [[String: String]]
        public var auditEntries: [AuditEntry]
        public var generatedAt: Timestamp
    }

    /// Everything held on a person: the record, its history and every audit entry about them. The export itself is audited.
    public func subjectAccess(person id: PersonID, by actor: Actor) async throws -> SubjectAccessExport {
        try actor.require(.subjectAccess)
        return try await database.transaction { db in
            guard let person = try await RegisterStore.person(id: id, organisations: [actor.organisationID], on: db) else { throw TownhallError.notFound("Person \(id)") }
            try await AuditLog.record(AuditEntry(actor: actor, action: .export, entityType: "person", entityID: id.string, subject: id, purpose: "subject access request"), on: db)
            let record = PersonRecord(person: person, contacts: try await RegisterStore.contacts(person: id, on: db),
                                      residences: try await RegisterStore.residences(person: id, on: db),
                                      households: try await RegisterStore.households(person: id, on: db))
            return SubjectAccessExport(record: record, merges: try await RegisterStore.merges(involving: id, on: db),
                                       auditEntries: try await AuditLog.entries(about: id, on: db), generatedAt: .now)
        }
    }

    static func snapshotChanges(_ old: Person?, _ new: Person) -> [String: AuditEntry.FieldChange] {
        func snap(_ p: Person?) -> [String: String?] {
            guard let p else { return [:] }
            return ["title": p.title, "given_name": p.givenName, "family_name": p.familyName, "date_of_birth": p.dateOfBirth?.description,
                    "preferred_channel": p.preferredChannel?.rawValue, "preferred_language": p.preferredLanguage]
        }
        return AuditEntry.diff(snap(old), snap(new))
    }
}
