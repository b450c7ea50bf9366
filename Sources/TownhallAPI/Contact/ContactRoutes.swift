import Contact
import Hummingbird
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// The contact log over JSON: what the single view's "log a contact" form does, for other channels and systems.
public struct ContactRoutes: APIArea {
    let contacts: Contacts

    public init(services: ServiceRegistry) {
        contacts = services.require(Contacts.self)
    }

    struct ContactBody: StrictBody {
        static let fields: Set<String> = ["person_id", "property_id", "channel", "reason", "service_code", "outcome", "minutes", "notes", "case_id", "partner_id"]
        var person_id: String?
        var property_id: String?
        var channel: String
        var reason: String
        var service_code: String?
        var outcome: String
        var minutes: Double?
        var notes: String?
        var case_id: String?
        var partner_id: String?
    }

    struct ContactView: Encodable {
        var id, organisation_id, channel, reason, outcome, agent, at: String
        var person_id, property_id, service_code, notes, case_id, partner_id: String?
        var duration_seconds: Int

        init(_ c: ContactRecord) {
            id = c.id.string; organisation_id = c.organisationID.string; channel = c.channel.rawValue; reason = c.reason; outcome = c.outcome.rawValue
            agent = c.agent; at = c.at.iso; person_id = c.personID?.string; property_id = c.propertyID?.string; service_code = c.serviceCode
            notes = c.notes; case_id = c.caseID; partner_id = c.partnerID?.string; duration_seconds = c.durationSeconds
        }
    }

    struct SummaryView: Encodable {
        var date: String
        var total: Int
        var by_channel: [String: Int]
        var by_outcome: [String: Int]
        var first_contact_resolution_percent: Int?
    }

    public func addRoutes(api group: RouterGroup<TownhallContext>, root: Router<TownhallContext>) {
        group.post("contacts") { request, context in
            let actor = try context.requireActor()
            let body = try await BodyDecoding.decode(ContactBody.self, from: request, context: context)
            let input = Contacts.NewContact(personID: try body.person_id.map { try PersonID.parse($0, field: "person_id") },
                                            propertyID: try body.property_id.map { try PropertyID.parse($0, field: "property_id") },
                                            channel: body.channel, reason: body.reason, serviceCode: body.service_code, outcome: body.outcome,
                                            minutes: body.minutes.map { String($0) }, notes: body.notes, caseID: body.case_id,
                                            partnerID: try body.partner_id.map { try OrganisationID.parse($0, field: "partner_id") })
            return try JSONResponse.make(ContactView(try await contacts.log(input, by: actor)), status: .created)
        }
        group.get("contacts") { request, context in
            let actor = try context.requireActor()
            let person = try request.query("person_id").map { try PersonID.parse($0, field: "person_id") }
            let property = try request.query("property_id").map { try PropertyID.parse($0, field: "property_id") }
            guard person != nil || property != nil else { throw TownhallError.missing("person_id", "Give person_id or property_id.") }
            let limit = try request.query("limit").map { raw -> Int in
                guard let n = Int(raw), (1...100).contains(n) else { throw TownhallError.invalid("limit", "limit is a whole number from 1 to 100.") }
                return n
            } ?? 20
            return try JSONResponse.make(["items": try await contacts.recent(person: person, property: property, limit: limit, by: actor).map(ContactView.init)])
        }
        group.get("contacts/summary") { request, context in
            let actor = try context.requireActor()
            let day = try request.day()
            let s = try await contacts.summary(on: day, by: actor)
            return try JSONResponse.make(SummaryView(date: day.description, total: s.total, by_channel: s.byChannel, by_outcome: s.byOutcome,
                                                     first_contact_resolution_percent: s.firstContactResolution))
        }
    }
}

// What this area adds to the OpenAPI document.
extension ContactRoutes {
    public var operations: [APIOperation] {
        [
        APIOperation(method: "post", path: "/api/v1/contacts", summary: "Log a contact with a customer: channel, reason, service, duration, outcome (contacts.log)", tag: "contact",
                  body: "ContactLog", status: 201),
        APIOperation(method: "get", path: "/api/v1/contacts", summary: "Recent contacts about a person or property, newest first", tag: "contact", query: ["person_id", "property_id", "limit"]),
        APIOperation(method: "get", path: "/api/v1/contacts/summary", summary: "Your organisation's contacts on a day by channel and outcome, with the first-contact resolution rate", tag: "contact",
                  query: ["date"]),
        ]
    }

    public var schemas: [String: Any] {
        [
        "ContactLog": obj(["person_id": s, "property_id": s, "channel": ["type": "string", "enum": ContactChannel.allCases.map(\.rawValue)], "reason": s,
                           "service_code": s, "outcome": ["type": "string", "enum": ContactOutcome.allCases.map(\.rawValue)], "minutes": num, "notes": s,
                           "case_id": s, "partner_id": s], required: ["channel", "reason", "outcome"]),
        ]
    }
}
