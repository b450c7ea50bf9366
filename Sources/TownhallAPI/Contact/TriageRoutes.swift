import Contact
import Foundation
import Hummingbird
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// Triage flows over JSON: define a flow per service (cases.manage), list and read them, record a finished run, and the
/// day's figures per flow.
public struct TriageRoutes: APIArea {
    let triage: Triage

    public init(services: ServiceRegistry) {
        triage = services.require(Triage.self)
    }

    struct FlowBody: StrictBody {
        static let fields: Set<String> = ["service_code", "name", "summary", "start", "nodes", "active"]
        var service_code: String
        var name: String
        var summary: String?
        var start: String
        var nodes: [TriageFlow.Node]
        var active: Bool?
    }

    struct FinishBody: StrictBody {
        static let fields: Set<String> = ["person_id", "answers", "started_at", "channel", "notes"]
        var person_id: String
        var answers: [Int]
        var started_at: String?
        var channel: String?
        var notes: String?
    }

    struct FlowView: Encodable {
        var id, organisation_id, service_code, name, start: String
        var summary: String?
        var nodes: [TriageFlow.Node]
        var active: Bool
        init(_ f: TriageFlow) {
            id = f.id.string; organisation_id = f.organisationID.string; service_code = f.serviceCode; name = f.name; start = f.start
            summary = f.summary; nodes = f.nodes; active = f.active
        }
    }

    struct FinishedView: Encodable {
        var run_id, contact_id, outcome, outcome_node, started_at, finished_at: String
        var case_id, case_reference: String?
    }

    public func addRoutes(api group: RouterGroup<TownhallContext>, root: Router<TownhallContext>) {
        group.get("triage/flows") { request, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(["items": try await triage.flows(includeInactive: request.query("all") == "true", by: actor).map(FlowView.init)])
        }
        group.put("triage/flows") { request, context in
            let actor = try context.requireActor()
            let body = try await BodyDecoding.decode(FlowBody.self, from: request, context: context)
            let flow = try await triage.save(serviceCode: body.service_code, name: body.name, summary: body.summary, start: body.start, nodes: body.nodes,
                                             active: body.active ?? true, by: actor)
            return try JSONResponse.make(FlowView(flow))
        }
        group.get("triage/flows/:id") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(FlowView(try await triage.flow(try TriageFlowID.parse(try context.parameters.require("id"), field: "id"), by: actor)))
        }
        group.post("triage/flows/:id/runs") { request, context in
            let actor = try context.requireActor()
            let flowID = try TriageFlowID.parse(try context.parameters.require("id"), field: "id")
            let body = try await BodyDecoding.decode(FinishBody.self, from: request, context: context)
            let started = try body.started_at.map { raw -> Timestamp in
                guard let t = Timestamp(iso: raw) else { throw TownhallError.invalid("started_at", "started_at is an ISO 8601 instant, for example 2026-11-22T10:15:00Z.") }
                return t
            }
            let done = try await triage.finish(Triage.Finish(flowID: flowID, personID: try PersonID.parse(body.person_id, field: "person_id"), answers: body.answers,
                                                             startedAt: started, channel: body.channel ?? "phone", notes: body.notes), by: actor)
            return try JSONResponse.make(FinishedView(run_id: done.run.id.string, contact_id: done.contact.id.string, outcome: done.run.outcome.rawValue,
                                                      outcome_node: done.run.outcomeNode, started_at: done.run.startedAt.iso, finished_at: done.run.finishedAt.iso,
                                                      case_id: done.createdCase?.id.string, case_reference: done.createdCase?.reference), status: .created)
        }
        group.get("triage/summary") { request, context in
            let actor = try context.requireActor()
            let day = try request.day()
            return try JSONResponse.make(["items": try await triage.summary(on: day, by: actor)])
        }
    }
}

// What this area adds to the OpenAPI document.
extension TriageRoutes {
    public var operations: [APIOperation] {
        [
        APIOperation(method: "get", path: "/api/v1/triage/flows", summary: "Every partner's active triage flows (?all=true for withdrawn ones too)", tag: "contact", query: ["all"]),
        APIOperation(method: "put", path: "/api/v1/triage/flows", summary: "Save your organisation's triage flow for a service, checked whole: no loops, every node reachable (cases.manage)",
                  tag: "contact", body: "TriageFlow", response: "TriageFlow"),
        APIOperation(method: "get", path: "/api/v1/triage/flows/{id}", summary: "One triage flow with its questions and outcomes", tag: "contact", response: "TriageFlow"),
        APIOperation(method: "post", path: "/api/v1/triage/flows/{id}/runs", summary: "Record a finished triage: the contact, and for referral outcomes the case with the answers attached",
                  tag: "contact", body: "TriageRun", status: 201),
        APIOperation(method: "get", path: "/api/v1/triage/summary", summary: "Your organisation's triage runs on a day, per flow: outcomes and median time", tag: "contact", query: ["date"]),
        ]
    }

    public var schemas: [String: Any] {
        [
        "TriageFlow": obj(["service_code": s, "name": s, "summary": s, "start": s, "active": ["type": "boolean"],
                           "nodes": array(obj(["id": s, "question": s, "help": s, "answers": array(obj(["label": s, "next": s], required: ["label", "next"])),
                                               "outcome": ["type": "string", "enum": TriageOutcomeKind.allCases.map(\.rawValue)], "title": s, "script": s,
                                               "service_code": s, "priority": s], required: ["id"]))], required: ["service_code", "name", "start", "nodes"]),
        "TriageRun": obj(["person_id": s, "answers": array(int), "started_at": s, "channel": s, "notes": s], required: ["person_id", "answers"]),
        ]
    }
}
