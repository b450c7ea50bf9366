import Cases
import Contact
import Foundation
import Hummingbird
import Register
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// What an agent starts from the single view: a triage flow, one question a page (GET forms carry the answers so far, so
/// the back button and a lost connection lose nothing), and a case raised from the contact with the requester and their
/// address filled in. Both record the contact as they finish.
public struct FirstContactPages: WebArea {
    let triage: Triage
    let contacts: Contacts
    let cases: Cases
    let register: Register
    let pages: Pages
    let chrome: @Sendable (TownhallContext) async throws -> Chrome

    public init(services: ServiceRegistry, kit: PageKit) {
        triage = services.require(Triage.self); contacts = services.require(Contacts.self)
        cases = services.require(Cases.self); register = services.require(Register.self); pages = kit.pages
        chrome = kit.chrome
    }

    public func addRoutes(desk: RouterGroup<TownhallContext>, web: RouterGroup<TownhallContext>) {
        desk.get("people/:id/triage/:flow") { request, context in
            let id: PersonID = try pageID(context, "id"), flowID: TriageFlowID = try pageID(context, "flow")
            var answers = (try? TriagePath.parse(request.query("answers"))) ?? []
            let started = request.query("started").flatMap { Timestamp(iso: $0) } ?? .now
            if request.query("next") != nil {
                // The answer form was sent: add the choice and move on, or ask again.
                guard let raw = request.query("choice"), let choice = Int(raw) else {
                    return try await triagePage(id, flowID, answers: answers, started: started, context: context, error: "Choose an answer.")
                }
                answers.append(choice)
                return Response.redirect(to: "/desk/people/\(id)/triage/\(flowID)?answers=\(TriagePath.format(answers))&started=\(started.iso)", type: .normal)
            }
            return try await triagePage(id, flowID, answers: answers, started: started, context: context)
        }
        desk.post("people/:id/triage/:flow") { request, context in
            let actor = try context.requireActor()
            let id: PersonID = try pageID(context, "id"), flowID: TriageFlowID = try pageID(context, "flow")
            let form = try await Form.checked(request, context)
            let answers = try TriagePath.parse(form["answers"])
            let started = form["started"].flatMap { Timestamp(iso: $0) }
            do {
                let done = try await triage.finish(Triage.Finish(flowID: flowID, personID: id, answers: answers, startedAt: started,
                                                                 channel: form["channel"] ?? "phone", notes: form["notes"]), by: actor)
                let target = done.createdCase.map { "/desk/people/\(id)?raised=\($0.reference)" } ?? "/desk/people/\(id)?logged=1#contacts"
                return Response.redirect(to: target, type: .normal)
            } catch let e as TownhallError where e.kind == .invalid {
                return try await triagePage(id, flowID, answers: answers, started: started ?? .now, context: context, error: e.message, notes: form["notes"] ?? "")
            }
        }
        desk.get("people/:id/cases/new") { request, context in
            try await newCasePage(try pageID(context, "id"), code: request.query("service") ?? "", form: FormBody(), context: context)
        }
        desk.post("people/:id/cases/new") { request, context in
            let actor = try context.requireActor()
            let id: PersonID = try pageID(context, "id")
            let form = try await FormBody.read(request, limit: 64 * 1024, multipartLimit: 64 * 1024)
            guard form.value("csrf_token") == context.csrfToken else { throw TownhallError.forbidden("The form expired. Go back, reload the page and try again.") }
            let code = form.value("service") ?? ""
            // Agents raise from the partnership's public catalogue; social-care referrals go through triage.
            guard let service = try await cases.publicCatalogue().first(where: { $0.code == code }) else {
                return Response.redirect(to: "/desk/people/\(id)/cases/new", type: .normal)
            }
            do {
                // One read of the person: their record when the case is at their home, else only their name.
                let location: CaseLocation, name: String?
                if form.value("place") == "other" {
                    guard let raw = form.value("postcode") else { throw TownhallError.missing("postcode", "Enter the postcode of the place, for example BB11 2BD.") }
                    location = CaseLocation(address: form.value("where"), postcode: try Postcode(raw))
                    name = try await register.visiblePerson(id: id, by: actor)?.fullName
                } else {
                    let person = try await register.person(id: id, by: actor, purpose: "raise a case")
                    guard let home = person.currentAddress else {
                        throw TownhallError.invalid("postcode", "There is no current address for this person. Choose somewhere else and give the postcode.", code: "no_address")
                    }
                    location = CaseLocation(uprn: home.uprn, address: home.address)
                    name = person.person.fullName
                }
                let channel = form.value("channel") ?? "phone"
                let input = Cases.NewCase(serviceCode: code, sentTo: service.organisationID, description: form.value("description"),
                                          attributes: ReportPages.answers(service, form: form), requesterID: id, contact: CaseContact(name: name),
                                          location: location, channel: try? CaseChannel(parsing: channel))
                let contact = Contacts.NewContact(personID: id, channel: channel, reason: "Reported: \(service.name)", serviceCode: code,
                                                  outcome: ContactOutcome.caseCreated.rawValue, minutes: form.value("minutes"))
                let (created, _) = try await contacts.raiseCase(input, contact: contact, by: actor)
                return Response.redirect(to: "/desk/people/\(id)?raised=\(created.reference)", type: .normal)
            } catch let e as TownhallError where e.kind == .invalid {
                return try await newCasePage(id, code: code, form: form, context: context, error: e)
            }
        }
    }

