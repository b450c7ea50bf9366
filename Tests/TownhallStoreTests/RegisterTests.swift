import Foundation
import Testing
import Audit
import Register
import TownhallKernel
import TownhallTesting

@Suite struct SearchTests {
    @Test func rankedTypoTolerantNameSearch() async throws {
        try await Scenario.run { s in
            let john = try await s.person("John", "Smith", born: "1970-01-01", by: s.burnleyAgent)
            let jon = try await s.person("Jon", "Smyth", born: "1971-01-01", by: s.burnleyAgent)
            let johnny = try await s.person("Johnny", "Smithson", born: "1972-01-01", by: s.burnleyAgent)
            _ = try await s.person("Jane", "Patel", by: s.burnleyAgent)

            let results = try await s.register.searchPeople(q: "john smith", after: nil, limit: PageSize(value: 10), by: s.actor(s.burnleyAgent))
            // exact first, then the prefixes (Johnny Smithson), then the spelling variants (Jon Smyth); Jane Patel not at all
            #expect(results.items.map(\.person.id) == [john.id, johnny.id, jon.id])
            #expect(results.items[0].score == 1)
            #expect(zip(results.items, results.items.dropFirst()).allSatisfy { $0.score >= $1.score })

            let typo = try await s.register.searchPeople(q: "Smtih", after: nil, limit: PageSize(value: 10), by: s.actor(s.burnleyAgent))
            #expect(typo.items.first?.person.id == john.id)
        }
    }

    @Test func searchesByEveryKindOfKey() async throws {
        try await Scenario.run { s in
            try await s.property(10_003_512_066, "3", "Jubilee Street", postcode: "BB10 2JD", in: s.burnleyAgent)
            let p = try await s.person("Grace", "Greenwood", uprn: 10_003_512_066, phone: "01632 960 123", email: "Grace.G@example.com", by: s.burnleyAgent)
            for q in ["grace.g@EXAMPLE.com", "01632960123", "+44 1632 960123", "bb10 2jd", "BB10", "10003512066", "greenwod"] {
                let found = try await s.register.searchPeople(q: q, after: nil, limit: PageSize(value: 10), by: s.actor(s.burnleyAgent))
                #expect(found.items.map(\.person.id) == [p.id], "search for \(q)")
                #expect(found.items.first?.currentAddress?.contains("BB10 2JD") == true)
            }
        }
    }

    @Test func pagesThroughRankedResultsWithoutRepeats() async throws {
        try await Scenario.run { s in
            for i in 0..<9 { _ = try await s.person(["Ann", "Anne", "Anna"][i % 3], "Haworth", born: "19\(50 + i)-01-01", by: s.burnleyAgent) }
            var seen: [PersonID] = [], cursor: Cursor? = nil
            repeat {
                let page = try await s.register.searchPeople(q: "ann haworth", after: cursor, limit: PageSize(value: 4), by: s.actor(s.burnleyAgent))
                seen += page.items.map(\.person.id)
                cursor = page.next
            } while cursor != nil
            #expect(seen.count == 9 && Set(seen).count == 9)
        }
    }

    /// Page 1 is filled by exact matches alone (the fuzzy search is skipped); later pages must carry on into the
    /// spelling variants in the same order, with nothing repeated or lost at the boundary.
    @Test func pagingAcrossTheExactAndFuzzyTiersKeepsOneOrder() async throws {
        try await Scenario.run { s in
            for i in 0..<6 { _ = try await s.person("Ann", "Haworth", born: "19\(60 + i)-02-02", by: s.burnleyAgent) }
            for i in 0..<3 { _ = try await s.person("Anne", "Haworth", born: "19\(70 + i)-03-03", by: s.burnleyAgent) }
            var scores: [Double] = [], ids: [PersonID] = [], cursor: Cursor? = nil
            repeat {
                let page = try await s.register.searchPeople(q: "ann haworth", after: cursor, limit: PageSize(value: 4), by: s.actor(s.burnleyAgent))
                scores += page.items.map(\.score)
                ids += page.items.map(\.person.id)
                cursor = page.next
            } while cursor != nil
            #expect(ids.count == 9 && Set(ids).count == 9)
            #expect(scores == scores.sorted(by: >))
            #expect(scores.prefix(6).allSatisfy { $0 == 1 } && scores.suffix(3).allSatisfy { $0 < 1 })
        }
    }

