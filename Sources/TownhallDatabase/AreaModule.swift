import Logging
import TownhallKernel

/// The module seam: how an area (Register, Cases, Revenues, Benefits, …) declares itself, once. The app keeps one list
/// of areas (`TownhallModules` in TownhallApp); migrations, permissions, role grants, API scopes, single-view panels and
/// scheduled jobs all come from that list, so adding an area touches no other area's code.
/// See `docs/ADDING-A-MODULE.md`.
public protocol AreaModule: Sendable {
    /// Short, stable and unique: used in logs and job names.
    static var name: String { get }
    /// The area's schema changes, in order. Ids are prefixed with the area's name (`revenues.0001_…`).
    static var migrations: [Migration] { get }
    /// The permissions the area checks, with the roles that hold each.
    static var permissions: [PermissionGrant] { get }
    /// The API scopes the area offers to machine clients.
    static var scopes: [ScopeGrant] { get }

    /// Makes the area's services from those of the areas listed before it and adds them to `services`.
    init(services: inout ServiceRegistry)

    /// What the area adds to the agent's single view, in the order shown.
    var panels: [any SingleViewPanelSource] { get }
    /// Work the background scheduler runs for the area.
    var jobs: [ScheduledJob] { get }
}

extension AreaModule {
    public static var migrations: [Migration] { [] }
    public static var permissions: [PermissionGrant] { [] }
    public static var scopes: [ScopeGrant] { [] }
    public var panels: [any SingleViewPanelSource] { [] }
    public var jobs: [ScheduledJob] { [] }
}

/// Settings every area may read while it is built.
public struct AreaSettings: Sendable {
    /// The address citizens and staff reach this installation at (links in messages).
    public var publicURL: String
    /// bcrypt work factor for staff and citizen passwords (12 in production; tests lower it).
    public var bcryptCost: UInt8
    public var logger: Logger

    public init(
        publicURL: String = "http://localhost:8080", bcryptCost: UInt8 = 12,
        logger: Logger = Logger(label: "townhall")
    ) {
        self.publicURL = publicURL; self.bcryptCost = bcryptCost; self.logger = logger
    }
}

/// The services built so far, found by type. Areas are built in the app's order, so an area finds those it depends on
/// (`services.require(Cases.self)`); an area listed before what it needs is a wiring mistake, reported at start-up.
public struct ServiceRegistry: Sendable {
    public let database: Database
    public let settings: AreaSettings
    /// The permissions, roles and scopes of every installed area.
    public let catalogue: PermissionCatalogue
    private var entries: [ObjectIdentifier: any Sendable] = [:]

    public init(database: Database, settings: AreaSettings, catalogue: PermissionCatalogue) {
        self.database = database; self.settings = settings; self.catalogue = catalogue
    }

    /// Adds a service; the type it is found by is `T` (give an existential, `any MessageSender`, to register a protocol).
    public mutating func add<T: Sendable>(_ service: T, as type: T.Type = T.self) {
        entries[ObjectIdentifier(type)] = service
    }

    public func find<T>(_ type: T.Type) -> T? {
        entries[ObjectIdentifier(type)] as? T
    }

    public func require<T>(_ type: T.Type) -> T {
        guard let found = find(type) else {
            preconditionFailure("No \(type) has been built yet: list the area that provides it earlier in TownhallModules.")
        }
        return found
    }
}

/// Background work an area asks the scheduler to run. State lives in the database, so a run that fails or is cut short
/// by a restart is simply run again; a job must be safe to run twice and on several nodes at once.
public struct ScheduledJob: Sendable {
    public enum Cadence: Sendable, Equatable {
        /// On every scheduler tick (`TOWNHALL_SCHEDULER_INTERVAL` seconds).
        case everyTick
        /// Once a London day per node, retried on later ticks until a run succeeds.
        case daily
    }

    public var name: String
    public var cadence: Cadence
    /// Does one run. What it returns is logged when not empty (counts of what it did).
    public var run: @Sendable (_ today: LocalDate, _ logger: Logger) async throws -> [String: String]

    public init(
        _ name: String, cadence: Cadence,
        run: @escaping @Sendable (_ today: LocalDate, _ logger: Logger) async throws -> [String: String]
    ) {
        self.name = name; self.cadence = cadence; self.run = run
    }
}
