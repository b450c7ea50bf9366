import Access
import Cases
import Citizens
import Foundation
import Hummingbird
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// The citizen's account under /account: create one (the confirmation link goes out through the notifications outbox),
/// confirm it with the password chosen, sign in and out, and "your requests" with their status and public updates.
/// Works without JavaScript; forms before sign-in carry a double-submit token in a cookie only /account receives.
public struct AccountPages: WebArea {
    let citizens: Citizens
    let pages: Pages
    let secureCookies: Bool
    let chrome: @Sendable (TownhallContext) async throws -> Chrome

    public init(services: ServiceRegistry, kit: PageKit) {
        citizens = services.require(Citizens.self); pages = kit.pages; secureCookies = kit.secureCookies
        chrome = kit.chrome
    }
    static let sessionCookie = "townhall_citizen"
    static let formCookie = "townhall_account_form"

    /// The signed-in citizen, if the browser carries a live session. Read once per request and passed along.
    static func citizen(_ request: Request, _ citizens: Citizens) async throws -> SignedInCitizen? {
        guard let token = request.cookies[sessionCookie]?.value else { return nil }
        return try await citizens.session(token: token)
    }

    public func addRoutes(desk: RouterGroup<TownhallContext>, web: RouterGroup<TownhallContext>) {
        web.get("account") { request, context in
            guard let (account, csrf) = try await AccountPages.citizen(request, citizens) else { return Response.redirect(to: "/account/sign-in", type: .normal) }
            let page = max(1, Int(request.query("page") ?? "") ?? 1)
            let requests = try await citizens.requests(of: account, page: page)
            var model = AccountModel(name: account.name, email: account.email, csrfToken: csrf, confirmed: request.query("confirmed") != nil)
            model.requests = requests.map { v in
                AccountRequest(reference: v.reference, service: v.serviceName, organisation: v.organisationName, status: v.status.title,
                               statusClass: CasePages.statusClass(v.status), location: v.location, reported: CasePages.when(v.reportedAt),
                               expected: v.expectedBy.map(CasePages.when),
                               updates: v.updates.reversed().map { TrackModel.Update(at: CasePages.when($0.at), text: $0.text) })
            }
            model.hasRequests = !model.requests.isEmpty
            model.next = requests.count == 20 ? "/account?page=\(page + 1)" : nil
            model.previous = page > 1 ? "/account?page=\(page - 1)" : nil
            var c = try await chrome(context)
            c.citizenName = account.name
            c.citizenCSRF = csrf
            return html(pages.render("account", model, title: "Your requests", chrome: c))
        }
        web.get("account/create") { _, context in
            try await form("account-create", AccountFormModel(), title: "Create an account", context: context)
        }
        web.post("account/create") { request, context in
            let form = try await checkedForm(request)
            var model = AccountFormModel(name: form["name"] ?? "", email: form["email"] ?? "")
            do {
                try await citizens.register(NewCitizenAccount(name: model.name, email: model.email, password: form["password"] ?? ""))
                // The same page whether or not the address already had an account.
                return html(pages.render("account-check-email", ["email": model.email.trimmingCharacters(in: .whitespaces)], title: "Check your email",
                                         chrome: try await chrome(context)))
            } catch let e as TownhallError where e.kind == .invalid {
                model.error(e)
                return try await self.form("account-create", model, title: "Create an account", context: context, status: .badRequest)
            }
        }
        web.get("account/confirm") { request, context in
            let token = request.query("token") ?? ""
            guard try await citizens.linkIsValid(token) else {
                return html(pages.render("error", WebErrorMiddleware.Model(heading: "This link has expired", message: "Links work for 24 hours and only once. Create your account again to get a new one, or sign in if you have already confirmed it.", homeLink: "/account/create"),
                                         title: "This link has expired", chrome: try await chrome(context)), status: .badRequest)
            }
            return try await form("account-confirm", AccountFormModel(token: token), title: "Confirm your account", context: context)
        }
        web.post("account/confirm") { request, context in
            let form = try await checkedForm(request)
            var model = AccountFormModel(token: form["token"] ?? "")
            do {
                let signedIn = try await citizens.confirm(token: model.token, password: form["password"] ?? "")
                return signedInResponse(signedIn, to: "/account?confirmed=1")
            } catch let e as TownhallError where [.invalid, .tooManyRequests].contains(e.kind) {
                model.error(e)
                return try await self.form("account-confirm", model, title: "Confirm your account", context: context, status: e.kind.status)
            }
        }
        web.get("account/sign-in") { request, context in
            if try await AccountPages.citizen(request, citizens) != nil { return Response.redirect(to: "/account", type: .normal) }
            return try await form("account-sign-in", AccountFormModel(), title: "Sign in to your account", context: context)
        }
        web.post("account/sign-in") { request, context in
            let form = try await checkedForm(request)
            var model = AccountFormModel(email: form["email"] ?? "")
            do {
                return signedInResponse(try await citizens.signIn(email: model.email, password: form["password"] ?? ""), to: "/account")
            } catch let e as TownhallError where [.invalid, .unauthenticated, .tooManyRequests].contains(e.kind) {
                model.error(e)
                return try await self.form("account-sign-in", model, title: "Sign in to your account", context: context, status: e.kind.status)
            }
        }
        web.post("account/sign-out") { request, _ in
            let form = try await Form.read(request)
            if let token = request.cookies[AccountPages.sessionCookie]?.value, let (_, csrf) = try await citizens.session(token: token) {
                guard form["csrf_token"] == csrf else { throw TownhallError.forbidden("The sign-out form expired. Go back and try again.") }
                try await citizens.signOut(token: token)
            }
            var response = Response.redirect(to: "/", type: .normal)
            response.setCookie(Cookie(name: AccountPages.sessionCookie, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax))
            return response
        }
    }

