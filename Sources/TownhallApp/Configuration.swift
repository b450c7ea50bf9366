import Configuration
import Foundation
import Logging
import TownhallDatabase
import TownhallKernel

/// Everything an operator can set. Command-line flags win over `TOWNHALL_*` environment variables, which win over
/// the defaults here. docs/CONFIGURATION.md lists each one.
public struct TownhallConfiguration: Sendable {
    public var database: DatabaseLocation
    public var hostname: String
    public var port: Int
    public var logLevel: Logger.Level
    /// Mark the session cookie Secure (HTTPS only). Browsers also accept Secure cookies from http://localhost.
    public var secureCookies: Bool
    public var bcryptCost: UInt8
    /// Connections per event loop in each database pool.
    public var databasePoolSize: Int
    /// A folder of static files served at /assets before the built-in ones (for example a govuk-frontend build).
    public var assetsDirectory: String?

    public init(database: DatabaseLocation = .sqlite(path: DatabaseLocation.defaultSQLitePath), hostname: String = "127.0.0.1", port: Int = 8080,
                logLevel: Logger.Level = .info, secureCookies: Bool = true, bcryptCost: UInt8 = 12, databasePoolSize: Int = 4, assetsDirectory: String? = nil) {
        self.database = database; self.hostname = hostname; self.port = port; self.logLevel = logLevel
        self.secureCookies = secureCookies; self.bcryptCost = bcryptCost; self.databasePoolSize = databasePoolSize; self.assetsDirectory = assetsDirectory
    }

    /// Reads `TOWNHALL_*` variables; `overrides` are the flags given on the command line.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment,
                            databaseURL: String? = nil, hostname: String? = nil, port: Int? = nil) throws -> TownhallConfiguration {
        let reader = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: .specific(["TOWNHALL_DATABASE_URL"])))
        var c = TownhallConfiguration()
        c.database = try DatabaseLocation(url: databaseURL ?? reader.string(forKey: "townhall.database.url", isSecret: true))
        c.hostname = hostname ?? reader.string(forKey: "townhall.hostname", default: c.hostname)
        c.port = port ?? reader.int(forKey: "townhall.port", default: c.port)
        guard (1...65535).contains(c.port) else { throw TownhallError.invalid("port", "TOWNHALL_PORT must be a port number from 1 to 65535.") }
        if let level = reader.string(forKey: "townhall.log.level") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw TownhallError.invalid("log_level", "TOWNHALL_LOG_LEVEL is one of trace, debug, info, notice, warning, error, critical.")
            }
            c.logLevel = parsed
        }
        if let secure = reader.string(forKey: "townhall.secure.cookies") { c.secureCookies = !["0", "false", "no"].contains(secure.lowercased()) }
        let cost = reader.int(forKey: "townhall.bcrypt.cost", default: Int(c.bcryptCost))
        guard (4...31).contains(cost) else { throw TownhallError.invalid("bcrypt_cost", "TOWNHALL_BCRYPT_COST must be 4 to 31 (12 is the default).") }
        c.bcryptCost = UInt8(cost)
        c.databasePoolSize = max(1, reader.int(forKey: "townhall.database.pool.size", default: c.databasePoolSize))
        c.assetsDirectory = reader.string(forKey: "townhall.assets.dir")
        return c
    }
}
