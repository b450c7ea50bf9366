import Testing
@testable import TownhallKernel

/// The cases in shared/reference/uk_standards.md §2, and our decisions on each.
@Suite struct PostcodeTests {
    @Test(arguments: ["GIR 0AA", "SW1A 1AA", "EC1A 1BB", "W1A 0AX", "M1 1AE", "CR2 6XH", "DN55 1PT", "BX1 1LT", "GX11 1AA", "JE2 4WD", "BT1 1AA", "AB1 0AA"])
    func acceptsWellFormedPostcodes(_ raw: String) throws {
        #expect(try Postcode(raw).value == raw)
    }

    @Test(arguments: [("sw1a1aa", "SW1A 1AA"), ("SW1A1AA", "SW1A 1AA"), ("  bb11 2bd ", "BB11 2BD"), ("GL10 2Ng", "GL10 2NG"), ("B495HJ", "B49 5HJ"), ("se2 9fa", "SE2 9FA")])
    func normalisesCaseAndSpacing(_ raw: String, _ expected: String) throws {
        #expect(try Postcode(raw).value == expected)
    }

    @Test(arguments: ["BFPO 1234", "ASCN 1ZZ", "STHL 1ZZ", "TDCU 1ZZ", "BIQQ 1ZZ", "FIQQ 1ZZ", "PCRN 1ZZ", "SIQQ 1ZZ", "TKCA 1ZZ",
                      "XM4 5HQ", "ZZ99 3VZ", "QA1 1AA", "n/a - mobile", "SW1A 1A", "12345", "SW1A 1AA'; DROP TABLE person;--", "V1 1AA", "EC1A 1BC"])
    func refusesWithAReason(_ raw: String) {
        #expect {
            try Postcode(raw)
        } throws: { error in
            guard let e = error as? TownhallError else { return false }
            return e.kind == .invalid && e.field == "postcode" && !e.message.isEmpty
        }
    }

    @Test func emptyIsMissingNotInvalid() {
        #expect(throws: TownhallError.missing("postcode")) { try Postcode("   ") }
    }

    @Test func outwardAndSector() throws {
        let p = try Postcode("BB11 2BD")
        #expect(p.outward == "BB11")
        #expect(p.sector == "BB11 2")
    }
}

@Suite struct UPRNTests {
    @Test(arguments: [("100012839343", Int64(100_012_839_343)), ("1", 1), (" 10070375937 ", 10_070_375_937), ("999999999999", 999_999_999_999)])
    func parsesDigits(_ raw: String, _ value: Int64) throws {
        #expect(try UPRN(parsing: raw).value == value)
    }

    /// Values seen in the real library sample: text, letters, too many digits, zero.
    @Test(arguments: ["N/A", "A00340", "N3472345020", "1000128393431", "10001283934312345", "0", "-5", "12.5", "1e9"])
    func refusesDirtyValues(_ raw: String) {
        #expect(throws: TownhallError.self) { try UPRN(parsing: raw) }
    }

    @Test func explainsTooManyDigits() {
        do { _ = try UPRN(parsing: "10001283934312345"); Issue.record("accepted") } catch let e as TownhallError {
            #expect(e.code == "invalid_uprn")
            #expect(e.message.contains("12 digits"))
        } catch { Issue.record("\(error)") }
    }
}

@Suite struct LocalDateTests {
    @Test func parsesAndPrints() throws {
        let d = try LocalDate(parsing: "2024-02-29", field: "date_of_birth")
        #expect(d.description == "2024-02-29")
    }

    @Test(arguments: ["2023-02-29", "2024-13-01", "24-01-01", "2024/01/01", "yesterday", "2024-1-1", ""])
    func refusesNonDates(_ raw: String) {
        #expect(throws: TownhallError.self) { try LocalDate(parsing: raw, field: "d") }
    }

    @Test func countsWholeYears() throws {
        let born = try LocalDate(year: 1984, month: 3, day: 27)
        #expect(born.years(until: try LocalDate(year: 2026, month: 3, day: 26)) == 41)
        #expect(born.years(until: try LocalDate(year: 2026, month: 3, day: 27)) == 42)
    }
}

@Suite struct ContactPointTests {
    @Test(arguments: [("07700 900982", "07700900982"), ("+44 7700 900982", "07700900982"), ("0044 (0)1632 960001".replacingOccurrences(of: "(0)", with: ""), "01632960001"),
                      ("01632-960-001", "01632960001")])
    func normalisesUKPhones(_ raw: String, _ expected: String) throws {
        #expect(try ContactPointRules.phone(raw, field: "phone") == expected)
    }

    @Test(arguments: ["123", "+1 202 555 0100", "07700 9009820000", "call me", "7700900982"])
    func refusesNonUKPhones(_ raw: String) {
        #expect(throws: TownhallError.self) { try ContactPointRules.phone(raw, field: "phone") }
    }

    @Test func emailsAreLowerCasedAndChecked() throws {
        #expect(try ContactPointRules.email(" Jo.Bloggs@Example.COM ", field: "email") == "jo.bloggs@example.com")
        for bad in ["jo", "jo@", "@example.com", "jo@example", "jo bloggs@example.com", "a@b@c.com"] {
            #expect(throws: TownhallError.self) { try ContactPointRules.email(bad, field: "email") }
        }
    }
}

