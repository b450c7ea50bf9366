import Logging
import Partnership
import Register
import TownhallDatabase
import TownhallKernel

extension Permission {
    /// Council tax and business rates accounts, bills and payments.
    public static let revenuesRead = Permission("revenues.read")
    /// Opening accounts, recording moves, discounts and payments.
    public static let revenuesWrite = Permission("revenues.write")
    /// The valuation list, charges, billing runs and recovery.
    public static let revenuesManage = Permission("revenues.manage")
}

extension APIScope {
    /// A payment system or a revenues back office: reads accounts and records payments.
    public static let revenuesRead = APIScope("revenues:read")
    public static let revenuesWrite = APIScope("revenues:write")
}

/// Council tax and business rates.
public struct RevenuesModule: AreaModule {
    public static let name = "revenues"
    public static var migrations: [Migration] { Revenues.migrations }
    public static let permissions = [
        PermissionGrant(
            .revenuesRead, "Read council tax and business rates accounts, bills and payments.",
            roles: [.agent, .officer, .teamLeader, .manager, .administrator, .auditor]),
        PermissionGrant(
            .revenuesWrite, "Open accounts, record moves, discounts and payments.",
            roles: [.agent, .officer, .teamLeader, .manager, .administrator]),
        PermissionGrant(
            .revenuesManage, "Keep the valuation list and charges, run billing and recovery, make refund files.",
            roles: [.manager, .administrator]),
    ]
    public static let scopes = [
        ScopeGrant(.revenuesRead, "Read accounts (a payment system or back office).", permissions: [.registerRead, .revenuesRead]),
        ScopeGrant(.revenuesWrite, "Read accounts and record payments.", permissions: [.registerRead, .revenuesRead, .revenuesWrite]),
    ]

    let revenues: Revenues

    public init(services: inout ServiceRegistry) {
        revenues = Revenues(
            database: services.database, register: services.require(Register.self), partnership: services.require(Partnership.self))
        services.add(revenues)
    }

    public var panels: [any SingleViewPanelSource] { [RevenuesPanel(revenues: revenues)] }

    /// Recovery once a day for each council that bills council tax and has not had it today (another node may have).
    /// With review on (the default) it only proposes; officers issue.
    public var jobs: [ScheduledJob] {
        let revenues = self.revenues
        return [
            ScheduledJob("council tax recovery", cadence: .daily) { today, logger in
                for organisation in try await revenues.billingOrganisations()
                where !(try await revenues.ranRecovery(organisation: organisation, on: today)) {
                    let result = try await revenues.runRecovery(on: today, by: .system(organisation, "daily recovery"))
                    logger.info(
                        "recovery",
                        metadata: [
                            "organisation": .string(organisation.string), "accounts": .stringConvertible(result.accounts),
                            "proposed": .stringConvertible(result.proposedTotal), "issued": .stringConvertible(result.issued),
                        ])
                }
                return [:]
            }
        ]
    }
}
