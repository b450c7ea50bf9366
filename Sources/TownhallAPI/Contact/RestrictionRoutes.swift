import Contact
import Hummingbird
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// Restricted information over JSON. Listing returns only what the caller may know exists; reading details is a POST that
/// carries the purpose, so a read is never a cacheable or repeatable GET, and each one is audited.
public struct RestrictionRoutes: APIArea {
    let restrictions: Restrictions

    public init(services: ServiceRegistry) {
        restrictions = services.require(Restrictions.self)
    }

    struct NewFlagBody: StrictBody {
        static let fields: Set<String> = ["kind", "disclosure", "details", "starts_on", "review_on"]
        var kind: String
        var disclosure: String?
        var details: String
        var starts_on: String?
        var review_on: String?
    }

    struct PurposeBody: StrictBody {
        static let fields: Set<String> = ["purpose", "explanation"]
        var purpose: String?
        var explanation: String?
    }

    struct EndBody: StrictBody {
        static let fields: Set<String> = ["reason"]
        var reason: String?
    }

    struct FlagView: Encodable {
        var id, organisation_id, person_id, kind, disclosure, details, starts_on, raised_by, raised_at: String
        var review_on, ended_on, ended_reason: String?

        init(_ f: RestrictedFlag) {
            id = f.id.string; organisation_id = f.organisationID.string; person_id = f.personID.string; kind = f.kind.rawValue
            disclosure = f.disclosure.rawValue; details = f.details; starts_on = f.startsOn.description; raised_by = f.raisedBy; raised_at = f.raisedAt.iso
            review_on = f.reviewOn?.description; ended_on = f.endedOn?.description; ended_reason = f.endedReason
        }
    }

    struct NoticeView: Encodable {
        var id: String?
        var kind, held_by, advice: String
        var readable: Bool
        var review_on: String?

        init(_ n: RestrictionNotice) {
            id = n.id?.string; kind = n.kind.rawValue; held_by = n.heldBy.string; advice = n.advice; readable = n.readable; review_on = n.reviewOn?.description
        }
    }

    public func addRoutes(api group: RouterGroup<TownhallContext>, root: Router<TownhallContext>) {
        group.get("people/:id/restrictions") { _, context in
            let actor = try context.requireActor()
            let person = try PersonID.parse(try context.parameters.require("id"), field: "id")
            return try JSONResponse.make(["items": try await restrictions.notices(person: person, by: actor).map(NoticeView.init)])
        }
        group.post("people/:id/restrictions") { request, context in
            let actor = try context.requireActor()
            let person = try PersonID.parse(try context.parameters.require("id"), field: "id")
            let body = try await BodyDecoding.decode(NewFlagBody.self, from: request, context: context)
            let flag = try await restrictions.raise(Restrictions.NewFlag(kind: body.kind, disclosure: body.disclosure, details: body.details,
                                                                         startsOn: body.starts_on, reviewOn: body.review_on), person: person, by: actor)
            return try JSONResponse.make(FlagView(flag), status: .created)
        }
        group.post("people/:id/restrictions/read") { request, context in
            let actor = try context.requireActor()
            let person = try PersonID.parse(try context.parameters.require("id"), field: "id")
            let body = try await BodyDecoding.decode(PurposeBody.self, from: request, context: context)
            let purpose = try RestrictedReadPurpose(reason: body.purpose, explanation: body.explanation)
            return try JSONResponse.make(["items": try await restrictions.read(person: person, purpose: purpose, by: actor).map(FlagView.init)])
        }
        group.post("restrictions/:id/end") { request, context in
            let actor = try context.requireActor()
            let id = try RestrictedFlagID.parse(try context.parameters.require("id"), field: "id")
            let body = try await BodyDecoding.decode(EndBody.self, from: request, context: context)
            return try JSONResponse.make(FlagView(try await restrictions.end(id, reason: body.reason ?? "", by: actor)))
        }
    }
}

// What this area adds to the OpenAPI document.
extension RestrictionRoutes {
    public var operations: [APIOperation] {
        [
        APIOperation(method: "get", path: "/api/v1/people/{id}/restrictions", summary: "Restricted flags on a person that the caller may know of: readable ones, and others only where their disclosure allows", tag: "restricted"),
        APIOperation(method: "post", path: "/api/v1/people/{id}/restrictions", summary: "Raise a safeguarding flag on a person (safeguarding.read)", tag: "restricted", body: "RestrictedFlagInput", response: "RestrictedFlag", status: 201),
        APIOperation(method: "post", path: "/api/v1/people/{id}/restrictions/read", summary: "Read the details of the flags you may read, giving a purpose; each read is audited (safeguarding.read)", tag: "restricted",
                  body: "RestrictedReadPurpose"),
        APIOperation(method: "post", path: "/api/v1/restrictions/{id}/end", summary: "End a flag your organisation holds, with a reason", tag: "restricted", body: "EndRestriction", response: "RestrictedFlag"),
        ]
    }

    public var schemas: [String: Any] {
        [
        "RestrictedFlagInput": obj(["kind": ["type": "string", "enum": RestrictionKind.allCases.map(\.rawValue)],
                                    "disclosure": ["type": "string", "enum": RestrictionDisclosure.allCases.map(\.rawValue)], "details": s,
                                    "starts_on": ["type": "string", "format": "date"], "review_on": ["type": "string", "format": "date"]], required: ["kind", "details"]),
        "RestrictedFlag": obj(["id": s, "organisation_id": s, "person_id": s, "kind": s, "disclosure": s, "details": s, "starts_on": s, "review_on": optS,
                               "ended_on": optS, "ended_reason": optS, "raised_by": s, "raised_at": s]),
        "RestrictedReadPurpose": obj(["purpose": ["type": "string", "enum": RestrictedReadPurpose.reasons.map(\.value)], "explanation": s], required: ["purpose", "explanation"]),
        "EndRestriction": obj(["reason": s], required: ["reason"]),
        ]
    }
}