    @Test(arguments: ["", "   ", "!!!", String(repeating: "a", count: 201)])
    func refusesSearchesThatCannotMatch(_ q: String) async throws {
        try await Scenario.run { s in
            await #expect(throws: TownhallError.self) { try await s.register.searchPeople(q: q, after: nil, limit: PageSize(value: 10), by: s.actor(s.burnleyAgent)) }
        }
    }

    @Test func searchTextCannotInjectQuerySyntax() async throws {
        try await Scenario.run { s in
            _ = try await s.person("Robert", "Tables", by: s.burnleyAgent)
            for q in ["Robert'); DROP TABLE person;--", "robert OR 1=1", "\"robert\"*", "robert NEAR tables", "tables:*"] {
                let found = try await s.register.searchPeople(q: q, after: nil, limit: PageSize(value: 10), by: s.actor(s.burnleyAgent))
                #expect(found.items.count <= 1, "query \(q)")
            }
            let still = try await s.register.searchPeople(q: "robert tables", after: nil, limit: PageSize(value: 10), by: s.actor(s.burnleyAgent))
            #expect(still.items.count == 1)
        }
    }

    @Test func propertiesPageInPostcodeOrder() async throws {
        try await Scenario.run { s in
            for n in 1...7 { try await s.property(200_000_000 + Int64(n), "\(n)", "Mill Lane", postcode: n % 2 == 0 ? "BB11 4NW" : "BB10 3JX", in: s.burnleyAgent) }
            var all: [Property] = [], cursor: Cursor? = nil
            repeat {
                let page = try await s.register.searchProperties(q: "mill lane", postcode: nil, uprn: nil, after: cursor, limit: PageSize(value: 3), by: s.actor(s.burnleyAgent))
                all += page.items
                cursor = page.next
            } while cursor != nil
            #expect(all.count == 7)
            #expect(all.map { $0.postcode!.value } == all.map { $0.postcode!.value }.sorted())
            #expect(try await s.register.searchProperties(q: "mill lane", postcode: nil, uprn: nil, after: nil, limit: PageSize(value: 10), by: s.actor(s.pendleAgent)).items.isEmpty)
        }
    }
}

