import Cases
import Contact
import Hummingbird
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// The dashboard's figures over JSON, for a wallboard or a partnership's own reporting.
public struct DashboardRoutes: APIArea {
    let contacts: Contacts
    let cases: Cases
    let triage: Triage

    public init(services: ServiceRegistry) {
        contacts = services.require(Contacts.self); cases = services.require(Cases.self); triage = services.require(Triage.self)
    }

    struct DashboardView: Encodable {
        var date: String
        var contacts: Int
        var contacts_by_channel: [String: Int]
        var contacts_by_outcome: [String: Int]
        var first_contact_resolution_percent: Int?
        var open_cases: Int
        var open_cases_by_sla: [String: Int]
        var queues: [Cases.Workload.Queue]
        var triage: [TriageSummary]
    }

    public func addRoutes(api group: RouterGroup<TownhallContext>, root: Router<TownhallContext>) {
        group.get("dashboard") { request, context in
            let actor = try context.requireActor()
            let day = try request.day()
            let s = try await contacts.summary(on: day, by: actor)
            let w = try await cases.workload(by: actor)
            return try JSONResponse.make(DashboardView(date: day.description, contacts: s.total, contacts_by_channel: s.byChannel, contacts_by_outcome: s.byOutcome,
                                                       first_contact_resolution_percent: s.firstContactResolution, open_cases: w.open, open_cases_by_sla: w.bySLA,
                                                       queues: w.queues, triage: try await triage.summary(on: day, by: actor)))
        }
    }
}

// What this area adds to the OpenAPI document.
extension DashboardRoutes {
    public var operations: [APIOperation] {
        [
        APIOperation(method: "get", path: "/api/v1/dashboard", summary: "The team leader's figures: a day's contacts by channel and outcome, first-contact resolution, open cases by service level, queues, triage",
                  tag: "contact", query: ["date"]),
        ]
    }
}
