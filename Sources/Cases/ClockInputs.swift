import SQLKit
import TownhallKernel

/// What a service-level clock needs besides the case's own history: the owner's working calendar and the service's target.
/// Read once per organisation and service within a run (one case, a sweep batch, a recompute batch), not once per case.
struct ClockInputs {
    private var calendars: [OrganisationID: WorkingCalendar] = [:]
    private var services: [ServiceID: ServiceDefinition?] = [:]

    mutating func clock(organisation: OrganisationID, service: ServiceID, priority: Priority, history: [ServiceLevelClock.Change], now: Timestamp,
                        on db: any SQLDatabase) async throws -> ServiceLevelClock {
        if calendars[organisation] == nil { calendars[organisation] = try await CasesStore.calendar(organisation: organisation, on: db) }
        if services[service] == nil { services[service] = .some(try await CasesStore.service(id: service, on: db)) }
        let target = services[service]??.target(for: priority) ?? .fallback
        return ServiceLevelClock.compute(changes: history, target: target, calendar: calendars[organisation]!, now: now.seconds)
    }
}

extension Case {
    /// Takes on a computed clock's due time, warning time and state.
    mutating func apply(_ clock: ServiceLevelClock) {
        dueAt = Timestamp(seconds: clock.dueAt)
        warningAt = Timestamp(seconds: clock.warningAt)
        slaState = clock.state
    }
}
