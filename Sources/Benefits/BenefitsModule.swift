import Partnership
import Revenues
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
        let partnership = services.require(Partnership.self), revenues = services.require(Revenues.self)
        // The band's charge where a member council bills through Townhall: its unparished area's charges for the year.
        services.add(Benefits(bandCharges: { council, year in
            guard let organisation = try await partnership.organisations().first(where: { $0.onsCode == council.gss }) else {
                return nil
            }
            let all = try await revenues.charges(year: year, by: .system(organisation.id, "benefits estimate"))
            guard let charges = all.first(where: { $0.area.isEmpty }) ?? all.first else { return nil }
            return Dictionary(uniqueKeysWithValues: CouncilTaxBand.allCases.map { (Character($0.rawValue), charges.amount($0)) })
        }))
    }
}
