import TownhallKernel

/// A case's service-level state, computed from its status history alone, so it can be recomputed whenever a calendar or
/// target changes. Time spent waiting on the customer or a third party does not count against the target.
public struct ServiceLevelClock: Sendable, Equatable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case onTrack = "on_track", warning, breached, paused, met, missed
        public var title: String {
            switch self {
            case .onTrack: "On track"
            case .warning: "Due soon"
            case .breached: "Overdue"
            case .paused: "Clock paused"
            case .met: "Met"
            case .missed: "Missed"
            }
        }
    }

    /// A status the case entered, and when (seconds since the epoch).
    public struct Change: Sendable, Equatable {
        public var at: Int
        public var status: CaseStatus
        public init(at: Int, status: CaseStatus) { self.at = at; self.status = status }
    }

    /// Warn when this share of the working time allowed has passed.
    public static let warningFraction = 0.8

    public var allowedSeconds: Int
    public var elapsedSeconds: Int
    /// When the target falls due, given the pauses so far (while paused: if the clock restarted now).
    public var dueAt: Int
    /// When the warning falls due (nil once passed or stopped).
    public var warningAt: Int
    public var stoppedAt: Int?
    public var state: State

    /// Computes the clock for a case received at `changes[0].at` with `target`, as it stands at `now`.
    public static func compute(changes: [Change], target: ServiceLevelTarget, calendar: WorkingCalendar, now: Int) -> ServiceLevelClock {
        guard let first = changes.first else {
            return ServiceLevelClock(allowedSeconds: 0, elapsedSeconds: 0, dueAt: now, warningAt: now, stoppedAt: nil, state: .onTrack)
        }
        let start = first.at
        let allowed = max(1, calendar.workingSeconds(from: start, to: target.due(from: start, calendar: calendar)))
        let warnAfter = Int(Double(allowed) * warningFraction)
        // The intervals in which the clock ran; the last is open (nil end) while the case is open and not paused.
        var intervals: [(from: Int, to: Int?)] = []
        var stoppedAt: Int?
        var status = first.status
        if status.isOpen && !status.pausesClock { intervals.append((start, nil)) }
        for change in changes.dropFirst() {
            let wasRunning = status.isOpen && !status.pausesClock
            let nowRunning = change.status.isOpen && !change.status.pausesClock
            if wasRunning && !nowRunning { intervals[intervals.count - 1].to = change.at }
            if !wasRunning && nowRunning { intervals.append((change.at, nil)) }
            if status.isOpen && !change.status.isOpen { stoppedAt = change.at }
            if change.status.isOpen { stoppedAt = nil }
            status = change.status
        }
        var elapsed = 0
        for i in intervals { elapsed += calendar.workingSeconds(from: i.from, to: max(i.from, min(i.to ?? now, now))) }
        // Where the clock would reach `budget`: inside a past or running interval, or else counted on from when it could
        // next run (now, for a paused case; the stop, for a finished one, which gives the due date it was measured against).
        func reach(_ budget: Int) -> Int {
            var used = 0
            for i in intervals {
                if let to = i.to {
                    let w = calendar.workingSeconds(from: i.from, to: to)
                    if used + w >= budget { return calendar.adding(workingSeconds: budget - used, to: i.from) }
                    used += w
                } else {
                    return calendar.adding(workingSeconds: budget - used, to: i.from)
                }
            }
            return calendar.adding(workingSeconds: budget - used, to: stoppedAt ?? max(now, changes.last!.at))
        }
        let state: State
        if stoppedAt != nil {
            state = elapsed <= allowed ? .met : .missed
        } else if elapsed > allowed {
            state = .breached
        } else if status.pausesClock {
            state = .paused
        } else if elapsed >= warnAfter {
            state = .warning
        } else {
            state = .onTrack
        }
        return ServiceLevelClock(allowedSeconds: allowed, elapsedSeconds: elapsed, dueAt: reach(allowed), warningAt: reach(warnAfter),
                                 stoppedAt: stoppedAt, state: state)
    }
}