@Suite struct PersonLifecycleTests {
    @Test func aStaleVersionIsAConflictAndChangesNothing() async throws {
        try await Scenario.run { s in
            let p = try await s.person("Lee", "Chen", by: s.burnleyAgent)
            _ = try await s.register.updatePerson(id: p.id, changes: .init(preferredLanguage: "Cantonese"), version: 1, by: s.actor(s.burnleyAgent))
            await #expect(throws: TownhallError.self) {
                try await s.register.updatePerson(id: p.id, changes: .init(familyName: "Chan"), version: 1, by: s.actor(s.burnleyAgent))
            }
            let now = try await s.register.person(id: p.id, by: s.actor(s.burnleyAgent)).person
            #expect(now.familyName == "Chen" && now.preferredLanguage == "Cantonese" && now.version == 2)
        }
    }

    @Test func invalidInputChangesNothing() async throws {
        try await Scenario.run { s in
            await #expect(throws: TownhallError.self) {
                try await s.register.createPerson(PersonInput(givenName: "Sam", familyName: "Lee", contacts: [.init(kind: "phone", value: "07700 900111"), .init(kind: "email", value: "not-an-email")]),
                                                  by: s.actor(s.burnleyAgent))
            }
            await #expect(throws: TownhallError.self) {
                // valid person, unknown UPRN: the whole write is rolled back
                try await s.register.createPerson(PersonInput(givenName: "Sam", familyName: "Lee", contacts: [.init(kind: "phone", value: "07700 900111")], uprn: 123456),
                                                  by: s.actor(s.burnleyAgent))
            }
            let byName = try await s.register.searchPeople(q: "sam lee", after: nil, limit: PageSize(value: 5), by: s.actor(s.burnleyAgent))
            let byPhone = try await s.register.searchPeople(q: "07700900111", after: nil, limit: PageSize(value: 5), by: s.actor(s.burnleyAgent))
            #expect(byName.items.isEmpty && byPhone.items.isEmpty)
        }
    }

    @Test func movesKeepTheAddressHistory() async throws {
        try await Scenario.run { s in
            try await s.property(300_000_001, "1", "Old Street", postcode: "BB11 2BD", in: s.burnleyAgent)
            try await s.property(300_000_002, "2", "New Street", postcode: "BB10 1JD", in: s.burnleyAgent)
            let p = try await s.person("Ruby", "Ingham", uprn: 300_000_001, by: s.burnleyAgent)
            let history = try await s.register.recordMove(person: p.id, uprn: try UPRN(300_000_002), from: try LocalDate(year: 2024, month: 6, day: 1), to: nil, by: s.actor(s.burnleyAgent))
            #expect(history.count == 2)
            #expect(history[0].to == (try LocalDate(year: 2024, month: 6, day: 1)))
            #expect(history[1].isCurrent && history[1].uprn.value == 300_000_002)
            // An overlapping closed spell is refused.
            await #expect(throws: TownhallError.self) {
                try await s.register.recordMove(person: p.id, uprn: try UPRN(300_000_001), from: try LocalDate(year: 2022, month: 1, day: 1),
                                                to: try LocalDate(year: 2023, month: 1, day: 1), by: s.actor(s.burnleyAgent))
            }
        }
    }

    @Test func duplicatesAreFoundAndMergedKeepingBothHistories() async throws {
        try await Scenario.run { s in
            try await s.property(400_000_001, "5", "Church Street", postcode: "BB11 2BD", in: s.burnleyAgent)
            let a = try await s.person("Margaret", "Jones", born: "1950-03-04", uprn: 400_000_001, phone: "07700 900500", by: s.burnleyAgent)
            let b = try await s.person("Margaret", "Joens", born: "1950-03-04", email: "mjones@example.com", by: s.burnleyAgent)
            _ = try await s.person("Margaret", "Jones", born: "1961-07-07", by: s.burnleyAgent)

            let candidates = try await s.register.duplicates(of: a.id, by: s.actor(s.burnleyAgent))
            #expect(candidates.map(\.person.id) == [b.id])
            #expect(candidates[0].reasons.contains("same date of birth"))

            // agents may not merge; team leaders may
            await #expect(throws: TownhallError.self) { try await s.register.merge(survivor: a.id, duplicate: b.id, by: s.actor(s.burnleyAgent)) }
            let merged = try await s.register.merge(survivor: a.id, duplicate: b.id, by: s.actor(s.burnleyTeamLeader))
            #expect(Set(merged.contacts.map(\.value)) == ["07700900500", "mjones@example.com"])
            #expect(merged.residences.count == 1)

            // the duplicate is kept, marked, and no longer found by search; merging again is refused
            let old = try await s.register.person(id: b.id, by: s.actor(s.burnleyAgent)).person
            #expect(old.mergedInto == a.id)
            #expect(try await s.register.searchPeople(q: "margaret joens", after: nil, limit: PageSize(value: 10), by: s.actor(s.burnleyAgent)).items.map(\.person.id).contains(b.id) == false)
            await #expect(throws: TownhallError.self) { try await s.register.merge(survivor: a.id, duplicate: b.id, by: s.actor(s.burnleyTeamLeader)) }

            // both people's audit trails record the merge
            for id in [a.id, b.id] {
                let merges = try await AuditLog.search(s.database, actor: s.actor(s.burnleyAuditor), filter: AuditFilter(action: .merge, subjectPersonID: id), after: nil, limit: PageSize(value: 5))
                #expect(merges.items.count == 1)
            }
        }
    }

    @Test func subjectAccessExportsEverythingHeldAndIsItselfAudited() async throws {
        try await Scenario.run { s in
            try await s.property(500_000_001, "9", "Hill Road", postcode: "BB12 6HU", in: s.burnleyAgent)
            let p = try await s.person("Yusuf", "Iqbal", born: "1988-08-08", uprn: 500_000_001, email: "yusuf@example.com", by: s.burnleyAgent)
            _ = try await s.register.createHousehold(uprn: try UPRN(500_000_001), name: "The Iqbal household", members: [(p.id, "householder")], by: s.actor(s.burnleyAgent))
            _ = try await s.register.person(id: p.id, by: s.actor(s.policeAgent), purpose: "welfare check")

            await #expect(throws: TownhallError.self) { try await s.register.subjectAccess(person: p.id, by: s.actor(s.burnleyAgent)) }
            let export = try await s.register.subjectAccess(person: p.id, by: s.actor(s.burnleyAuditor))
            #expect(export.record.contacts.map(\.value) == ["yusuf@example.com"])
            #expect(export.record.residences.count == 1)
            #expect(export.record.households.map(\.name) == ["The Iqbal household"])
            // the police read under the agreement is disclosed to the subject, with its purpose
            #expect(export.auditEntries.contains { $0.action == .read && $0.purpose == "welfare check" && $0.organisationID == s.police.id })
            #expect(export.auditEntries.contains { $0.action == .export })
        }
    }
}