@Suite struct CursorTests {
    @Test func roundTrips() throws {
        let c = Cursor(key: ["0.85", "f6a2db8c-df97-8088-95ef-e57fee05aabd"])
        #expect(try Cursor(token: c.token) == c)
        #expect(!c.token.contains("="))
    }

    @Test(arguments: ["", "not-a-cursor", "W10", String(repeating: "a", count: 3000)])
    func refusesForgedCursors(_ token: String) {
        #expect(throws: TownhallError.self) { try Cursor(token: token) }
    }

    @Test func pageSizeBounds() throws {
        #expect(try PageSize(nil).value == 50)
        #expect(try PageSize("200").value == 200)
        for bad in ["0", "201", "-1", "ten", "1.5"] { #expect(throws: TownhallError.self) { try PageSize(bad) } }
    }
}

@Suite struct NameMatchingTests {
    @Test(arguments: [("Robert", "R163"), ("Rupert", "R163"), ("Tymczak", "T522"), ("Pfister", "P236"), ("Ashcraft", "A261"), ("Smith", "S530"), ("Smyth", "S530"), ("John", "J500"), ("Jon", "J500")])
    func soundexMatchesTheCensusRules(_ name: String, _ code: String) {
        #expect(NameMatching.soundex(name) == code)
    }

    @Test func tokensFoldCaseAccentsAndApostrophes() {
        #expect(NameMatching.tokens("Zoë O'Brien-Smith") == ["zoe", "obrien", "smith"])
    }

    @Test func editDistance() {
        #expect(NameMatching.editDistance("smith", "smyth") == 1)
        #expect(NameMatching.editDistance("jones", "joens") == 2)
        #expect(NameMatching.editDistance("", "abc") == 3)
    }

    @Test func exactBeatsPrefixBeatsTypoBeatsSound() {
        let exact = NameMatching.wordScore(query: "smith", name: "smith")
        let prefix = NameMatching.wordScore(query: "smi", name: "smith")
        let typo = NameMatching.wordScore(query: "smyth", name: "smith")
        let sound = NameMatching.wordScore(query: "smoothe", name: "smith")
        #expect(exact > prefix && prefix > typo && typo > sound && sound > 0)
        #expect(NameMatching.wordScore(query: "patel", name: "smith") == 0)
    }

    @Test func everyWordMustMatch() {
        #expect(NameMatching.score(query: ["john", "smith"], name: ["john", "smith"]) == 1)
        #expect(NameMatching.score(query: ["john", "patel"], name: ["john", "smith"]) == 0)
    }
}

@Suite struct PermissionTests {
    static let read = Permission("thing.read"), write = Permission("thing.write"), secret = Permission("thing.secret")
    static let catalogue = PermissionCatalogue(
        grants: [PermissionGrant(read, "Read things.", roles: Set(Role.allCases)), PermissionGrant(write, "Change things.", roles: [.agent, .manager]),
                 PermissionGrant(secret, "Read secrets.", roles: [.safeguardingOfficer], machineGrantable: false)],
        scopes: [ScopeGrant(APIScope("thing:read"), "Read.", permissions: [read]), ScopeGrant(APIScope("thing:secret"), "Secrets.", permissions: [secret]),
                 ScopeGrant(APIScope("admin"), "All.", permissions: nil)])

    @Test func rolesHoldWhatTheAreasGrantThem() {
        #expect(Self.catalogue.permissions(for: [.agent]) == [Self.read, Self.write])
        #expect(Self.catalogue.permissions(for: [.auditor]) == [Self.read])
        #expect(Self.catalogue.permissions(for: [.auditor, .safeguardingOfficer]) == [Self.read, Self.secret])
        #expect(Self.catalogue.permissions(for: Set<Role>()) == [])
    }

    @Test func noKeyCarriesAPermissionOnlyPeopleMayHold() throws {
        #expect(Self.catalogue.permissions(for: [APIScope("admin")]) == [Self.read, Self.write])
        #expect(Self.catalogue.permissions(for: [APIScope("thing:secret")]) == [])
        #expect(try Self.catalogue.scope(parsing: " Thing:Read ") == APIScope("thing:read"))
        let error = #expect(throws: TownhallError.self) { try Self.catalogue.scope(parsing: "things:write") }
        #expect(error?.field == "scope" && error?.message.contains("thing:read, thing:secret, admin") == true)
    }

    @Test func thePlatformItselfMayDoAnything() throws {
        let system = Actor.system(OrganisationID(), "job")
        #expect(system.may(Self.secret) && system.may(Permission("anything.at.all")))
        #expect(throws: Never.self) { try system.require(Self.write) }
    }

    @Test func requireNamesThePermission() {
        let actor = Actor(organisationID: OrganisationID(), principal: .staff(id: StaffID(), username: "t"), permissions: [Self.read], channel: .web)
        let error = #expect(throws: TownhallError.self) { try actor.require(Self.write) }
        #expect(error?.message.contains("thing.write") == true)
        #expect(throws: Never.self) { try actor.require(Self.read) }
    }
}

@Suite struct RankingTests {
    @Test func aSpellingVariantBeatsALongerNameWithTheSamePrefix() {
        let john = NameMatching.score(query: ["jon", "smyth"], name: ["john", "smith"])
        let jonathan = NameMatching.score(query: ["jon", "smyth"], name: ["jonathan", "smith"])
        #expect(john > jonathan)
    }
}
