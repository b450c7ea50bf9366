import TownhallKernel

/// A person on the register. Contact points, address history and households hang off it.
public struct Person: Sendable, Codable, Equatable {
    public var id: PersonID
    public var organisationID: OrganisationID
    public var title: String?
    public var givenName: String
    public var familyName: String
    public var dateOfBirth: LocalDate?
    public var preferredChannel: Channel?
    public var preferredLanguage: String?
    /// Set when this record was merged into another; the record is kept, never deleted.
    public var mergedInto: PersonID?
    public var createdAt: Timestamp
    public var version: Int

    public var fullName: String { [title, givenName, familyName].compactMap { $0?.isEmpty == false ? $0 : nil }.joined(separator: " ") }
}

public struct ContactPoint: Sendable, Codable, Equatable {
    public var kind: ContactPointKind
    /// Normalised (07700900123, name@example.com): what search compares.
    public var value: String
    public var preferred: Bool
    public init(kind: ContactPointKind, value: String, preferred: Bool = false) { self.kind = kind; self.value = value; self.preferred = preferred }
}

/// A spell of living at a property: the address history. `to` nil means they live there now.
public struct Residence: Sendable, Codable, Equatable {
    public var propertyID: PropertyID
    public var uprn: UPRN
    public var from: LocalDate
    public var to: LocalDate?
    public var address: String?

    public var isCurrent: Bool { to == nil }

    /// Adding `new` to `history`: an open spell elsewhere that began before it ends the day it starts (a move);
    /// any other overlap is an error, because a person has one main residence at a time.
    public static func applyMove(_ new: Residence, to history: [Residence]) throws -> [Residence] {
        if let to = new.to, to < new.from { throw TownhallError.invalid("to", "The move-out date must be on or after the move-in date.") }
        var result: [Residence] = []
        for var spell in history {
            if spell.to == nil && spell.from < new.from && new.to == nil { spell.to = new.from }
            let spellEnd = spell.to, newEnd = new.to
            let overlaps = (newEnd.map { spell.from < $0 } ?? true) && (spellEnd.map { new.from < $0 } ?? true)
            if overlaps {
                throw TownhallError.conflict("That overlaps the spell at \(spell.address ?? "UPRN \(spell.uprn)") from \(spell.from)\(spell.to.map { " to \($0)" } ?? ""). Record the move out first.",
                                             code: "overlapping_residence", field: "from")
            }
            result.append(spell)
        }
        result.append(new)
        return result.sorted { $0.from < $1.from }
    }
}

public struct Household: Sendable, Codable, Equatable {
    public struct Member: Sendable, Codable, Equatable {
        public var personID: PersonID
        public var name: String
        public var relationship: String?
        public var joinedOn: LocalDate
        public var leftOn: LocalDate?
    }
    public var id: HouseholdID
    public var organisationID: OrganisationID
    public var propertyID: PropertyID
    public var name: String
    public var members: [Member]
    public var createdAt: Timestamp
}

/// Input for a new person; validated field by field.
public struct PersonInput: Sendable, Codable {
    public struct ContactInput: Sendable, Codable {
        public var kind: String
        public var value: String
        public var preferred: Bool?
        public init(kind: String, value: String, preferred: Bool? = nil) { self.kind = kind; self.value = value; self.preferred = preferred }
    }
    public var title: String?
    public var givenName: String?
    public var familyName: String?
    public var dateOfBirth: String?
    public var preferredChannel: String?
    public var preferredLanguage: String?
    public var contacts: [ContactInput]?
    /// Where they live now: a UPRN on the register, and the date they moved in (today if absent).
    public var uprn: Int64?
    public var movedIn: String?

    enum CodingKeys: String, CodingKey {
        case title, givenName = "given_name", familyName = "family_name", dateOfBirth = "date_of_birth"
        case preferredChannel = "preferred_channel", preferredLanguage = "preferred_language", contacts, uprn, movedIn = "moved_in"
    }

    public init(title: String? = nil, givenName: String?, familyName: String?, dateOfBirth: String? = nil, preferredChannel: String? = nil,
                preferredLanguage: String? = nil, contacts: [ContactInput]? = nil, uprn: Int64? = nil, movedIn: String? = nil) {
        self.title = title; self.givenName = givenName; self.familyName = familyName; self.dateOfBirth = dateOfBirth
        self.preferredChannel = preferredChannel; self.preferredLanguage = preferredLanguage; self.contacts = contacts; self.uprn = uprn; self.movedIn = movedIn
    }

    public struct Valid: Sendable {
        public var person: Person
        public var contacts: [ContactPoint]
        public var uprn: UPRN?
        public var movedIn: LocalDate
    }

    public func validated(organisation: OrganisationID, id: PersonID = PersonID(), today: LocalDate = .today()) throws -> Valid {
        func name(_ value: String?, _ field: String) throws -> String {
            guard let v = value?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { throw TownhallError.missing(field) }
            guard v.count <= 100 else { throw TownhallError.invalid(field, "A name can be at most 100 characters.") }
            guard v.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || " '-.’".unicodeScalars.contains($0) }) else {
                throw TownhallError.invalid(field, "A name can contain only letters, spaces, hyphens, apostrophes and full stops.", code: "invalid_name")
            }
            return v
        }
        let given = try name(givenName, "given_name"), family = try name(familyName, "family_name")
        let dob = try dateOfBirth.flatMap { $0.isEmpty ? nil : try LocalDate(parsing: $0, field: "date_of_birth") }
        if let dob, dob > today { throw TownhallError.invalid("date_of_birth", "A date of birth must be in the past.", code: "invalid_date") }
        if let dob, dob.years(until: today) > 130 { throw TownhallError.invalid("date_of_birth", "A date of birth must be within the last 130 years.", code: "invalid_date") }
        let channel = try preferredChannel.flatMap { raw -> Channel? in
            if raw.isEmpty { return nil }
            guard let c = Channel(rawValue: raw), ![.api, .open311, .system, .partner].contains(c) else {
                throw TownhallError.invalid("preferred_channel", "Choose phone, face_to_face, web, e_form, email or mobile_worker.", code: "invalid_channel")
            }
            return c
        }
        if let language = preferredLanguage, language.count > 35 { throw TownhallError.invalid("preferred_language", "Give a language name or code of up to 35 characters.") }
        var points: [ContactPoint] = []
        for (index, contact) in (contacts ?? []).enumerated() {
            let field = "contacts[\(index)].value"
            guard let kind = ContactPointKind(rawValue: contact.kind) else {
                throw TownhallError.invalid("contacts[\(index)].kind", "A contact kind is phone, mobile or email.", code: "invalid_contact_kind")
            }
            let value = try ContactPointRules.normalise(kind: kind, value: contact.value, field: field)
            if !points.contains(where: { $0.kind == kind && $0.value == value }) { points.append(ContactPoint(kind: kind, value: value, preferred: contact.preferred ?? false)) }
        }
        let uprn = try self.uprn.map { try UPRN($0) }
        let movedIn = try movedIn.flatMap { $0.isEmpty ? nil : try LocalDate(parsing: $0, field: "moved_in") } ?? today
        let person = Person(id: id, organisationID: organisation, title: title?.trimmingCharacters(in: .whitespaces).nilIfEmpty,
                            givenName: given, familyName: family, dateOfBirth: dob, preferredChannel: channel,
                            preferredLanguage: preferredLanguage?.trimmingCharacters(in: .whitespaces).nilIfEmpty,
                            mergedInto: nil, createdAt: .now, version: 1)
        return Valid(person: person, contacts: points, uprn: uprn, movedIn: movedIn)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
