import Access
import Cases
import Foundation
import Hummingbird
import Partnership
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// Staff case pages (the queue, a case with its timeline and actions) and the public track page.
public struct CasePages: WebArea {
    let cases: Cases
    let partnership: Partnership
    let access: Access
    let pages: Pages
    let chrome: @Sendable (TownhallContext) async throws -> Chrome

    public init(services: ServiceRegistry, kit: PageKit) {
        cases = services.require(Cases.self); partnership = services.require(Partnership.self)
        access = services.require(Access.self); pages = kit.pages; chrome = kit.chrome
    }

    struct Option: Encodable { var value: String; var label: String; var selected = false }

    static func statusClass(_ s: CaseStatus) -> String {
        switch s {
        case .new: "th-tag--yellow"
        case .acknowledged, .inProgress: ""
        case .waitingOnCustomer, .waitingOnThirdParty: "th-tag--grey"
        case .resolved, .closed: "th-tag--green"
        }
    }

    static func slaClass(_ s: ServiceLevelClock.State) -> String {
        switch s {
        case .onTrack, .met: "th-tag--green"
        case .warning: "th-tag--yellow"
        case .breached, .missed: "th-tag--red"
        case .paused: "th-tag--grey"
        }
    }

    static func when(_ t: Timestamp?) -> String {
        guard let t else { return "Not set" }
        let (date, minute) = LondonTime.local(utcSeconds: t.seconds)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(date.day) \(months[date.month - 1]) \(date.year), " + Digits.padded(minute / 60, width: 2) + ":" + Digits.padded(minute % 60, width: 2)
    }

    static func place(_ c: Case) -> String {
        [c.location.address, c.location.postcode?.value, c.location.uprn.map { "UPRN \($0)" }].compactMap { $0 }.joined(separator: ", ").nonEmptyOr("Location not given")
    }

    public func deskLinks(for actor: Actor) -> [DeskLink] {
        [DeskLink("Case queue", href: "/desk/cases")]
    }

    public func addRoutes(desk: RouterGroup<TownhallContext>, web: RouterGroup<TownhallContext>) {
        desk.get("cases") { request, context in try await queue(request, context) }
        desk.get("cases/:id") { _, context in
            let actor = try context.requireActor()
            return try await casePage(try pageID(context), actor: actor, context: context)
        }
        desk.post("cases/:id/status") { request, context in
            try await act(request, context) { form, id, actor in
                let resolution = form["resolution"].flatMap { $0.isEmpty ? nil : Resolution(rawValue: $0) }
                _ = try await cases.changeStatus(id, to: try CaseStatus(parsing: form["status"] ?? ""), version: try version(form), update: form["update"],
                                                 resolution: resolution, by: actor)
            }
        }
        desk.post("cases/:id/notes") { request, context in
            try await act(request, context) { form, id, actor in
                _ = try await cases.addNote(id, text: form["text"] ?? "", isPublic: form["public"] == "yes", by: actor)
            }
        }
        desk.post("cases/:id/assign") { request, context in
            try await act(request, context) { form, id, actor in
                let team = try form["team_id"].flatMap { $0.isEmpty ? nil : try TeamID.parse($0, field: "team_id") }
                _ = try await cases.assign(id, teamID: team, assigneeID: nil, version: try version(form), by: actor)
            }
        }
        desk.post("cases/:id/transfer") { request, context in
            try await act(request, context) { form, id, actor in
                _ = try await cases.transfer(id, to: form["organisation"] ?? "", reason: form["reason"] ?? "", version: try version(form), by: actor)
            }
        }
        web.get("track") { request, context in
            var model = TrackModel(reference: request.query("reference") ?? "")
            var status: HTTPResponse.Status = .ok
            if !model.reference.isEmpty {
                do {
                    let view = try await cases.track(reference: model.reference)
                    model.found = true
                    model.foundReference = view.reference; model.serviceName = view.serviceName; model.organisation = view.organisationName
                    model.status = view.status.title; model.statusClass = CasePages.statusClass(view.status); model.location = view.location
                    model.reported = CasePages.when(view.reportedAt); model.expected = view.expectedBy.map(CasePages.when)
                    model.updates = view.updates.reversed().map { TrackModel.Update(at: CasePages.when($0.at), text: $0.text) }
                } catch let e as TownhallError where e.kind == .invalid || e.kind == .notFound {
                    model.referenceError = e.kind == .notFound ? "We cannot find a report with that reference. Check it against your acknowledgement." : e.message
                    status = e.kind.status
                }
            }
            model.hasErrors = model.referenceError != nil
            model.errors = model.referenceError.map { [Pages.FieldError(field: "reference", message: $0)] } ?? []
            return html(pages.render("track", model, title: model.found ? "Report \(model.foundReference)" : "Track a report", hasErrors: model.hasErrors,
                                     chrome: try await chrome(context)), status: status)
        }
    }

    func pageID(_ context: TownhallContext) throws -> CaseID {
        guard let id = CaseID(try context.parameters.require("id")) else { throw TownhallError.notFound("That case") }
        return id
    }

