import Access
import Cases
import Foundation
import Logging
import Partnership
import Register
import TownhallApp
import TownhallDatabase
import TownhallKernel

/// A small partnership on a fresh database (SQLite, or PostgreSQL when TOWNHALL_TEST_DATABASE_URL is set):
/// Burnley and Pendle councils and the police, with staff in several roles. Burnley shares contact details and
/// properties with the police; Pendle shares nothing.
public struct Scenario: Sendable {
    public let services: Services
    public let lancashire: Organisation
    public let burnley: Organisation
    public let pendle: Organisation
    public let police: Organisation
    public let burnleyAgent: Staff
    public let burnleyAdmin: Staff
    public let burnleyAuditor: Staff
    public let burnleyTeamLeader: Staff
    public let pendleAgent: Staff
    public let policeAgent: Staff
    public static let password = "correct horse battery staple"

    public var database: Database { services.database }
    public var register: Register { services.register }
    public var partnership: Partnership { services.partnership }
    public var access: Access { services.access }
    public var cases: Cases { services.cases }

    public static func run<T>(_ body: (Scenario) async throws -> T) async throws -> T {
        try await TestDatabase.withDatabase(migrations: Services.migrator) { database in
            let services = Services(database: database, bcryptCost: 4)
            let p = services.partnership
            try await p.loadAuthorities()
            try await services.cases.loadBankHolidays(json: Services.bundledBankHolidays, by: nil)
            let lancashire = try await p.createCouncil(gss: "E10000017", by: nil)
            let burnley = try await p.create(NewOrganisation(slug: "burnley", name: "Burnley Borough Council", kind: .districtCouncil, onsCode: "E07000117", custodianCode: 2315,
                                                             parentSlug: "lancashire"), by: nil)
            let pendle = try await p.create(NewOrganisation(slug: "pendle", name: "Pendle Borough Council", kind: .districtCouncil, onsCode: "E07000122", custodianCode: 2340), by: nil)
            let police = try await p.create(NewOrganisation(slug: "lancashire-police", name: "Lancashire Constabulary", kind: .police), by: nil)
            func staff(_ username: String, _ org: Organisation, _ roles: Set<Role>, team: String? = nil) async throws -> Staff {
                try await services.access.createStaff(NewStaff(username: username, displayName: username.capitalized, email: "\(username)@example.org",
                                                               password: password, roles: roles, teamName: team), organisation: org.id, by: nil)
            }
            // Each organisation's standard services, and postcodes that place reports in Burnley and Pendle.
            for (org, kind) in [(lancashire, "county"), (burnley, "district"), (pendle, "district"), (police, "police")] {
                for service in StandardCatalogue.services(for: org.id, kind: kind) { _ = try await services.cases.saveService(service, by: .system(org.id, "test")) }
            }
            _ = try await services.cases.addRule(RoutingRule(ownerID: police.id, name: "Anti-social behaviour to the police", serviceCode: "asb", targetID: police.id),
                                                 targetSlug: "lancashire-police", teamName: nil, by: .system(police.id, "test"))
            _ = try await services.register.importPostcodes(csv: "pcds,dointr,doterm,oslaua,ctry,lat,long\nBB11 2BD,198001,,E07000117,E92000001,53.7868,-2.2483\nBB9 7PU,198001,,E07000122,E92000001,53.8355,-2.2189\n",
                                                            by: .system(burnley.id, "test"))
            let scenario = Scenario(
                services: services, lancashire: lancashire, burnley: burnley, pendle: pendle, police: police,
                burnleyAgent: try await staff("b.agent", burnley, [.agent]), burnleyAdmin: try await staff("b.admin", burnley, [.administrator]),
                burnleyAuditor: try await staff("b.auditor", burnley, [.auditor]), burnleyTeamLeader: try await staff("b.leader", burnley, [.teamLeader], team: "Street Scene"),
                pendleAgent: try await staff("p.agent", pendle, [.agent]), policeAgent: try await staff("police.agent", police, [.agent]))
            _ = try await p.createAgreement(provider: burnley.id, recipientSlug: "lancashire-police", categories: [.contactDetails, .properties],
                                            legalBasis: "Crime and Disorder Act 1998, section 115", startsOn: try LocalDate(year: 2020, month: 1, day: 1),
                                            expiresOn: try LocalDate(year: 2099, month: 12, day: 31), by: services.access.actor(for: scenario.burnleyAdmin, channel: .web))
            return try await body(scenario)
        }
    }

    public func actor(_ staff: Staff) -> Actor { access.actor(for: staff, channel: .phone) }

    /// Adds a property to an organisation's register.
    @discardableResult
    public func property(_ uprn: Int64, _ paon: String, _ street: String, postcode: String, in org: Staff) async throws -> Property {
        try await register.createProperty(PropertyInput(uprn: uprn, paon: paon, street: street, town: "Burnley", postcode: postcode), by: actor(org))
    }

    /// Adds a person, optionally living at a UPRN.
    @discardableResult
    public func person(_ given: String, _ family: String, born: String? = nil, uprn: Int64? = nil, phone: String? = nil, email: String? = nil,
                       by staff: Staff) async throws -> Person {
        var contacts: [PersonInput.ContactInput] = []
        if let phone { contacts.append(.init(kind: "phone", value: phone)) }
        if let email { contacts.append(.init(kind: "email", value: email)) }
        return try await register.createPerson(PersonInput(givenName: given, familyName: family, dateOfBirth: born, contacts: contacts, uprn: uprn,
                                                           movedIn: uprn == nil ? nil : "2020-01-01"), by: actor(staff)).person
    }

    /// A fixture file shipped with a test target.
    public static func fixture(_ name: String, bundle: Bundle) throws -> String {
        guard let url = bundle.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw TownhallError.notFound("Fixture \(name)")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
