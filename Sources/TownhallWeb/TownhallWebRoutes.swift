import Access
import Cases
import Citizens
import Contact
import Foundation
import Hummingbird
import Partnership
import Register
import Revenues
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// Server-rendered pages: the citizen start page, staff sign-in, and the staff desk (search, person, property).
/// Forms work without JavaScript: POST, then redirect, with a CSRF token in every form.
public struct TownhallWebRoutes: Sendable {
    let services: ServiceRegistry
    let areas: [any WebArea.Type]
    let partnership: Partnership
    let access: Access
    let register: Register
    let cases: Cases
    let panels: SingleViewPanels
    let secureCookies: Bool
    let assetsDirectory: String?
    let pages = Pages()
    static let formCookie = "townhall_form"

    /// `areas`: every area's pages, in the order of the app's list of areas (their desk links appear in that order).
    public init(services: ServiceRegistry, areas: [any WebArea.Type], panels: SingleViewPanels, secureCookies: Bool, assetsDirectory: String?) {
        self.services = services; self.areas = areas
        partnership = services.require(Partnership.self); access = services.require(Access.self)
        register = services.require(Register.self); cases = services.require(Cases.self)
        self.panels = panels; self.secureCookies = secureCookies; self.assetsDirectory = assetsDirectory
    }