    func version(_ form: [String: String]) throws -> Int {
        guard let v = form["version"].flatMap(Int.init) else { throw TownhallError.invalid("status", "The form expired; reload the case and try again.") }
        return v
    }

    /// Runs a case action from a form: POST, then redirect back to the case (or the case again with the error).
    func act(_ request: Request, _ context: TownhallContext, _ body: ([String: String], CaseID, Actor) async throws -> Void) async throws -> Response {
        let actor = try context.requireActor()
        let form = try await Form.checked(request, context)
        let id = try pageID(context)
        do {
            try await body(form, id, actor)
            return Response.redirect(to: "/desk/cases/\(id)", type: .normal)
        } catch let e as TownhallError where e.kind == .invalid || e.kind == .conflict || e.kind == .forbidden {
            return try await casePage(id, actor: actor, context: context, error: e)
        }
    }

    func queue(_ request: Request, _ context: TownhallContext) async throws -> Response {
        let actor = try context.requireActor()
        var q = Cases.Query()
        let status = request.query("status") ?? "open"
        switch status {
        case "open": q.statuses = CaseStatus.allCases.filter(\.isOpen)
        case "all": break
        default: q.statuses = [try CaseStatus(parsing: status)]
        }
        let service = request.query("service_code") ?? ""
        if !service.isEmpty { q.serviceCodes = [service] }
        let sla = request.query("sla_state") ?? ""
        if let state = ServiceLevelClock.State(rawValue: sla) { q.slaStates = [state] }
        let team = request.query("team_id") ?? ""
        q.teamID = team.isEmpty ? nil : try TeamID.parse(team, field: "team_id")
        let area = request.query("area") ?? ""
        q.area = area.isEmpty ? nil : area
        let page = try await cases.list(q, after: try request.query("cursor").map { try Cursor(token: $0) }, limit: PageSize(value: 50), by: actor)
        let names = try await partnership.organisations().namesByID
        let services = try await cases.services(organisation: actor.organisationID)
        let teams = try await access.teams(in: actor.organisationID)
        var model = QueueModel(organisation: names[actor.organisationID] ?? "", area: area)
        model.statuses = [Option(value: "open", label: "All open"), Option(value: "all", label: "Any status")]
            + CaseStatus.allCases.map { Option(value: $0.rawValue, label: $0.title) }
        model.services = [Option(value: "", label: "All services")] + services.filter { !$0.attributes.isEmpty || $0.group != "Council services" }.map { Option(value: $0.code, label: $0.name) }
        model.slaStates = [Option(value: "", label: "Any")] + ServiceLevelClock.State.allCases.map { Option(value: $0.rawValue, label: $0.title) }
        model.teams = [Option(value: "", label: "All teams")] + teams.map { Option(value: $0.id.string, label: $0.name) }
        for i in model.statuses.indices { model.statuses[i].selected = model.statuses[i].value == status }
        for i in model.services.indices { model.services[i].selected = model.services[i].value == service }
        for i in model.slaStates.indices { model.slaStates[i].selected = model.slaStates[i].value == sla }
        for i in model.teams.indices { model.teams[i].selected = model.teams[i].value == team }
        model.cases = page.items.map { c in
            QueueModel.Row(id: c.id.string, reference: c.reference, heldBy: c.organisationID == actor.organisationID ? nil : names[c.organisationID],
                           service: c.serviceName, status: c.status.title, statusClass: CasePages.statusClass(c.status), sla: c.slaState.title,
                           slaClass: CasePages.slaClass(c.slaState), due: c.status.isOpen ? CasePages.when(c.dueAt) : "Done", location: CasePages.place(c))
        }
        model.hasCases = !model.cases.isEmpty
        model.showShared = true
        if let next = page.next {
            let params = ["status": status, "service_code": service, "sla_state": sla, "team_id": team, "area": area, "cursor": next.token]
            model.next = "/desk/cases?" + params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.urlQueryEncoded)" }.joined(separator: "&")
        }
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk")]
        return html(pages.render("case-queue", model, title: "Case queue", chrome: c))
    }

    func casePage(_ id: CaseID, actor: Actor, context: TownhallContext, error: TownhallError? = nil) async throws -> Response {
        let record = try await cases.record(id: id, by: actor)
        let c = record.case
        let organisations = try await partnership.organisations()
        let names = organisations.namesByID
        let service = try? await cases.service(code: c.serviceCode, organisation: c.organisationID)
        let teams = record.canChange ? try await access.teams(in: c.organisationID) : []
        var model = CaseModel(id: c.id.string, reference: c.reference, service: c.serviceName, status: c.status.title, statusClass: CasePages.statusClass(c.status),
                              sla: c.slaState.title, slaClass: CasePages.slaClass(c.slaState), heldBy: names[c.organisationID] ?? "",
                              loggedHere: c.loggedByID == actor.organisationID, canChange: record.canChange, priority: c.priority.title,
                              due: c.status.isOpen ? CasePages.when(c.dueAt) : "Resolved \(CasePages.when(c.resolvedAt))", location: CasePages.place(c),
                              reported: CasePages.when(c.createdAt), channel: c.channel.rawValue.replacingOccurrences(of: "_", with: " "),
                              customer: [c.contact.name, c.contact.email, c.contact.phone].compactMap { $0 }.joined(separator: ", ").nonEmptyOr("Anonymous"),
                              team: teams.first { $0.id == c.teamID }?.name ?? (c.teamID == nil ? "Unassigned" : "Assigned"),
                              description: c.description.nonEmptyOr("No description given"), version: c.version, csrfToken: context.csrfToken ?? "")
        model.answers = (service?.attributes ?? []).compactMap { a in
            c.attributes[a.code].map { values in
                CaseModel.Answer(question: a.description, answer: values.map { v in a.values.first { $0.key == v }?.name ?? v }.joined(separator: ", "))
            }
        }
        model.links = record.links.map { CaseModel.LinkRow(id: $0.other.string, reference: $0.reference, kind: $0.kind.replacingOccurrences(of: "_", with: " ")) }
        model.hasLinks = !model.links.isEmpty
        model.nextStatuses = c.status.next.sorted { CaseStatus.allCases.firstIndex(of: $0)! < CaseStatus.allCases.firstIndex(of: $1)! }.map { Option(value: $0.rawValue, label: $0.title) }
        model.resolutions = [Option(value: "", label: "Fixed (default)")] + Resolution.allCases.map { Option(value: $0.rawValue, label: $0.title) }
        model.teams = [Option(value: "", label: "Unassigned")] + teams.map { Option(value: $0.id.string, label: $0.name, selected: $0.id == c.teamID) }
        model.partners = organisations.filter { $0.id != c.organisationID }.map { Option(value: $0.slug, label: $0.name) }
        model.events = record.events.reversed().map { e in
            CaseModel.EventRow(title: e.kind == .statusChanged ? "\(e.fromStatus?.title ?? "") → \(e.toStatus?.title ?? "")" : e.kind.title,
                               at: CasePages.when(e.at), actor: e.actor + (e.actorOrganisationID == c.organisationID ? "" : " (\(names[e.actorOrganisationID] ?? ""))"),
                               channel: e.channel.replacingOccurrences(of: "_", with: " "), text: e.text, isPublic: e.isPublic)
        }
        if let error {
            let field: String
            switch error.field {
            case "text": field = "text"
            case "team_id", "assignee_id": field = "team_id"
            case "organisation", "service_code": field = "organisation"
            case "reason": field = "reason"
            default: field = "status"
            }
            model.errors = [Pages.FieldError(field: field, message: error.message)]
            model.hasErrors = true
            switch field {
            case "text": model.textError = error.message
            case "team_id": model.teamError = error.message
            case "organisation": model.organisationError = error.message
            case "reason": model.reasonError = error.message
            default: model.statusError = error.message
            }
        }
        var chrome = try await chrome(context)
        chrome.breadcrumbs = [.init(text: "Staff desk", href: "/desk"), .init(text: "Case queue", href: "/desk/cases")]
        return html(pages.render("case", model, title: "\(c.reference) \(c.serviceName)", hasErrors: error != nil, chrome: chrome),
                    status: error?.kind.status ?? .ok)
    }
}

