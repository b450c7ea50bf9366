import Foundation
import Hummingbird
import TownhallHTTP
import HTTPTypes
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import TownhallAPI
import TownhallDatabase
import TownhallWeb

/// Builds the whole application: services, middleware, API, web pages, health and metrics.
public func buildApplication(_ configuration: TownhallConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    let services = try await Services.open(configuration, logger: logger, sender: try configuration.makeSender(logger: logger))
    let router = buildRouter(services, configuration: configuration)
    let scheduler = Scheduler(jobs: services.jobs, interval: configuration.schedulerInterval, logger: logger)
    return Application(router: router, configuration: .init(address: .hostname(configuration.hostname, port: configuration.port), serverName: "Townhall"),
                       services: [scheduler, DatabaseCloser(database: services.database)], logger: logger)
}

/// The router alone, for in-process tests and for `buildApplication`.
public func buildRouter(_ services: Services, configuration: TownhallConfiguration) -> Router<TownhallContext> {
    _ = MetricsBootstrap.registry   // before any middleware asks the metrics system for a recorder
    let router = Router(context: TownhallContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: LogRequestsMiddleware(.info))
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    let routeTable = MethodNotAllowedMiddleware.RouteTable()
    router.add(middleware: MethodNotAllowedMiddleware(table: routeTable))

    router.get("healthz") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
    router.get("readyz") { _, context in
        do {
            _ = try await services.database.read { try await $0.raw("SELECT 1 AS one").first() }
            let pending = try await Services.migrator.pending(services.database)
            guard pending.isEmpty else { return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "migrations pending\n"))) }
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
        } catch {
            context.logger.warning("not ready", metadata: ["error": .string("\(error)")])
            return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "database unavailable\n")))
        }
    }
    router.get("metrics") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: MetricsBootstrap.registry.emitToBuffer())))
    }

    TownhallAPIRoutes(services: services.registry, areas: TownhallModules.areas.flatMap(\.api)).addRoutes(to: router)
    TownhallWebRoutes(services: services.registry, areas: TownhallModules.areas.flatMap(\.web), panels: services.panels,
                      secureCookies: configuration.secureCookies, assetsDirectory: configuration.assetsDirectory).addRoutes(to: router)
    routeTable.load(from: router)
    return router
}

/// Metrics go to one Prometheus registry per process (the metrics system can be bootstrapped only once).
public enum MetricsBootstrap {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

/// Closes the database pools after the server has drained on graceful shutdown.
struct DatabaseCloser: Service {
    let database: Database
    func run() async throws {
        try? await gracefulShutdown()
        await database.shutdown()
    }
}

/// Gives every request an id (or keeps the caller's X-Request-Id), puts it in logs and echoes it in the response.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = TownhallContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let given = request.headers[HTTPField.Name("X-Request-Id")!], given.count <= 64,
           given.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
            context.requestID = given
        }
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        var response = try await next(request, context)
        response.headers[HTTPField.Name("X-Request-Id")!] = context.requestID
        return response
    }
}

/// Headers every response carries: no framing, no sniffing, a strict content security policy (no inline script).
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = TownhallContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return response
    }
}
