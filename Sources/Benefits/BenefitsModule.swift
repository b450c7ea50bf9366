import TownhallDatabase
import TownhallKernel

extension Permission {
    /// The eligibility checker: estimates from what a resident says, nothing stored.
    public static let benefitsEstimate = Permission("benefits.estimate")
}

extension APIScope {
    /// A council's website or a partner's adviser tool running the eligibility checker.
    public static let benefitsEstimate = APIScope("benefits:estimate")
}

/// Housing benefit, council tax reduction and the eligibility checker.
public struct BenefitsModule: AreaModule {
    public static let name = "benefits"
    public static let permissions = [
        PermissionGrant(
            .benefitsEstimate, "Run the benefits eligibility checker for a resident.",
            roles: [.agent, .officer, .teamLeader, .manager, .administrator]),
    ]
    public static let scopes = [
        ScopeGrant(.benefitsEstimate, "Run the eligibility checker (a website or adviser tool).", permissions: [.benefitsEstimate]),
    ]

    public init(services: inout ServiceRegistry) {
        services.add(Benefits())
    }
}
