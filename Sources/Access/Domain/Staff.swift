import TownhallKernel

/// A member of staff of one organisation, with the roles that decide what they may do.
public struct Staff: Sendable, Codable, Equatable {
    public var id: StaffID
    public var organisationID: OrganisationID
    public var username: String
    public var displayName: String
    public var email: String
    public var roles: Set<Role>
    public var teamID: TeamID?
    public var active: Bool
    public var createdAt: Timestamp
    public var version: Int

    public init(id: StaffID = StaffID(), organisationID: OrganisationID, username: String, displayName: String, email: String,
                roles: Set<Role>, teamID: TeamID? = nil, active: Bool = true, createdAt: Timestamp = .now, version: Int = 1) {
        self.id = id; self.organisationID = organisationID; self.username = username; self.displayName = displayName
        self.email = email; self.roles = roles; self.teamID = teamID; self.active = active; self.createdAt = createdAt; self.version = version
    }

    /// The member of staff acting, with what their roles grant in `catalogue` (see `Access.actor(for:channel:requestID:)`).
    public func actor(catalogue: PermissionCatalogue, channel: Channel, requestID: String? = nil) -> Actor {
        Actor(organisationID: organisationID, principal: .staff(id: id, username: username), permissions: catalogue.permissions(for: roles),
              channel: channel, requestID: requestID)
    }
}

public struct Team: Sendable, Codable, Equatable {
    public var id: TeamID
    public var organisationID: OrganisationID
    public var name: String
    public init(id: TeamID = TeamID(), organisationID: OrganisationID, name: String) { self.id = id; self.organisationID = organisationID; self.name = name }
}

/// What is needed to create a staff account, validated before anything is written.
public struct NewStaff: Sendable, Codable {
    public var username: String
    public var displayName: String
    public var email: String
    public var password: String
    public var roles: Set<Role>
    public var teamName: String?

    public init(username: String, displayName: String, email: String, password: String, roles: Set<Role>, teamName: String? = nil) {
        self.username = username; self.displayName = displayName; self.email = email; self.password = password; self.roles = roles; self.teamName = teamName
    }

    public static let minimumPasswordLength = 12

    public func validated() throws -> NewStaff {
        var copy = self
        copy.username = username.trimmingCharacters(in: .whitespaces).lowercased()
        copy.displayName = displayName.trimmingCharacters(in: .whitespaces)
        guard (3...64).contains(copy.username.count),
              copy.username.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }) else {
            throw TownhallError.invalid("username", "A username is 3 to 64 lower-case letters, digits, dots, hyphens or underscores.", code: "invalid_username")
        }
        guard !copy.displayName.isEmpty else { throw TownhallError.missing("display_name") }
        copy.email = try ContactPointRules.email(email, field: "email")
        guard password.count >= NewStaff.minimumPasswordLength else {
            throw TownhallError.invalid("password", "A password must be at least \(NewStaff.minimumPasswordLength) characters long.", code: "weak_password")
        }
        guard password.count <= 72 else {
            // bcrypt reads 72 bytes at most; refuse rather than silently ignore the rest.
            throw TownhallError.invalid("password", "A password can be at most 72 characters long.", code: "weak_password")
        }
        guard !roles.isEmpty else { throw TownhallError.invalid("roles", "Give the account at least one role.") }
        return copy
    }
}
