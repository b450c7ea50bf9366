import Benefits
import Access
import Logging
import Synchronization
import Contact
import Register
import Revenues
import Testing
@testable import TownhallApp
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

    /// The table the areas declare is the one the platform had when roles were a closed list, plus what areas added since
    /// (benefits: the eligibility checker, reading and taking claims).
    @Test func rolesHoldWhatTheyAlwaysHeld() {
        let c = Services.catalogue
        #expect(!c.permissions(for: [.agent]).contains(.registerMerge) && !c.permissions(for: [.agent]).contains(.auditRead))
        #expect(c.permissions(for: [.teamLeader]).contains(.registerMerge) && c.permissions(for: [.auditor]).contains(.auditRead))
        #expect(!c.permissions(for: [.auditor]).contains(.registerWrite))
        #expect(
            c.permissions(for: [.agent]) == [
                .registerRead, .registerWrite, .casesRead, .casesWrite, .contactsLog, .revenuesRead, .revenuesWrite,
                .benefitsEstimate, .benefitsRead, .benefitsClaim,
            ])
        #expect(!c.permissions(for: [.agent]).contains(.benefitsAssess) && c.permissions(for: [.auditor]).contains(.benefitsRead))
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
            #expect(s.services.panels.sources.count == 3)
            #expect(s.services.panels.sources[0] is RestrictionPanel && s.services.panels.sources[1] is RevenuesPanel
                    && s.services.panels.sources[2] is BenefitsPanel)
            #expect(s.services.jobs.map(\.name) == ["service-level sweep", "message delivery", "council tax recovery"])
            #expect(s.services.jobs.map(\.cadence) == [.everyTick, .everyTick, .daily])
            // A job runs against the scenario's database: nothing is due, so it reports nothing.
            let report = try await s.services.jobs[0].run(.today(), s.services.registry.settings.logger)
            #expect(report.isEmpty)
        }
    }
}

/// The scheduler runs every tick's jobs each tick, and a daily job once a day, again on the next tick if it failed.
@Suite struct SchedulerTests {
    final class Counts: Sendable {
        let runs = Mutex<[String: Int]>([:])
        func add(_ name: String) { runs.withLock { $0[name, default: 0] += 1 } }
        subscript(_ name: String) -> Int { runs.withLock { $0[name] ?? 0 } }
    }

    @Test func dailyJobsRunOnceADayAndAFailureIsRetried() async throws {
        let counts = Counts()
        let failNext = Mutex(true)
        let jobs = [
            ScheduledJob("tick", cadence: .everyTick) { _, _ in counts.add("tick"); return [:] },
            ScheduledJob("daily", cadence: .daily) { _, _ in
                counts.add("daily")
                if failNext.withLock({ let f = $0; $0 = false; return f }) { throw TownhallError.conflict("not now") }
                return ["done": "1"]
            },
        ]
        let scheduler = Scheduler(jobs: jobs, interval: 1, logger: Logger(label: "test"))
        var finished: [String: LocalDate] = [:]
        let monday = try LocalDate(year: 2026, month: 12, day: 7), tuesday = try LocalDate(year: 2026, month: 12, day: 8)
        await scheduler.tick(today: monday, finished: &finished)   // the daily job fails
        #expect(counts["tick"] == 1 && counts["daily"] == 1 && finished["daily"] == nil)
        await scheduler.tick(today: monday, finished: &finished)   // tried again, succeeds
        await scheduler.tick(today: monday, finished: &finished)   // done for the day
        #expect(counts["tick"] == 3 && counts["daily"] == 2 && finished["daily"] == monday)
        await scheduler.tick(today: tuesday, finished: &finished)  // a new day
        #expect(counts["tick"] == 4 && counts["daily"] == 3 && finished["daily"] == tuesday)
    }
}
