import Access
import Contact
import Register
import Revenues
import Testing
import TownhallApp
import TownhallDatabase
import TownhallKernel
import TownhallTesting

/// The module seam: the one list of areas gives the schema, the permission table, the panels and the scheduler's jobs.
@Suite struct ModuleSeamTests {
    @Test func eachAreasMigrationsCarryItsNameAndRunInListOrder() {
        var seen = Set<String>()
        for area in TownhallModules.areas {
            #expect(seen.insert(area.module.name).inserted, "two areas are called \(area.module.name)")
            for migration in area.module.migrations {
                #expect(migration.id.hasPrefix(area.module.name + "."), "\(migration.id) is not named for \(area.module.name)")
            }
        }
        #expect(Services.migrator.migrations.map(\.id) == TownhallModules.areas.flatMap { $0.module.migrations.map(\.id) })
    }

    /// The table the areas declare is the one the platform had when roles were a closed list.
    @Test func rolesHoldWhatTheyAlwaysHeld() {
        let c = Services.catalogue
        #expect(!c.permissions(for: [.agent]).contains(.registerMerge) && !c.permissions(for: [.agent]).contains(.auditRead))
        #expect(c.permissions(for: [.teamLeader]).contains(.registerMerge) && c.permissions(for: [.auditor]).contains(.auditRead))
        #expect(!c.permissions(for: [.auditor]).contains(.registerWrite))
        #expect(
            c.permissions(for: [.agent]) == [
                .registerRead, .registerWrite, .casesRead, .casesWrite, .contactsLog, .revenuesRead, .revenuesWrite,
            ])
        #expect(
            !c.permissions(for: [.administrator]).contains(.contactsLog) && c.permissions(for: [.administrator]).contains(.revenuesManage))
        for role in Role.allCases {
            #expect(c.permissions(for: [role]).contains(.safeguardingRead) == (role == .safeguardingOfficer))
        }
    }

    @Test func keysGetTheirScopesPermissionsAndNeverSafeguarding() throws {
        let c = Services.catalogue
        #expect(c.permissions(for: [APIScope.open311]) == [.registerRead, .casesRead, .casesWrite])
        #expect(c.permissions(for: [APIScope.revenuesWrite]) == [.registerRead, .revenuesRead, .revenuesWrite])
        #expect(c.permissions(for: [APIScope.admin]) == c.all.subtracting([.safeguardingRead]))
        #expect(try c.scope(parsing: "contacts:log") == .contactsLog)
        #expect(throws: TownhallError.self) { try c.scope(parsing: "safeguarding:read") }
    }

    @Test func panelsAndJobsComeFromTheAreasInListOrder() async throws {
        try await Scenario.run { s in
            #expect(s.services.modules.map { type(of: $0).name } == TownhallModules.areas.map { $0.module.name })
            #expect(s.services.panels.sources.count == 2)
            #expect(s.services.panels.sources.first is RestrictionPanel && s.services.panels.sources.last is RevenuesPanel)
            #expect(s.services.jobs.map(\.name) == ["service-level sweep", "message delivery", "council tax recovery"])
            #expect(s.services.jobs.map(\.cadence) == [.everyTick, .everyTick, .daily])
            // A job runs against the scenario's database: nothing is due, so it reports nothing.
            let report = try await s.services.jobs[0].run(.today(), s.services.registry.settings.logger)
            #expect(report.isEmpty)
        }
    }
}
