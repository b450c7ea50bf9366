import Cases
import Contact
import Foundation
import Hummingbird
import Partnership
import Register
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// The agent's single view of a person: who they are, where they live, every case across the partnership that the
/// agent's organisation may see (the rest as "held by X — ask"), recent contacts, and the form that logs this contact.
public struct SingleViewPages: WebArea {
    let register: Register
    let cases: Cases
    let contacts: Contacts
    let partnership: Partnership
    let panels: SingleViewPanels
    let triage: Triage
    let pages: Pages
    let chrome: @Sendable (TownhallContext) async throws -> Chrome

    public init(services: ServiceRegistry, kit: PageKit) {
        register = services.require(Register.self); cases = services.require(Cases.self)
        contacts = services.require(Contacts.self); partnership = services.require(Partnership.self); panels = kit.panels
        triage = services.require(Triage.self); pages = kit.pages; chrome = kit.chrome
    }

    public func addRoutes(desk: RouterGroup<TownhallContext>, web: RouterGroup<TownhallContext>) {
        desk.get("people/:id") { request, context in
            try await personPage(try pageID(context, "id"), context: context, logged: request.query("logged") != nil,
                                notice: request.query("flagged") != nil ? "Restricted flag added" : request.query("flag_ended") != nil ? "Restricted flag ended" : nil,
                                raised: request.query("raised"))
        }
        desk.post("people/:id/contacts") { request, context in
            let actor = try context.requireActor()
            let id: PersonID = try pageID(context, "id")
            let form = try await Form.checked(request, context)
            let input = Contacts.NewContact(personID: id, channel: form["channel"] ?? "", reason: form["reason"] ?? "", serviceCode: form["service_code"],
                                            outcome: form["outcome"] ?? "", minutes: form["minutes"], notes: form["notes"],
                                            partnerID: try (form["partner"] ?? "").isEmpty ? nil : OrganisationID.parse(form["partner"]!, field: "partner"))
            do {
                _ = try await contacts.log(input, by: actor)
                return Response.redirect(to: "/desk/people/\(id)?logged=1#contacts", type: .normal)
            } catch let e as TownhallError where e.kind == .invalid {
                return try await personPage(id, context: context, form: form, error: e)
            }
        }
    }

    /// A case panel line: the case where it is shared with the viewer, otherwise only who holds it.
    static func row(_ line: Cases.CustomerCase) -> PersonCaseRow {
        guard let c = line.case else { return PersonCaseRow(heldBy: line.heldBy, near: line.near) }
        return PersonCaseRow(id: c.id.string, reference: c.reference, service: c.serviceName, status: c.status.title, statusClass: CasePages.statusClass(c.status),
                             reported: CasePages.when(c.createdAt), place: CasePages.place(c), heldBy: line.heldBy, visible: true, near: line.near)
    }

