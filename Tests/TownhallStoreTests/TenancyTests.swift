import Foundation
import SQLKit
import TownhallDatabase
import Testing
import Audit
import Partnership
import Register
import TownhallKernel
import TownhallTesting

@Suite struct TenancyTests {
    @Test func noOrganisationSeesAnothersPeopleWithoutAnAgreement() async throws {
        try await Scenario.run { s in
            // setup
            try await s.property(100_012_536_898, "1", "Grimshaw Street", postcode: "BB11 2BD", in: s.burnleyAgent)
            let burnleyPerson = try await s.person("Amira", "Hussain", born: "1980-05-01", uprn: 100_012_536_898, phone: "07700 900001", by: s.burnleyAgent)
            let pendlePerson = try await s.person("Amira", "Hussain", born: "1975-02-02", by: s.pendleAgent)

            // act
            let seenByBurnley = try await s.register.searchPeople(q: "Amira Hussain", after: nil, limit: PageSize(value: 50), by: s.actor(s.burnleyAgent))
            let seenByPendle = try await s.register.searchPeople(q: "Amira Hussain", after: nil, limit: PageSize(value: 50), by: s.actor(s.pendleAgent))
            let seenByPolice = try await s.register.searchPeople(q: "Amira Hussain", after: nil, limit: PageSize(value: 50), by: s.actor(s.policeAgent))

            // assert: each council sees only its own; the police see Burnley's under the agreement, never Pendle's
            #expect(seenByBurnley.items.map(\.person.id) == [burnleyPerson.id])
            #expect(seenByPendle.items.map(\.person.id) == [pendlePerson.id])
            #expect(seenByPolice.items.map(\.person.id) == [burnleyPerson.id])
            await #expect(throws: TownhallError.notFound("Person \(pendlePerson.id)")) {
                try await s.register.person(id: pendlePerson.id, by: s.actor(s.burnleyAgent))
            }
            // every lookup path is scoped, not just the name search
            for q in ["07700900001", "BB11 2BD", "100012536898"] {
                #expect(try await s.register.searchPeople(q: q, after: nil, limit: PageSize(value: 50), by: s.actor(s.pendleAgent)).items.isEmpty)
                #expect(try await s.register.searchPeople(q: q, after: nil, limit: PageSize(value: 50), by: s.actor(s.policeAgent)).items.count == 1)
            }
        }
    }

    @Test func partnersCannotWriteToAnotherOrganisationsRecords() async throws {
        try await Scenario.run { s in
            let person = try await s.person("Kate", "Ashworth", by: s.burnleyAgent)
            // The police may read Burnley's record under the agreement, but not change it.
            _ = try await s.register.person(id: person.id, by: s.actor(s.policeAgent))
            await #expect(throws: TownhallError.self) {
                try await s.register.updatePerson(id: person.id, changes: .init(familyName: "Changed"), version: 1, by: s.actor(s.policeAgent))
            }
            let reread = try await s.register.person(id: person.id, by: s.actor(s.burnleyAgent)).person
            #expect(reread.familyName == "Ashworth")
        }
    }

    @Test func anExpiredOrRevokedAgreementStopsSharing() async throws {
        try await Scenario.run { s in
            let person = try await s.person("Tom", "Booth", by: s.burnleyAgent)
            let agreements = try await s.partnership.agreements(for: s.actor(s.burnleyAdmin))
            try await s.partnership.revokeAgreement(agreements[0].id, by: s.actor(s.burnleyAdmin))
            await #expect(throws: TownhallError.self) { try await s.register.person(id: person.id, by: s.actor(s.policeAgent)) }
        }
    }

    @Test func sharingPolicyHonoursDatesCategoriesAndDirection() throws {
        let a = OrganisationID(), b = OrganisationID(), c = OrganisationID()
        let agreement = SharingAgreement(providerID: a, recipientID: b, categories: [.contactDetails], legalBasis: "Care Act 2014 s.6",
                                         startsOn: try LocalDate(year: 2026, month: 4, day: 1), expiresOn: try LocalDate(year: 2027, month: 3, day: 31))
        let inForce = try LocalDate(year: 2026, month: 11, day: 22)
        #expect(SharingPolicy.visibleOrganisations(viewer: b, category: .contactDetails, on: inForce, agreements: [agreement]) == [a, b])
        #expect(SharingPolicy.visibleOrganisations(viewer: b, category: .safeguarding, on: inForce, agreements: [agreement]) == [b])
        #expect(SharingPolicy.visibleOrganisations(viewer: a, category: .contactDetails, on: inForce, agreements: [agreement]) == [a])
        #expect(SharingPolicy.visibleOrganisations(viewer: c, category: .contactDetails, on: inForce, agreements: [agreement]) == [c])
        #expect(SharingPolicy.visibleOrganisations(viewer: b, category: .contactDetails, on: try LocalDate(year: 2027, month: 3, day: 31), agreements: [agreement]) == [a, b])
        #expect(SharingPolicy.visibleOrganisations(viewer: b, category: .contactDetails, on: try LocalDate(year: 2027, month: 4, day: 1), agreements: [agreement]) == [b])
        #expect(SharingPolicy.visibleOrganisations(viewer: b, category: .contactDetails, on: try LocalDate(year: 2026, month: 3, day: 31), agreements: [agreement]) == [b])
    }

    @Test func agreementsNeedALegalBasisAndOnlyTheProviderGrantsThem() async throws {
        try await Scenario.run { s in
            let start = try LocalDate(year: 2026, month: 1, day: 1), end = try LocalDate(year: 2027, month: 1, day: 1)
            await #expect(throws: TownhallError.self) {
                try await s.partnership.createAgreement(provider: s.burnley.id, recipientSlug: "pendle", categories: [.cases], legalBasis: "because",
                                                        startsOn: start, expiresOn: end, by: s.actor(s.burnleyAdmin))
            }
            // Pendle cannot grant itself Burnley's data.
            await #expect(throws: TownhallError.self) {
                try await s.partnership.createAgreement(provider: s.burnley.id, recipientSlug: "pendle", categories: [.cases], legalBasis: "Local Government Act 1972 s.101",
                                                        startsOn: start, expiresOn: end, by: s.actor(s.pendleAgent))
            }
            #expect(try await s.partnership.agreements(for: s.actor(s.pendleAgent)).isEmpty)
        }
    }
}

@Suite struct EngineTests {
    /// The PostgreSQL pass of CI sets TOWNHALL_TEST_DATABASE_URL; this proves the suite really ran there.
    @Test func runsOnTheConfiguredEngine() async throws {
        try await Scenario.run { s in
            #expect(s.database.engine == TestDatabase.engineUnderTest)
            let version = try await s.database.read { db -> String in
                let sql: SQLQueryString = s.database.engine == .sqlite ? "SELECT sqlite_version() AS v" : "SELECT version() AS v"
                return try await db.raw(sql).first()!.string("v")
            }
            #expect(!version.isEmpty)
        }
    }
}
