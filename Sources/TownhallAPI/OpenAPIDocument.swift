import Foundation

/// The OpenAPI 3.1 description of /api/v1, built from one table of operations. A test checks that every route the
/// router serves is in this table and nothing here is missing from the router.
public enum OpenAPIDocument {
    public struct Operation: Sendable {
        public var method: String
        public var path: String
        public var summary: String
        public var tag: String
        public var query: [String] = []
        public var body: String? = nil
        public var response: String? = nil
        public var status: Int = 200
    }

    static let list = ["cursor", "limit"]

    public static let operations: [Operation] = [
        Operation(method: "get", path: "/api/v1/openapi.json", summary: "This document", tag: "meta"),
        Operation(method: "get", path: "/api/v1/me", summary: "Who the caller is: organisation, permissions", tag: "access"),
        Operation(method: "get", path: "/api/v1/organisations", summary: "List organisations on the platform", tag: "partnership", response: "OrganisationList"),
        Operation(method: "post", path: "/api/v1/organisations", summary: "Register an organisation (organisations.manage)", tag: "partnership", body: "NewOrganisation", response: "Organisation", status: 201),
        Operation(method: "get", path: "/api/v1/organisations/{slug}", summary: "One organisation by slug", tag: "partnership", response: "Organisation"),
        Operation(method: "get", path: "/api/v1/agreements", summary: "Data-sharing agreements the caller's organisation is party to", tag: "partnership"),
        Operation(method: "post", path: "/api/v1/agreements", summary: "Share categories of your records with another organisation (agreements.manage)", tag: "partnership", body: "NewAgreement", response: "Agreement", status: 201),
        Operation(method: "post", path: "/api/v1/agreements/{id}/revoke", summary: "Revoke an agreement", tag: "partnership", status: 204),
        Operation(method: "get", path: "/api/v1/staff", summary: "Staff of the caller's organisation (staff.manage)", tag: "access"),
        Operation(method: "post", path: "/api/v1/staff", summary: "Create a staff account (staff.manage)", tag: "access", body: "NewStaff", status: 201),
        Operation(method: "post", path: "/api/v1/api-keys", summary: "Create an API key; the secret is returned once (api_keys.manage)", tag: "access", body: "NewAPIKey", status: 201),
        Operation(method: "get", path: "/api/v1/audit", summary: "Search the audit log, newest first (audit.read)", tag: "audit",
                  query: ["entity_type", "entity_id", "actor_id", "action", "person_id", "from", "to"] + list),
        Operation(method: "get", path: "/api/v1/properties", summary: "Search properties by address text, postcode or UPRN", tag: "register",
                  query: ["q", "postcode", "uprn"] + list, response: "PropertyPage"),
        Operation(method: "post", path: "/api/v1/properties", summary: "Add a property (BS 7666 fields, keyed by UPRN)", tag: "register", body: "PropertyInput", response: "Property", status: 201),
        Operation(method: "get", path: "/api/v1/properties/{id}", summary: "One property", tag: "register", response: "Property"),
        Operation(method: "get", path: "/api/v1/properties/{id}/occupants", summary: "People at a property over time", tag: "register"),
        Operation(method: "get", path: "/api/v1/postcodes/{postcode}", summary: "A postcode from the postcode directory", tag: "register"),
        Operation(method: "get", path: "/api/v1/people", summary: "Search people by name (typo tolerant), postcode, UPRN, phone or email; ranked", tag: "register",
                  query: ["q"] + list, response: "PersonMatchPage"),
        Operation(method: "post", path: "/api/v1/people", summary: "Add a person", tag: "register", body: "PersonInput", response: "PersonRecord", status: 201),
        Operation(method: "get", path: "/api/v1/people/{id}", summary: "A person's record (the read is audited; give ?purpose= for restricted reads)", tag: "register",
                  query: ["purpose"], response: "PersonRecord"),
        Operation(method: "patch", path: "/api/v1/people/{id}", summary: "Change a person's details; send the version you read (409 if stale)", tag: "register", body: "PersonPatch", response: "Person"),
        Operation(method: "post", path: "/api/v1/people/{id}/moves", summary: "Record a move into a property", tag: "register", body: "Move", status: 201),
        Operation(method: "post", path: "/api/v1/people/{id}/contacts", summary: "Add a phone number or email", tag: "register", body: "Contact", status: 201),
        Operation(method: "get", path: "/api/v1/people/{id}/duplicates", summary: "Records that may be the same person", tag: "register"),
        Operation(method: "post", path: "/api/v1/people/{id}/merge", summary: "Merge a duplicate into this record, keeping both histories (register.merge)", tag: "register", body: "Merge", response: "PersonRecord"),
        Operation(method: "get", path: "/api/v1/people/{id}/subject-access", summary: "Everything held on a person, for a subject-access request (subject_access)", tag: "register"),
        Operation(method: "post", path: "/api/v1/households", summary: "Record a household at a property", tag: "register", body: "Household", status: 201),
        Operation(method: "post", path: "/api/v1/imports/properties", summary: "Import properties from CSV (Townhall, libraries or OS Open UPRN layout); reports every rejected row", tag: "imports", body: "csv", response: "ImportReport"),
        Operation(method: "post", path: "/api/v1/imports/postcodes", summary: "Import postcode directory rows (ONSPD layout)", tag: "imports", body: "csv", response: "ImportReport"),
    ]

