import Access
import Audit
import Logging
import Partnership
import Register
import TownhallDatabase

/// The opened database and every area's service, built once per process.
public struct Services: Sendable {
    public let database: Database
    public let partnership: Partnership
    public let access: Access
    public let register: Register

    /// Every area's migrations, in dependency order. Add a new area's list here.
    public static let migrator = Migrator(AuditLog.migrations + Partnership.migrations + Access.migrations + Register.migrations)

    public init(database: Database, bcryptCost: UInt8) {
        self.database = database
        partnership = Partnership(database: database)
        access = Access(database: database, bcryptCost: bcryptCost)
        register = Register(database: database)
    }

    /// Opens the configured database and brings its schema up to date.
    public static func open(_ configuration: TownhallConfiguration, logger: Logger) async throws -> Services {
        let database = try await Database.open(configuration.database, logger: logger, poolSize: configuration.databasePoolSize)
        do {
            try await migrator.migrate(database, logger: logger)
        } catch {
            await database.shutdown()   // pools must be closed before they are released
            throw error
        }
        return Services(database: database, bcryptCost: configuration.bcryptCost)
    }
}
