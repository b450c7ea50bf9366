/// What a person or machine may do, such as `revenues.read`. The vocabulary is open: each area declares its own
/// permissions (as `static let`s on this type) and which roles hold them, in its `AreaModule`; the app's list of areas
/// is then the whole table (`PermissionCatalogue`).
public struct Permission: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: Permission, b: Permission) -> Bool { a.rawValue < b.rawValue }
}

/// What a machine client's API key may do, such as `revenues:read`. Open like `Permission`: an area declares the scopes
/// it offers and the permissions each one carries.
public struct APIScope: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: APIScope, b: APIScope) -> Bool { a.rawValue < b.rawValue }
}

/// The staff roles a partnership uses. Each area says which of its permissions each role holds (`PermissionGrant`); the
/// whole table is the `PermissionCatalogue`, printed by `townhall roles` for review.
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

    /// The platform acting for itself (migrations, demo loading, scheduled jobs), within one organisation. It may do
    /// anything (`may` is true for every permission), whatever areas are installed.
    public static func system(_ organisationID: Identifier<OrganisationTag>, _ job: String) -> Actor {
        Actor(organisationID: organisationID, principal: .system(job), permissions: [], channel: .system)
    }

    /// Whether this actor holds the permission (the platform itself holds them all).
    public func may(_ permission: Permission) -> Bool {
        if case .system = principal { return true }
        return permissions.contains(permission)
    }

    public func require(_ permission: Permission) throws {
        guard may(permission) else {
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
