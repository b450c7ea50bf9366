/// What a person or machine may do. Roles grant sets of these (see `Role`); API keys grant them through scopes.
public enum Permission: String, Sendable, CaseIterable, Codable {
    case registerRead = "register.read"
    case registerWrite = "register.write"
    case registerMerge = "register.merge"
    case registerImport = "register.import"
    case safeguardingRead = "safeguarding.read"
    case auditRead = "audit.read"
    case subjectAccess = "subject_access"
    case staffManage = "staff.manage"
    case organisationsManage = "organisations.manage"
    case agreementsManage = "agreements.manage"
    case apiKeysManage = "api_keys.manage"
    case casesRead = "cases.read"
    case casesWrite = "cases.write"
    /// The service catalogue, routing rules, calendars and message templates.
    case casesManage = "cases.manage"
    /// Recording contacts with customers in the contact log.
    case contactsLog = "contacts.log"
    /// Council tax and business rates accounts, bills and payments.
    case revenuesRead = "revenues.read"
    /// Opening accounts, recording moves, discounts and payments.
    case revenuesWrite = "revenues.write"
    /// The valuation list, charges, billing runs and recovery.
    case revenuesManage = "revenues.manage"
}

/// The staff roles a partnership uses. Permissions per role are fixed here, in one table, so they can be reviewed.
public enum Role: String, Sendable, CaseIterable, Codable {
    case agent, officer
    case teamLeader = "team_leader"
    case manager, administrator
    case safeguardingOfficer = "safeguarding_officer"
    case auditor

    public var title: String {
        switch self {
        case .agent: "Contact-centre agent"
        case .officer: "Back-office officer"
        case .teamLeader: "Team leader"
        case .manager: "Manager"
        case .administrator: "Administrator"
        case .safeguardingOfficer: "Designated safeguarding officer"
        case .auditor: "Auditor"
        }
    }

    public var permissions: Set<Permission> {
        switch self {
        case .agent: [.registerRead, .registerWrite, .casesRead, .casesWrite, .contactsLog, .revenuesRead, .revenuesWrite]
        case .officer: [.registerRead, .registerWrite, .registerImport, .casesRead, .casesWrite, .contactsLog, .revenuesRead, .revenuesWrite]
        case .teamLeader: [.registerRead, .registerWrite, .registerMerge, .casesRead, .casesWrite, .contactsLog, .revenuesRead, .revenuesWrite]
        case .manager: [.registerRead, .registerWrite, .registerMerge, .auditRead, .casesRead, .casesWrite, .casesManage, .contactsLog,
                        .revenuesRead, .revenuesWrite, .revenuesManage]
        case .administrator: [.registerRead, .registerWrite, .registerMerge, .registerImport, .auditRead, .subjectAccess,
                              .staffManage, .organisationsManage, .agreementsManage, .apiKeysManage, .casesRead, .casesWrite, .casesManage,
                              .revenuesRead, .revenuesWrite, .revenuesManage]
        case .safeguardingOfficer: [.registerRead, .registerWrite, .safeguardingRead, .casesRead, .casesWrite, .contactsLog]
        case .auditor: [.registerRead, .auditRead, .subjectAccess, .casesRead, .revenuesRead]
        }
    }
}

/// How a contact or change reached Townhall. Recorded on audit entries and, later, on contacts and cases.
public enum Channel: String, Sendable, CaseIterable, Codable {
    case phone, faceToFace = "face_to_face", web, eForm = "e_form", email, mobileWorker = "mobile_worker", partner
    case api, open311, system
}

/// Who is acting: the organisation (tenant) every query is scoped by, the principal, and what it may do.
public struct Actor: Sendable, Equatable {
    public enum Principal: Sendable, Equatable {
        case staff(id: Identifier<StaffTag>, username: String)
        case apiKey(id: Identifier<APIKeyTag>, name: String)
        case system(String)
    }

    public var organisationID: Identifier<OrganisationTag>
    public var principal: Principal
    public var permissions: Set<Permission>
    public var channel: Channel
    /// The request this action came in on, copied onto audit entries so a log line and an audit entry can be joined.
    public var requestID: String?

    public init(organisationID: Identifier<OrganisationTag>, principal: Principal, permissions: Set<Permission>, channel: Channel, requestID: String? = nil) {
        self.organisationID = organisationID
        self.principal = principal
        self.permissions = permissions
        self.channel = channel
        self.requestID = requestID
    }

    /// The platform acting for itself (migrations, demo loading, scheduled jobs), within one organisation.
    public static func system(_ organisationID: Identifier<OrganisationTag>, _ job: String) -> Actor {
        Actor(organisationID: organisationID, principal: .system(job), permissions: Set(Permission.allCases), channel: .system)
    }

    public func require(_ permission: Permission) throws {
        guard permissions.contains(permission) else {
            throw TownhallError.forbidden("You do not have permission to do this (\(permission.rawValue) is needed).")
        }
    }

    public var label: String {
        switch principal {
        case .staff(_, let username): username
        case .apiKey(_, let name): "api key \(name)"
        case .system(let job): "system: \(job)"
        }
    }
}

// Tags for identifiers of the core entities; other modules declare their own.
public enum OrganisationTag {}
public enum StaffTag {}
public enum APIKeyTag {}
public enum TeamTag {}
public enum PersonTag {}
public enum PropertyTag {}
public enum HouseholdTag {}
public enum AgreementTag {}

public typealias OrganisationID = Identifier<OrganisationTag>
public typealias StaffID = Identifier<StaffTag>
public typealias APIKeyID = Identifier<APIKeyTag>
public typealias TeamID = Identifier<TeamTag>
public typealias PersonID = Identifier<PersonTag>
public typealias PropertyID = Identifier<PropertyTag>
public typealias HouseholdID = Identifier<HouseholdTag>
public typealias AgreementID = Identifier<AgreementTag>

/// The kinds of data one organisation may share with another under a data-sharing agreement.
public enum DataCategory: String, Sendable, CaseIterable, Codable {
    case contactDetails = "contact_details"
    case properties
    case cases
    case revenues
    case benefits
    case socialCare = "social_care"
    case safeguarding

    public var title: String {
        switch self {
        case .contactDetails: "Contact details (people, households, addresses)"
        case .properties: "Property records"
        case .cases: "Cases"
        case .revenues: "Revenues (council tax, business rates)"
        case .benefits: "Benefits"
        case .socialCare: "Social care"
        case .safeguarding: "Safeguarding flags"
        }
    }
}
