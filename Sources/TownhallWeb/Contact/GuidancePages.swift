import Cases
import Contact
import Foundation
import Hummingbird
import Partnership
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// Agent guidance on the desk: search every partner's scripts and articles, read one (markdown rendered safely), write
/// and change your own organisation's (managers), and the suggestions desk.js shows beside the contact log as the agent
/// types.
public struct GuidancePages: WebArea {
    let guidance: Guidance
    let cases: Cases
    let partnership: Partnership
    let pages: Pages
    let chrome: @Sendable (TownhallContext) async throws -> Chrome

    public init(services: ServiceRegistry, kit: PageKit) {
        guidance = services.require(Guidance.self); cases = services.require(Cases.self)
        partnership = services.require(Partnership.self); pages = kit.pages; chrome = kit.chrome
    }

    public func deskLinks(for actor: Actor) -> [DeskLink] {
        [DeskLink("Guidance", href: "/desk/guidance")]
    }

    public func addRoutes(desk: RouterGroup<TownhallContext>, web: RouterGroup<TownhallContext>) {
        desk.get("guidance") { request, context in
            let actor = try context.requireActor()
            let q = request.query("q") ?? "", service = request.query("service") ?? ""
            let page = Int(request.query("page") ?? "") ?? 1
            var model = GuidanceListModel(query: q, canWrite: actor.may(.casesManage))
            model.services = try await serviceOptions(actor, selected: service, blank: "Any service")
            var status = HTTPResponse.Status.ok
            do {
                let results = try await guidance.search(q, serviceCode: service, page: page, by: actor)
                let names = try await partnership.organisations().namesByID
                model.items = results.items.map { GuidanceRow($0, organisation: names[$0.organisationID] ?? "") }
                model.total = results.total
                let base = "/desk/guidance?q=\(q.urlQueryEncoded)&service=\(service.urlQueryEncoded)"
                model.next = results.hasNext ? "\(base)&page=\(results.page + 1)" : nil
                model.previous = results.page > 1 ? "\(base)&page=\(results.page - 1)" : nil
            } catch let e as TownhallError where e.kind == .invalid {
                model.errors = [.init(field: "q", message: e.message)]
                model.queryError = e.message
                status = .badRequest
            }
            model.hasItems = !model.items.isEmpty
            model.searched = !q.isEmpty || !service.isEmpty
            model.hasErrors = !model.errors.isEmpty
            var c = try await chrome(context)
            c.breadcrumbs = [.init(text: "Staff desk", href: "/desk")]
            return html(pages.render("guidance-list", model, title: (model.hasErrors ? "Error: " : "") + "Guidance", hasErrors: model.hasErrors, chrome: c), status: status)
        }
        // For desk.js: guidance for the chosen service and the words typed so far, as links.
        desk.get("guidance/suggest") { request, context in
            let actor = try context.requireActor()
            let items = try await guidance.suggest(serviceCode: request.query("service_code"), text: request.query("text") ?? "", by: actor)
            return try JSONResponse.make(["items": items.map { Suggestion(label: $0.title, kind: $0.kind == .script ? "script" : "article", href: "/desk/guidance/\($0.id)") }])
        }
        desk.get("guidance/new") { _, context in
            let actor = try context.requireActor()
            try actor.require(.casesManage)
            return try await formPage(nil, form: [:], context: context)
        }
        desk.post("guidance/new") { request, context in
            let actor = try context.requireActor()
            let form = try await Form.checked(request, context)
            do {
                let saved = try await guidance.create(draft(form), by: actor)
                return Response.redirect(to: "/desk/guidance/\(saved.id)?saved=1", type: .normal)
            } catch let e as TownhallError where e.kind == .invalid {
                return try await formPage(nil, form: form, context: context, error: e)
            }
        }
        desk.get("guidance/:id") { request, context in
            let actor = try context.requireActor()
            let article = try await guidance.article(try pageID(context, "id"), by: actor)
            let names = try await partnership.organisations().namesByID
            let services = try await cases.services(organisation: article.organisationID)
            let model = GuidanceArticleModel(
                id: article.id.string, title: article.title, kind: article.kind.title, summary: article.summary, bodyHTML: GuidanceMarkdown.html(article.body),
                organisation: names[article.organisationID] ?? "", updated: CasePages.when(article.updatedAt), updatedBy: article.updatedBy,
                services: article.serviceCodes.map { code in services.first { $0.code == code }.map { "\($0.name) (\(code))" } ?? code },
                keywords: article.keywords.joined(separator: ", "), active: article.active,
                canEdit: actor.may(.casesManage) && actor.organisationID == article.organisationID,
                saved: request.query("saved") != nil)
            var c = try await chrome(context)
            c.breadcrumbs = [.init(text: "Staff desk", href: "/desk"), .init(text: "Guidance", href: "/desk/guidance")]
            return html(pages.render("guidance-article", model, title: article.title, chrome: c))
        }
        desk.get("guidance/:id/edit") { _, context in
            let actor = try context.requireActor()
            try actor.require(.casesManage)
            let article = try await guidance.article(try pageID(context, "id"), by: actor)
            guard article.organisationID == actor.organisationID else { throw TownhallError.forbidden("Only the organisation that wrote this guidance can change it.") }
            return try await formPage(article, form: [:], context: context)
        }
        desk.post("guidance/:id/edit") { request, context in
            let actor = try context.requireActor()
            let id: GuidanceID = try pageID(context, "id")
            let form = try await Form.checked(request, context)
            do {
                guard let version = Int(form["version"] ?? "") else { throw TownhallError.invalid("title", "The form lost its version. Reload the page.") }
                _ = try await guidance.update(id, try draft(form), version: version, by: actor)
                return Response.redirect(to: "/desk/guidance/\(id)?saved=1", type: .normal)
            } catch let e as TownhallError where e.kind == .invalid || e.kind == .conflict {
                return try await formPage(try await guidance.article(id, by: actor), form: form, context: context, error: e)
            }
        }
    }

