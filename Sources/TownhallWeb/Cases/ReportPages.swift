import Access
import Cases
import Citizens
import Foundation
import Hummingbird
import Register
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// The citizen's "report a problem": choose what it is, say where (a postcode, and the spot in words), answer the
/// service's questions, add a photo if you like, leave contact details if you want updates, and get a reference to
/// track. Anonymous; works without JavaScript; one question group per page, as the Design System asks.
public struct ReportPages: WebArea {
    let cases: Cases
    let register: Register
    let citizens: Citizens
    let pages: Pages
    let secureCookies: Bool
    let chrome: @Sendable (TownhallContext) async throws -> Chrome

    public init(services: ServiceRegistry, kit: PageKit) {
        cases = services.require(Cases.self); register = services.require(Register.self)
        citizens = services.require(Citizens.self); pages = kit.pages; secureCookies = kit.secureCookies
        chrome = kit.chrome
    }
    /// Anonymous reporters have no session, so the form is protected by a double-submit token: in the form and in a
    /// cookie only this path receives.
    static let formCookie = "townhall_report"
    /// What the details page asks, carried through "check your answers" as hidden fields (the photo is added there).
    static let carried = ["postcode", "lat", "long", "where", "description", "name", "email"]

    public func addRoutes(desk: RouterGroup<TownhallContext>, web: RouterGroup<TownhallContext>) {
        web.get("report") { request, context in
            var model = ReportStartModel(options: try await choices(selected: request.query("service") ?? ""))
            if request.query("missing") != nil {
                model.serviceError = "Choose the kind of problem."
                model.errors = [Pages.FieldError(field: "service-\(model.options.first?.value ?? "")", message: "Choose the kind of problem.")]
            }
            model.hasErrors = !model.errors.isEmpty
            return html(pages.render("report-start", model, title: (model.hasErrors ? "Error: " : "") + "Report a problem", hasErrors: model.hasErrors,
                                     chrome: try await chrome(context, try await AccountPages.citizen(request, citizens))), status: model.hasErrors ? .badRequest : .ok)
        }
        web.get("report/details") { request, context in
            guard let code = request.query("service"), !code.isEmpty else { return Response.redirect(to: "/report?missing=1", type: .normal) }
            return try await details(code: code, form: FormBody(), citizen: try await AccountPages.citizen(request, citizens), context: context)
        }
        // The details, checked exactly as sending would check them but without writing: then "check your answers".
        web.post("report/details") { request, context in
            let form = try await readForm(request, context, files: false)
            let code = form.value("service") ?? ""
            guard let service = try await publicService(code) else { return Response.redirect(to: "/report?missing=1", type: .normal) }
            let citizen = try await AccountPages.citizen(request, citizens)
            do {
                let input = try await newCase(service, form: form, citizen: citizen?.account)
                let checked = try await cases.check(input, by: portalActor(service.organisationID, context))
                return try await check(service, form: form, organisation: checked.organisationName, citizen: citizen, context: context)
            } catch let e as TownhallError where e.kind == .invalid {
                return try await details(code: code, form: form, citizen: citizen, context: context, error: e)
            }
        }
        // "Change" on the check page: back to the details with everything as it was.
        web.post("report/change") { request, context in
            let form = try await readForm(request, context, files: true)
            return try await details(code: form.value("service") ?? "", form: form, citizen: try await AccountPages.citizen(request, citizens), context: context)
        }
        web.post("report/send") { request, context in
            let form = try await readForm(request, context, files: true)
            let code = form.value("service") ?? ""
            guard let service = try await publicService(code) else { return Response.redirect(to: "/report?missing=1", type: .normal) }
            let photos = form.files.filter { $0.field == "photo" && !$0.content.isEmpty }.map {
                NewAttachment(filename: $0.filename, contentType: $0.contentType, content: $0.content, field: "photo")
            }
            let citizen = try await AccountPages.citizen(request, citizens)
            do {
                var input = try await newCase(service, form: form, citizen: citizen?.account)
                // The portal reports to whoever the place and service say will deal with it, so the timeline reads
                // "reported online" rather than one partner logging it for another.
                let checked = try await cases.check(input, by: portalActor(service.organisationID, context))
                input.sentTo = checked.organisationID
                input.attachments = photos
                do {
                    let c = try await cases.create(input, by: portalActor(checked.organisationID, context))
                    return Response.redirect(to: "/report/done?reference=\(c.reference)", type: .normal)
                } catch let e as TownhallError where e.kind == .payloadTooLarge || e.kind == .unsupportedMedia || (e.kind == .invalid && e.field == "photo") {
                    return try await check(service, form: form, organisation: checked.organisationName, citizen: citizen, context: context, error: e)
                }
            } catch let e as TownhallError where e.kind == .invalid {
                // Something changed since the check (a service withdrawn, a question added): back to the details.
                return try await details(code: code, form: form, citizen: citizen, context: context, error: e)
            }
        }
        web.get("report/done") { request, context in
            let reference = request.query("reference") ?? ""
            guard CaseReference.normalise(reference) != nil else { return Response.redirect(to: "/report", type: .normal) }
            let view = try await cases.track(reference: reference)
            let citizen = try await AccountPages.citizen(request, citizens)
            let model = ReportDoneModel(reference: view.reference, organisation: view.organisationName, service: view.serviceName,
                                        expected: view.expectedBy.map(CasePages.when), signedIn: citizen != nil)
            return html(pages.render("report-done", model, title: "Report sent", chrome: try await chrome(context, citizen)))
        }
    }

