import Foundation
import TownhallKernel

public enum CaseTag {}
public enum CaseEventTag {}
public enum RoutingRuleTag {}
public typealias CaseID = Identifier<CaseTag>
public typealias CaseEventID = Identifier<CaseEventTag>
public typealias RoutingRuleID = Identifier<RoutingRuleTag>

/// Where a case is: a UPRN or USRN from the register, a point, or an address as the customer said it.
public struct CaseLocation: Sendable, Codable, Equatable {
    public var uprn: UPRN?
    public var usrn: Int?
    public var latitude: Double?
    public var longitude: Double?
    public var address: String?
    public var postcode: Postcode?

    public init(uprn: UPRN? = nil, usrn: Int? = nil, latitude: Double? = nil, longitude: Double? = nil, address: String? = nil, postcode: Postcode? = nil) {
        self.uprn = uprn; self.usrn = usrn; self.latitude = latitude; self.longitude = longitude; self.address = address; self.postcode = postcode
    }

    public var isEmpty: Bool { uprn == nil && usrn == nil && latitude == nil && address == nil && postcode == nil }

    /// Checks the parts given make sense together: a point needs both coordinates, inside the UK's range.
    public func validated() throws -> CaseLocation {
        var copy = self
        if (latitude == nil) != (longitude == nil) {
            throw TownhallError.invalid(latitude == nil ? "lat" : "long", "Send both lat and long, or neither.", code: "invalid_location")
        }
        if let lat = latitude, let long = longitude {
            guard (49.8...60.9).contains(lat), (-8.7...1.8).contains(long) else {
                throw TownhallError.invalid("lat", "\(lat), \(long) is not in Great Britain. Send WGS84 latitude and longitude.", code: "location_outside_area")
            }
        }
        if let usrn, !(1...99_999_999).contains(usrn) { throw TownhallError.invalid("usrn", "A USRN is a number of up to 8 digits.", code: "invalid_usrn") }
        copy.address = address?.trimmingCharacters(in: .whitespacesAndNewlines)
        if copy.address?.isEmpty == true { copy.address = nil }
        if let a = copy.address, a.count > 500 { throw TownhallError.invalid("address_string", "An address can be at most 500 characters.") }
        guard !copy.isEmpty else {
            throw TownhallError.invalid("location", "Say where: a UPRN, a USRN, lat and long, a postcode or an address.", code: "missing_location")
        }
        return copy
    }
}

/// The person who raised a case when they are not (or not yet) on the register.
public struct CaseContact: Sendable, Codable, Equatable {
    public var name: String?
    public var email: String?
    public var phone: String?
    public init(name: String? = nil, email: String? = nil, phone: String? = nil) { self.name = name; self.email = email; self.phone = phone }
    public var isEmpty: Bool { name == nil && email == nil && phone == nil }
}

/// A case: a report, enquiry, referral or application with a service level, owned by one organisation.
public struct Case: Sendable, Codable, Equatable {
    public var id: CaseID
    public var organisationID: OrganisationID
    /// `TH-26-000123`: what the customer quotes. Unique across the platform.
    public var reference: String
    public var serviceID: ServiceID
    public var serviceCode: String
    public var serviceName: String
    public var status: CaseStatus
    public var resolution: Resolution?
    public var priority: Priority
    public var channel: CaseChannel
    public var requesterID: PersonID?
    public var contact: CaseContact
    public var location: CaseLocation
    public var description: String
    public var attributes: [String: [String]]
    public var teamID: TeamID?
    public var assigneeID: StaffID?
    /// The organisation whose agent or system logged it (differs from `organisationID` when logged on another's behalf).
    public var loggedByID: OrganisationID
    public var duplicateOfID: CaseID?
    public var mediaURLs: [String]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var dueAt: Timestamp?
    public var warningAt: Timestamp?
    public var slaState: ServiceLevelClock.State
    public var resolvedAt: Timestamp?
    public var version: Int

