import Audit
import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

extension Cases {
    public struct SweepResult: Sendable, Equatable {
        public init() {}
        public var warnings = 0
        public var breaches = 0
    }

    /// Raises the service-level warnings and breaches that have fallen due: an event on each case, an alert to the team's
    /// leaders, and (for a breach) an escalation. Safe to run on every node at once and after any restart: what has been
    /// raised is recorded on the case in the same transaction, and PostgreSQL hands each case to one node only.
    @discardableResult
    public func sweepServiceLevels(now: Timestamp = .now, batch: Int = 200) async throws -> SweepResult {
        var total = SweepResult()
        let system = Actor.system(OrganisationID(StableUUID.make("system")), "sla-scheduler")
        while true {
            let engine = database.engine
            let result = try await database.transaction { db -> (SweepResult, Int) in
                let due = try await CasesStore.dueAlerts(now: now, limit: batch, engine: engine, on: db)
                let histories = try await CasesStore.statusHistories(cases: due.map(\.0.id), on: db)
                var inputs = ClockInputs()
                var r = SweepResult()
                for (c0, warned, breached) in due {
                    var c = c0
                    let clock = try await inputs.clock(organisation: c.organisationID, service: c.serviceID, priority: c.priority,
                                                       history: histories[c.id] ?? [], now: now, on: db)
                    c.apply(clock)
                    let isBreached = clock.dueAt <= now.seconds
                    let isWarned = clock.warningAt <= now.seconds
                    var actor = system
                    actor.organisationID = c.organisationID
                    if isWarned && !warned && !isBreached {
                        try await CasesStore.append(CaseEvent(caseID: c.id, organisationID: c.organisationID, at: now, kind: .slaWarning, actor: actor,
                                                              text: "Due by \(Cases.displayDate(c.dueAt))"), on: db)
                        try await self.alertStaff(c, kind: .slaWarningAlert, eventKey: "case/\(c.id)/warning/\(c.dueAt?.iso ?? "")", at: now, on: db)
                        r.warnings += 1
                    }
                    if isBreached && !breached {
                        try await CasesStore.append(CaseEvent(caseID: c.id, organisationID: c.organisationID, at: now, kind: .slaBreached, actor: actor,
                                                              text: "Passed its service level at \(Cases.displayDate(c.dueAt))"), on: db)
                        let leaders = try await self.alertStaff(c, kind: .slaBreachAlert, eventKey: "case/\(c.id)/breach/\(c.dueAt?.iso ?? "")", at: now, on: db)
                        try await CasesStore.append(CaseEvent(caseID: c.id, organisationID: c.organisationID, at: now, kind: .escalated, actor: actor,
                                                              text: leaders.isEmpty ? "No team leader or manager to escalate to" : "Escalated to \(leaders.joined(separator: ", "))",
                                                              data: ["to": leaders.joined(separator: ",")]), on: db)
                        r.breaches += 1
                    }
                    // A recomputed due time may lie in the future after all (a calendar change): then nothing is raised yet.
                    try await CasesStore.markAlerted(c, warned: isWarned || isBreached, breached: isBreached, on: db)
                }
                return (r, due.count)
            }
            total.warnings += result.0.warnings
            total.breaches += result.0.breaches
            if result.1 < batch { break }
        }
        return total
    }

    /// Recomputes the service-level state of every case of an organisation (or all) from its timeline: after a calendar,
    /// bank-holiday or target change. Returns how many cases were recomputed. Runs in batches, each its own transaction,
    /// so it can be stopped and run again.
    @discardableResult
    public func recomputeServiceLevels(organisation: OrganisationID? = nil, now: Timestamp = .now, batch: Int = 2000) async throws -> Int {
        var after = ""
        var done = 0
        let engine = database.engine
        while true {
            let last = after
            let (count, lastKey) = try await database.transaction { db -> (Int, String) in
                let (rows, lastKey) = try await CasesStore.clockRows(after: last, organisation: organisation, limit: batch, engine: engine, on: db)
                guard !rows.isEmpty else { return (0, last) }
                let histories = try await CasesStore.statusHistories(cases: try rows.map { try $0.id("id") }, on: db)
                var inputs = ClockInputs()
                var updates: [[any Encodable & Sendable]] = []
                for row in rows {
                    let id: CaseID = try row.id("id")
                    let clock = try await inputs.clock(organisation: try row.id("organisation_id"), service: try row.id("service_id"),
                                                       priority: Priority(rawValue: try row.string("priority")) ?? .normal, history: histories[id] ?? [], now: now, on: db)
                    let due = Timestamp(seconds: clock.dueAt).iso, warning = Timestamp(seconds: clock.warningAt).iso
                    // Alerts already raised stand unless the time they were raised for moved.
                    let moved = try due != row.optionalString("due_at") || warning != row.optionalString("warning_at")
                    if try moved || clock.state.rawValue != row.string("sla_state") {
                        updates.append([id.string, due, warning, clock.state.rawValue, moved ? 1 : 0])
                    }
                }
                try await CasesStore.applyClocks(updates, engine: engine, on: db)
                return (rows.count, lastKey)
            }
            done += count
            after = lastKey
            if count < batch { break }
        }
        return done
    }

    /// Per service and priority, for the cases that fell due in a month: how many, met, missed and % met.
    public func serviceLevelSummary(organisation slug: String, month: String, by actor: Actor, now: Timestamp = .now) async throws -> (organisation: String, month: String, rows: [ServiceLevelSummaryRow]) {
        try actor.require(.casesRead)
        let organisation = try await partnership.organisation(slug: slug)
        let visible = try await database.read { try await self.visible(actor, $0) }
        guard visible.contains(organisation.id) else {
            throw TownhallError.forbidden("\(organisation.name) does not share its cases with your organisation.")
        }
        let parts = month.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]), let first = try? LocalDate(year: y, month: m, day: 1) else {
            throw TownhallError.invalid("month", "month is a year and month written as YYYY-MM, like 2026-11.", code: "invalid_month")
        }
        let next = first.adding(days: LocalDate.daysIn(month: m, year: y))
        @Sendable func instant(_ d: LocalDate) -> Timestamp { Timestamp(seconds: LondonTime.utcSeconds(date: d, minute: 0)) }
        let rows = try await database.read { try await CasesStore.serviceLevelSummary(organisation: organisation.id, from: instant(first), to: instant(next), now: now, on: $0) }
        return (organisation.slug, month, rows)
    }
}
