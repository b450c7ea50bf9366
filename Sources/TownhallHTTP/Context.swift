import Access
import Hummingbird
import TownhallKernel

/// The request context every route sees: who is acting (set by the authenticator), the staff member when the request
/// came from a signed-in browser, the session's CSRF token, and the request id that ties logs to audit entries.
public struct TownhallContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var actor: Actor?
    public var staff: Staff?
    public var csrfToken: String?
    /// True when the actor came from a session cookie (so form and API writes need the CSRF token).
    public var viaSession = false
    public var requestID: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        requestID = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    /// Bodies above this are refused with 413 before they are read in full. CSV imports have their own, larger limit.
    public var maxUploadSize: Int { 1 * 1024 * 1024 }

    public func requireActor() throws -> Actor {
        guard let actor else {
            throw TownhallError(.unauthenticated, code: "unauthenticated", message: "Sign in, or send an API key as Authorization: Bearer KEY.")
        }
        return actor
    }
}
