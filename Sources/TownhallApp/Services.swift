import Access
import Audit
import Cases
import Citizens
import Contact
import Foundation
import Logging
import Partnership
import Register
import Revenues
import TownhallDatabase
import TownhallKernel

/// The opened database and every area's services, built once per process from `TownhallModules.areas`.
public struct Services: Sendable {
    public let database: Database
    /// Every area's services, found by type (`services.registry.require(Revenues.self)`).
    public let registry: ServiceRegistry
    /// The areas as built, in list order.
    public let modules: [any AreaModule]
    /// The single view's panels, in the order of the areas that offer them.
    public let panels: SingleViewPanels

    /// Every area's migrations, in the order of the list.
    public static let migrator = Migrator(TownhallModules.areas.flatMap { $0.module.migrations })

    /// Every area's permissions, role grants and API scopes.
    public static let catalogue = PermissionCatalogue(
        grants: TownhallModules.areas.flatMap { $0.module.permissions },
        scopes: TownhallModules.areas.flatMap { $0.module.scopes })

    /// `sender` delivers queued messages (the configured one; the log when nil).
    public init(
        database: Database, bcryptCost: UInt8, publicURL: String = "http://localhost:8080", sender: (any MessageSender)? = nil,
        logger: Logger = Logger(label: "townhall")
    ) {
        self.database = database
        var registry = ServiceRegistry(
            database: database, settings: AreaSettings(publicURL: publicURL, bcryptCost: bcryptCost, logger: logger),
            catalogue: Services.catalogue)
        if let sender { registry.add(sender, as: (any MessageSender).self) }
        var modules: [any AreaModule] = []
        for area in TownhallModules.areas { modules.append(area.module.init(services: &registry)) }
        self.registry = registry
        self.modules = modules
        panels = SingleViewPanels(modules.flatMap(\.panels))
    }

    /// Everything the areas ask the scheduler to run.
    public var jobs: [ScheduledJob] { modules.flatMap(\.jobs) }

    // The core areas' services by name, for the CLI, the demo and tests. A new area needs no line here:
    // `registry.require(Benefits.self)` finds it.
    public var partnership: Partnership { registry.require(Partnership.self) }
    public var access: Access { registry.require(Access.self) }
    public var register: Register { registry.require(Register.self) }
    public var cases: Cases { registry.require(Cases.self) }
    public var contacts: Contacts { registry.require(Contacts.self) }
    public var restrictions: Restrictions { registry.require(Restrictions.self) }
    public var triage: Triage { registry.require(Triage.self) }
    public var guidance: Guidance { registry.require(Guidance.self) }
    public var citizens: Citizens { registry.require(Citizens.self) }
    public var revenues: Revenues { registry.require(Revenues.self) }

    /// England and Wales bank holidays as shipped (GOV.UK's feed); loaded at start-up when none are stored yet.
    public static var bundledBankHolidays: Data {
        (try? Data(contentsOf: Bundle.module.url(forResource: "bank-holidays", withExtension: "json")!)) ?? Data()
    }

    /// Opens the configured database and brings its schema up to date.
    public static func open(
        _ configuration: TownhallConfiguration, logger: Logger, sender: (any MessageSender)? = nil
    ) async throws -> Services {
        let database = try await Database.open(configuration.database, logger: logger, poolSize: configuration.databasePoolSize)
        do {
            try await migrator.migrate(database, logger: logger)
        } catch {
            await database.shutdown()  // pools must be closed before they are released
            throw error
        }
        let services = Services(
            database: database, bcryptCost: configuration.bcryptCost, publicURL: configuration.publicURL, sender: sender,
            logger: logger)
        if try await !services.cases.hasBankHolidays() {
            try await services.cases.loadBankHolidays(json: bundledBankHolidays, by: nil)
        }
        return services
    }
}
