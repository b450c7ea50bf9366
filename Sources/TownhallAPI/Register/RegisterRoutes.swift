import Audit
import Foundation
import Hummingbird
import TownhallDatabase
import TownhallHTTP
import Register
import TownhallKernel

/// /api/v1/people, /properties, /households, /postcodes, /imports: the register over HTTP. Thin: parse, call, render.
public struct RegisterRoutes: APIArea {
    let register: Register

    public init(services: ServiceRegistry) {
        register = services.require(Register.self)
    }

    public func addRoutes(api group: RouterGroup<TownhallContext>, root: Router<TownhallContext>) {
        group.get("properties") { request, context in
            let actor = try context.requireActor()
            return try JSONResponse.page(try await register.searchProperties(q: request.query("q"), postcode: request.query("postcode"), uprn: request.query("uprn"),
                                                                             after: try request.cursor(), limit: try request.pageSize(), by: actor).map(PropertyView.init))
        }
        group.post("properties") { request, context in
            let actor = try context.requireActor()
            let input = try await BodyDecoding.decode(PropertyInput.self, from: request, context: context)
            return try JSONResponse.make(PropertyView(try await register.createProperty(input, by: actor)), status: .created)
        }
        group.get("properties/:id") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(PropertyView(try await register.property(id: try context.parameters.id("id"), by: actor)))
        }
        group.get("properties/:id/occupants") { _, context in
            let actor = try context.requireActor()
            let id: PropertyID = try context.parameters.id("id")
            _ = try await register.property(id: id, by: actor)
            let occupants = try await register.occupants(of: id, by: actor).map { OccupantView(person: $0.0, from: $0.1.from, to: $0.1.to) }
            return try JSONResponse.make(["items": occupants])
        }
        group.get("postcodes/:postcode") { _, context in
            _ = try context.requireActor()
            let raw = try context.parameters.require("postcode")
            guard let record = try await register.postcode(raw.removingPercentEncoding ?? raw) else {
                throw TownhallError.notFound("Postcode \(raw) in the postcode directory", field: "postcode")
            }
            return try JSONResponse.make(record)
        }

        group.get("people") { request, context in
            let actor = try context.requireActor()
            guard let q = request.query("q") else { throw TownhallError.missing("q") }
            return try JSONResponse.page(try await register.searchPeople(q: q, after: try request.cursor(), limit: try request.pageSize(), by: actor))
        }
        group.post("people") { request, context in
            let actor = try context.requireActor()
            let input = try await BodyDecoding.decode(PersonInput.self, from: request, context: context)
            return try JSONResponse.make(PersonView(try await register.createPerson(input, by: actor)), status: .created)
        }
        group.get("people/:id") { request, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(PersonView(try await register.person(id: try context.parameters.id("id"), by: actor, purpose: request.query("purpose"))))
        }
        group.patch("people/:id") { request, context in
            let actor = try context.requireActor()
            let body = try await BodyDecoding.decode(PersonPatchBody.self, from: request, context: context)
            let changes = Register.PersonChanges(title: body.title, givenName: body.given_name, familyName: body.family_name, dateOfBirth: body.date_of_birth,
                                                 preferredChannel: body.preferred_channel, preferredLanguage: body.preferred_language)
            return try JSONResponse.make(try await register.updatePerson(id: try context.parameters.id("id"), changes: changes, version: body.version, by: actor))
        }
        group.post("people/:id/moves") { request, context in
            let actor = try context.requireActor()
            let body = try await BodyDecoding.decode(MoveBody.self, from: request, context: context)
            let residences = try await register.recordMove(person: try context.parameters.id("id"), uprn: try UPRN(body.uprn),
                                                           from: try LocalDate(parsing: body.from, field: "from"),
                                                           to: try body.to.map { try LocalDate(parsing: $0, field: "to") }, by: actor)
            return try JSONResponse.make(["residences": residences], status: .created)
        }
        group.post("people/:id/contacts") { request, context in
            let actor = try context.requireActor()
            let body = try await BodyDecoding.decode(ContactBody.self, from: request, context: context)
            guard let kind = ContactPointKind(rawValue: body.kind) else { throw TownhallError.invalid("kind", "kind is phone, mobile or email.") }
            return try JSONResponse.make(["contacts": try await register.addContact(person: try context.parameters.id("id"), kind: kind, value: body.value, by: actor)], status: .created)
        }
        group.get("people/:id/duplicates") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(["items": try await register.duplicates(of: try context.parameters.id("id"), by: actor)])
        }
        group.post("people/:id/merge") { request, context in
            let actor = try context.requireActor()
            let body = try await BodyDecoding.decode(MergeBody.self, from: request, context: context)
            let duplicate = try PersonID.parse(body.duplicate_id, field: "duplicate_id")
            return try JSONResponse.make(PersonView(try await register.merge(survivor: try context.parameters.id("id"), duplicate: duplicate, by: actor)))
        }
        group.get("people/:id/subject-access") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(SubjectAccessView(try await register.subjectAccess(person: try context.parameters.id("id"), by: actor)))
        }
        group.post("households") { request, context in
            let actor = try context.requireActor()
            let body = try await BodyDecoding.decode(HouseholdBody.self, from: request, context: context)
            var members: [(PersonID, String?)] = []
            for (i, m) in body.members.enumerated() { members.append((try PersonID.parse(m.person_id, field: "members[\(i)].person_id"), m.relationship)) }
            return try JSONResponse.make(try await register.createHousehold(uprn: try UPRN(body.uprn), name: body.name, members: members, by: actor), status: .created)
        }

        group.post("imports/properties") { request, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(try await register.importProperties(csv: try await BodyDecoding.csv(from: request), by: actor))
        }
        group.post("imports/postcodes") { request, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(try await register.importPostcodes(csv: try await BodyDecoding.csv(from: request), by: actor))
        }
    }

}

