import Foundation
import SQLKit
import Testing
@testable import Cases
import TownhallDatabase
import TownhallKernel
import TownhallTesting

/// The case engine on a real database (SQLite, and PostgreSQL when configured): routing, timelines, versions, service
/// levels and the outbox.
@Suite struct CasesTests {
    static func london(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ min: Int = 0) throws -> Timestamp {
        Timestamp(Date(timeIntervalSince1970: Double(LondonTime.utcSeconds(date: try LocalDate(year: y, month: m, day: d), minute: h * 60 + min))))
    }

    static func flyTipping(at postcode: String = "BB11 2BD", email: String? = "ann@example.com") throws -> Cases.NewCase {
        Cases.NewCase(serviceCode: "587", description: "Mattress and two bags behind the shops", attributes: ["waste_type": ["furniture"], "quantity": ["car_boot"]],
                      contact: CaseContact(name: "Ann Clegg", email: email), location: CaseLocation(postcode: try Postcode(postcode)))
    }

    static func count(_ s: Scenario, _ table: String) async throws -> Int {
        try await s.database.read { try await $0.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()!.int("n") }
    }

    @Test func aReportIsRoutedToTheCouncilForItsTierAndTimelined() async throws {
        try await Scenario.run { s in
            let now = try Self.london(2026, 11, 20, 10)
            let c = try await s.cases.create(try Self.flyTipping(), by: s.actor(s.burnleyAgent), now: now)
            #expect(c.organisationID == s.burnley.id)
            #expect(c.reference == "TH-26-000001")
            #expect(c.status == .new)
            #expect(c.dueAt == (try Self.london(2026, 11, 27, 17)))   // 5 working days for normal-priority fly-tipping
            #expect(c.channel == .phone)
            let record = try await s.cases.record(reference: "th-26-1", by: s.actor(s.burnleyAgent))
            #expect(record.events.map(\.kind) == [.created])
            #expect(record.events[0].actor == "b.agent")
            // The acknowledgement is queued, once, with the reference and due date filled in.
            let messages = try await s.cases.messages(case: c.id, by: s.actor(s.burnleyAgent))
            #expect(messages.count == 1)
            #expect(messages[0].recipient == "ann@example.com")
            #expect(messages[0].subject == "We have your report TH-26-000001")
            #expect(messages[0].body.contains("5:00pm on 27 November 2026"))
            let second = try await s.cases.create(try Self.flyTipping(), by: s.actor(s.burnleyAgent), now: now)
            #expect(second.reference == "TH-26-000002")
        }
    }

    @Test func reportsArrivingTogetherAreWrittenTogetherEachComplete() async throws {
        try await Scenario.run { s in
            let before = (try await Self.count(s, "case_record"), try await Self.count(s, "case_event"), try await Self.count(s, "notification"),
                          try await Self.count(s, "audit_event"))
            // 40 reports at once: the intake groups them into a few transactions, and each comes back as if written alone.
            let created = try await withThrowingTaskGroup(of: Case.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        var r = try Self.flyTipping(email: i % 2 == 0 ? "resident\(i)@example.com" : nil)
                        r.description = "Report \(i)"
                        return try await s.cases.create(r, by: s.actor(s.burnleyAgent))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(created.map(\.reference)).count == 40)
            let numbers = created.map { Int($0.reference.suffix(6))! }.sorted()
            #expect(numbers.last! - numbers.first! == 39)   // consecutive: no number lost or taken twice
            #expect(try await Self.count(s, "case_record") == before.0 + 40)
            #expect(try await Self.count(s, "case_event") == before.1 + 40)
            #expect(try await Self.count(s, "notification") == before.2 + 20)   // only those who gave an email
            #expect(try await Self.count(s, "audit_event") == before.3 + 40)
            for c in created.prefix(5) {
                let record = try await s.cases.record(id: c.id, by: s.actor(s.burnleyAgent))
                #expect(record.case.reference == c.reference)
                #expect(record.case.description.hasPrefix("Report "))
                #expect(record.events.map(\.kind) == [.created])
            }
        }
    }

