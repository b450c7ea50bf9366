import Access
import Cases
import Foundation
import Hummingbird
import Register
import TownhallAPI
import TownhallKernel

/// The citizen's "report a problem": choose what it is, say where (a postcode, and the spot in words), answer the
/// service's questions, add a photo if you like, leave contact details if you want updates, and get a reference to
/// track. Anonymous; works without JavaScript; one question group per page, as the Design System asks.
struct ReportPages: Sendable {
    let cases: Cases
    let register: Register
    let pages: Pages
    let secureCookies: Bool
    let chrome: @Sendable (TownhallContext) async throws -> Chrome
    /// Anonymous reporters have no session, so the form is protected by a double-submit token: in the form and in a
    /// cookie only this path receives.
    static let formCookie = "townhall_report"

    func add(web: RouterGroup<TownhallContext>) {
        web.get("report") { request, context in
            var model = ReportStartModel(options: try await choices(selected: request.query("service") ?? ""))
            if request.query("missing") != nil {
                model.serviceError = "Choose the kind of problem."
                model.errors = [Pages.FieldError(field: "service-\(model.options.first?.value ?? "")", message: "Choose the kind of problem.")]
            }
            model.hasErrors = !model.errors.isEmpty
            return html(pages.render("report-start", model, title: (model.hasErrors ? "Error: " : "") + "Report a problem", hasErrors: model.hasErrors,
                                     chrome: try await chrome(context)), status: model.hasErrors ? .badRequest : .ok)
        }
        web.get("report/details") { request, context in
            guard let code = request.query("service"), !code.isEmpty else { return Response.redirect(to: "/report?missing=1", type: .normal) }
            return try await details(code: code, form: FormBody(), context: context)
        }
        web.post("report/details") { request, context in
            let form = try await FormBody.read(request, limit: 64 * 1024,
                                               multipartLimit: CaseAttachment.maximumPerReport * CaseAttachment.maximumSize + 64 * 1024)
            let sent = form.value("csrf_token") ?? ""
            guard !sent.isEmpty, sent == context.csrfToken || sent == request.cookies[ReportPages.formCookie]?.value else {
                throw TownhallError.forbidden("The form expired. Go back, reload the page and try again.")
            }
            let code = form.value("service") ?? ""
            guard let service = try await cases.publicCatalogue().first(where: { $0.code == code }) else { return Response.redirect(to: "/report?missing=1", type: .normal) }
            let answers = ReportPages.answers(service, form: form)
            do {
                guard let raw = form.value("postcode") else { throw TownhallError.missing("postcode", "Enter the postcode of the place, for example BB11 2BD.") }
                let postcode = try Postcode(raw)
                // The portal routes by postcode, so it must be one the platform can place.
                guard try await register.postcode(postcode.value) != nil else {
                    throw TownhallError.invalid("postcode", "We cannot find \(postcode.value). Check it, or give the nearest postcode you know.", code: "unknown_postcode")
                }
                let photos = form.files.filter { $0.field == "photo" }.map {
                    NewAttachment(filename: $0.filename, contentType: $0.contentType, content: $0.content, field: "photo")
                }
                let input = Cases.NewCase(serviceCode: code, sentTo: service.organisationID, description: form.value("description"), attributes: answers,
                                          contact: CaseContact(name: form.value("name"), email: form.value("email")),
                                          location: CaseLocation(address: form.value("where"), postcode: postcode), channel: .web, attachments: photos)
                let c = try await cases.create(input, by: Actor(organisationID: service.organisationID, principal: .system("citizen portal"),
                                                                 permissions: [.casesRead, .casesWrite, .registerRead], channel: .web, requestID: context.requestID))
                return Response.redirect(to: "/report/done?reference=\(c.reference)", type: .normal)
            } catch let e as TownhallError where e.kind == .invalid || e.kind == .payloadTooLarge || e.kind == .unsupportedMedia {
                return try await details(code: code, form: form, context: context, error: e)
            }
        }
        web.get("report/done") { request, context in
            let reference = request.query("reference") ?? ""
            guard CaseReference.normalise(reference) != nil else { return Response.redirect(to: "/report", type: .normal) }
            let view = try await cases.track(reference: reference)
            let model = ReportDoneModel(reference: view.reference, organisation: view.organisationName, service: view.serviceName,
                                        expected: view.expectedBy.map(CasePages.when))
            return html(pages.render("report-done", model, title: "Report sent", chrome: try await chrome(context)))
        }
    }