    static func obj(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        var o: [String: Any] = ["type": "object", "properties": properties]
        if !required.isEmpty { o["required"] = required }
        return o
    }
    // Immutable after initialisation; [String: Any] is only not Sendable because of Any.
    nonisolated(unsafe) static let s: [String: Any] = ["type": "string"]
    nonisolated(unsafe) static let optS: [String: Any] = ["type": ["string", "null"]]
    nonisolated(unsafe) static let int: [String: Any] = ["type": "integer"]
    nonisolated(unsafe) static let num: [String: Any] = ["type": ["number", "null"]]
    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func array(_ item: [String: Any]) -> [String: Any] { ["type": "array", "items": item] }

    nonisolated(unsafe) static let schemas: [String: Any] = [
        "Error": obj(["error": obj(["code": s, "message": s, "field": s], required: ["code", "message"])], required: ["error"]),
        "Organisation": obj(["id": s, "slug": s, "name": s, "kind": s, "ons_code": optS, "custodian_code": ["type": ["integer", "null"]], "parent_id": optS, "version": int]),
        "OrganisationList": obj(["items": array(ref("Organisation"))]),
        "NewOrganisation": obj(["slug": s, "name": s, "kind": s, "ons_code": s, "custodian_code": int, "parent": s], required: ["slug", "name", "kind"]),
        "Agreement": obj(["id": s, "provider_id": s, "recipient_id": s, "categories": array(s), "legal_basis": s, "starts_on": s, "expires_on": s, "revoked_at": optS]),
        "NewAgreement": obj(["recipient": s, "categories": array(["type": "string", "enum": ["contact_details", "properties", "cases", "revenues", "benefits", "social_care", "safeguarding"]]),
                             "legal_basis": s, "starts_on": ["type": "string", "format": "date"], "expires_on": ["type": "string", "format": "date"]],
                            required: ["recipient", "categories", "legal_basis", "starts_on", "expires_on"]),
        "NewStaff": obj(["username": s, "display_name": s, "email": s, "password": ["type": "string", "minLength": 12], "roles": array(s), "team": s],
                        required: ["username", "display_name", "email", "password", "roles"]),
        "NewAPIKey": obj(["name": s, "scopes": array(["type": "string", "enum": ["register:read", "register:write", "audit:read", "cases:read", "cases:write", "open311", "admin"]])], required: ["name", "scopes"]),
        "PropertyInput": obj(["uprn": ["type": "integer", "minimum": 1, "maximum": 999_999_999_999], "parent_uprn": int, "usrn": int, "saon": s, "paon": s, "name": s,
                              "street": s, "locality": s, "town": s, "administrative_area": s, "postcode": s, "latitude": num, "longitude": num,
                              "easting": num, "northing": num, "council_tax_band": s, "rateable_value": int], required: ["uprn"]),
        "Property": obj(["id": s, "organisation_id": s, "uprn": int, "postcode": optS, "address": s, "address_lines": array(s), "version": int]),
        "PropertyPage": obj(["items": array(ref("Property")), "next_cursor": optS]),
        "Person": obj(["id": s, "organisation_id": s, "title": optS, "given_name": s, "family_name": s, "date_of_birth": optS,
                       "preferred_channel": optS, "preferred_language": optS, "merged_into": optS, "version": int]),
        "PersonInput": obj(["title": s, "given_name": s, "family_name": s, "date_of_birth": ["type": "string", "format": "date"],
                            "preferred_channel": s, "preferred_language": s,
                            "contacts": array(obj(["kind": ["type": "string", "enum": ["phone", "mobile", "email"]], "value": s, "preferred": ["type": "boolean"]], required: ["kind", "value"])),
                            "uprn": int, "moved_in": ["type": "string", "format": "date"]], required: ["given_name", "family_name"]),
        "PersonPatch": obj(["version": int, "title": s, "given_name": s, "family_name": s, "date_of_birth": s, "preferred_channel": s, "preferred_language": s], required: ["version"]),
        "PersonRecord": obj(["person": ref("Person"), "contacts": array(obj([:])), "residences": array(obj([:])), "households": array(obj([:])), "current_address": optS]),
        "PersonMatchPage": obj(["items": array(obj(["person": ref("Person"), "score": ["type": "number"], "current_address": optS])), "next_cursor": optS]),
        "Move": obj(["uprn": int, "from": s, "to": s], required: ["uprn", "from"]),
        "Contact": obj(["kind": s, "value": s], required: ["kind", "value"]),
        "Merge": obj(["duplicate_id": s], required: ["duplicate_id"]),
        "Household": obj(["uprn": int, "name": s, "members": array(obj(["person_id": s, "relationship": s], required: ["person_id"]))], required: ["uprn", "name", "members"]),
        "ImportReport": obj(["format": s, "rows_read": int, "created": int, "updated": int,
                             "rejected": array(obj(["line": int, "field": optS, "reason": s]))]),
    ]