    /// As declared, except that `mediaURLs` is `media_urls` in JSON, the name the API takes it by: the snake_case rule
    /// makes "URLs" into "ur_ls".
    enum CodingKeys: String, CodingKey {
        case id, organisationID, reference, serviceID, serviceCode, serviceName, status, resolution, priority, channel, requesterID
        case contact, location, description, attributes, teamID, assigneeID, loggedByID, duplicateOfID
        case mediaURLs = "mediaUrls"
        case createdAt, updatedAt, dueAt, warningAt, slaState, resolvedAt, version
    }
}

/// One fact on a case's timeline. Events are appended, never changed.
public struct CaseEvent: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case created, statusChanged = "status_changed", note, publicUpdate = "public_update", assigned, transferred, rerouted
        case linked, attachment, priorityChanged = "priority_changed", slaWarning = "sla_warning", slaBreached = "sla_breached", escalated

        public var title: String {
            switch self {
            case .created: "Case created"
            case .statusChanged: "Status changed"
            case .note: "Internal note"
            case .publicUpdate: "Update to customer"
            case .assigned: "Assigned"
            case .transferred: "Transferred"
            case .rerouted: "Re-routed"
            case .linked: "Linked"
            case .attachment: "Attachment added"
            case .priorityChanged: "Priority changed"
            case .slaWarning: "Service level due soon"
            case .slaBreached: "Service level breached"
            case .escalated: "Escalated"
            }
        }
    }

    public var id: CaseEventID
    public var caseID: CaseID
    public var organisationID: OrganisationID
    public var at: Timestamp
    public var kind: Kind
    /// Who: a username, an API key's name, or the system job.
    public var actor: String
    public var actorOrganisationID: OrganisationID
    public var channel: String
    public var fromStatus: CaseStatus?
    public var toStatus: CaseStatus?
    /// Shown to the customer (track page, Open311 updates) or internal only.
    public var isPublic: Bool
    public var text: String?
    public var data: [String: String]

    public init(id: CaseEventID = CaseEventID(), caseID: CaseID, organisationID: OrganisationID, at: Timestamp = .now, kind: Kind, actor: Actor,
                fromStatus: CaseStatus? = nil, toStatus: CaseStatus? = nil, isPublic: Bool = false, text: String? = nil, data: [String: String] = [:]) {
        self.id = id; self.caseID = caseID; self.organisationID = organisationID; self.at = at; self.kind = kind
        self.actor = actor.label; self.actorOrganisationID = actor.organisationID; self.channel = actor.channel.rawValue
        self.fromStatus = fromStatus; self.toStatus = toStatus; self.isPublic = isPublic; self.text = text; self.data = data
    }

    public init(id: CaseEventID, caseID: CaseID, organisationID: OrganisationID, at: Timestamp, kind: Kind, actor: String, actorOrganisationID: OrganisationID,
                channel: String, fromStatus: CaseStatus?, toStatus: CaseStatus?, isPublic: Bool, text: String?, data: [String: String]) {
        self.id = id; self.caseID = caseID; self.organisationID = organisationID; self.at = at; self.kind = kind; self.actor = actor
        self.actorOrganisationID = actorOrganisationID; self.channel = channel; self.fromStatus = fromStatus; self.toStatus = toStatus
        self.isPublic = isPublic; self.text = text; self.data = data
    }
}

/// Case references: `TH-YY-NNNNNN`, the year of receipt and a platform-wide sequence.
public enum CaseReference {
    /// Without `String(format:)`, which went through Foundation's formatter on the writer's thread for every new case.
    public static func make(year: Int, number: Int) -> String {
        let yy = year % 100, digits = String(number)
        return "TH-" + (yy < 10 ? "0" : "") + String(yy) + "-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// Normalises what a customer types ("th 26 123", "TH-26-000123") to the stored form, or nil if it is not a reference.
    public static func normalise(_ text: String) -> String? {
        let parts = text.uppercased().split(whereSeparator: { $0 == "-" || $0 == " " || $0 == "/" })
        guard parts.count == 3, parts[0] == "TH", parts[1].count == 2, let y = Int(parts[1]), let n = Int(parts[2]), n > 0, n < 100_000_000 else { return nil }
        return make(year: y, number: n)
    }
}
