import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// All SQL for the people-and-property register. Every query takes the organisations it may read (from the
/// sharing policy) and filters by them.
enum RegisterStore {
    static let migrations: [Migration] = [
        Migration("register.0001_properties") { engine in
            [
                """
                CREATE TABLE postcode_directory (
                    postcode TEXT PRIMARY KEY, introduced TEXT, terminated TEXT, easting DOUBLE PRECISION, northing DOUBLE PRECISION,
                    latitude DOUBLE PRECISION, longitude DOUBLE PRECISION, authority_gss TEXT, country TEXT
                )
                """,
                """
                CREATE TABLE property (
                    id TEXT PRIMARY KEY,
                    organisation_id TEXT NOT NULL REFERENCES organisation (id),
                    uprn BIGINT NOT NULL,
                    parent_uprn BIGINT,
                    usrn INTEGER,
                    saon TEXT, paon TEXT, name TEXT, street TEXT, locality TEXT, town TEXT, administrative_area TEXT,
                    postcode TEXT,
                    latitude DOUBLE PRECISION, longitude DOUBLE PRECISION, easting DOUBLE PRECISION, northing DOUBLE PRECISION,
                    council_tax_band TEXT, rateable_value BIGINT,
                    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL,
                    UNIQUE (organisation_id, uprn)
                )
                """,
                "CREATE INDEX property_org_postcode ON property (organisation_id, postcode, uprn)",
                "CREATE INDEX property_uprn ON property (uprn)",
            ] + Database.searchTableDDL("property_search", key: "property_id", engine: engine)
        },
        Migration("register.0002_people") { engine in
            [
                """
                CREATE TABLE person (
                    id TEXT PRIMARY KEY,
                    organisation_id TEXT NOT NULL REFERENCES organisation (id),
                    title TEXT, given_name TEXT NOT NULL, family_name TEXT NOT NULL, date_of_birth TEXT,
                    preferred_channel TEXT, preferred_language TEXT,
                    merged_into TEXT REFERENCES person (id),
                    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL
                )
                """,
                "CREATE INDEX person_org_dob ON person (organisation_id, date_of_birth)",
                """
                CREATE TABLE contact_point (
                    id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, person_id TEXT NOT NULL REFERENCES person (id),
                    kind TEXT NOT NULL, value TEXT NOT NULL, preferred INTEGER NOT NULL, created_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX contact_point_value ON contact_point (organisation_id, value)",
                "CREATE INDEX contact_point_person ON contact_point (person_id)",
                """
                CREATE TABLE residence (
                    id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, person_id TEXT NOT NULL REFERENCES person (id),
                    property_id TEXT NOT NULL REFERENCES property (id), from_date TEXT NOT NULL, to_date TEXT
                )
                """,
                "CREATE INDEX residence_person ON residence (person_id)",
                "CREATE INDEX residence_property ON residence (property_id)",
                """
                CREATE TABLE household (
                    id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, property_id TEXT NOT NULL REFERENCES property (id),
                    name TEXT NOT NULL, created_at TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE household_member (
                    id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, household_id TEXT NOT NULL REFERENCES household (id),
                    person_id TEXT NOT NULL REFERENCES person (id), relationship TEXT, joined_on TEXT NOT NULL, left_on TEXT
                )
                """,
                "CREATE INDEX household_member_person ON household_member (person_id)",
                "CREATE INDEX household_member_household ON household_member (household_id)",
                """
                CREATE TABLE person_merge (
                    id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, survivor_id TEXT NOT NULL REFERENCES person (id),
                    merged_id TEXT NOT NULL REFERENCES person (id), merged_at TEXT NOT NULL, merged_by TEXT NOT NULL
                )
                """,
            ] + Database.searchTableDDL("person_search", key: "person_id", engine: engine)
        },
        // "Who lives at this postcode" starts from the postcode; without this index the planner scans every residence.
        Migration("register.0003_property_postcode_index", ["CREATE INDEX IF NOT EXISTS property_postcode ON property (postcode)"]),
        // One-letter prefix indexes, for searches by initial ("m haworth").
        Migration("register.0004_search_prefix_indexes") { engine in
            Database.rebuildSearchIndexDDL("person_search", engine: engine) + Database.rebuildSearchIndexDDL("property_search", engine: engine)
        },
        // Placing a reported point: the nearest postcode centroid is found within a latitude band.
        Migration("register.0005_postcode_latitude", ["CREATE INDEX IF NOT EXISTS postcode_directory_latitude ON postcode_directory (latitude)"]),
    ]

    static func orgList(_ orgs: Set<OrganisationID>) -> [any Encodable & Sendable] { orgStrings(orgs) }
    static func orgStrings(_ orgs: Set<OrganisationID>) -> [String] { orgs.sorted().map(\.string) }

    // MARK: Properties

    enum UpsertOutcome { case created, updated, unchanged }

    static func upsert(_ p: Property, on db: any SQLDatabase) async throws -> (Property, UpsertOutcome) {
        if let existing = try await property(uprn: p.uprn, organisations: [p.organisationID], on: db) {
            // Importing the same data again must change nothing, not even the version.
            if existing.hasSameData(as: p) { return (existing, .unchanged) }
            var updated = p
            updated.id = existing.id
            updated.createdAt = existing.createdAt
            updated.version = existing.version + 1
            try await db.raw("""
                UPDATE property SET parent_uprn = \(bind: p.parentUPRN?.value), usrn = \(bind: p.usrn.map(Int64.init)), saon = \(bind: p.saon),
                    paon = \(bind: p.paon), name = \(bind: p.name), street = \(bind: p.street), locality = \(bind: p.locality), town = \(bind: p.town),
                    administrative_area = \(bind: p.administrativeArea), postcode = \(bind: p.postcode?.value), latitude = \(bind: p.latitude),
                    longitude = \(bind: p.longitude), easting = \(bind: p.easting), northing = \(bind: p.northing),
                    council_tax_band = \(bind: p.councilTaxBand), rateable_value = \(bind: p.rateableValue),
                    updated_at = \(bind: Timestamp.now.iso), version = \(bind: updated.version)
                WHERE id = \(bind: existing.id.string)
                """).run()
            try await Database.replaceSearchDocument(db, table: "property_search", key: "property_id", id: updated.id.string,
                                                     organisation: updated.organisationID, document: SearchDocument.property(updated))
            return (updated, .updated)
        }
        try await db.raw("""
            INSERT INTO property (id, organisation_id, uprn, parent_uprn, usrn, saon, paon, name, street, locality, town, administrative_area,
                postcode, latitude, longitude, easting, northing, council_tax_band, rateable_value, created_at, updated_at, version)
            VALUES (\(bind: p.id.string), \(bind: p.organisationID.string), \(bind: p.uprn.value), \(bind: p.parentUPRN?.value),
                \(bind: p.usrn.map(Int64.init)), \(bind: p.saon), \(bind: p.paon), \(bind: p.name), \(bind: p.street), \(bind: p.locality),
                \(bind: p.town), \(bind: p.administrativeArea), \(bind: p.postcode?.value), \(bind: p.latitude), \(bind: p.longitude),
                \(bind: p.easting), \(bind: p.northing), \(bind: p.councilTaxBand), \(bind: p.rateableValue), \(bind: p.createdAt.iso),
                \(bind: p.createdAt.iso), \(bind: p.version))
            """).run()
        try await db.raw("INSERT INTO property_search (property_id, organisation_id, document) VALUES (\(bind: p.id.string), \(bind: p.organisationID.string), \(bind: SearchDocument.property(p)))").run()
        return (p, .created)
    }

    // MARK: Bulk writes (imports and loads)

    static let propertyColumns = ["id", "organisation_id", "uprn", "parent_uprn", "usrn", "saon", "paon", "name", "street", "locality", "town",
                                  "administrative_area", "postcode", "latitude", "longitude", "easting", "northing", "council_tax_band",
                                  "rateable_value", "created_at", "updated_at", "version"]

    static func insertProperties(_ properties: [Property], on db: any SQLDatabase) async throws {
        let rows: [[any Encodable & Sendable]] = properties.map { p in
            [p.id.string, p.organisationID.string, p.uprn.value, p.parentUPRN?.value, p.usrn.map(Int64.init), p.saon, p.paon, p.name, p.street,
             p.locality, p.town, p.administrativeArea, p.postcode?.value, p.latitude, p.longitude, p.easting, p.northing, p.councilTaxBand,
             p.rateableValue, p.createdAt.iso, p.createdAt.iso, p.version]
        }
        try await Database.insertRows(db, into: "property", columns: propertyColumns, rows: rows)
        try await Database.insertRows(db, into: "property_search", columns: ["property_id", "organisation_id", "document"],
                                      rows: properties.map { [$0.id.string, $0.organisationID.string, SearchDocument.property($0)] })
    }

    /// An organisation's properties with these UPRNs, in one query.
    static func properties(uprns: [UPRN], organisation: OrganisationID, on db: any SQLDatabase) async throws -> [UPRN: Property] {
        guard !uprns.isEmpty else { return [:] }
        let rows = try await db.raw("SELECT * FROM property WHERE organisation_id = \(bind: organisation.string) AND uprn IN (\(binds: uprns.map(\.value)))").all()
        return Dictionary(try rows.map(decodeProperty).map { ($0.uprn, $0) }, uniquingKeysWith: { a, _ in a })
    }

    static func insertPeople(_ people: [Person], on db: any SQLDatabase) async throws {
        let rows: [[any Encodable & Sendable]] = people.map { p in
            [p.id.string, p.organisationID.string, p.title, p.givenName, p.familyName, p.dateOfBirth?.description, p.preferredChannel?.rawValue,
             p.preferredLanguage, p.mergedInto?.string, p.createdAt.iso, p.createdAt.iso, p.version]
        }
        try await Database.insertRows(db, into: "person", columns: ["id", "organisation_id", "title", "given_name", "family_name", "date_of_birth",
                                                                    "preferred_channel", "preferred_language", "merged_into", "created_at", "updated_at", "version"], rows: rows)
        try await Database.insertRows(db, into: "person_search", columns: ["person_id", "organisation_id", "document"],
                                      rows: people.map { [$0.id.string, $0.organisationID.string, SearchDocument.person($0)] })
    }

    static func insertContacts(_ contacts: [(ContactPoint, Person)], on db: any SQLDatabase) async throws {
        let now = Timestamp.now.iso
        try await Database.insertRows(db, into: "contact_point", columns: ["id", "organisation_id", "person_id", "kind", "value", "preferred", "created_at"],
                                      rows: contacts.map { c, p in [PersonID().string, p.organisationID.string, p.id.string, c.kind.rawValue, c.value, c.preferred ? 1 : 0, now] })
    }

    static func insertResidences(_ residences: [(Residence, Person)], on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "residence", columns: ["id", "organisation_id", "person_id", "property_id", "from_date", "to_date"],
                                      rows: residences.map { r, p in [PersonID().string, p.organisationID.string, p.id.string, r.propertyID.string, r.from.description, r.to?.description] })
    }

    static func insertHouseholds(_ households: [Household], on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "household", columns: ["id", "organisation_id", "property_id", "name", "created_at"],
                                      rows: households.map { [$0.id.string, $0.organisationID.string, $0.propertyID.string, $0.name, $0.createdAt.iso] })
        try await Database.insertRows(db, into: "household_member", columns: ["id", "organisation_id", "household_id", "person_id", "relationship", "joined_on", "left_on"],
                                      rows: households.flatMap { h in h.members.map { m in
                                          [PersonID().string, h.organisationID.string, h.id.string, m.personID.string, m.relationship, m.joinedOn.description, m.leftOn?.description] as [any Encodable & Sendable]
                                      } })
    }

    static func existingHouseholds(_ ids: [HouseholdID], on db: any SQLDatabase) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return Set(try await db.raw("SELECT id FROM household WHERE id IN (\(binds: ids.map(\.string)))").all().map { try $0.string("id") })
    }

    static func property(id: PropertyID, organisations: Set<OrganisationID>, on db: any SQLDatabase) async throws -> Property? {
        try await db.raw("SELECT * FROM property WHERE id = \(bind: id.string) AND organisation_id IN (\(binds: orgList(organisations)))").first().map(decodeProperty)
    }

    /// The property with a UPRN, preferring the first organisation's own record when several hold it.
    static func property(uprn: UPRN, organisations: Set<OrganisationID>, prefer: OrganisationID? = nil, on db: any SQLDatabase) async throws -> Property? {
        let rows = try await db.raw("SELECT * FROM property WHERE uprn = \(bind: uprn.value) AND organisation_id IN (\(binds: orgList(organisations))) ORDER BY organisation_id").all()
        let properties = try rows.map(decodeProperty)
        return properties.first { $0.organisationID == prefer } ?? properties.first
    }

    /// Properties in keyset order (postcode, uprn, id) after `cursor`, filtered by postcode, UPRN or full-text words.
    static func searchProperties(postcode: Postcode?, postcodePrefix: String?, uprn: UPRN?, words: [String], organisations: Set<OrganisationID>,
                                 after cursor: Cursor?, limit: Int, database: Database, on db: any SQLDatabase) async throws -> [Property] {
        var q: SQLQueryString = "SELECT property.* FROM property"
        q += " WHERE property.organisation_id IN (\(binds: orgList(organisations)))"
        if !words.isEmpty {
            let source = database.fullTextSource(table: "property_search", groups: SearchDocument.addressGroups(words), organisations: orgStrings(organisations))
            q += " AND property.id IN (SELECT property_search.property_id FROM \(source))"
        }
        if let postcode { q += " AND property.postcode = \(bind: postcode.value)" }
        if let prefix = postcodePrefix {
            // A range, not LIKE, so the (organisation, postcode) index serves it: "BB11" covers "BB11 0AA" to "BB11 9ZZ".
            let outward = prefix.replacingOccurrences(of: "%", with: "")
            q += " AND property.postcode >= \(bind: outward) AND property.postcode < \(bind: outward + "~")"
        }
        if let uprn { q += " AND property.uprn = \(bind: uprn.value)" }
        if let cursor, cursor.key.count == 3 {
            let pc = cursor.key[0], u = Int64(cursor.key[1]) ?? 0, id = cursor.key[2]
            q += " AND (COALESCE(property.postcode, '') > \(bind: pc) OR (COALESCE(property.postcode, '') = \(bind: pc) AND (property.uprn > \(bind: u) OR (property.uprn = \(bind: u) AND property.id > \(bind: id)))))"
        }
        q += " ORDER BY COALESCE(property.postcode, ''), property.uprn, property.id LIMIT \(literal: limit)"
        return try await db.raw(q).all().map(decodeProperty)
    }

    static func decodeProperty(_ row: any SQLRow) throws -> Property {
        Property(id: try row.id("id"), organisationID: try row.id("organisation_id"), uprn: try UPRN(try row.int64("uprn")),
                 parentUPRN: try row.optionalInt64("parent_uprn").map { try UPRN($0) }, usrn: try row.optionalInt64("usrn").map { Int32($0) },
                 saon: try row.optionalString("saon"), paon: try row.optionalString("paon"), name: try row.optionalString("name"),
                 street: try row.optionalString("street"), locality: try row.optionalString("locality"), town: try row.optionalString("town"),
                 administrativeArea: try row.optionalString("administrative_area"),
                 postcode: try row.optionalString("postcode").map { Postcode(normalised: $0) },
                 latitude: try row.optionalDouble("latitude"), longitude: try row.optionalDouble("longitude"),
                 easting: try row.optionalDouble("easting"), northing: try row.optionalDouble("northing"),
                 councilTaxBand: try row.optionalString("council_tax_band"), rateableValue: try row.optionalInt64("rateable_value"),
                 createdAt: try row.timestamp("created_at"), version: try row.int("version"))
    }

    // MARK: Postcodes

    static func upsert(_ p: PostcodeRecord, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO postcode_directory (postcode, introduced, terminated, easting, northing, latitude, longitude, authority_gss, country)
            VALUES (\(bind: p.postcode.value), \(bind: p.introduced), \(bind: p.terminated), \(bind: p.easting), \(bind: p.northing),
                    \(bind: p.latitude), \(bind: p.longitude), \(bind: p.authorityGSS), \(bind: p.country))
            ON CONFLICT (postcode) DO UPDATE SET introduced = excluded.introduced, terminated = excluded.terminated, easting = excluded.easting,
                northing = excluded.northing, latitude = excluded.latitude, longitude = excluded.longitude,
                authority_gss = excluded.authority_gss, country = excluded.country
            """).run()
    }

    static func postcode(_ postcode: Postcode, on db: any SQLDatabase) async throws -> PostcodeRecord? {
        try await db.raw("SELECT * FROM postcode_directory WHERE postcode = \(bind: postcode.value)").first().map(decodePostcode)
    }

    /// The live postcode whose centroid is nearest a point, within about 2 km.
    static func nearestPostcode(latitude: Double, longitude: Double, on db: any SQLDatabase) async throws -> PostcodeRecord? {
        let rows = try await db.raw("""
            SELECT * FROM postcode_directory WHERE latitude BETWEEN \(bind: latitude - 0.02) AND \(bind: latitude + 0.02)
                AND longitude BETWEEN \(bind: longitude - 0.03) AND \(bind: longitude + 0.03) AND (terminated IS NULL OR terminated = '')
            """).all().map(decodePostcode)
        let scale = cos(latitude * .pi / 180)
        return rows.min { a, b in
            func d(_ r: PostcodeRecord) -> Double {
                let dy = (r.latitude ?? 0) - latitude, dx = ((r.longitude ?? 0) - longitude) * scale
                return dx * dx + dy * dy
            }
            return d(a) < d(b)
        }
    }

    /// Every organisation's record of a UPRN (for placing a report; addresses are not personal data), in a stable order.
    static func properties(uprn: UPRN, on db: any SQLDatabase) async throws -> [Property] {
        try await db.raw("SELECT * FROM property WHERE uprn = \(bind: uprn.value) ORDER BY organisation_id").all().map(decodeProperty)
    }

    static func decodePostcode(_ row: any SQLRow) throws -> PostcodeRecord {
            PostcodeRecord(postcode: Postcode(normalised: try row.string("postcode")), introduced: try row.optionalString("introduced"),
                           terminated: try row.optionalString("terminated"), easting: try row.optionalDouble("easting"),
                           northing: try row.optionalDouble("northing"), latitude: try row.optionalDouble("latitude"),
                           longitude: try row.optionalDouble("longitude"), authorityGSS: try row.optionalString("authority_gss"),
                           country: try row.optionalString("country"))
    }

    // MARK: People

    static func insert(_ p: Person, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO person (id, organisation_id, title, given_name, family_name, date_of_birth, preferred_channel, preferred_language,
                merged_into, created_at, updated_at, version)
            VALUES (\(bind: p.id.string), \(bind: p.organisationID.string), \(bind: p.title), \(bind: p.givenName), \(bind: p.familyName),
                \(bind: p.dateOfBirth?.description), \(bind: p.preferredChannel?.rawValue), \(bind: p.preferredLanguage), \(bind: p.mergedInto?.string),
                \(bind: p.createdAt.iso), \(bind: p.createdAt.iso), \(bind: p.version))
            """).run()
        // A new person has no search document to replace.
        try await db.raw("INSERT INTO person_search (person_id, organisation_id, document) VALUES (\(bind: p.id.string), \(bind: p.organisationID.string), \(bind: SearchDocument.person(p)))").run()
    }

    static func indexPerson(_ p: Person, on db: any SQLDatabase) async throws {
        if p.mergedInto != nil {
            try await db.raw("DELETE FROM person_search WHERE person_id = \(bind: p.id.string)").run()
        } else {
            try await Database.replaceSearchDocument(db, table: "person_search", key: "person_id", id: p.id.string,
                                                     organisation: p.organisationID, document: SearchDocument.person(p))
        }
    }

    /// Writes a changed person if nobody else changed it first; returns false when the version had moved on.
    static func update(_ p: Person, expectedVersion: Int, on db: any SQLDatabase) async throws -> Bool {
        let rows = try await db.raw("""
            UPDATE person SET title = \(bind: p.title), given_name = \(bind: p.givenName), family_name = \(bind: p.familyName),
                date_of_birth = \(bind: p.dateOfBirth?.description), preferred_channel = \(bind: p.preferredChannel?.rawValue),
                preferred_language = \(bind: p.preferredLanguage), merged_into = \(bind: p.mergedInto?.string),
                updated_at = \(bind: Timestamp.now.iso), version = \(bind: expectedVersion + 1)
            WHERE id = \(bind: p.id.string) AND version = \(bind: expectedVersion)
            RETURNING id
            """).all()
        if rows.isEmpty { return false }
        try await indexPerson(p, on: db)
        return true
    }

    static func person(id: PersonID, organisations: Set<OrganisationID>, on db: any SQLDatabase) async throws -> Person? {
        try await db.raw("SELECT * FROM person WHERE id = \(bind: id.string) AND organisation_id IN (\(binds: orgList(organisations)))").first().map(decodePerson)
    }

    static func people(ids: [String], on db: any SQLDatabase) async throws -> [Person] {
        guard !ids.isEmpty else { return [] }
        return try await db.raw("SELECT * FROM person WHERE id IN (\(binds: ids))").all().map(decodePerson)
    }

    static func decodePerson(_ row: any SQLRow) throws -> Person {
        Person(id: try row.id("id"), organisationID: try row.id("organisation_id"), title: try row.optionalString("title"),
               givenName: try row.string("given_name"), familyName: try row.string("family_name"), dateOfBirth: try row.optionalDate("date_of_birth"),
               preferredChannel: try row.optionalString("preferred_channel").flatMap(Channel.init(rawValue:)),
               preferredLanguage: try row.optionalString("preferred_language"), mergedInto: try row.optionalID("merged_into"),
               createdAt: try row.timestamp("created_at"), version: try row.int("version"))
    }

    /// Up to `limit` people matching full-text groups, with the name words of their search documents.
    static func personCandidates(groups: [[String]], organisations: Set<OrganisationID>, limit: Int, database: Database, on db: any SQLDatabase) async throws -> [PersonRanking.Candidate] {
        let source = database.fullTextSource(table: "person_search", groups: groups, organisations: orgStrings(organisations))
        return try await db.raw("SELECT person_search.person_id, person_search.document FROM \(source) LIMIT \(literal: limit)").all().map {
            PersonRanking.Candidate(id: try $0.string("person_id"), words: SearchDocument.nameWords(ofPersonDocument: try $0.string("document")))
        }
    }

    /// Search candidates for people found another way (by phone, email, address), still scoped and excluding merged records.
    static func personCandidates(ids: [String], organisations: Set<OrganisationID>, on db: any SQLDatabase) async throws -> [PersonRanking.Candidate] {
        guard !ids.isEmpty else { return [] }
        return try await db.raw("""
            SELECT person_id, document FROM person_search WHERE person_id IN (\(binds: ids)) AND organisation_id IN (\(binds: orgList(organisations)))
            """).all().map { PersonRanking.Candidate(id: try $0.string("person_id"), words: SearchDocument.nameWords(ofPersonDocument: try $0.string("document"))) }
    }

    static func personIDs(contactValue value: String, organisations: Set<OrganisationID>, on db: any SQLDatabase) async throws -> [String] {
        try await db.raw("SELECT DISTINCT person_id FROM contact_point WHERE value = \(bind: value) AND organisation_id IN (\(binds: orgList(organisations))) LIMIT \(literal: Register.candidateLimit)")
            .all().map { try $0.string("person_id") }
    }

    /// People living (now) at properties with a postcode, in a postcode district or sector (`outward` prefix), or at a UPRN.
    static func personIDs(atPostcode postcode: String?, outward: String? = nil, uprn: UPRN?, organisations: Set<OrganisationID>, on db: any SQLDatabase) async throws -> [String] {
        var q: SQLQueryString = "SELECT DISTINCT residence.person_id FROM residence JOIN property ON property.id = residence.property_id WHERE residence.to_date IS NULL AND residence.organisation_id IN (\(binds: orgList(organisations)))"
        if let postcode { q += " AND property.postcode = \(bind: postcode)" }
        if let outward { q += " AND property.postcode >= \(bind: outward) AND property.postcode < \(bind: outward + "~")" }
        if let uprn { q += " AND property.uprn = \(bind: uprn.value)" }
        q += " LIMIT \(literal: Register.candidateLimit)"
        return try await db.raw(q).all().map { try $0.string("person_id") }
    }

    // MARK: Contacts, residences, households

    static func insert(_ c: ContactPoint, person: Person, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO contact_point (id, organisation_id, person_id, kind, value, preferred, created_at)
            VALUES (\(bind: PersonID().string), \(bind: person.organisationID.string), \(bind: person.id.string), \(bind: c.kind.rawValue),
                    \(bind: c.value), \(bind: c.preferred ? 1 : 0), \(bind: Timestamp.now.iso))
            """).run()
    }

    static func contacts(person: PersonID, on db: any SQLDatabase) async throws -> [ContactPoint] {
        try await db.raw("SELECT kind, value, preferred FROM contact_point WHERE person_id = \(bind: person.string) ORDER BY kind, value").all().map {
            ContactPoint(kind: ContactPointKind(rawValue: try $0.string("kind")) ?? .phone, value: try $0.string("value"), preferred: try $0.flag("preferred"))
        }
    }

    static func residences(person: PersonID, on db: any SQLDatabase) async throws -> [Residence] {
        let rows = try await db.raw("""
            SELECT residence.property_id, residence.from_date, residence.to_date, property.* FROM residence
            JOIN property ON property.id = residence.property_id WHERE residence.person_id = \(bind: person.string)
            ORDER BY residence.from_date
            """).all()
        return try rows.map { row in
            let property = try decodeProperty(row)
            return Residence(propertyID: property.id, uprn: property.uprn, from: try LocalDate(parsing: try row.string("from_date"), field: "from"),
                             to: try row.optionalDate("to_date"), address: property.singleLine)
        }
    }

    /// The current address of each person, in one query.
    static func currentAddresses(people: [PersonID], on db: any SQLDatabase) async throws -> [PersonID: String] {
        guard !people.isEmpty else { return [:] }
        let rows = try await db.raw("""
            SELECT residence.person_id AS resident_id, property.* FROM residence JOIN property ON property.id = residence.property_id
            WHERE residence.to_date IS NULL AND residence.person_id IN (\(binds: people.map(\.string)))
            """).all()
        var result: [PersonID: String] = [:]
        for row in rows { result[try row.id("resident_id")] = try decodeProperty(row).singleLine }
        return result
    }

    static func replaceResidences(person: Person, with history: [Residence], on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM residence WHERE person_id = \(bind: person.id.string)").run()
        for r in history {
            try await db.raw("""
                INSERT INTO residence (id, organisation_id, person_id, property_id, from_date, to_date)
                VALUES (\(bind: PersonID().string), \(bind: person.organisationID.string), \(bind: person.id.string), \(bind: r.propertyID.string),
                        \(bind: r.from.description), \(bind: r.to?.description))
                """).run()
        }
    }

    /// People at a property over time, with their spells.
    static func occupants(property: PropertyID, organisations: Set<OrganisationID>, on db: any SQLDatabase) async throws -> [(Person, Residence)] {
        let rows = try await db.raw("""
            SELECT person.*, residence.from_date, residence.to_date FROM residence JOIN person ON person.id = residence.person_id
            WHERE residence.property_id = \(bind: property.string) AND person.organisation_id IN (\(binds: orgList(organisations)))
            ORDER BY residence.to_date IS NOT NULL, residence.from_date DESC
            """).all()
        return try rows.compactMap { row in
            let person = try decodePerson(row)
            return (person, Residence(propertyID: property, uprn: try UPRN(1), from: try LocalDate(parsing: try row.string("from_date"), field: "from"),
                                      to: try row.optionalDate("to_date"), address: nil))
        }
    }

    static func insert(_ h: Household, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO household (id, organisation_id, property_id, name, created_at)
            VALUES (\(bind: h.id.string), \(bind: h.organisationID.string), \(bind: h.propertyID.string), \(bind: h.name), \(bind: h.createdAt.iso))
            """).run()
        for m in h.members { try await insert(member: m, household: h, on: db) }
    }

    static func insert(member m: Household.Member, household h: Household, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO household_member (id, organisation_id, household_id, person_id, relationship, joined_on, left_on)
            VALUES (\(bind: PersonID().string), \(bind: h.organisationID.string), \(bind: h.id.string), \(bind: m.personID.string),
                    \(bind: m.relationship), \(bind: m.joinedOn.description), \(bind: m.leftOn?.description))
            """).run()
    }