    public static let json: Data = {
        var paths: [String: [String: Any]] = [:]
        for op in operations {
            var operation: [String: Any] = ["summary": op.summary, "tags": [op.tag], "operationId": "\(op.method)\(op.path.replacingOccurrences(of: "/", with: "_"))"]
            var parameters: [[String: Any]] = op.path.split(separator: "/").filter { $0.hasPrefix("{") }.map {
                ["name": String($0.dropFirst().dropLast()), "in": "path", "required": true, "schema": s]
            }
            parameters += op.query.map { ["name": $0, "in": "query", "required": false, "schema": s] }
            if !parameters.isEmpty { operation["parameters"] = parameters }
            if let body = op.body {
                operation["requestBody"] = body == "csv"
                    ? ["required": true, "content": ["text/csv": ["schema": s]]]
                    : ["required": true, "content": ["application/json": ["schema": ref(body)]]]
            }
            var responses: [String: Any] = [
                "4XX": ["description": "The request was refused; nothing changed", "content": ["application/json": ["schema": ref("Error")]]],
            ]
            var ok: [String: Any] = ["description": "Success"]
            if let response = op.response { ok["content"] = ["application/json": ["schema": ref(response)]] }
            responses[String(op.status)] = ok
            operation["responses"] = responses
            if op.path != "/api/v1/openapi.json" { operation["security"] = [["bearer": []], ["session": []]] }
            paths[op.path, default: [:]][op.method] = operation
        }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": ["title": "Townhall API", "version": "1", "description": "The people-and-property register, partnership and access API of Townhall. Errors are {\"error\": {\"code\", \"message\", \"field\"}} with a 4xx status."],
            "servers": [["url": "/"]],
            "paths": paths,
            "components": [
                "schemas": schemas,
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "An API key from `townhall apikey create`"],
                    "session": ["type": "apiKey", "in": "cookie", "name": "townhall_session"],
                ],
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])) ?? Data()
    }()
}
