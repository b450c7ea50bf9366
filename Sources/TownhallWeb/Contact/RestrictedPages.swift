import Contact
import Foundation
import Hummingbird
import Partnership
import Register
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// Restricted information on the desk. The single view's panel says a flag exists where its disclosure allows; designated
/// officers read the details only after giving a purpose (each read audited), and raise or end flags here.
public struct RestrictedPages: WebArea {
    let restrictions: Restrictions
    let register: Register
    let partnership: Partnership
    let pages: Pages
    let chrome: @Sendable (TownhallContext) async throws -> Chrome

    public init(services: ServiceRegistry, kit: PageKit) {
        restrictions = services.require(Restrictions.self); register = services.require(Register.self)
        partnership = services.require(Partnership.self); pages = kit.pages; chrome = kit.chrome
    }

    public func addRoutes(desk: RouterGroup<TownhallContext>, web: RouterGroup<TownhallContext>) {
        desk.get("people/:id/restricted") { _, context in
            try await purposePage(try pageID(context, "id"), context: context)
        }
        // The details are the response to the purpose form, never a page of their own, so every read states a purpose.
        desk.post("people/:id/restricted") { request, context in
            let actor = try context.requireActor()
            let id: PersonID = try pageID(context, "id")
            let form = try await Form.checked(request, context)
            do {
                let purpose = try RestrictedReadPurpose(reason: form["purpose"], explanation: form["explanation"])
                let flags = try await restrictions.read(person: id, purpose: purpose, by: actor)
                return try await detailsPage(id, flags: flags, context: context)
            } catch let e as TownhallError where e.kind == .invalid {
                return try await purposePage(id, context: context, form: form, error: e)
            }
        }
        desk.post("people/:id/restricted/new") { request, context in
            let actor = try context.requireActor()
            let id: PersonID = try pageID(context, "id")
            let form = try await Form.checked(request, context)
            let input = Restrictions.NewFlag(kind: form["kind"] ?? "", disclosure: form["disclosure"], details: form["details"] ?? "", reviewOn: form["review_on"])
            do {
                _ = try await restrictions.raise(input, person: id, by: actor)
                return Response.redirect(to: "/desk/people/\(id)?flagged=1", type: .normal)
            } catch let e as TownhallError where e.kind == .invalid {
                return try await purposePage(id, context: context, raiseForm: form, error: e)
            }
        }
        desk.post("restricted/:flag/end") { request, context in
            let actor = try context.requireActor()
            let form = try await Form.checked(request, context)
            do {
                let flag = try await restrictions.end(try pageID(context, "flag"), reason: form["reason"] ?? "", by: actor)
                return Response.redirect(to: "/desk/people/\(flag.personID)?flag_ended=1", type: .normal)
            } catch let e as TownhallError where e.kind == .invalid {
                throw HTTPError(.badRequest, message: e.message)
            }
        }
    }

