import TownhallDatabase
import TownhallKernel

extension Permission {
    /// Searching the audit log.
    public static let auditRead = Permission("audit.read")
}

extension APIScope {
    public static let auditRead = APIScope("audit:read")
}

/// The append-only audit log: the first area, since every other area writes to it.
public struct AuditModule: AreaModule {
    public static let name = "audit"
    public static var migrations: [Migration] { AuditLog.migrations }
    public static let permissions = [PermissionGrant(.auditRead, "Search the audit log.", roles: [.manager, .administrator, .auditor])]
    public static let scopes = [ScopeGrant(.auditRead, "Search the audit log.", permissions: [.auditRead])]

    public init(services: inout ServiceRegistry) {}
}
