import TownhallKernel

public struct APIKey: Sendable, Codable, Equatable {
    public var id: APIKeyID
    public var organisationID: OrganisationID
    public var name: String
    public var prefix: String
    public var scopes: Set<APIScope>
    public var createdAt: Timestamp
    public var revokedAt: Timestamp?

    /// The key acting, with what its scopes grant in `catalogue` (see `Access.actor(for:channel:requestID:)`).
    public func actor(catalogue: PermissionCatalogue, channel: Channel = .api, requestID: String? = nil) -> Actor {
        Actor(organisationID: organisationID, principal: .apiKey(id: id, name: name), permissions: catalogue.permissions(for: scopes),
              channel: channel, requestID: requestID)
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