    /// The page chrome, with the signed-in citizen's name when there is one.
    func chrome(_ context: TownhallContext, _ citizen: SignedInCitizen?) async throws -> Chrome {
        var c = try await chrome(context)
        if let citizen { c.citizenName = citizen.account.name; c.citizenCSRF = citizen.csrfToken }
        return c
    }

    func publicService(_ code: String) async throws -> ServiceDefinition? {
        try await cases.publicCatalogue().first { $0.code == code }
    }

    func portalActor(_ organisation: OrganisationID, _ context: TownhallContext) -> Actor {
        Actor(organisationID: organisation, principal: .system("citizen portal"), permissions: [.casesRead, .casesWrite, .registerRead],
              channel: .web, requestID: context.requestID)
    }

    /// A report's form, after its double-submit token is checked. Only the last step takes files.
    func readForm(_ request: Request, _ context: TownhallContext, files: Bool) async throws -> FormBody {
        let form = try await FormBody.read(request, limit: 64 * 1024,
                                           multipartLimit: files ? CaseAttachment.maximumPerReport * CaseAttachment.maximumSize + 64 * 1024 : 64 * 1024)
        let sent = form.value("csrf_token") ?? ""
        guard !sent.isEmpty, sent == context.csrfToken || sent == request.cookies[ReportPages.formCookie]?.value else {
            throw TownhallError.forbidden("The form expired. Go back, reload the page and try again.")
        }
        return form
    }

    /// The case a report's answers describe. A signed-in citizen's name and confirmed address are used, so their
    /// report appears under "your requests".
    func newCase(_ service: ServiceDefinition, form: FormBody, citizen: CitizenAccount?) async throws -> Cases.NewCase {
        let contact = citizen.map { CaseContact(name: $0.name, email: $0.email) } ?? CaseContact(name: form.value("name"), email: form.value("email"))
        return Cases.NewCase(serviceCode: service.code, sentTo: service.organisationID, description: form.value("description"),
                             attributes: ReportPages.answers(service, form: form), contact: contact, location: try await location(form), channel: .web)
    }

