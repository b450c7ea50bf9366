import TownhallDatabase
import TownhallKernel

extension Permission {
    public static let registerRead = Permission("register.read")
    public static let registerWrite = Permission("register.write")
    public static let registerMerge = Permission("register.merge")
    public static let registerImport = Permission("register.import")
    /// Exporting everything held about a person (a subject access request).
    public static let subjectAccess = Permission("subject_access")
}

extension APIScope {
    public static let registerRead = APIScope("register:read")
    public static let registerWrite = APIScope("register:write")
}

/// The people-and-property register: the spine every other area links to.
public struct RegisterModule: AreaModule {
    public static let name = "register"
    public static var migrations: [Migration] { Register.migrations }
    public static let permissions = [
        PermissionGrant(.registerRead, "Find and read people, households and properties.", roles: Set(Role.allCases)),
        PermissionGrant(
            .registerWrite, "Add and change people, contact details and addresses.",
            roles: [.agent, .officer, .teamLeader, .manager, .administrator, .safeguardingOfficer]),
        PermissionGrant(.registerMerge, "Merge duplicate people.", roles: [.teamLeader, .manager, .administrator]),
        PermissionGrant(.registerImport, "Import people and properties from files.", roles: [.officer, .administrator]),
        PermissionGrant(.subjectAccess, "Export everything held about a person.", roles: [.administrator, .auditor]),
    ]
    public static let scopes = [
        ScopeGrant(.registerRead, "Find and read the register.", permissions: [.registerRead]),
        ScopeGrant(.registerWrite, "Read and change the register.", permissions: [.registerRead, .registerWrite]),
    ]

    public init(services: inout ServiceRegistry) {
        services.add(Register(database: services.database))
    }
}
