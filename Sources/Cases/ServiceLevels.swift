import Audit
import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

extension Cases {
    public struct SweepResult: Sendable, Equatable {
        public init(warnings: Int = 0, breaches: Int = 0) {
            self.warnings = warnings
            self.breaches = breaches
        }

        public var warnings: Int
        public var breaches: Int
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
            let result = try await database.transaction { db -> (SweepResult, Bool) in
                let (due, more) = try await CasesStore.dueAlerts(now: now, limit: batch, engine: engine, on: db)
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
                return (r, more)
            }
            total.warnings += result.0.warnings
            total.breaches += result.0.breaches
            if !result.1 { break }
        }
        return total
    }

    public struct RecomputeResult: Sendable, Equatable, Codable {
        public init(recomputed: Int = 0, changed: Int = 0) {
            self.recomputed = recomputed
            self.changed = changed
        }

        /// Cases whose clock was worked out again.
        public var recomputed: Int
        /// Of those, the cases whose due time, warning time or state moved and was written.
        public var changed: Int
    }

    /// How many recompute batches are worked on at once: one per core reading and working out clocks, and one more so the
    /// writer always has a batch ready.
    static let recomputeBatchesInFlight = max(2, ProcessInfo.processInfo.activeProcessorCount) + 1

    /// Recomputes the service-level state of every case of an organisation (or all) from its timeline: after a calendar,
    /// bank-holiday or target change. Batches are read in storage order, worked out on readers several at a time, and each
    /// written in a transaction of its own that only writes, so the run can be stopped and run again and holds up
    /// nobody's edits for longer than a batch's writes.
    @discardableResult
    public func recomputeServiceLevels(organisation: OrganisationID? = nil, now: Timestamp = .now, batch: Int = 5000) async throws -> RecomputeResult {
        let engine = database.engine
        return try await withThrowingTaskGroup(of: RecomputeResult.self) { group in
            var total = RecomputeResult()
            var after = "", more = true, running = 0
            while true {
                while more && running < Self.recomputeBatchesInFlight {
                    let last = after
                    let (rows, next) = try await database.read { try await CasesStore.clockRows(after: last, organisation: organisation, limit: batch, engine: engine, on: $0) }
                    (after, more) = (next, rows.count == batch)
                    guard !rows.isEmpty else { break }
                    group.addTask { try await self.recompute(rows, now: now) }
                    running += 1
                }
                guard let done = try await group.next() else { return total }
                running -= 1
                total.recomputed += done.recomputed
                total.changed += done.changed
            }
        }
    }

    /// One batch of a recompute: clocks worked out on a reader, then the ones that moved written.
    func recompute(_ rows: [ClockRow], now: Timestamp) async throws -> RecomputeResult {
        let updates = try await database.read { try await Self.clockUpdates(rows, now: now, on: $0) }
        guard !updates.isEmpty else { return RecomputeResult(recomputed: rows.count) }
        let engine = database.engine
        let changed = try await database.transaction { try await Self.writeClocks(updates, now: now, engine: engine, on: $0) }
        return RecomputeResult(recomputed: rows.count, changed: changed)
    }

    /// The clocks of `rows` that differ from what is stored.
    static func clockUpdates(_ rows: [ClockRow], now: Timestamp, on db: any SQLDatabase) async throws -> [ClockUpdate] {
        let histories = try await CasesStore.statusHistories(cases: rows.map(\.id), on: db)
        var inputs = ClockInputs()
        var updates: [ClockUpdate] = []
        for row in rows {
            let clock = try await inputs.clock(organisation: row.organisationID, service: row.serviceID, priority: row.priority,
                                               history: histories[row.id] ?? [], now: now, on: db)
            let due = Timestamp(seconds: clock.dueAt).iso, warning = Timestamp(seconds: clock.warningAt).iso
            if due != row.dueAt || warning != row.warningAt || clock.state.rawValue != row.state {
                updates.append(ClockUpdate(rowid: row.rowid, id: row.id, dueAt: due, warningAt: warning, state: clock.state.rawValue, version: row.version))
            }
        }
        return updates
    }

    /// Writes clocks worked out on a reader. A case edited since it was read (its version moved on) is read and worked out
    /// again here, inside the transaction, so an edit made meanwhile is never overwritten by a clock from before it. Returns
    /// how many clocks were written.
    static func writeClocks(_ updates: [ClockUpdate], now: Timestamp, engine: Engine, on db: any SQLDatabase) async throws -> Int {
        let stale = try await CasesStore.applyClocks(updates, engine: engine, on: db)
        guard !stale.isEmpty else { return updates.count }
        let again = try await clockUpdates(try await CasesStore.clockRows(ids: stale, engine: engine, on: db), now: now, on: db)
        let lost = try await CasesStore.applyClocks(again, engine: engine, on: db)
        assert(lost.isEmpty, "nothing else writes inside this transaction")
        return updates.count - stale.count + again.count
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