    static func households(person: PersonID, on db: any SQLDatabase) async throws -> [Household] {
        let ids = try await db.raw("SELECT DISTINCT household_id FROM household_member WHERE person_id = \(bind: person.string)").all().map { try $0.string("household_id") }
        var result: [Household] = []
        for id in ids { if let h = try await household(id: id, on: db) { result.append(h) } }
        return result
    }

    static func household(id: String, on db: any SQLDatabase) async throws -> Household? {
        guard let row = try await db.raw("SELECT * FROM household WHERE id = \(bind: id)").first() else { return nil }
        let members = try await db.raw("""
            SELECT household_member.*, person.given_name, person.family_name FROM household_member
            JOIN person ON person.id = household_member.person_id WHERE household_id = \(bind: id) ORDER BY joined_on, person.family_name
            """).all().map { m in
            Household.Member(personID: try m.id("person_id"), name: "\(try m.string("given_name")) \(try m.string("family_name"))",
                             relationship: try m.optionalString("relationship"),
                             joinedOn: try LocalDate(parsing: try m.string("joined_on"), field: "joined_on"), leftOn: try m.optionalDate("left_on"))
        }
        return Household(id: try row.id("id"), organisationID: try row.id("organisation_id"), propertyID: try row.id("property_id"),
                         name: try row.string("name"), members: members, createdAt: try row.timestamp("created_at"))
    }