    func draft(_ form: [String: String]) throws -> Guidance.Draft {
        guard let kind = GuidanceArticle.Kind(rawValue: form["kind"] ?? "") else { throw TownhallError.invalid("kind", "Choose a call script or a knowledge article.") }
        return Guidance.Draft(kind: kind, title: form["title"] ?? "", summary: form["summary"], serviceCodes: GuidanceArticle.split(form["service_codes"]),
                              keywords: GuidanceArticle.split(form["keywords"]), body: form["body"] ?? "", active: form["active"] != "no")
    }

    func serviceOptions(_ actor: Actor, selected: String, blank: String) async throws -> [CasePages.Option] {
        let services = (try? await cases.services(organisation: actor.organisationID)) ?? []
        return [CasePages.Option(value: "", label: blank, selected: selected.isEmpty)]
            + services.filter(\.active).map { CasePages.Option(value: $0.code, label: "\($0.name) (\($0.code))", selected: $0.code == selected) }
    }

    /// The write form: blank, an article's current text, or what was sent back with an error.
    func formPage(_ article: GuidanceArticle?, form: [String: String], context: TownhallContext, error: TownhallError? = nil) async throws -> Response {
        let sent = !form.isEmpty
        var model = GuidanceFormModel(
            action: article.map { "/desk/guidance/\($0.id)/edit" } ?? "/desk/guidance/new", csrfToken: context.csrfToken ?? "",
            version: form["version"] ?? article.map { String($0.version) } ?? "",
            title: sent ? form["title"] ?? "" : article?.title ?? "", summary: sent ? form["summary"] ?? "" : article?.summary ?? "",
            serviceCodes: sent ? form["service_codes"] ?? "" : article?.serviceCodes.joined(separator: ", ") ?? "",
            keywords: sent ? form["keywords"] ?? "" : article?.keywords.joined(separator: ", ") ?? "",
            body: sent ? form["body"] ?? "" : article?.body ?? "", isNew: article == nil)
        let kind = sent ? form["kind"] ?? "" : article?.kind.rawValue ?? ""
        model.kinds = GuidanceArticle.Kind.allCases.map { CasePages.Option(value: $0.rawValue, label: $0.title, selected: $0.rawValue == kind) }
        let active = sent ? form["active"] != "no" : article?.active ?? true
        model.states = [CasePages.Option(value: "yes", label: "Shown to agents", selected: active), CasePages.Option(value: "no", label: "Withdrawn", selected: !active)]
        if let error {
            let field = ["kind", "title", "summary", "service_codes", "keywords", "body"].contains(error.field ?? "") ? error.field! : "title"
            model.errors = [.init(field: field == "kind" ? "kind-\(GuidanceArticle.Kind.allCases[0].rawValue)" : field, message: error.message)]
            switch field {
            case "kind": model.kindError = error.message
            case "summary": model.summaryError = error.message
            case "service_codes": model.serviceCodesError = error.message
            case "keywords": model.keywordsError = error.message
            case "body": model.bodyError = error.message
            default: model.titleError = error.message
            }
        }
        model.hasErrors = !model.errors.isEmpty
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk"), .init(text: "Guidance", href: "/desk/guidance")]
        let title = article == nil ? "Write guidance" : "Change guidance"
        return html(pages.render("guidance-form", model, title: (model.hasErrors ? "Error: " : "") + title, hasErrors: model.hasErrors, chrome: c),
                    status: error.map { $0.kind.status } ?? .ok)
    }
}

struct GuidanceRow: Encodable {
    var href, title, kind, organisation: String
    var summary: String?
    init(_ a: GuidanceArticle, organisation: String) {
        href = "/desk/guidance/\(a.id)"; title = a.title; kind = a.kind.title; self.organisation = organisation; summary = a.summary
    }
}
struct GuidanceListModel: Encodable {
    var query: String
    var canWrite: Bool
    var services: [CasePages.Option] = []
    var items: [GuidanceRow] = []
    var total = 0
    var next: String?
    var previous: String?
    var hasItems = false
    var searched = false
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var queryError: String?
}
struct GuidanceArticleModel: Encodable {
    var id, title, kind: String
    var summary: String?
    var bodyHTML, organisation, updated, updatedBy: String
    var services: [String]
    var keywords: String
    var active, canEdit, saved: Bool
}
struct GuidanceFormModel: Encodable {
    var action, csrfToken, version, title, summary, serviceCodes, keywords, body: String
    var isNew: Bool
    var kinds: [CasePages.Option] = []
    var states: [CasePages.Option] = []
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var kindError: String?, titleError: String?, summaryError: String?, serviceCodesError: String?, keywordsError: String?, bodyError: String?
}
