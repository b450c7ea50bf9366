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
                var r = SweepResult()
                for (c0, warned, breached) in due {
                    var c = c0
                    let history = try await CasesStore.statusHistories(cases: [c.id], on: db)[c.id] ?? []
                    let clock = try await self.clock(for: c, history: history, on: db, now: now)
                    self.apply(clock, to: &c)
                    let nowSeconds = Int(now.date.timeIntervalSince1970)
                    let isBreached = clock.dueAt <= nowSeconds
                    let isWarned = clock.warningAt <= nowSeconds
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
                                                              text: leaders.isEmpty ? "Escalated to the organisation's managers (the case has no team)" : "Escalated to \(leaders.joined(separator: ", "))",
                                                              data: ["to": leaders.joined(separator: ",")]), on: db)
                        r.breaches += 1
                    }
                    // A recomputed due time may lie in the future after all (a calendar change): then nothing is raised yet.
                    try await CasesStore.markAlerted(c.id, warned: isWarned || isBreached, breached: isBreached, state: clock.state, on: db)
                    if c.dueAt != c0.dueAt || c.warningAt != c0.warningAt {
                        try await db.raw("UPDATE case_record SET due_at = \(bind: c.dueAt?.iso), warning_at = \(bind: c.warningAt?.iso) WHERE id = \(bind: c.id.string)").run()
                    }
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
        var calendars: [OrganisationID: WorkingCalendar] = [:]
        var services: [ServiceID: ServiceDefinition] = [:]
        let nowSeconds = Int(now.date.timeIntervalSince1970)
        while true {
            let last = after
            let (count, lastID, cals, svcs) = try await database.transaction { [calendars, services] db -> (Int, String, [OrganisationID: WorkingCalendar], [ServiceID: ServiceDefinition]) in
                var calendars = calendars, services = services
                let (rows, lastKey) = try await CasesStore.clockRows(after: last, organisation: organisation, limit: batch, engine: self.database.engine, on: db)
                guard !rows.isEmpty else { return (0, last, calendars, services) }
                let ids: [CaseID] = try rows.map { try $0.id("id") }
                let histories = try await CasesStore.statusHistories(cases: ids, on: db)
                var updates: [[any Encodable & Sendable]] = []
                for row in rows {
                    let id: CaseID = try row.id("id")
                    let org: OrganisationID = try row.id("organisation_id")
                    let serviceID: ServiceID = try row.id("service_id")
                    if calendars[org] == nil { calendars[org] = try await CasesStore.calendar(organisation: org, on: db) }
                    if services[serviceID] == nil { services[serviceID] = try await CasesStore.service(id: serviceID, on: db) }
                    let priority = Priority(rawValue: try row.string("priority")) ?? .normal
                    let target = services[serviceID]?.target(for: priority) ?? .fallback
                    let clock = ServiceLevelClock.compute(changes: histories[id] ?? [], target: target, calendar: calendars[org]!, now: nowSeconds)
                    let due = Timestamp(Date(timeIntervalSince1970: Double(clock.dueAt))).iso
                    let warning = Timestamp(Date(timeIntervalSince1970: Double(clock.warningAt))).iso
                    // Alerts already raised stand unless the time they were raised for moved.
                    let (oldDue, oldWarning, oldState) = (try row.optionalString("due_at"), try row.optionalString("warning_at"), try row.string("sla_state"))
                    let moved = due != oldDue || warning != oldWarning
                    if moved || clock.state.rawValue != oldState {
                        updates.append([id.string, due, warning, clock.state.rawValue, moved ? 1 : 0])
                    }
                }
                try await CasesStore.applyClocks(updates, engine: self.database.engine, on: db)
                return (rows.count, lastKey, calendars, services)
            }
            calendars = cals; services = svcs
            done += count
            after = lastID
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
        @Sendable func instant(_ d: LocalDate) -> Timestamp { Timestamp(Date(timeIntervalSince1970: Double(LondonTime.utcSeconds(date: d, minute: 0)))) }
        let rows = try await database.read { try await CasesStore.serviceLevelSummary(organisation: organisation.id, from: instant(first), to: instant(next), now: now, on: $0) }
        return (organisation.slug, month, rows)
    }
}