extension Page {
    func map<T>(_ transform: (Item) -> T) -> Page<T> { Page<T>(items: items.map(transform), next: next) }
}

// What this area adds to the OpenAPI document.
extension RegisterRoutes {
    public var operations: [APIOperation] {
        [
        APIOperation(method: "get", path: "/api/v1/properties", summary: "Search properties by address text, postcode or UPRN", tag: "register",
                  query: ["q", "postcode", "uprn"] + list, response: "PropertyPage"),
        APIOperation(method: "post", path: "/api/v1/properties", summary: "Add a property (BS 7666 fields, keyed by UPRN)", tag: "register", body: "PropertyInput", response: "Property", status: 201),
        APIOperation(method: "get", path: "/api/v1/properties/{id}", summary: "One property", tag: "register", response: "Property"),
        APIOperation(method: "get", path: "/api/v1/properties/{id}/occupants", summary: "People at a property over time", tag: "register"),
        APIOperation(method: "get", path: "/api/v1/postcodes/{postcode}", summary: "A postcode from the postcode directory", tag: "register"),
        APIOperation(method: "get", path: "/api/v1/people", summary: "Search people by name (typo tolerant), postcode, UPRN, phone or email; ranked", tag: "register",
                  query: ["q"] + list, response: "PersonMatchPage"),
        APIOperation(method: "post", path: "/api/v1/people", summary: "Add a person", tag: "register", body: "PersonInput", response: "PersonRecord", status: 201),
        APIOperation(method: "get", path: "/api/v1/people/{id}", summary: "A person's record (the read is audited; give ?purpose= for restricted reads)", tag: "register",
                  query: ["purpose"], response: "PersonRecord"),
        APIOperation(method: "patch", path: "/api/v1/people/{id}", summary: "Change a person's details; send the version you read (409 if stale)", tag: "register", body: "PersonPatch", response: "Person"),
        APIOperation(method: "post", path: "/api/v1/people/{id}/moves", summary: "Record a move into a property", tag: "register", body: "Move", status: 201),
        APIOperation(method: "post", path: "/api/v1/people/{id}/contacts", summary: "Add a phone number or email", tag: "register", body: "Contact", status: 201),
        APIOperation(method: "get", path: "/api/v1/people/{id}/duplicates", summary: "Records that may be the same person", tag: "register"),
        APIOperation(method: "post", path: "/api/v1/people/{id}/merge", summary: "Merge a duplicate into this record, keeping both histories (register.merge)", tag: "register", body: "Merge", response: "PersonRecord"),
        APIOperation(method: "get", path: "/api/v1/people/{id}/subject-access", summary: "Everything held on a person, for a subject-access request (subject_access)", tag: "register"),
        APIOperation(method: "post", path: "/api/v1/households", summary: "Record a household at a property", tag: "register", body: "Household", status: 201),
        APIOperation(method: "post", path: "/api/v1/imports/properties", summary: "Import properties from CSV (Townhall, libraries or OS Open UPRN layout); reports every rejected row", tag: "imports", body: "csv", response: "ImportReport"),
        APIOperation(method: "post", path: "/api/v1/imports/postcodes", summary: "Import postcode directory rows (ONSPD layout)", tag: "imports", body: "csv", response: "ImportReport"),
        ]
    }

    public var schemas: [String: Any] {
        [
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
    }
}