    @Test func aWrongTierReportIsReroutedAndAPartnerReportLoggedOnBehalf() async throws {
        try await Scenario.run { s in
            // A street light reported to the district goes to the county.
            let light = try await s.cases.create(Cases.NewCase(serviceCode: "564", attributes: ["fault": ["out"]], location: CaseLocation(postcode: try Postcode("BB11 2BD"))),
                                                 by: s.actor(s.burnleyAgent))
            #expect(light.organisationID == s.lancashire.id)
            #expect(light.loggedByID == s.burnley.id)
            let record = try await s.cases.record(id: light.id, by: s.actor(s.burnleyAgent))   // the logging council keeps sight of it
            #expect(record.events.map(\.kind) == [.created, .rerouted])
            #expect(record.events[0].text?.contains("on behalf of Lancashire County Council") == true)
            #expect(record.events[1].text?.contains("county service in a two-tier area") == true)
            #expect(record.canChange == false)
            // Anti-social behaviour goes to the police by the partnership's rule.
            let asb = try await s.cases.create(Cases.NewCase(serviceCode: "asb", attributes: ["ongoing": ["ongoing"]], location: CaseLocation(postcode: try Postcode("BB11 2BD"))),
                                               by: s.actor(s.burnleyAgent))
            #expect(asb.organisationID == s.police.id)
            #expect(asb.priority == .high)
            // Pendle's agent cannot see Burnley's cases (no agreement).
            await #expect(throws: TownhallError.self) { try await s.cases.record(id: light.id, by: s.actor(s.pendleAgent)) }
        }
    }

    @Test func badReportsAreRefusedAndChangeNothing() async throws {
        try await Scenario.run { s in
            _ = try await s.register.importPostcodes(csv: "pcds,dointr,doterm,oslaua,ctry,lat,long\nAB1 0AA,198001,,S12000033,S92000003,57.101474,-2.242851\n",
                                                     by: .system(s.burnley.id, "test"))
            let before = (try await Self.count(s, "case_record"), try await Self.count(s, "case_event"), try await Self.count(s, "notification"))
            func refusal(_ input: Cases.NewCase) async -> TownhallError? {
                do { _ = try await s.cases.create(input, by: s.actor(s.burnleyAgent)); return nil } catch { return error as? TownhallError }
            }
            var unknown = try Self.flyTipping(); unknown.serviceCode = "999"
            #expect(await refusal(unknown)?.code == "unknown_service")
            var missing = try Self.flyTipping(); missing.attributes["waste_type"] = nil
            #expect(await refusal(missing)?.field == "attributes.waste_type")
            var wrongType = try Self.flyTipping(); wrongType.attributes["seen_at"] = ["last tuesday"]
            #expect(await refusal(wrongType)?.field == "attributes.seen_at")
            #expect(await refusal(try Self.flyTipping(at: "AB1 0AA"))?.code == "location_outside_area")
            var nowhere = try Self.flyTipping(); nowhere.location = CaseLocation()
            #expect(await refusal(nowhere)?.code == "missing_location")
            var halfPoint = try Self.flyTipping(); halfPoint.location = CaseLocation(latitude: 53.78)
            #expect(await refusal(halfPoint)?.field == "long")
            var abroad = try Self.flyTipping(); abroad.location = CaseLocation(latitude: 48.85, longitude: 2.35)
            #expect(await refusal(abroad)?.code == "location_outside_area")
            var badEmail = try Self.flyTipping(); badEmail.contact.email = "not-an-email"
            #expect(await refusal(badEmail)?.field == "email")
            await #expect(throws: TownhallError.self) { try await s.cases.create(try Self.flyTipping(), by: s.actor(s.burnleyAuditor)) }
            let after = (try await Self.count(s, "case_record"), try await Self.count(s, "case_event"), try await Self.count(s, "notification"))
            #expect(after == before)
        }
    }