    public func addRoutes(to router: Router<TownhallContext>) {
        if let assetsDirectory { router.add(middleware: FileMiddleware(assetsDirectory, urlBasePath: "/assets", searchForIndexHtml: false)) }
        // The stylesheet and scripts ship in the bundle and are read once.
        for (name, type) in [("townhall.css", "text/css"), ("desk.js", "text/javascript"), ("report.js", "text/javascript")] {
            let data = (try? Data(contentsOf: Bundle.module.resourceURL!.appendingPathComponent("Assets/\(name)"))) ?? Data()
            router.get("assets/\(name)") { _, _ in
                Response(status: .ok, headers: [.contentType: "\(type); charset=utf-8", .cacheControl: "public, max-age=3600"],
                         body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
        }
        let web = router.group().add(middleware: WebErrorMiddleware(pages: pages)).add(middleware: Authenticator(access: access))
        web.get("/") { _, context in
            html(pages.render("landing", [String: String](), title: "Townhall", chrome: try await chrome(context)))
        }
        web.get("sign-in") { request, context in
            if context.staff != nil { return Response.redirect(to: "/desk", type: .normal) }
            return signInPage(SignInModel(next: safeNext(request.query("next"))), status: .ok)
        }
        web.post("sign-in") { request, context in
            let form = try await Form.read(request)
            var model = SignInModel(username: form["username"] ?? "", next: safeNext(form["next"]))
            // Double-submit check: the token in the form must match the one in this browser's cookie.
            guard let sent = form["csrf_token"], let cookie = request.cookies[TownhallWebRoutes.formCookie]?.value, !sent.isEmpty, sent == cookie else {
                model.errors = [.init(field: "username", message: "Your sign-in form expired. Try again.")]
                return signInPage(model, status: .forbidden)
            }
            do {
                let signedIn = try await access.signIn(username: model.username, password: form["password"] ?? "", remoteAddress: nil)
                var response = Response.redirect(to: model.next, type: .normal)
                response.setCookie(Cookie(name: Authenticator.sessionCookie, value: signedIn.token, expires: signedIn.expires.date,
                                          path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax))
                return response
            } catch let error as TownhallError where [.invalid, .unauthenticated, .tooManyRequests].contains(error.kind) {
                model.errors = [.init(field: error.field == "password" && error.kind == .invalid ? "password" : (error.field ?? "username"), message: error.message)]
                return signInPage(model, status: error.kind.status)
            }
        }
        web.post("sign-out") { request, context in
            let form = try await Form.read(request)
            if let token = request.cookies[Authenticator.sessionCookie]?.value, context.staff != nil {
                guard form["csrf_token"] == context.csrfToken else { throw TownhallError.forbidden("The sign-out form expired. Go back and try again.") }
                try await access.signOut(token: token)
            }
            var response = Response.redirect(to: "/sign-in", type: .normal)
            response.setCookie(Cookie(name: Authenticator.sessionCookie, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax))
            return response
        }

        let desk = web.group("desk").add(middleware: RequireStaff())
        let routes = self
        let kit = PageKit(pages: pages, chrome: { try await routes.chrome($0) }, panels: panels, secureCookies: secureCookies)
        let built = areas.map { $0.init(services: services, kit: kit) }
        for area in built { area.addRoutes(desk: desk, web: web) }
        desk.get { request, context in
            let actor = try context.requireActor()
            var model = DeskHomeModel(query: request.query("q") ?? "")
            model.links = built.flatMap { $0.deskLinks(for: actor) }
            // Any reference: a case reference goes straight to the case.
            if let reference = CaseReference.normalise(model.query), let found = try? await cases.record(reference: reference, by: actor) {
                return Response.redirect(to: "/desk/cases/\(found.case.id)", type: .normal)
            }
            if !model.query.isEmpty {
                model.searched = true
                do {
                    let people = try await register.searchPeople(q: model.query, after: try request.query("people").map { try Cursor(token: $0) }, limit: PageSize(value: 25), by: actor)
                    let names = try await organisationNames()
                    model.people = people.items.map { PersonRow(id: $0.person.id.string, name: $0.person.fullName, dateOfBirth: $0.person.dateOfBirth?.description ?? "Not known",
                                                                address: $0.currentAddress ?? "No current address", organisation: names[$0.person.organisationID] ?? "") }
                    model.nextPeople = people.next.map { "/desk?q=\(model.query.urlQueryEncoded)&people=\($0.token)" }
                    if let properties = try? await register.searchProperties(q: model.query, postcode: nil, uprn: nil, after: nil, limit: PageSize(value: 25), by: actor) {
                        model.properties = properties.items.map { PropertyRow(id: $0.id.string, address: $0.singleLine, uprn: $0.uprn.description) }
                    }
                } catch let error as TownhallError where error.kind == .invalid {
                    model.searched = false
                    model.searchError = error.message
                }
            }
            let title = model.query.isEmpty ? "Staff desk" : "Search results for \(model.query)"
            return html(pages.render("desk-home", model.ready(), title: title, hasErrors: model.searchError != nil, chrome: try await chrome(context)),
                        status: model.searchError == nil ? .ok : .badRequest)
        }
        // Suggestions as the agent types (desk.js): a few people and places, and a case by its reference. The search form
        // works the same without them.
        desk.get("suggest") { request, context in
            let actor = try context.requireActor()
            let q = (request.query("q") ?? "").trimmingCharacters(in: .whitespaces)
            var items: [Suggestion] = []
            if q.count >= 2 {
                if let reference = CaseReference.normalise(q), let found = try? await cases.record(reference: reference, by: actor) {
                    items.append(Suggestion(label: "\(found.case.reference): \(found.case.serviceName)", kind: "case", href: "/desk/cases/\(found.case.id)"))
                }
                if let people = try? await register.searchPeople(q: q, after: nil, limit: PageSize(value: 5), by: actor) {
                    items += people.items.map { Suggestion(label: [$0.person.fullName, $0.currentAddress].compactMap { $0 }.joined(separator: ", "), kind: "person",
                                                           href: "/desk/people/\($0.person.id)") }
                }
                if let places = try? await register.searchProperties(q: q, postcode: nil, uprn: nil, after: nil, limit: PageSize(value: 3), by: actor) {
                    items += places.items.map { Suggestion(label: $0.singleLine, kind: "property", href: "/desk/properties/\($0.id)") }
                }
            }
            return try JSONResponse.make(["items": items])
        }
        desk.get("properties/:id") { _, context in
            let actor = try context.requireActor()
            let property = try await register.property(id: try pageID(context, "id"), by: actor)
            let occupants = try await register.occupants(of: property.id, by: actor)
            let names = try await organisationNames()
            var model = PropertyPageModel(
                address: property.singleLine, uprn: property.uprn.description, parentUPRN: property.parentUPRN?.description,
                postcode: property.postcode?.value ?? "Not recorded",
                coordinates: property.latitude.map { String(format: "%.5f, %.5f", $0, property.longitude ?? 0) } ?? "Not recorded",
                band: property.councilTaxBand ?? "Not banded", organisation: names[property.organisationID] ?? "",
                occupants: occupants.map { OccupantRow(id: $0.0.id.string, name: $0.0.fullName, from: $0.1.from.description, to: $0.1.to?.description ?? "Now") })
            if actor.may(.casesRead) {
                model.cases = try await cases.cases(at: property.uprn, postcode: property.postcode, by: actor).map { SingleViewPages.row($0) }
            }
            model.panels = await panels.panels(for: .property(property.id), by: actor).map(PanelView.init)
            var c = try await chrome(context)
            c.breadcrumbs = [.init(text: "Staff desk", href: "/desk")]
            return html(pages.render("property", model.ready(), title: property.singleLine, chrome: c))
        }
    }

    func chrome(_ context: TownhallContext) async throws -> Chrome {
        guard let staff = context.staff else { return Chrome() }
        let organisation = try? await partnership.organisation(id: staff.organisationID)
        return Chrome(staffName: staff.displayName, organisationName: organisation?.name, csrfToken: context.csrfToken)
    }

    func organisationNames() async throws -> [OrganisationID: String] { try await partnership.organisations().namesByID }

    func signInPage(_ model: SignInModel, status: HTTPResponse.Status) -> Response {
        var model = model
        let token = Access.newFormToken()
        model.formToken = token
        var response = html(pages.render("sign-in", model.ready(), title: "Sign in", hasErrors: !model.errors.isEmpty, chrome: Chrome()), status: status)
        response.setCookie(Cookie(name: TownhallWebRoutes.formCookie, value: token, path: "/sign-in", secure: secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    /// Only same-site desk paths may be a redirect target after sign-in (no open redirects).
    func safeNext(_ raw: String?) -> String {
        guard let raw, raw.hasPrefix("/desk"), !raw.hasPrefix("//"), !raw.contains("\\"), raw.count < 500 else { return "/desk" }
        return raw
    }

}

/// The id in a page's path; a malformed one is a page not found.
func pageID<Tag>(_ context: TownhallContext, _ name: String) throws -> Identifier<Tag> {
    guard let id = Identifier<Tag>(try context.parameters.require(name)) else { throw TownhallError.notFound("That record") }
    return id
}

func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: body)))
}

/// Sends a browser without a staff session to the sign-in page, remembering where it was going.
struct RequireStaff: RouterMiddleware {
    typealias Context = TownhallContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.staff != nil else {
            let target = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
            return Response.redirect(to: "/sign-in?next=\(target.urlQueryEncoded)", type: .normal)
        }
        return try await next(request, context)
    }
}

