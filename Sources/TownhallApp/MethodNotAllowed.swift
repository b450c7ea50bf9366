import HTTPTypes
import Hummingbird
import Synchronization
import TownhallHTTP
import TownhallKernel

/// A method the router does not serve on a path it does serve answers 405 with an `Allow` header naming the methods that
/// are served, rather than 404 (RFC 9110 §15.5.6). Only requests the router found no route for are looked at, so the
/// table scan costs nothing on the paths that are served.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = TownhallContext

    /// The router's routes, filled in once they are all registered (middleware is added before the routes).
    final class RouteTable: Sendable {
        private let routes = Mutex<[(method: HTTPRequest.Method, path: RouterPath)]>([])

        func load<Context>(from router: Router<Context>) {
            let all = router.routes.map { (method: $0.method, path: $0.path) }
            routes.withLock { $0 = all }
        }

        /// The methods served at a request path, sorted. Where several patterns match, the router takes the most specific
        /// (a literal segment before a capture: `guidance/suggest` before `guidance/:id`), so only its methods count.
        func methods(at requestPath: String) -> [String] {
            let segments = requestPath.split(separator: "/", omittingEmptySubsequences: true)
            let matched = routes.withLock { routes in routes.filter { Self.matches($0.path, segments) } }
            guard let best = matched.map({ Self.specificity($0.path) }).max(by: { $0.lexicographicallyPrecedes($1) }) else { return [] }
            return Set(matched.filter { Self.specificity($0.path) == best }.map(\.method.rawValue)).sorted()
        }

        static func specificity(_ path: RouterPath) -> [Int] {
            path.components.map { c in
                let text = c.description
                return text.hasPrefix(":") || text.hasPrefix("{") ? 1 : text.contains("*") ? 0 : 2
            }
        }

        static func matches(_ path: RouterPath, _ segments: [Substring]) -> Bool {
            var i = 0
            for component in path.components {
                if component.description == "**" { return i < segments.count }
                guard i < segments.count, component ~= segments[i] else { return false }
                i += 1
            }
            return i == segments.count
        }
    }

    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = table.methods(at: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            var headers: HTTPFields = [.allow: allowed.joined(separator: ", ")]
            let message = "\(request.method.rawValue) is not allowed here. Allowed: \(allowed.joined(separator: ", "))."
            let isJSON = request.uri.path.hasPrefix("/api/") || request.uri.path.hasPrefix("/open311/")
            if isJSON {
                var response = APIErrorMiddleware.response(
                    for: TownhallError(.invalid, code: "method_not_allowed", message: message), context: context)
                response.status = .methodNotAllowed
                response.headers[.allow] = headers[.allow]
                return response
            }
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .methodNotAllowed, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
        }
    }
}