    /// Where: a postcode the platform can place, or a point (typed, or from the phone's location), and the spot in words.
    func location(_ form: FormBody) async throws -> CaseLocation {
        let lat = form.value("lat")?.trimmingCharacters(in: .whitespaces) ?? "", long = form.value("long")?.trimmingCharacters(in: .whitespaces) ?? ""
        let rawPostcode = form.value("postcode")?.trimmingCharacters(in: .whitespaces) ?? ""
        var postcode: Postcode?
        if !rawPostcode.isEmpty {
            postcode = try Postcode(rawPostcode)
            // The portal routes by postcode, so it must be one the platform can place.
            guard try await register.postcode(postcode!.value) != nil else {
                throw TownhallError.invalid("postcode", "We cannot find \(postcode!.value). Check it, or give the nearest postcode you know.", code: "unknown_postcode")
            }
        }
        if lat.isEmpty && long.isEmpty {
            guard postcode != nil else {
                throw TownhallError.missing("postcode", "Enter the postcode of the place, for example BB11 2BD, or give a map reference.")
            }
            return CaseLocation(address: form.value("where"), postcode: postcode)
        }
        guard let latitude = Double(lat) else { throw TownhallError.invalid("lat", "Enter the latitude as a number, for example 53.7893.") }
        guard let longitude = Double(long) else { throw TownhallError.invalid("long", "Enter the longitude as a number, for example -2.2405.") }
        return CaseLocation(latitude: latitude, longitude: longitude, address: form.value("where"), postcode: postcode)
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
        case "lat", "long": error.field!
        case "location", "postcode", "address_string": "postcode"
        case "email", "name", "description", "photo": error.field!
        default: "postcode"
        }
    }

    func choices(selected: String) async throws -> [CasePages.Option] {
        try await cases.publicCatalogue().map { CasePages.Option(value: $0.code, label: $0.name, selected: $0.code == selected) }
    }

    func details(code: String, form: FormBody, citizen signedIn: SignedInCitizen?, context: TownhallContext, error: TownhallError? = nil) async throws -> Response {
        guard let service = try await publicService(code) else { return Response.redirect(to: "/report?missing=1", type: .normal) }
        let token = context.csrfToken ?? Access.newFormToken()
        let citizen = signedIn?.account
        var model = ReportDetailsModel(service: service.code, serviceName: service.name, csrfToken: token,
                                       postcode: form.value("postcode") ?? "", lat: form.value("lat") ?? "", long: form.value("long") ?? "",
                                       whereText: form.value("where") ?? "", description: form.value("description") ?? "",
                                       name: form.value("name") ?? "", email: form.value("email") ?? "", citizenName: citizen?.name, citizenEmail: citizen?.email)
        var errorFor: [String: String] = [:]
        if let error {
            let field = ReportPages.field(for: error)
            let message = error.code == "location_outside_area"
                ? "Enter a postcode in the area this service covers, for example BB11 2BD." : error.message
            errorFor[field] = message
            model.errors = [Pages.FieldError(field: field, message: message)]
        }
        model.postcodeError = errorFor["postcode"]; model.emailError = errorFor["email"]; model.nameError = errorFor["name"]
        model.descriptionError = errorFor["description"]; model.latError = errorFor["lat"]; model.longError = errorFor["long"]
        model.pointOpen = !model.lat.isEmpty || !model.long.isEmpty || model.latError != nil || model.longError != nil
        model.questions = ReportPages.questions(service, form: form, errors: errorFor)
        model.hasErrors = !model.errors.isEmpty
        var response = html(pages.render("report-details", model, title: (model.hasErrors ? "Error: " : "") + "Report: \(service.name)", hasErrors: model.hasErrors,
                                         chrome: try await chrome(context, signedIn)), status: error.map { $0.kind.status } ?? .ok)
        if context.csrfToken == nil {
            response.setCookie(Cookie(name: ReportPages.formCookie, value: token, path: "/report", secure: secureCookies, httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// "Check your answers": each answer with a Change button, the photo (added here), and Send.
    func check(_ service: ServiceDefinition, form: FormBody, organisation: String, citizen signedIn: SignedInCitizen?, context: TownhallContext,
               error: TownhallError? = nil) async throws -> Response {
        let citizen = signedIn?.account
        var rows: [CheckRow] = []
        func value(_ key: String) -> String { form.value(key)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
        let place = [value("postcode").uppercased(), value("lat").isEmpty ? "" : "map reference \(value("lat")), \(value("long"))"].filter { !$0.isEmpty }
        rows.append(CheckRow(key: "Where", value: place.joined(separator: ", "), field: "postcode"))
        if !value("where").isEmpty { rows.append(CheckRow(key: "Exactly where", value: value("where"), field: "where")) }
        let answers = ReportPages.answers(service, form: form)
        for a in service.attributes.sorted(by: { $0.order < $1.order }) where a.variable {
            let given = (answers[a.code] ?? []).map { key in a.values.first { $0.key == key }?.name ?? key }
            rows.append(CheckRow(key: a.description, value: given.isEmpty ? "Not answered" : given.joined(separator: ", "), field: "attribute-\(a.code)"))
        }
        if !value("description").isEmpty { rows.append(CheckRow(key: "Anything else", value: value("description"), field: "description")) }
        if let citizen {
            rows.append(CheckRow(key: "Your details", value: "\(citizen.name), \(citizen.email) (your account)", field: nil))
        } else {
            let details = [value("name"), value("email")].filter { !$0.isEmpty }
            rows.append(CheckRow(key: "Your details", value: details.isEmpty ? "None: you will not get updates" : details.joined(separator: ", "), field: "name"))
        }
        var hidden = ReportPages.carried.compactMap { key in form.value(key).map { HiddenField(name: key, value: $0) } }
        for (code, values) in answers { hidden += values.map { HiddenField(name: "attribute[\(code)]", value: $0) } }
        hidden.sort { ($0.name, $0.value) < ($1.name, $1.value) }
        let token = context.csrfToken ?? form.value("csrf_token") ?? Access.newFormToken()
        var model = ReportCheckModel(service: service.code, serviceName: service.name, organisation: organisation, csrfToken: token, rows: rows, hidden: hidden)
        if let error {
            model.photoError = error.message
            model.errors = [Pages.FieldError(field: "photo", message: error.message)]
        }
        model.hasErrors = !model.errors.isEmpty
        return html(pages.render("report-check", model, title: (model.hasErrors ? "Error: " : "") + "Check your answers", hasErrors: model.hasErrors,
                                 chrome: try await chrome(context, signedIn)), status: error.map { $0.kind.status } ?? .ok)
    }
}

struct ReportStartModel: Encodable {
    var options: [CasePages.Option]
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var serviceError: String?
}
struct ReportOption: Encodable { var id, value, label: String; var checked: Bool }
struct ReportQuestion: Encodable {
    var id, name, label: String; var hint: String?; var required, variable, isChoice, isMulti, isText, isLine: Bool; var inputMode, value: String
    var options: [ReportOption]; var error: String?
}
struct ReportDetailsModel: Encodable {
    var service, serviceName, csrfToken, postcode, lat, long, whereText, description, name, email: String
    var citizenName: String?, citizenEmail: String?
    var questions: [ReportQuestion] = []
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var pointOpen = false
    var postcodeError: String?, emailError: String?, nameError: String?, descriptionError: String?, latError: String?, longError: String?
}
struct CheckRow: Encodable { var key, value: String; var field: String? }
struct HiddenField: Encodable { var name, value: String }
struct ReportCheckModel: Encodable {
    var service, serviceName, organisation, csrfToken: String
    var rows: [CheckRow]
    var hidden: [HiddenField]
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var photoError: String?
}
struct ReportDoneModel: Encodable { var reference, organisation, service: String; var expected: String?; var signedIn: Bool }