    /// A service's Open311-typed questions as the `service-questions` partial renders them, with what was given and any error.
    static func questions(_ service: ServiceDefinition, form: FormBody, errors errorFor: [String: String]) -> [ReportQuestion] {
        service.attributes.sorted { $0.order < $1.order }.map { a in
            let given = form.fields["attribute[\(a.code)]"] ?? []
            let id = "attribute-\(a.code)"
            return ReportQuestion(id: id, name: "attribute[\(a.code)]", label: a.description, hint: a.datatypeDescription, required: a.required, variable: a.variable,
                                  isChoice: a.datatype == .singlevaluelist, isMulti: a.datatype == .multivaluelist, isText: a.datatype == .text,
                                  isLine: [.string, .number, .datetime].contains(a.datatype), inputMode: a.datatype == .number ? "decimal" : "text",
                                  value: given.first ?? "",
                                  options: a.values.enumerated().map { i, v in
                                      ReportOption(id: i == 0 ? id : "\(id)-\(v.key)", value: v.key, label: v.name, checked: given.contains(v.key))
                                  },
                                  error: errorFor[id])
        }
    }

    /// The answers given to a service's questions, leaving out empty ones.
    static func answers(_ service: ServiceDefinition, form: FormBody) -> [String: [String]] {
        var answers: [String: [String]] = [:]
        for a in service.attributes where a.variable {
            let given = (form.fields["attribute[\(a.code)]"] ?? []).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            if !given.isEmpty { answers[a.code] = given }
        }
        return answers
    }

    /// Which field a case refusal belongs to on a page that shows the service's questions.
    static func field(for error: TownhallError) -> String {
        switch error.field ?? "" {
        case let f where f.hasPrefix("attributes."): "attribute-" + f.dropFirst("attributes.".count)
        case "location", "postcode", "lat", "long", "address_string": "postcode"
        case "email", "name", "description", "photo": error.field!
        default: "postcode"
        }
    }

    func choices(selected: String) async throws -> [CasePages.Option] {
        try await cases.publicCatalogue().map { CasePages.Option(value: $0.code, label: $0.name, selected: $0.code == selected) }
    }

    func details(code: String, form: FormBody, context: TownhallContext, error: TownhallError? = nil) async throws -> Response {
        guard let service = try await cases.publicCatalogue().first(where: { $0.code == code }) else { return Response.redirect(to: "/report?missing=1", type: .normal) }
        let token = context.csrfToken ?? Access.newFormToken()
        var model = ReportDetailsModel(service: service.code, serviceName: service.name, csrfToken: token,
                                       postcode: form.value("postcode") ?? "", whereText: form.value("where") ?? "",
                                       description: form.value("description") ?? "", name: form.value("name") ?? "", email: form.value("email") ?? "")
        var errorFor: [String: String] = [:]
        if let error {
            let field = ReportPages.field(for: error)
            let message = error.code == "location_outside_area"
                ? "Enter a postcode in the area this service covers, for example BB11 2BD." : error.message
            errorFor[field] = message
            model.errors = [Pages.FieldError(field: field, message: message)]
        }
        model.postcodeError = errorFor["postcode"]; model.emailError = errorFor["email"]; model.nameError = errorFor["name"]
        model.descriptionError = errorFor["description"]; model.photoError = errorFor["photo"]
        model.questions = ReportPages.questions(service, form: form, errors: errorFor)
        model.hasErrors = !model.errors.isEmpty
        var response = html(pages.render("report-details", model, title: (model.hasErrors ? "Error: " : "") + "Report: \(service.name)", hasErrors: model.hasErrors,
                                         chrome: try await chrome(context)), status: error.map { $0.kind.status } ?? .ok)
        if context.csrfToken == nil {
            response.setCookie(Cookie(name: ReportPages.formCookie, value: token, path: "/report", secure: secureCookies, httpOnly: true, sameSite: .strict))
        }
        return response
    }
}

struct ReportStartModel {
    var options: [CasePages.Option]
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var serviceError: String?
}
struct ReportOption { var id, value, label: String; var checked: Bool }
struct ReportQuestion {
    var id, name, label: String; var hint: String?; var required, variable, isChoice, isMulti, isText, isLine: Bool; var inputMode, value: String
    var options: [ReportOption]; var error: String?
}
struct ReportDetailsModel {
    var service, serviceName, csrfToken, postcode, whereText, description, name, email: String
    var questions: [ReportQuestion] = []
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var postcodeError: String?, emailError: String?, nameError: String?, descriptionError: String?, photoError: String?
}
struct ReportDoneModel { var reference, organisation, service: String; var expected: String? }
