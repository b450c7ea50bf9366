import Cases
import Partnership
import Register
import TownhallDatabase
import TownhallKernel

extension Permission {
    /// Recording contacts with customers in the contact log.
    public static let contactsLog = Permission("contacts.log")
    /// Reading the details of restricted (safeguarding) flags, for a stated purpose.
    public static let safeguardingRead = Permission("safeguarding.read")
}

extension APIScope {
    /// A telephony or CRM system logging contacts (it reads the register to find the person).
    public static let contactsLog = APIScope("contacts:log")
}

/// The one-stop shop: the contact log, restricted information, triage and agent guidance.
public struct ContactModule: AreaModule {
    public static let name = "contact"
    public static var migrations: [Migration] { Contacts.migrations }
    public static let permissions = [
        PermissionGrant(
            .contactsLog, "Record contacts with customers.",
            roles: [.agent, .officer, .teamLeader, .manager, .safeguardingOfficer]),
        // A person reads these for a purpose they state; no API key ever holds it.
        PermissionGrant(.safeguardingRead, "Read restricted (safeguarding) flags.", roles: [.safeguardingOfficer], machineGrantable: false),
    ]
    public static let scopes = [
        ScopeGrant(
            .contactsLog, "Log contacts (reads the register to find the person).",
            permissions: [.registerRead, .contactsLog])
    ]

    let restrictionPanel: RestrictionPanel

    public init(services: inout ServiceRegistry) {
        let database = services.database
        let register = services.require(Register.self), cases = services.require(Cases.self)
        let partnership = services.require(Partnership.self)
        let contacts = Contacts(database: database, register: register, cases: cases)
        let restrictions = Restrictions(database: database, register: register)
        services.add(contacts)
        services.add(restrictions)
        services.add(Triage(database: database, contacts: contacts, cases: cases, register: register))
        services.add(Guidance(database: database, partnership: partnership))
        restrictionPanel = RestrictionPanel(restrictions: restrictions, partnership: partnership)
    }

    public var panels: [any SingleViewPanelSource] { [restrictionPanel] }
}