    func signedInResponse(_ signedIn: Citizens.SignedIn, to target: String) -> Response {
        var response = Response.redirect(to: target, type: .normal)
        response.setCookie(Cookie(name: AccountPages.sessionCookie, value: signedIn.token, expires: signedIn.expires.date, path: "/", secure: secureCookies,
                                  httpOnly: true, sameSite: .lax))
        return response
    }

    /// Reads a form sent before sign-in: its token must match this browser's cookie.
    func checkedForm(_ request: Request) async throws -> [String: String] {
        let form = try await Form.read(request)
        guard let sent = form["csrf_token"], !sent.isEmpty, sent == request.cookies[AccountPages.formCookie]?.value else {
            throw TownhallError.forbidden("The form expired. Go back, reload the page and try again.")
        }
        return form
    }

    func form(_ template: String, _ model: AccountFormModel, title: String, context: TownhallContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        var model = model
        model.csrfToken = Access.newFormToken()
        model.hasErrors = !model.errors.isEmpty
        var response = html(pages.render(template, model, title: (model.hasErrors ? "Error: " : "") + title, hasErrors: model.hasErrors, chrome: try await chrome(context)),
                            status: status)
        response.setCookie(Cookie(name: AccountPages.formCookie, value: model.csrfToken, path: "/account", secure: secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }
}

/// A citizen's session: their account and the token their forms carry.
typealias SignedInCitizen = (account: CitizenAccount, csrfToken: String)

struct AccountFormModel: Encodable {
    var name = "", email = "", token = "", csrfToken = ""
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var nameError: String?, emailError: String?, passwordError: String?

    mutating func error(_ e: TownhallError) {
        let field = ["name", "email"].contains(e.field ?? "") ? e.field! : "password"
        errors = [.init(field: field, message: e.message)]
        switch field {
        case "name": nameError = e.message
        case "email": emailError = e.message
        default: passwordError = e.message
        }
    }
}
struct AccountRequest: Encodable {
    var reference, service, organisation, status, statusClass, location, reported: String
    var expected: String?
    var updates: [TrackModel.Update]
}
struct AccountModel: Encodable {
    var name, email, csrfToken: String
    var confirmed: Bool
    var requests: [AccountRequest] = []
    var hasRequests = false
    var next: String?
    var previous: String?
}
