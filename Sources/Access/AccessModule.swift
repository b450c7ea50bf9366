import Partnership
import TownhallDatabase
import TownhallKernel

extension Permission {
    public static let staffManage = Permission("staff.manage")
    public static let apiKeysManage = Permission("api_keys.manage")
}

extension APIScope {
    /// Everything an API key may do in every installed area (never reading safeguarding flags).
    public static let admin = APIScope("admin")
}

/// Staff, teams, roles, sessions and API keys.
public struct AccessModule: AreaModule {
    public static let name = "access"
    public static var migrations: [Migration] { Access.migrations }
    public static let permissions = [
        PermissionGrant(.staffManage, "Add staff and change their roles.", roles: [.administrator]),
        PermissionGrant(.apiKeysManage, "Issue and revoke API keys.", roles: [.administrator]),
    ]
    public static let scopes = [ScopeGrant(.admin, "Everything an API key may do, in every area.", permissions: nil)]

    public init(services: inout ServiceRegistry) {
        services.add(Access(database: services.database, catalogue: services.catalogue, bcryptCost: services.settings.bcryptCost))
    }
}
