import TownhallDatabase
import TownhallKernel

extension Permission {
    public static let organisationsManage = Permission("organisations.manage")
    public static let agreementsManage = Permission("agreements.manage")
}

/// Organisations (tenants) and data-sharing agreements.
public struct PartnershipModule: AreaModule {
    public static let name = "partnership"
    public static var migrations: [Migration] { Partnership.migrations }
    public static let permissions = [
        PermissionGrant(.organisationsManage, "Add organisations to the partnership.", roles: [.administrator]),
        PermissionGrant(.agreementsManage, "Make and revoke data-sharing agreements.", roles: [.administrator]),
    ]

    public init(services: inout ServiceRegistry) {
        services.add(Partnership(database: services.database))
    }
}
