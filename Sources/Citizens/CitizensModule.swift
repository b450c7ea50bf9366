import Access
import Cases
import Partnership
import TownhallDatabase
import TownhallKernel

/// Citizen accounts on the portal.
public struct CitizensModule: AreaModule {
    public static let name = "citizens"
    public static var migrations: [Migration] { Citizens.migrations }

    public init(services: inout ServiceRegistry) {
        services.add(
            Citizens(
                database: services.database, partnership: services.require(Partnership.self), access: services.require(Access.self),
                cases: services.require(Cases.self), publicURL: services.settings.publicURL))
    }
}