/// Known failures on pages become a page with the right status; anything else a plain 500 page.
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = TownhallContext
    let pages: Pages
    struct Model: Encodable { var heading: String; var message: String; var homeLink: String }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do { return try await next(request, context) } catch {
            let home = context.staff == nil ? "/" : "/desk"
            let chrome = Chrome(staffName: context.staff?.displayName, csrfToken: context.csrfToken)
            if let e = APIErrorMiddleware.translate(error) {
                let heading = switch e.kind {
                case .notFound: "Page not found"
                case .forbidden: "You cannot see this page"
                case .unauthenticated: "Sign in to see this page"
                default: "There is a problem"
                }
                return html(pages.render("error", Model(heading: heading, message: e.message, homeLink: home), title: heading, chrome: chrome), status: e.kind.status)
            }
            // A deliberate refusal (501: no Chromium for PDFs; 503) keeps its status and says why; a 500 is logged below.
            if let e = error as? HTTPError, [.notImplemented, .serviceUnavailable].contains(e.status), let message = e.body {
                return html(pages.render("error", Model(heading: "Sorry, this is not available", message: message, homeLink: home),
                                         title: "Not available", chrome: chrome), status: e.status)
            }
            context.logger.error("unhandled error on page", metadata: ["error": .string(String(reflecting: error))])
            return html(pages.render("error", Model(heading: "Sorry, there is a problem with the service", message: "Try again later. Quote reference \(context.requestID) if you contact support.", homeLink: home),
                                     title: "Sorry, there is a problem", chrome: chrome), status: .internalServerError)
        }
    }
}