    func triagePage(_ id: PersonID, _ flowID: TriageFlowID, answers: [Int], started: Timestamp, context: TownhallContext, error: String? = nil,
                    notes: String = "") async throws -> Response {
        let actor = try context.requireActor()
        guard let person = try await register.visiblePerson(id: id, by: actor) else { throw TownhallError.notFound("Person \(id)") }
        let flow = try await triage.flow(flowID, by: actor)
        let walked: (steps: [TriageFlow.Step], at: TriageFlow.Node)
        do { walked = try flow.walk(answers) } catch {
            return Response.redirect(to: "/desk/people/\(id)/triage/\(flowID)", type: .normal)   // a stale or edited path: start again
        }
        let base = "/desk/people/\(id)/triage/\(flowID)"
        var model = TriagePageModel(personID: id.string, name: person.fullName, flowID: flowID.string, flowName: flow.name, summary: flow.summary,
                                    answers: TriagePath.format(answers), started: started.iso, csrfToken: context.csrfToken ?? "", notes: notes)
        model.steps = walked.steps.enumerated().map { i, step in
            TriageStepRow(question: step.question, answer: step.answer,
                          change: "\(base)?answers=\(TriagePath.format(Array(answers.prefix(i))))&started=\(started.iso)")
        }
        let node = walked.at
        if let kind = node.outcome {
            model.outcome = TriageOutcomeView(title: node.title ?? "", script: node.script, createsCase: kind.createsCase,
                                              button: kind.createsCase ? "Record and create the case" : "Record the outcome")
            model.channels = ContactChannel.allCases.map { CasePages.Option(value: $0.rawValue, label: $0.title, selected: $0 == .phone) }
        } else {
            model.question = node.question
            model.help = node.help
            model.choices = (node.answers ?? []).enumerated().map { CasePages.Option(value: String($0.offset), label: $0.element.label) }
        }
        if let error { model.errors = [Pages.FieldError(field: node.isOutcome ? "notes" : "choice-0", message: error)]; model.error = error }
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk"), .init(text: person.fullName, href: "/desk/people/\(id)")]
        let m = model.ready()
        return html(pages.render("triage", m, title: (error == nil ? "" : "Error: ") + "\(flow.name): \(person.fullName)", hasErrors: m.hasErrors, chrome: c),
                    status: error == nil ? .ok : .badRequest)
    }

    func newCasePage(_ id: PersonID, code: String, form: FormBody, context: TownhallContext, error: TownhallError? = nil) async throws -> Response {
        let actor = try context.requireActor()
        let record = try await register.person(id: id, by: actor)
        let services = try await cases.publicCatalogue()
        var model = NewCaseModel(personID: id.string, name: record.person.fullName, csrfToken: context.csrfToken ?? "",
                                 home: record.currentAddress?.address, otherPlace: form.value("place") == "other" || record.currentAddress == nil,
                                 postcode: form.value("postcode") ?? "", whereText: form.value("where") ?? "", description: form.value("description") ?? "",
                                 minutes: form.value("minutes") ?? "")
        model.services = services.map { CasePages.Option(value: $0.code, label: $0.name, selected: $0.code == code) }
        model.channels = ContactChannel.allCases.map { CasePages.Option(value: $0.rawValue, label: $0.title, selected: (form.value("channel") ?? "phone") == $0.rawValue) }
        if let service = services.first(where: { $0.code == code }) {
            model.service = service.code; model.serviceName = service.name
            var errorFor: [String: String] = [:]
            if let error {
                let field = error.field == "duration" ? "minutes" : ReportPages.field(for: error)
                errorFor[field] = error.message
                model.errors = [Pages.FieldError(field: field, message: error.message)]
            }
            model.postcodeError = errorFor["postcode"]; model.minutesError = errorFor["minutes"]
            model.questions = ReportPages.questions(service, form: form, errors: errorFor)
        }
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk"), .init(text: record.person.fullName, href: "/desk/people/\(id)")]
        let m = model.ready()
        return html(pages.render("case-new", m, title: (error == nil ? "" : "Error: ") + "Raise a case for \(record.person.fullName)", hasErrors: m.hasErrors, chrome: c),
                    status: error.map { $0.kind.status } ?? .ok)
    }
}

struct TriageStepRow: Encodable { var question, answer, change: String }
struct TriageOutcomeView: Encodable { var title: String; var script: String?; var createsCase: Bool; var button: String }
struct TriagePageModel: Encodable {
    var personID, name, flowID, flowName: String
    var summary: String?
    var answers, started, csrfToken, notes: String
    var steps: [TriageStepRow] = []
    var hasSteps = false
    var question: String?
    var help: String?
    var choices: [CasePages.Option] = []
    var outcome: TriageOutcomeView?
    var channels: [CasePages.Option] = []
    var error: String?
    var errors: [Pages.FieldError] = []
    var hasErrors = false

    func ready() -> TriagePageModel {
        var m = self
        m.hasSteps = !steps.isEmpty; m.hasErrors = !errors.isEmpty
        return m
    }
}
struct NewCaseModel: Encodable {
    var personID, name, csrfToken: String
    var home: String?
    var otherPlace: Bool
    var postcode, whereText, description, minutes: String
    var service: String?
    var serviceName = ""
    var services: [CasePages.Option] = []
    var channels: [CasePages.Option] = []
    var questions: [ReportQuestion] = []
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var postcodeError: String?, minutesError: String?

    func ready() -> NewCaseModel {
        var m = self
        m.hasErrors = !errors.isEmpty
        return m
    }
}