    func purposePage(_ id: PersonID, context: TownhallContext, form: [String: String] = [:], raiseForm: [String: String] = [:],
                     error: TownhallError? = nil) async throws -> Response {
        let actor = try context.requireActor()
        try actor.require(.safeguardingRead)
        guard let person = try await register.visiblePerson(id: id, by: actor) else { throw TownhallError.notFound("Person \(id)") }
        let notices = try await restrictions.notices(person: id, by: actor)
        let names = try await partnership.organisations().namesByID
        var model = RestrictedPurposeModel(id: id.string, name: person.fullName, csrfToken: context.csrfToken ?? "")
        model.readable = notices.filter(\.readable).map { NoticeRow(kind: $0.kind.title, heldBy: names[$0.heldBy] ?? "", advice: $0.advice) }
        model.purposes = RestrictedReadPurpose.reasons.map { CasePages.Option(value: $0.value, label: $0.title, selected: form["purpose"] == $0.value) }
        model.explanation = form["explanation"] ?? ""
        model.kinds = RestrictionKind.allCases.map { CasePages.Option(value: $0.rawValue, label: $0.title, selected: raiseForm["kind"] == $0.rawValue) }
        model.disclosures = [CasePages.Option(value: "", label: "The usual for this kind", selected: (raiseForm["disclosure"] ?? "").isEmpty),
                             CasePages.Option(value: "existence", label: "Tell other staff a flag exists (never its details)", selected: raiseForm["disclosure"] == "existence"),
                             CasePages.Option(value: "hidden", label: "Tell other staff nothing", selected: raiseForm["disclosure"] == "hidden")]
        model.details = raiseForm["details"] ?? ""; model.reviewOn = raiseForm["review_on"] ?? ""
        if let error {
            let field = error.field ?? (raiseForm.isEmpty ? "purpose" : "details")
            model.errors = [Pages.FieldError(field: field, message: error.message)]
            switch field {
            case "purpose": model.purposeError = error.message
            case "explanation": model.explanationError = error.message
            case "kind": model.kindError = error.message
            case "review_on", "date": model.reviewError = error.message
            default: model.detailsError = error.message
            }
        }
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk"), .init(text: person.fullName, href: "/desk/people/\(id)")]
        let m = model.ready()
        return html(pages.render("restricted-purpose", m, title: (error == nil ? "" : "Error: ") + "Restricted information: \(person.fullName)",
                                 hasErrors: m.hasErrors, chrome: c), status: error == nil ? .ok : .badRequest)
    }

    func detailsPage(_ id: PersonID, flags: [RestrictedFlag], context: TownhallContext) async throws -> Response {
        let actor = try context.requireActor()
        let person = try await register.visiblePerson(id: id, by: actor)
        let names = try await partnership.organisations().namesByID
        let model = RestrictedDetailsModel(id: id.string, name: person?.fullName ?? "", csrfToken: context.csrfToken ?? "", flags: flags.map { f in
            FlagRow(id: f.id.string, kind: f.kind.title, details: f.details, heldBy: names[f.organisationID] ?? "", startsOn: f.startsOn.description,
                    reviewOn: f.reviewOn?.description ?? "Not set", raisedBy: f.raisedBy,
                    disclosure: f.disclosure == .existence ? "Other staff are told a flag exists" : "Other staff are told nothing",
                    canEnd: f.organisationID == actor.organisationID)
        })
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk"), .init(text: person?.fullName ?? "Person", href: "/desk/people/\(id)")]
        return html(pages.render("restricted", model, title: "Restricted information: \(person?.fullName ?? "")", chrome: c))
    }
}

struct NoticeRow: Encodable { var kind, heldBy, advice: String }
struct FlagRow: Encodable { var id, kind, details, heldBy, startsOn, reviewOn, raisedBy, disclosure: String; var canEnd: Bool }
struct RestrictedDetailsModel: Encodable { var id, name, csrfToken: String; var flags: [FlagRow] }
struct RestrictedPurposeModel: Encodable {
    var id, name, csrfToken: String
    var readable: [NoticeRow] = []
    var hasReadable = false
    var purposes: [CasePages.Option] = []
    var explanation = ""
    var kinds: [CasePages.Option] = []
    var disclosures: [CasePages.Option] = []
    var details = "", reviewOn = ""
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var purposeError: String?, explanationError: String?, kindError: String?, detailsError: String?, reviewError: String?

    func ready() -> RestrictedPurposeModel {
        var m = self
        m.hasReadable = !readable.isEmpty; m.hasErrors = !errors.isEmpty
        return m
    }
}

/// A panel as the templates render it.
struct PanelView: Encodable {
    var key, title: String
    var warning: Bool
    var lines: [SingleViewPanel.Line]
    var links: [SingleViewPanel.Link]
    var emptyText: String?
    var hasLines: Bool

    init(_ p: SingleViewPanel) {
        key = p.key; title = p.title; warning = p.tone == .warning; lines = p.lines; links = p.links; emptyText = p.emptyText; hasLines = !p.lines.isEmpty
    }
}
