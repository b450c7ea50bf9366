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
import TownhallWeb

/// The opened database and every area's service, built once per process.
public struct Services: Sendable {
    public let database: Database
    public let partnership: Partnership
    public let access: Access
    public let register: Register
    public let cases: Cases
    public let contacts: Contacts
    public let restrictions: Restrictions
    public let triage: Triage
    public let guidance: Guidance
    public let citizens: Citizens
    public let revenues: Revenues
    /// The single view's panels, in the order they are shown. A module that adds a panel registers its source here.
    public let panels: SingleViewPanels

    /// Every area's migrations, in dependency order. Add a new area's list here.
    public static let migrator = Migrator(AuditLog.migrations + Partnership.migrations + Access.migrations + Register.migrations + Cases.migrations + Contacts.migrations
                                            + Citizens.migrations + Revenues.migrations)

    public init(database: Database, bcryptCost: UInt8, publicURL: String = "http://localhost:8080") {
        self.database = database
        partnership = Partnership(database: database)
        access = Access(database: database, bcryptCost: bcryptCost)
        register = Register(database: database)
        cases = Cases(database: database, partnership: partnership, register: register, access: access, trackURL: publicURL + "/track")
        contacts = Contacts(database: database, register: register, cases: cases)
        restrictions = Restrictions(database: database, register: register)
        triage = Triage(database: database, contacts: contacts, cases: cases, register: register)
        guidance = Guidance(database: database, partnership: partnership)
        citizens = Citizens(database: database, partnership: partnership, access: access, cases: cases, publicURL: publicURL)
        revenues = Revenues(database: database, register: register, partnership: partnership)
        panels = SingleViewPanels([RestrictionPanel(restrictions: restrictions, partnership: partnership), RevenuesPanel(revenues: revenues)])
    }

    /// England and Wales bank holidays as shipped (GOV.UK's feed); loaded at start-up when none are stored yet.
    public static var bundledBankHolidays: Data {
        (try? Data(contentsOf: Bundle.module.url(forResource: "bank-holidays", withExtension: "json")!)) ?? Data()
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
        let services = Services(database: database, bcryptCost: configuration.bcryptCost, publicURL: configuration.publicURL)
        if try await !services.cases.hasBankHolidays() {
            try await services.cases.loadBankHolidays(json: bundledBankHolidays, by: nil)
        }
        return services
    }
}