    func personPage(_ id: PersonID, context: TownhallContext, logged: Bool = false, notice: String? = nil, raised: String? = nil, form: [String: String] = [:], error: TownhallError? = nil) async throws -> Response {
        let actor = try context.requireActor()
        let record = try await register.person(id: id, by: actor)
        let organisations = try await partnership.organisations()
        let names = organisations.namesByID
        let p = record.person
        var model = PersonPageModel(
            id: id.string, name: p.fullName, merged: p.mergedInto?.string, dateOfBirth: p.dateOfBirth?.description ?? "Not known",
            currentAddress: record.currentAddress?.address ?? "No current address",
            preferredChannel: p.preferredChannel?.rawValue.replacingOccurrences(of: "_", with: " ") ?? "Not recorded",
            preferredLanguage: p.preferredLanguage ?? "Not recorded", organisation: names[p.organisationID] ?? "",
            contacts: record.contacts.map { ContactRow(kind: $0.kind.rawValue.capitalized, value: $0.value) },
            residences: record.residences.map { ResidenceRow(propertyID: $0.propertyID.string, address: $0.address ?? "UPRN \($0.uprn)", from: $0.from.description, to: $0.to?.description ?? "Now") },
            households: record.households.map { h in HouseholdRow(name: h.name, members: h.members.map { MemberRow(id: $0.personID.string, name: $0.name, relationship: $0.relationship) }) })
        model.csrfToken = context.csrfToken ?? ""
        model.logged = logged && error == nil
        model.notice = notice
        if let raised, let c = try? await cases.track(reference: raised) {
            model.raised = RaisedCase(reference: c.reference, organisation: c.organisationName, expected: c.expectedBy.map(CasePages.when))
        }
        model.flows = try await triage.flows(by: actor).map { FlowLink(name: $0.name, href: "/desk/people/\(id)/triage/\($0.id)") }
        model.panels = await panels.panels(for: .person(id), by: actor).map(PanelView.init)

        if actor.may(.casesRead) {
            model.cases = try await cases.cases(requester: id, by: actor).map { SingleViewPages.row($0) }
        }
        model.recentContacts = try await contacts.recent(person: id, by: actor).map { c in
            RecentContactRow(at: CasePages.when(c.at), channel: c.channel.title, reason: c.reason, outcome: c.outcome.title,
                             minutes: c.durationSeconds == 0 ? "" : "\(Int((Double(c.durationSeconds) / 60).rounded())) min", agent: c.agent,
                             organisation: names[c.organisationID] ?? "")
        }
        model.canLog = actor.may(.contactsLog)
        let services = (try? await cases.services(organisation: actor.organisationID)) ?? []
        model.services = [CasePages.Option(value: "", label: "Not about one service", selected: (form["service_code"] ?? "").isEmpty)]
            + services.filter(\.active).map { CasePages.Option(value: $0.code, label: $0.name, selected: form["service_code"] == $0.code) }
        model.channels = ContactChannel.allCases.map { CasePages.Option(value: $0.rawValue, label: $0.title, selected: (form["channel"] ?? "phone") == $0.rawValue) }
        model.outcomes = ContactOutcome.allCases.map { CasePages.Option(value: $0.rawValue, label: $0.title, selected: form["outcome"] == $0.rawValue) }
        model.partners = [CasePages.Option(value: "", label: "Not passed to a partner")]
            + organisations.filter { $0.id != actor.organisationID }.map { CasePages.Option(value: $0.id.string, label: $0.name, selected: form["partner"] == $0.id.string) }
        model.reason = form["reason"] ?? ""; model.minutes = form["minutes"] ?? ""; model.notes = form["notes"] ?? ""
        if let error {
            let field = ["reason", "outcome", "duration", "partner", "notes", "channel"].contains(error.field ?? "") ? error.field! : "reason"
            model.errors = [Pages.FieldError(field: field == "duration" ? "minutes" : field, message: error.message)]
            switch field {
            case "outcome": model.outcomeError = error.message
            case "duration": model.minutesError = error.message
            case "partner": model.partnerError = error.message
            case "notes": model.notesError = error.message
            default: model.reasonError = error.message
            }
        }
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk")]
        let m = model.ready()
        return html(pages.render("person", m, title: (error == nil ? "" : "Error: ") + p.fullName, hasErrors: m.hasErrors, chrome: c),
                    status: error == nil ? .ok : .badRequest)
    }
}

struct PersonPageModel: Encodable {
    var id: String
    var name: String; var merged: String?; var dateOfBirth, currentAddress, preferredChannel, preferredLanguage, organisation: String
    var contacts: [ContactRow]; var residences: [ResidenceRow]; var households: [HouseholdRow]
    var hasContacts = false, hasResidences = false, hasHouseholds = false
    var cases: [PersonCaseRow] = []
    var hasCases = false
    var recentContacts: [RecentContactRow] = []
    var hasRecentContacts = false
    var canLog = false
    var logged = false
    var notice: String?
    var raised: RaisedCase?
    var flows: [FlowLink] = []
    var panels: [PanelView] = []
    var csrfToken = ""
    var services: [CasePages.Option] = []
    var channels: [CasePages.Option] = []
    var outcomes: [CasePages.Option] = []
    var partners: [CasePages.Option] = []
    var reason = "", minutes = "", notes = ""
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var reasonError: String?, outcomeError: String?, minutesError: String?, partnerError: String?, notesError: String?

    func ready() -> PersonPageModel {
        var m = self
        m.hasContacts = !contacts.isEmpty; m.hasResidences = !residences.isEmpty; m.hasHouseholds = !households.isEmpty
        m.hasCases = !cases.isEmpty; m.hasRecentContacts = !recentContacts.isEmpty; m.hasErrors = !errors.isEmpty
        return m
    }
}
struct PersonCaseRow: Encodable {
    var id = "", reference = "", service = "", status = "", statusClass = "", reported = "", place = ""
    var heldBy: String
    var visible = false
    var near = false
}
struct RecentContactRow: Encodable { var at, channel, reason, outcome, minutes, agent, organisation: String }
struct FlowLink: Encodable { var name, href: String }
struct RaisedCase: Encodable { var reference, organisation: String; var expected: String? }
