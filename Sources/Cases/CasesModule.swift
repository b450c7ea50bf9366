import Access
import Logging
import Partnership
import Register
import TownhallDatabase
import TownhallKernel

extension Permission {
    public static let casesRead = Permission("cases.read")
    public static let casesWrite = Permission("cases.write")
    /// The service catalogue, routing rules, calendars and message templates.
    public static let casesManage = Permission("cases.manage")
}

extension APIScope {
    public static let casesRead = APIScope("cases:read")
    public static let casesWrite = APIScope("cases:write")
    /// Open311 clients report problems and read them back; they see the register only to place a report.
    public static let open311 = APIScope("open311")
}

/// Cases: the service catalogue, routing, timelines, service levels and the outbox.
public struct CasesModule: AreaModule {
    public static let name = "cases"
    public static var migrations: [Migration] { Cases.migrations }
    public static let permissions = [
        PermissionGrant(.casesRead, "Read cases, queues and service levels.", roles: Set(Role.allCases)),
        PermissionGrant(
            .casesWrite, "Raise and work cases.", roles: [.agent, .officer, .teamLeader, .manager, .administrator, .safeguardingOfficer]),
        PermissionGrant(
            .casesManage, "Change the service catalogue, routing, calendars, templates and guidance.",
            roles: [.manager, .administrator]),
    ]
    public static let scopes = [
        ScopeGrant(.casesRead, "Read cases.", permissions: [.casesRead]),
        ScopeGrant(.casesWrite, "Read, raise and work cases.", permissions: [.casesRead, .casesWrite]),
        ScopeGrant(
            .open311, "An Open311 client: report problems and read them back.", permissions: [.registerRead, .casesRead, .casesWrite]),
    ]

    let cases: Cases
    let sender: any MessageSender

    public init(services: inout ServiceRegistry) {
        cases = Cases(
            database: services.database, partnership: services.require(Partnership.self), register: services.require(Register.self),
            access: services.require(Access.self), trackURL: services.settings.publicURL + "/track")
        // The app registers the configured sender first; without one (tests, tools) messages go to the log.
        sender = services.find((any MessageSender).self) ?? LogSender(logger: services.settings.logger)
        services.add(cases)
    }

    public var jobs: [ScheduledJob] {
        let cases = self.cases, sender = self.sender
        return [
            ScheduledJob("service-level sweep", cadence: .everyTick) { _, _ in
                let sweep = try await cases.sweepServiceLevels()
                return sweep.warnings + sweep.breaches == 0 ? [:] : ["warnings": "\(sweep.warnings)", "breaches": "\(sweep.breaches)"]
            },
            ScheduledJob("message delivery", cadence: .everyTick) { _, logger in
                let d = try await cases.deliverMessages(with: sender, logger: logger)
                return d.sent + d.retrying + d.failed == 0
                    ? [:] : ["sent": "\(d.sent)", "retrying": "\(d.retrying)", "failed": "\(d.failed)"]
            },
        ]
    }
}