/// Page forms: the first value of each field, at most 64 KiB (files come through `FormBody` where a page takes them).
enum Form {
    static func read(_ request: Request) async throws -> [String: String] {
        try await fields(request).compactMapValues(\.first)
    }

    /// Every value of every field, repeated names kept (a list of checkboxes).
    static func fields(_ request: Request) async throws -> [String: [String]] {
        try await FormBody.read(request, limit: 64 * 1024, multipartLimit: 64 * 1024).fields
    }

    /// A signed-in staff member's form, after its token is checked against the session's.
    static func checked(_ request: Request, _ context: TownhallContext) async throws -> [String: String] {
        try await checkedFields(request, context).compactMapValues(\.first)
    }

    /// The same, keeping every value of a repeated name (a list of checkboxes).
    static func checkedFields(_ request: Request, _ context: TownhallContext) async throws -> [String: [String]] {
        let fields = try await fields(request)
        guard fields["csrf_token"]?.first == context.csrfToken else { throw TownhallError.forbidden("The form expired. Go back, reload the page and try again.") }
        return fields
    }
}

extension String {
    var urlQueryEncoded: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

// View models: one per page, plain values only.
// Mustache reads stored properties only (through Mirror), so everything a template tests is stored, set by `ready()`.
struct SignInModel: Encodable {
    var username = ""
    var next = "/desk"
    var formToken = ""
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var usernameError: String?
    var passwordError: String?

    func ready() -> SignInModel {
        var m = self
        m.hasErrors = !errors.isEmpty
        m.usernameError = errors.first { $0.field == "username" }?.message
        m.passwordError = errors.first { $0.field == "password" }?.message
        return m
    }
}
struct DeskHomeModel: Encodable {
    var query: String
    /// Each area's links for this member of staff.
    var links: [DeskLink] = []
    var searched = false
    var searchError: String?
    var people: [PersonRow] = []
    var nextPeople: String?
    var properties: [PropertyRow] = []
    var hasErrors = false
    var errors: [Pages.FieldError] = []
    var hasPeople = false
    var hasProperties = false

    func ready() -> DeskHomeModel {
        var m = self
        m.hasErrors = searchError != nil
        m.errors = searchError.map { [.init(field: "q", message: $0)] } ?? []
        m.hasPeople = !people.isEmpty
        m.hasProperties = !properties.isEmpty
        return m
    }
}
struct Suggestion: Encodable { var label, kind, href: String }
struct PersonRow: Encodable { var id, name, dateOfBirth, address, organisation: String }
struct PropertyRow: Encodable { var id, address, uprn: String }
struct ContactRow: Encodable { var kind, value: String }
struct ResidenceRow: Encodable { var propertyID, address, from, to: String }
struct HouseholdRow: Encodable { var name: String; var members: [MemberRow] }
struct MemberRow: Encodable { var id, name: String; var relationship: String? }
struct PropertyPageModel: Encodable {
    var address, uprn: String; var parentUPRN: String?; var postcode, coordinates, band, organisation: String; var occupants: [OccupantRow]
    var hasOccupants = false
    var panels: [PanelView] = []
    var cases: [PersonCaseRow] = []
    var hasCases = false

    func ready() -> PropertyPageModel {
        var m = self
        m.hasOccupants = !occupants.isEmpty
        m.hasCases = !cases.isEmpty
        return m
    }
}
struct OccupantRow: Encodable { var id, name, from, to: String }
