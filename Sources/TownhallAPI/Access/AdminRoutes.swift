import Access
import Audit
import Hummingbird
import TownhallDatabase
import TownhallHTTP
import Partnership
import TownhallKernel

/// /api/v1/me, /organisations, /agreements, /staff, /api-keys, /audit.
public struct AdminRoutes: APIArea {
    let partnership: Partnership
    let access: Access

    public init(services: ServiceRegistry) {
        partnership = services.require(Partnership.self); access = services.require(Access.self)
    }

    public func addRoutes(api group: RouterGroup<TownhallContext>, root: Router<TownhallContext>) {
        group.get("me") { _, context in
            let actor = try context.requireActor()
            let organisation = try await partnership.organisation(id: actor.organisationID)
            return try JSONResponse.make(MeView(organisation: organisation, actor: actor.label,
                                                permissions: actor.permissions.map(\.rawValue).sorted(), staff: context.staff))
        }
        group.get("organisations") { _, context in
            _ = try context.requireActor()
            return try JSONResponse.make(["items": try await partnership.organisations()])
        }
        group.get("organisations/:slug") { _, context in
            _ = try context.requireActor()
            return try JSONResponse.make(try await partnership.organisation(slug: try context.parameters.require("slug")))
        }
        group.post("organisations") { request, context in
            let actor = try context.requireActor()
            let body = try await BodyDecoding.decode(OrganisationBody.self, from: request, context: context)
            guard let kind = Organisation.Kind(rawValue: body.kind) else {
                throw TownhallError.invalid("kind", "kind is one of: \(Organisation.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            let input = NewOrganisation(slug: body.slug, name: body.name, kind: kind, onsCode: body.ons_code, custodianCode: body.custodian_code, parentSlug: body.parent)
            return try JSONResponse.make(try await partnership.create(input, by: actor), status: .created)
        }
        group.get("agreements") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(["items": try await partnership.agreements(for: actor)])
        }
        group.post("agreements") { request, context in
            let actor = try context.requireActor()
            let body = try await BodyDecoding.decode(AgreementBody.self, from: request, context: context)
            var categories = Set<DataCategory>()
            for (i, raw) in body.categories.enumerated() {
                guard let c = DataCategory(rawValue: raw) else {
                    throw TownhallError.invalid("categories[\(i)]", "\(raw) is not a data category. Use: \(DataCategory.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                categories.insert(c)
            }
            let agreement = try await partnership.createAgreement(
                provider: actor.organisationID, recipientSlug: body.recipient, categories: categories, legalBasis: body.legal_basis,
                startsOn: try LocalDate(parsing: body.starts_on, field: "starts_on"), expiresOn: try LocalDate(parsing: body.expires_on, field: "expires_on"), by: actor)
            return try JSONResponse.make(agreement, status: .created)
        }
        group.post("agreements/:id/revoke") { _, context in
            let actor = try context.requireActor()
            try await partnership.revokeAgreement(try context.parameters.id("id"), by: actor)
            return Response(status: .noContent)
        }
        group.get("staff") { _, context in
            let actor = try context.requireActor()
            try actor.require(.staffManage)
            return try JSONResponse.make(["items": try await access.staff(in: actor.organisationID, by: actor)])
        }
        group.post("staff") { request, context in
            let actor = try context.requireActor()
            let body = try await BodyDecoding.decode(StaffBody.self, from: request, context: context)
            var roles = Set<Role>()
            for (i, raw) in body.roles.enumerated() {
                guard let role = Role(rawValue: raw) else {
                    throw TownhallError.invalid("roles[\(i)]", "\(raw) is not a role. Roles are: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                roles.insert(role)
            }
            let staff = try await access.createStaff(NewStaff(username: body.username, displayName: body.display_name, email: body.email,
                                                              password: body.password, roles: roles, teamName: body.team),
                                                     organisation: actor.organisationID, by: actor)
            return try JSONResponse.make(staff, status: .created)
        }
        group.post("api-keys") { request, context in
            let actor = try context.requireActor()
            let body = try await BodyDecoding.decode(APIKeyBody.self, from: request, context: context)
            let scopes = Set(try body.scopes.map(access.scope(parsing:)))
            let (key, secret) = try await access.createAPIKey(organisation: actor.organisationID, name: body.name, scopes: scopes, by: actor)
            return try JSONResponse.make(NewKeyView(key: key, secret: secret), status: .created)
        }
        group.get("audit") { request, context in
            let actor = try context.requireActor()
            var filter = AuditFilter(entityType: request.query("entity_type"), entityID: request.query("entity_id"), actorID: request.query("actor_id"))
            if let raw = request.query("action") {
                guard let action = AuditEntry.Action(rawValue: raw) else { throw TownhallError.invalid("action", "\(raw) is not an audit action.") }
                filter.action = action
            }
            if let raw = request.query("person_id") { filter.subjectPersonID = try PersonID.parse(raw, field: "person_id") }
            if let raw = request.query("from") { filter.from = try AdminRoutes.instant(raw, field: "from") }
            if let raw = request.query("to") { filter.to = try AdminRoutes.instant(raw, field: "to") }
            return try JSONResponse.page(try await AuditLog.search(partnership.database, actor: actor, filter: filter, after: try request.cursor(), limit: try request.pageSize()))
        }
    }

    /// Accepts a date (the start of that day, UTC) or a full ISO 8601 instant.
    static func instant(_ raw: String, field: String) throws -> Timestamp {
        if let t = Timestamp(iso: raw) { return t }
        let date = try LocalDate(parsing: raw, field: field)
        return Timestamp(iso: "\(date)T00:00:00.000Z")!
    }
}

struct MeView: Encodable, Sendable {
    var organisation: Organisation
    var actor: String
    var permissions: [String]
    var staff: Staff?
}

struct NewKeyView: Encodable, Sendable {
    var key: APIKey
    /// Shown once: only a digest is stored.
    var secret: String
}

// What this area adds to the OpenAPI document.
extension AdminRoutes {
    public var operations: [APIOperation] {
        [
        APIOperation(method: "get", path: "/api/v1/me", summary: "Who the caller is: organisation, permissions", tag: "access"),
        APIOperation(method: "get", path: "/api/v1/organisations", summary: "List organisations on the platform", tag: "partnership", response: "OrganisationList"),
        APIOperation(method: "post", path: "/api/v1/organisations", summary: "Register an organisation (organisations.manage)", tag: "partnership", body: "NewOrganisation", response: "Organisation", status: 201),
        APIOperation(method: "get", path: "/api/v1/organisations/{slug}", summary: "One organisation by slug", tag: "partnership", response: "Organisation"),
        APIOperation(method: "get", path: "/api/v1/agreements", summary: "Data-sharing agreements the caller's organisation is party to", tag: "partnership"),
        APIOperation(method: "post", path: "/api/v1/agreements", summary: "Share categories of your records with another organisation (agreements.manage)", tag: "partnership", body: "NewAgreement", response: "Agreement", status: 201),
        APIOperation(method: "post", path: "/api/v1/agreements/{id}/revoke", summary: "Revoke an agreement", tag: "partnership", status: 204),
        APIOperation(method: "get", path: "/api/v1/staff", summary: "Staff of the caller's organisation (staff.manage)", tag: "access"),
        APIOperation(method: "post", path: "/api/v1/staff", summary: "Create a staff account (staff.manage)", tag: "access", body: "NewStaff", status: 201),
        APIOperation(method: "post", path: "/api/v1/api-keys", summary: "Create an API key; the secret is returned once (api_keys.manage)", tag: "access", body: "NewAPIKey", status: 201),
        APIOperation(method: "get", path: "/api/v1/audit", summary: "Search the audit log, newest first (audit.read)", tag: "audit",
                  query: ["entity_type", "entity_id", "actor_id", "action", "person_id", "from", "to"] + list),
        ]
    }

    public var schemas: [String: Any] {
        [
        "Organisation": obj(["id": s, "slug": s, "name": s, "kind": s, "ons_code": optS, "custodian_code": ["type": ["integer", "null"]], "parent_id": optS, "version": int]),
        "OrganisationList": obj(["items": array(ref("Organisation"))]),
        "NewOrganisation": obj(["slug": s, "name": s, "kind": s, "ons_code": s, "custodian_code": int, "parent": s], required: ["slug", "name", "kind"]),
        "Agreement": obj(["id": s, "provider_id": s, "recipient_id": s, "categories": array(s), "legal_basis": s, "starts_on": s, "expires_on": s, "revoked_at": optS]),
        "NewAgreement": obj(["recipient": s, "categories": array(["type": "string", "enum": DataCategory.allCases.map(\.rawValue)]),
                             "legal_basis": s, "starts_on": ["type": "string", "format": "date"], "expires_on": ["type": "string", "format": "date"]],
                            required: ["recipient", "categories", "legal_basis", "starts_on", "expires_on"]),
        "NewStaff": obj(["username": s, "display_name": s, "email": s, "password": ["type": "string", "minLength": 12], "roles": array(s), "team": s],
                        required: ["username", "display_name", "email", "password", "roles"]),
        "NewAPIKey": obj(["name": s, "scopes": array(["type": "string", "enum": access.catalogue.scopeNames])], required: ["name", "scopes"]),
        ]
    }
}
