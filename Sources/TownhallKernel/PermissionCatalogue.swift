import Foundation

/// One permission an area declares: what it allows, and which roles hold it.
public struct PermissionGrant: Sendable {
    public var permission: Permission
    public var summary: String
    public var roles: Set<Role>
    /// False for permissions no API key may carry, whatever its scopes (reading safeguarding flags needs a person).
    public var machineGrantable: Bool

    public init(_ permission: Permission, _ summary: String, roles: Set<Role>, machineGrantable: Bool = true) {
        self.permission = permission; self.summary = summary; self.roles = roles; self.machineGrantable = machineGrantable
    }
}

/// One API scope an area offers and the permissions a key with it holds. `nil` permissions means every permission an
/// API key may carry, from every area (the `admin` scope).
public struct ScopeGrant: Sendable {
    public var scope: APIScope
    public var summary: String
    public var permissions: Set<Permission>?

    public init(_ scope: APIScope, _ summary: String, permissions: Set<Permission>?) {
        self.scope = scope; self.summary = summary; self.permissions = permissions
    }
}

/// The whole table of permissions, roles and scopes, put together from what each installed area declares. It is the one
/// answer to "what may this role, or this key, do".
public struct PermissionCatalogue: Sendable {
    public let grants: [PermissionGrant]
    public let scopes: [ScopeGrant]
    private let byRole: [Role: Set<Permission>]
    private let byScope: [APIScope: Set<Permission>]

    /// Every permission declared, in the order declared.
    public var all: Set<Permission> { Set(grants.map(\.permission)) }

    public init(grants: [PermissionGrant], scopes: [ScopeGrant]) {
        var seen = Set<Permission>()
        for g in grants { precondition(seen.insert(g.permission).inserted, "permission \(g.permission) is declared twice") }
        var seenScopes = Set<APIScope>()
        for s in scopes { precondition(seenScopes.insert(s.scope).inserted, "scope \(s.scope) is declared twice") }
        self.grants = grants
        self.scopes = scopes
        var byRole: [Role: Set<Permission>] = [:]
        for role in Role.allCases { byRole[role] = Set(grants.filter { $0.roles.contains(role) }.map(\.permission)) }
        self.byRole = byRole
        let machine = Set(grants.filter(\.machineGrantable).map(\.permission))
        var byScope: [APIScope: Set<Permission>] = [:]
        for s in scopes {
            if let listed = s.permissions {
                precondition(listed.isSubset(of: seen), "scope \(s.scope) names a permission no area declares")
            }
            byScope[s.scope] = (s.permissions ?? machine).intersection(machine)
        }
        self.byScope = byScope
    }

    public func permissions(for roles: Set<Role>) -> Set<Permission> {
        roles.reduce(into: []) { $0.formUnion(byRole[$1] ?? []) }
    }

    public func permissions(for scopes: Set<APIScope>) -> Set<Permission> {
        scopes.reduce(into: []) { $0.formUnion(byScope[$1] ?? []) }
    }

    /// A scope as a client or an administrator typed it, checked against those the installed areas offer.
    public func scope(parsing raw: String) throws -> APIScope {
        let scope = APIScope(raw.trimmingCharacters(in: .whitespaces).lowercased())
        guard byScope[scope] != nil else {
            throw TownhallError.invalid(
                "scope", "Unknown scope \(raw). Scopes are: \(scopeNames.joined(separator: ", ")).",
                code: "invalid_scope")
        }
        return scope
    }

    public var scopeNames: [String] { scopes.map(\.scope.rawValue) }
}