    static func moveRecords(from duplicate: PersonID, to survivor: Person, on db: any SQLDatabase) async throws {
        let existing = Set(try await contacts(person: survivor.id, on: db).map { "\($0.kind.rawValue):\($0.value)" })
        for c in try await contacts(person: duplicate, on: db) where !existing.contains("\(c.kind.rawValue):\(c.value)") {
            try await insert(c, person: survivor, on: db)
        }
        try await db.raw("UPDATE household_member SET person_id = \(bind: survivor.id.string) WHERE person_id = \(bind: duplicate.string)").run()
    }

    static func recordMerge(survivor: PersonID, merged: PersonID, organisation: OrganisationID, by label: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO person_merge (id, organisation_id, survivor_id, merged_id, merged_at, merged_by)
            VALUES (\(bind: PersonID().string), \(bind: organisation.string), \(bind: survivor.string), \(bind: merged.string), \(bind: Timestamp.now.iso), \(bind: label))
            """).run()
    }

    static func merges(involving person: PersonID, on db: any SQLDatabase) async throws -> [[String: String]] {
        try await db.raw("SELECT * FROM person_merge WHERE survivor_id = \(bind: person.string) OR merged_id = \(bind: person.string) ORDER BY merged_at").all().map {
            ["survivor_id": try $0.string("survivor_id"), "merged_id": try $0.string("merged_id"), "merged_at": try $0.string("merged_at"), "merged_by": try $0.string("merged_by")]
        }
    }

    /// People in the same organisation who might be the same person: same date of birth, same family-name sound, or a shared contact.
    static func duplicateCandidates(of p: Person, on db: any SQLDatabase) async throws -> [(Person, Int)] {
        var ids = Set<String>()
        if let dob = p.dateOfBirth {
            ids.formUnion(try await db.raw("SELECT id FROM person WHERE organisation_id = \(bind: p.organisationID.string) AND date_of_birth = \(bind: dob.description) AND merged_into IS NULL AND id <> \(bind: p.id.string) LIMIT 200").all().map { try $0.string("id") })
        }
        let contacts = try await contacts(person: p.id, on: db)
        var shared: [String: Int] = [:]
        for c in contacts {
            for id in try await db.raw("SELECT DISTINCT person_id FROM contact_point WHERE organisation_id = \(bind: p.organisationID.string) AND value = \(bind: c.value) AND person_id <> \(bind: p.id.string)").all().map({ try $0.string("person_id") }) {
                shared[id, default: 0] += 1
                ids.insert(id)
            }
        }
        let people = try await RegisterStore.people(ids: Array(ids), on: db).filter { $0.mergedInto == nil }
        return people.map { ($0, shared[$0.id.string] ?? 0) }
    }
}
