import Foundation
import SQLKit
import Testing
import Audit
import Register
import TownhallDatabase
import TownhallKernel
import TownhallTesting

@Suite struct AuditTests {
    @Test func changesAreAuditedWithFieldsAndChannel() async throws {
        try await Scenario.run { s in
            let person = try await s.person("Jan", "Nowak", born: "1990-01-01", by: s.burnleyAgent)
            _ = try await s.register.updatePerson(id: person.id, changes: .init(familyName: "Nowakowski"), version: 1, by: s.actor(s.burnleyAgent))
            let page = try await AuditLog.search(s.database, actor: s.actor(s.burnleyAuditor), filter: AuditFilter(entityID: person.id.string, action: .update),
                                                 after: nil, limit: PageSize(value: 10))
            let entry = try #require(page.items.first)
            #expect(entry.changes["family_name"] == AuditEntry.FieldChange(old: "Nowak", new: "Nowakowski"))
            #expect(entry.changes["given_name"] == nil)
            #expect(entry.actorLabel == "b.agent")
            #expect(entry.channel == .phone)
            #expect(entry.subjectPersonID == person.id)
        }
    }

    @Test func theLogIsAppendOnlyInTheDatabase() async throws {
        try await Scenario.run { s in
            _ = try await s.person("Jan", "Nowak", by: s.burnleyAgent)
            await #expect(throws: (any Error).self) {
                try await s.database.transaction { try await $0.raw("UPDATE audit_event SET actor_label = 'someone else'").run() }
            }
            await #expect(throws: (any Error).self) {
                try await s.database.transaction { try await $0.raw("DELETE FROM audit_event").run() }
            }
            let count = try await s.database.read { try await $0.raw("SELECT COUNT(*) AS n FROM audit_event WHERE actor_label = 'someone else'").first()!.int("n") }
            #expect(count == 0)
        }
    }

    @Test func onlyAuditorsAndManagersSearchAndOnlyTheirOwnOrganisation() async throws {
        try await Scenario.run { s in
            _ = try await s.person("Jan", "Nowak", by: s.pendleAgent)
            await #expect(throws: TownhallError.self) {
                try await AuditLog.search(s.database, actor: s.actor(s.burnleyAgent), filter: AuditFilter(), after: nil, limit: PageSize(value: 10))
            }
            let burnleyLog = try await AuditLog.search(s.database, actor: s.actor(s.burnleyAuditor), filter: AuditFilter(entityType: "person"), after: nil, limit: PageSize(value: 50))
            #expect(burnleyLog.items.allSatisfy { $0.organisationID == s.burnley.id })
            #expect(burnleyLog.items.isEmpty)
        }
    }

    @Test func searchPagesNewestFirstWithoutGapsOrRepeats() async throws {
        try await Scenario.run { s in
            for i in 0..<7 { _ = try await s.person("Person", "Number\(String(UnicodeScalar(UInt8(65 + i))))", by: s.burnleyAgent) }
            var seen: [String] = [], cursor: Cursor? = nil
            repeat {
                let page = try await AuditLog.search(s.database, actor: s.actor(s.burnleyAuditor), filter: AuditFilter(entityType: "person", action: .create),
                                                     after: cursor, limit: PageSize(value: 3))
                seen += page.items.map(\.id.string)
                cursor = page.next
            } while cursor != nil
            #expect(seen.count == 7)
            #expect(Set(seen).count == 7)
        }
    }

    @Test func viewingARecordIsAuditedWithThePurpose() async throws {
        try await Scenario.run { s in
            let person = try await s.person("Jan", "Nowak", by: s.burnleyAgent)
            _ = try await s.register.person(id: person.id, by: s.actor(s.burnleyAgent), purpose: "caller asked about council tax")
            let reads = try await AuditLog.search(s.database, actor: s.actor(s.burnleyAuditor), filter: AuditFilter(action: .read, subjectPersonID: person.id), after: nil, limit: PageSize(value: 10))
            #expect(reads.items.map(\.purpose) == ["caller asked about council tax"])
        }
    }
}