struct QueueModel: Encodable {
    struct Row: Encodable { var id, reference: String; var heldBy: String?; var service, status, statusClass, sla, slaClass, due, location: String }
    var organisation: String
    var area: String
    var statuses: [CasePages.Option] = [], services: [CasePages.Option] = [], slaStates: [CasePages.Option] = [], teams: [CasePages.Option] = []
    var cases: [Row] = []
    var hasCases = false
    var showShared = false
    var next: String?
}

struct CaseModel: Encodable {
    struct Answer: Encodable { var question, answer: String }
    struct LinkRow: Encodable { var id, reference, kind: String }
    struct EventRow: Encodable { var title, at, actor, channel: String; var text: String?; var isPublic: Bool }
    var id, reference, service, status, statusClass, sla, slaClass, heldBy: String
    var loggedHere, canChange: Bool
    var priority, due, location, reported, channel, customer, team, description: String
    var version: Int
    var csrfToken: String
    var answers: [Answer] = []
    var links: [LinkRow] = []
    var hasLinks = false
    var nextStatuses: [CasePages.Option] = [], resolutions: [CasePages.Option] = [], teams: [CasePages.Option] = [], partners: [CasePages.Option] = []
    var events: [EventRow] = []
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var statusError: String?, textError: String?, teamError: String?, organisationError: String?, reasonError: String?
}

struct TrackModel: Encodable {
    struct Update: Encodable { var at, text: String }
    var reference: String
    var found = false
    var foundReference = "", serviceName = "", organisation = "", status = "", statusClass = "", location = "", reported = ""
    var expected: String?
    var updates: [Update] = []
    var referenceError: String?
    var hasErrors = false
    var errors: [Pages.FieldError] = []
}

extension String {
    func nonEmptyOr(_ fallback: String) -> String { isEmpty ? fallback : self }
}