    @Test func statusChangesFollowTheWorkflowAndLoseNoRace() async throws {
        try await Scenario.run { s in
            let agent = s.actor(s.burnleyAgent)
            let start = try Self.london(2026, 11, 20, 10)
            let c = try await s.cases.create(try Self.flyTipping(), by: agent, now: start)
            let acknowledged = try await s.cases.changeStatus(c.id, to: .acknowledged, version: 1, by: agent, now: try Self.london(2026, 11, 20, 11))
            #expect(acknowledged.version == 2)
            // The loser of a race gets a 409 and changes nothing.
            do {
                _ = try await s.cases.changeStatus(c.id, to: .inProgress, version: 1, by: agent)
                Issue.record("a stale version was accepted")
            } catch let e as TownhallError { #expect(e.kind == .conflict); #expect(e.code == "stale_version") }
            do {
                _ = try await s.cases.changeStatus(c.id, to: .closed, version: 2, by: agent)
                Issue.record("an invalid transition was accepted")
            } catch let e as TownhallError { #expect(e.code == "invalid_transition") }
            // Waiting on the customer for two working days moves the due time two working days on.
            let waiting = try await s.cases.changeStatus(c.id, to: .waitingOnCustomer, version: 2, update: "Can you tell us which alley?", by: agent, now: try Self.london(2026, 11, 23, 9))
            #expect(waiting.slaState == .paused)
            let resumed = try await s.cases.changeStatus(c.id, to: .inProgress, version: 3, by: agent, now: try Self.london(2026, 11, 25, 9))
            #expect(resumed.dueAt == (try Self.london(2026, 12, 1, 17)))
            let resolved = try await s.cases.changeStatus(c.id, to: .resolved, version: 4, update: "Cleared this morning.", resolution: .fixed, by: agent, now: try Self.london(2026, 11, 26, 10))
            #expect(resolved.slaState == .met)
            #expect(resolved.resolvedAt == (try Self.london(2026, 11, 26, 10)))
            let reopened = try await s.cases.changeStatus(c.id, to: .inProgress, version: 5, update: "More has been dumped.", by: agent, now: try Self.london(2026, 11, 27, 9))
            #expect(reopened.resolvedAt == nil)
            #expect(reopened.resolution == nil)
            let record = try await s.cases.record(id: c.id, by: agent)
            #expect(record.events.compactMap(\.toStatus) == [.new, .acknowledged, .waitingOnCustomer, .inProgress, .resolved, .inProgress])
            #expect(record.events.last?.data["reopened"] == "true")
            // Status updates with an email on file go to the customer: acknowledgement plus five changes.
            #expect(try await s.cases.messages(case: c.id, by: agent).count == 6)
            // Only the owner changes a case; the timeline refuses edits at the database.
            await #expect(throws: TownhallError.self) { try await s.cases.changeStatus(c.id, to: .resolved, version: 6, by: s.actor(s.pendleAgent)) }
            await #expect(throws: (any Error).self) {
                try await s.database.transaction { try await $0.raw("UPDATE case_event SET body = 'rewritten'").run() }
            }
        }
    }

    @Test func assignTransferLinkAndAttach() async throws {
        try await Scenario.run { s in
            let agent = s.actor(s.burnleyAgent)
            let c = try await s.cases.create(try Self.flyTipping(), by: agent)
            let team = try await s.access.team(named: "Street Scene", organisation: s.burnley.id)
            let assigned = try await s.cases.assign(c.id, teamID: team.id, assigneeID: s.burnleyTeamLeader.id, version: 1, by: agent)
            #expect(assigned.teamID == team.id)
            await #expect(throws: TownhallError.self) { try await s.cases.assign(c.id, teamID: team.id, assigneeID: s.pendleAgent.id, version: 2, by: agent) }
            let other = try await s.cases.create(try Self.flyTipping(), by: agent)
            try await s.cases.link(c.id, to: other.reference, by: agent)
            let photo = Data([0xFF, 0xD8, 0xFF]) + Data(repeating: 0xFF, count: 2045)   // a JPEG's signature
            // Bytes that are not what the type says (a page posing as a photo) are refused.
            await #expect(throws: TownhallError.self) {
                try await s.cases.attach(c.id, filename: "x.jpg", contentType: "image/jpeg", content: Data("<script>alert(1)</script>".utf8), by: agent)
            }
            let attachment = try await s.cases.attach(c.id, filename: "../../etc/photo.jpg", contentType: "image/jpeg", content: photo, by: agent)
            #expect(attachment.filename == "photo.jpg")
            #expect(try await s.cases.attachment(c.id, attachmentID: attachment.id, by: agent).1 == photo)
            await #expect(throws: TownhallError.self) {
                try await s.cases.attach(c.id, filename: "big.jpg", contentType: "image/jpeg", content: Data(count: CaseAttachment.maximumSize + 1), by: agent)
            }
            await #expect(throws: TownhallError.self) { try await s.cases.attach(c.id, filename: "x.exe", contentType: "application/x-msdownload", content: photo, by: agent) }
            let moved = try await s.cases.transfer(c.id, to: "pendle", reason: "The alley is on the Pendle side of the boundary.", version: 2, by: agent)
            #expect(moved.organisationID == s.pendle.id)
            #expect(moved.teamID == nil)
            let record = try await s.cases.record(id: c.id, by: s.actor(s.pendleAgent))
            #expect(record.canChange)
            #expect(record.links.map(\.reference) == [other.reference])
            #expect(record.events.map(\.kind) == [.created, .assigned, .linked, .attachment, .transferred])
            await #expect(throws: TownhallError.self) { try await s.cases.transfer(c.id, to: "lancashire", reason: "county?", version: 3, by: s.actor(s.pendleAgent)) }
        }
    }

    @Test func theSchedulerRaisesWarningsAndBreachesOnceAndEscalates() async throws {
        try await Scenario.run { s in
            let agent = s.actor(s.burnleyAgent)
            let team = try await s.access.team(named: "Street Scene", organisation: s.burnley.id)
            var urgent = try Self.flyTipping(); urgent.priority = "urgent"   // 4 working hours
            let c = try await s.cases.create(urgent, by: agent, now: try Self.london(2026, 11, 20, 10))
            _ = try await s.cases.assign(c.id, teamID: team.id, assigneeID: nil, version: 1, by: agent)
            #expect(c.dueAt == (try Self.london(2026, 11, 20, 14)))
            let early = try await s.cases.sweepServiceLevels(now: try Self.london(2026, 11, 20, 11))
            #expect(early == Cases.SweepResult())
            let warned = try await s.cases.sweepServiceLevels(now: try Self.london(2026, 11, 20, 13, 30))
            #expect(warned.warnings == 1)
            let breached = try await s.cases.sweepServiceLevels(now: try Self.london(2026, 11, 20, 15))
            #expect(breached.breaches == 1)
            // A second sweep (another node, a restart) raises nothing again.
            #expect(try await s.cases.sweepServiceLevels(now: try Self.london(2026, 11, 20, 16)) == Cases.SweepResult())
            let record = try await s.cases.record(id: c.id, by: agent)
            #expect(record.events.map(\.kind) == [.created, .assigned, .slaWarning, .slaBreached, .escalated])
            #expect(record.events.last?.text?.contains("B.Leader") == true)
            #expect(record.case.slaState == .breached)
            let alerts = try await s.cases.messages(case: c.id, by: agent).filter { $0.kind == .slaBreachAlert }
            #expect(alerts.map(\.recipient) == ["b.leader@example.org"])
        }
    }

    /// More cases fall due than a sweep batch holds, some past their due time (in both the warning and the breach query)
    /// and some only past their warning time: each is raised once, breached cases without a warning of their own.
    @Test func aSweepInSmallBatchesRaisesEachCaseOnce() async throws {
        try await Scenario.run { s in
            let agent = s.actor(s.burnleyAgent)
            var urgent = try Self.flyTipping(); urgent.priority = "urgent"   // 4 working hours, warned after 3 h 12 min
            var late: [CaseID] = [], warned: [CaseID] = []
            for _ in 0..<5 { late.append(try await s.cases.create(urgent, by: agent, now: try Self.london(2026, 11, 20, 10)).id) }   // due 14:00
            for _ in 0..<3 { warned.append(try await s.cases.create(urgent, by: agent, now: try Self.london(2026, 11, 20, 11)).id) }   // warned at 14:12
            let sweep = try await s.cases.sweepServiceLevels(now: try Self.london(2026, 11, 20, 14, 30), batch: 2)
            #expect(sweep == Cases.SweepResult(warnings: 3, breaches: 5))
            #expect(try await s.cases.sweepServiceLevels(now: try Self.london(2026, 11, 20, 14, 45), batch: 2) == Cases.SweepResult())
            for id in late {
                #expect(try await s.cases.record(id: id, by: agent).events.map(\.kind) == [.created, .slaBreached, .escalated])
            }
            for id in warned { #expect(try await s.cases.record(id: id, by: agent).events.map(\.kind) == [.created, .slaWarning]) }
            // Both queries are answered by the scheduler's partial indexes, not by a scan of every case.
            if s.database.engine == .sqlite {
                let plans = try await s.database.read { db in
                    var plans: [String] = []
                    for query in CasesStore.dueAlertQueries(now: .now, limit: 2, engine: .sqlite) {
                        var explain: SQLQueryString = "EXPLAIN QUERY PLAN "
                        explain += query
                        plans.append(try await db.raw(explain).all().map { try $0.string("detail") }.joined(separator: "; "))
                    }
                    return plans
                }
                #expect(plans.count == 2)
                #expect(plans.first?.contains("USING INDEX case_record_due") == true, "\(plans)")
                #expect(plans.last?.contains("USING INDEX case_record_warning") == true, "\(plans)")
            }
        }
    }

    @Test func monthlySummaryCountsMetAndMissed() async throws {
        try await Scenario.run { s in
            let agent = s.actor(s.burnleyAgent)
            // Three reports due in November 2026: one met, one missed, one still open past its due time.
            let a = try await s.cases.create(try Self.flyTipping(), by: agent, now: try Self.london(2026, 11, 2, 10))
            let b = try await s.cases.create(try Self.flyTipping(), by: agent, now: try Self.london(2026, 11, 2, 10))
            _ = try await s.cases.create(try Self.flyTipping(), by: agent, now: try Self.london(2026, 11, 2, 10))
            _ = try await s.cases.changeStatus(a.id, to: .resolved, version: 1, by: agent, now: try Self.london(2026, 11, 4, 10))
            _ = try await s.cases.changeStatus(b.id, to: .resolved, version: 1, by: agent, now: try Self.london(2026, 11, 16, 10))
            let summary = try await s.cases.serviceLevelSummary(organisation: "burnley", month: "2026-11", by: agent, now: try Self.london(2026, 11, 30, 10))
            #expect(summary.rows.count == 1)
            #expect(summary.rows[0].due == 3)
            #expect(summary.rows[0].met == 1)
            #expect(summary.rows[0].missed == 2)
            #expect(summary.rows[0].percentMet == 33.3)
            await #expect(throws: TownhallError.self) { try await s.cases.serviceLevelSummary(organisation: "burnley", month: "2026-13", by: agent) }
            await #expect(throws: TownhallError.self) { try await s.cases.serviceLevelSummary(organisation: "burnley", month: "2026-11", by: s.actor(s.pendleAgent)) }
        }
    }

    @Test func recomputingAfterACalendarChangeMovesDueTimes() async throws {
        try await Scenario.run { s in
            let agent = s.actor(s.burnleyAgent)
            let c = try await s.cases.create(try Self.flyTipping(), by: agent, now: try Self.london(2026, 11, 20, 10))
            #expect(c.dueAt == (try Self.london(2026, 11, 27, 17)))
            _ = try await s.cases.setCalendar(workingDays: [1, 2, 3, 4, 5, 6], opensAt: 8 * 60, closesAt: 18 * 60, by: s.actor(s.burnleyAdmin))
            #expect(try await s.cases.recomputeServiceLevels(now: try Self.london(2026, 11, 20, 12)) == Cases.RecomputeResult(recomputed: 1, changed: 1))
            let record = try await s.cases.record(id: c.id, by: agent)
            #expect(record.case.dueAt == (try Self.london(2026, 11, 26, 18)))   // Saturdays count now, 08:00–18:00
            #expect(try await s.cases.recomputeServiceLevels(now: try Self.london(2026, 11, 20, 12)) == Cases.RecomputeResult(recomputed: 1, changed: 0))
        }
    }

    @Test func aRecomputeInManyBatchesReachesEveryCaseOnce() async throws {
        try await Scenario.run { s in
            let agent = s.actor(s.burnleyAgent)
            let logged = try Self.london(2026, 11, 20, 10)
            var running: [CaseID] = [], paused: [CaseID] = []
            for n in 0..<11 {
                let c = try await s.cases.create(try Self.flyTipping(), by: agent, now: logged)
                if n % 4 == 3 {
                    _ = try await s.cases.changeStatus(c.id, to: .waitingOnCustomer, version: 1, by: agent, now: logged.adding(seconds: 3600))
                    paused.append(c.id)
                } else {
                    running.append(c.id)
                }
            }
            _ = try await s.cases.setCalendar(workingDays: [1, 2, 3, 4, 5, 6], opensAt: 8 * 60, closesAt: 18 * 60, by: s.actor(s.burnleyAdmin))
            // Batches of 3: four batches, worked on at once and written as each is ready.
            let result = try await s.cases.recomputeServiceLevels(now: try Self.london(2026, 11, 20, 12), batch: 3)
            #expect(result == Cases.RecomputeResult(recomputed: 11, changed: 11))
            for id in running {
                let c = try await s.cases.record(id: id, by: agent).case
                #expect(c.dueAt == (try Self.london(2026, 11, 26, 18)))
                #expect(c.slaState == .onTrack)
            }
            for id in paused {
                let c = try await s.cases.record(id: id, by: agent).case
                #expect(c.slaState == .paused)
                // 58 working hours allowed (Friday 10:00 to Thursday 18:00), one used before the pause, and the other 57
                // counted on from now (Friday 12:00) as if the clock restarted: the next Friday, 09:00.
                #expect(c.dueAt == (try Self.london(2026, 11, 27, 9)))
            }
        }
    }

    @Test func aCaseEditedWhileItsClockIsRecomputedKeepsTheEdit() async throws {
        try await Scenario.run { s in
            let agent = s.actor(s.burnleyAgent)
            let logged = try Self.london(2026, 11, 20, 10), now = try Self.london(2026, 11, 20, 12)
            let onHold = try await s.cases.create(try Self.flyTipping(), by: agent, now: logged)
            let assigned = try await s.cases.create(try Self.flyTipping(), by: agent, now: logged)
            _ = try await s.cases.setCalendar(workingDays: [1, 2, 3, 4, 5, 6], opensAt: 8 * 60, closesAt: 18 * 60, by: s.actor(s.burnleyAdmin))
            let engine = s.database.engine
            // A batch read and worked out on a reader…
            let (rows, _) = try await s.database.read { try await CasesStore.clockRows(after: "", organisation: nil, limit: 10, engine: engine, on: $0) }
            let updates = try await s.database.read { try await Cases.clockUpdates(rows, now: now, on: $0) }
            #expect(updates.count == 2)
            // …then, before it is written, one case is put on hold (its clock paused by that edit) and the other assigned
            // (a new version, its stored clock still the old calendar's).
            _ = try await s.cases.changeStatus(onHold.id, to: .waitingOnCustomer, version: 1, by: agent, now: now)
            let team = try await s.access.team(named: "Street Scene", organisation: s.burnley.id)
            _ = try await s.cases.assign(assigned.id, teamID: team.id, assigneeID: nil, version: 1, by: agent, now: now)
            let written = try await s.database.transaction { try await Cases.writeClocks(updates, now: now, engine: engine, on: $0) }
            #expect(written == 1)
            let held = try await s.cases.record(id: onHold.id, by: agent).case
            #expect(held.slaState == .paused)
            #expect(held.version == 2)
            let other = try await s.cases.record(id: assigned.id, by: agent).case
            #expect(other.dueAt == (try Self.london(2026, 11, 26, 18)))
            #expect(other.version == 2)
        }
    }

    struct FailingSender: MessageSender {
        let name = "failing"
        let failure: SendFailure
        func send(_ message: OutgoingMessage) async throws -> String? { throw failure }
    }

    @Test func theOutboxSendsEachMessageOnceAndRetriesWithBackoff() async throws {
        try await Scenario.run { s in
            let agent = s.actor(s.burnleyAgent)
            let now = Timestamp.now
            _ = try await s.cases.create(try Self.flyTipping(), by: agent, now: now)
            // A temporary failure is retried later, not at once.
            let failed = try await s.cases.deliverMessages(with: FailingSender(failure: .temporary("relay down")), now: now)
            #expect(failed.retrying == 1)
            #expect(try await s.cases.deliverMessages(with: FailingSender(failure: .temporary("relay down")), now: now.adding(seconds: 30)) == Cases.DeliveryResult())
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("townhall-\(UUID()).jsonl").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let sent = try await s.cases.deliverMessages(with: FileSender(path: path), now: now.adding(seconds: 61))
            #expect(sent.sent == 1)
            #expect(try await s.cases.deliverMessages(with: FileSender(path: path), now: now.adding(seconds: 3600)) == Cases.DeliveryResult())
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 1)
            #expect(lines[0].contains("ann@example.com"))
            // A permanent failure stops at once.
            _ = try await s.cases.create(try Self.flyTipping(email: "bob@example.com"), by: agent, now: now)
            #expect(try await s.cases.deliverMessages(with: FailingSender(failure: .permanent("bad address")), now: now).failed == 1)
            let statuses = try await s.cases.messages(case: nil, by: agent).map(\.status).sorted()
            #expect(statuses == ["failed", "sent"])
        }
    }

    @Test func templatesAreCheckedWhenSaved() async throws {
        try await Scenario.run { s in
            let admin = s.actor(s.burnleyAdmin)
            await #expect(throws: TownhallError.self) {
                try await s.cases.saveTemplate(kind: .caseAcknowledgement, subject: "Ref ((reference))", body: "Due ((due_dat))", by: admin)
            }
            _ = try await s.cases.saveTemplate(kind: .caseAcknowledgement, subject: "Burnley report ((reference))", body: "Thanks ((name)). Due ((due_date)).", by: admin)
            let c = try await s.cases.create(try Self.flyTipping(), by: s.actor(s.burnleyAgent))
            let message = try await s.cases.messages(case: c.id, by: s.actor(s.burnleyAgent))[0]
            #expect(message.subject == "Burnley report \(c.reference)")
            #expect(message.body.hasPrefix("Thanks Ann Clegg. Due "))
        }
    }

    @Test func theLGSLListLoadsTheServicesOfTheCouncilsTier() async throws {
        try await Scenario.run { s in
            let csv = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../Sources/TownhallApp/Resources/lgsl-local-services.csv").path, encoding: .utf8)   // shared/samples/lgsl/local_services.csv, shipped unchanged
            let report = try await s.cases.importLGSL(csv: csv, by: s.actor(s.burnleyAdmin))
            #expect(report.rowsRead == 117)
            #expect(report.rejected.isEmpty)
            #expect(report.created + report.unchanged + report.otherTier == 117)
            #expect(report.unchanged == 3)   // fly-tipping, graffiti and noise were already there
            let services = try await s.cases.services(organisation: s.burnley.id)
            #expect(services.contains { $0.code == "591" && $0.tier == .all })   // spillages: every tier
            #expect(!services.contains { $0.code == "564" })                      // street lights: the county's
            let again = try await s.cases.importLGSL(csv: csv, by: s.actor(s.burnleyAdmin))
            #expect(again.created == 0)
            let bad = try await s.cases.importLGSL(csv: "LGSL,Description,Providing Tier\nabc,Something,all\n12,Thing,parish\n", by: s.actor(s.burnleyAdmin))
            #expect(bad.rejected.map(\.line) == [2, 3])
        }
    }
}

