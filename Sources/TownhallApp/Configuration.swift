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
    /// The address citizens reach this site at, for links in messages (track my report).
    public var publicURL: String = "http://localhost:8080"
    /// How often the background scheduler raises service-level alerts and sends queued messages, in seconds (0: never).
    public var schedulerInterval: Double = 30
    /// How queued messages are sent: `log` (default), `file` (JSON lines to `messageFile`) or `notify` (GOV.UK Notify).
    public var messageSender: String = "log"
    public var messageFile: String = "townhall-data/messages.jsonl"
    public var notifyAPIKey: String?
    public var notifyTemplateID: String?
    /// A Notify letter template for council tax letters to taxpayers without e-billing.
    public var notifyLetterTemplateID: String?

    public init(database: DatabaseLocation = .sqlite(path: DatabaseLocation.defaultSQLitePath), hostname: String = "127.0.0.1", port: Int = 8080,
                logLevel: Logger.Level = .info, secureCookies: Bool = true, bcryptCost: UInt8 = 12, databasePoolSize: Int = 4, assetsDirectory: String? = nil) {
        self.database = database; self.hostname = hostname; self.port = port; self.logLevel = logLevel
        self.secureCookies = secureCookies; self.bcryptCost = bcryptCost; self.databasePoolSize = databasePoolSize; self.assetsDirectory = assetsDirectory
    }

    /// Reads `TOWNHALL_*` variables; `overrides` are the flags given on the command line.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment,
                            databaseURL: String? = nil, hostname: String? = nil, port: Int? = nil) throws -> TownhallConfiguration {
        let reader = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: .specific(["TOWNHALL_DATABASE_URL", "TOWNHALL_NOTIFY_API_KEY"])))
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
        c.publicURL = reader.string(forKey: "townhall.public.url", default: "http://\(c.hostname == "0.0.0.0" ? "localhost" : c.hostname):\(c.port)")
        c.schedulerInterval = Double(reader.int(forKey: "townhall.scheduler.interval", default: 30))
        guard c.schedulerInterval >= 0 else { throw TownhallError.invalid("scheduler_interval", "TOWNHALL_SCHEDULER_INTERVAL is a number of seconds, 0 to turn it off.") }
        c.messageSender = reader.string(forKey: "townhall.message.sender", default: "log").lowercased()
        guard ["log", "file", "notify"].contains(c.messageSender) else {
            throw TownhallError.invalid("message_sender", "TOWNHALL_MESSAGE_SENDER is log, file or notify.")
        }
        c.messageFile = reader.string(forKey: "townhall.message.file", default: c.messageFile)
        c.notifyAPIKey = reader.string(forKey: "townhall.notify.api.key", isSecret: true)
        c.notifyTemplateID = reader.string(forKey: "townhall.notify.template.id")
        c.notifyLetterTemplateID = reader.string(forKey: "townhall.notify.letter.template.id")
        if c.messageSender == "notify" && (c.notifyAPIKey == nil || c.notifyTemplateID == nil) {
            throw TownhallError.invalid("notify_api_key", "TOWNHALL_MESSAGE_SENDER=notify needs TOWNHALL_NOTIFY_API_KEY and TOWNHALL_NOTIFY_TEMPLATE_ID.")
        }
        return c
    }
}
