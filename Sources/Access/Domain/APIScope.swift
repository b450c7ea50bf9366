import TownhallKernel

/// What a machine client's key may do. Scopes map onto the same permissions staff roles grant.
public enum APIScope: String, Sendable, Codable, CaseIterable {
    case registerRead = "register:read"
    case registerWrite = "register:write"
    case auditRead = "audit:read"
    case casesRead = "cases:read"
    case casesWrite = "cases:write"
    /// A telephony or CRM system logging contacts (it reads the register to find the person).
    case contactsLog = "contacts:log"
    case open311
    /// A payment system or a revenues back office: reads accounts and records payments.
    case revenuesRead = "revenues:read"
    case revenuesWrite = "revenues:write"
    case admin

    public var permissions: Set<Permission> {
        switch self {
        case .registerRead: [.registerRead]
        case .registerWrite: [.registerRead, .registerWrite]
        case .auditRead: [.auditRead]
        case .casesRead: [.casesRead]
        case .casesWrite: [.casesRead, .casesWrite]
        case .contactsLog: [.registerRead, .contactsLog]
        // Open311 clients report problems and read them back; they see the register only to place a report.
        case .open311: [.registerRead, .casesRead, .casesWrite]
        case .revenuesRead: [.registerRead, .revenuesRead]
        case .revenuesWrite: [.registerRead, .revenuesRead, .revenuesWrite]
        case .admin: Set(Permission.allCases).subtracting([.safeguardingRead])
        }
    }

    public static func parse(_ raw: String) throws -> APIScope {
        guard let scope = APIScope(rawValue: raw.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw TownhallError.invalid("scope", "Unknown scope \(raw). Scopes are: \(APIScope.allCases.map(\.rawValue).joined(separator: ", ")).", code: "invalid_scope")
        }
        return scope
    }
}

public struct APIKey: Sendable, Codable, Equatable {
    public var id: APIKeyID
    public var organisationID: OrganisationID
    public var name: String
    public var prefix: String
    public var scopes: Set<APIScope>
    public var createdAt: Timestamp
    public var revokedAt: Timestamp?

    public var permissions: Set<Permission> { scopes.reduce(into: []) { $0.formUnion($1.permissions) } }

    public func actor(channel: Channel = .api, requestID: String? = nil) -> Actor {
        Actor(organisationID: organisationID, principal: .apiKey(id: id, name: name), permissions: permissions, channel: channel, requestID: requestID)
    }
}

/// Sign-in throttling: after `maximumFailures` failed attempts for one username within `window`, further attempts are
/// refused until the window has passed, whichever node they reach (attempts are counted in the database).
public struct LoginThrottle: Sendable {
    public var maximumFailures: Int
    public var window: Double

    public init(maximumFailures: Int = 5, window: Double = 15 * 60) { self.maximumFailures = maximumFailures; self.window = window }

    public func isLocked(recentFailures: Int) -> Bool { recentFailures >= maximumFailures }
}