/// Case pages are put together from one branch per organisation and one for cases logged for others (issue 29); paging
/// through them must give every case once, newest first, ties broken by id, whichever branch each came from.
@Suite struct CasePagingTests {
    @Test func pagesMergeTheOrganisationsAndTheCasesLoggedForOthers() async throws {
        try await Scenario.run { s in
            let agent = s.actor(s.burnleyAgent)
            let light = Cases.NewCase(serviceCode: "564", attributes: ["fault": ["out"]], location: CaseLocation(postcode: try Postcode("BB11 2BD")))
            var made: [Case] = []
            for n in 0..<9 {
                // Three instants, three cases each: ties across branches are broken by id.
                let at = try CasesTests.london(2026, 11, 20, 10, n / 3)
                made.append(try await s.cases.create(n % 2 == 0 ? try CasesTests.flyTipping() : light, by: agent, now: at))
            }
            #expect(Set(made.map(\.organisationID)) == [s.burnley.id, s.lancashire.id])   // both branches are used
            let expected = made.sorted { ($0.createdAt, $0.id.string) > ($1.createdAt, $1.id.string) }.map(\.id)
            for size in [1, 2, 4, 9, 20] {
                var seen: [CaseID] = [], cursor: Cursor? = nil
                repeat {
                    let page = try await s.cases.list(Cases.Query(), after: cursor, limit: try PageSize(value: size), by: agent)
                    #expect(page.items.count <= size)
                    seen += page.items.map(\.id)
                    cursor = page.next
                } while cursor != nil
                #expect(seen == expected, "pages of \(size)")
            }
            // One large page holds them all.
            let open = try await s.cases.list(Cases.Query(), after: nil, limit: try PageSize(value: 50), by: agent)
            #expect(open.items.count == 9)
        }
    }
}
