import Access
import Hummingbird
import HTTPTypes
import TownhallKernel

/// Works out who is calling: an API key sent as `Authorization: Bearer KEY`, or a staff session cookie. It does not
/// refuse anyone; routes ask `context.requireActor()`. Cookie-authenticated writes must carry the session's CSRF token.
public struct Authenticator: RouterMiddleware {
    public typealias Context = TownhallContext
    public static let sessionCookie = "townhall_session"
    let access: Access

    public init(access: Access) { self.access = access }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer", let key = try await access.apiKey(secret: String(parts[1])) else {
                throw TownhallError(.unauthenticated, code: "invalid_api_key", message: "The API key is not valid or has been revoked.")
            }
            context.actor = access.actor(for: key, channel: .api, requestID: context.requestID)
        } else if let token = request.cookies[Authenticator.sessionCookie]?.value, let (staff, csrf) = try await access.session(token: token) {
            context.actor = access.actor(for: staff, channel: .web, requestID: context.requestID)
            context.staff = staff
            context.csrfToken = csrf
            context.viaSession = true
        }
        return try await next(request, context)
    }
}

/// Refuses cookie-authenticated API writes that lack the session's CSRF token in `X-CSRF-Token`; a page on another
/// site cannot read the token, so it cannot forge the request.
public struct APICSRFGuard: RouterMiddleware {
    public typealias Context = TownhallContext
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if context.viaSession, ![.get, .head, .options].contains(request.method) {
            guard let sent = request.headers[HTTPField.Name("X-CSRF-Token")!], sent == context.csrfToken else {
                throw TownhallError.forbidden("Send the session's CSRF token in the X-CSRF-Token header.")
            }
        }
        return try await next(request, context)
    }
}
