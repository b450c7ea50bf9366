import Access
import Hummingbird
import TownhallDatabase
import TownhallHTTP

/// The JSON API under /api/v1: the shared middleware and the OpenAPI document, then each area's routes (`APIArea`).
public struct TownhallAPIRoutes: Sendable {
    let services: ServiceRegistry
    let areas: [any APIArea.Type]

    public init(services: ServiceRegistry, areas: [any APIArea.Type]) {
        self.services = services
        self.areas = areas
    }

    public func addRoutes(to router: Router<TownhallContext>) {
        let group = router.group("api/v1")
            .add(middleware: APIErrorMiddleware())
            .add(middleware: Authenticator(access: services.require(Access.self)))
            .add(middleware: APICSRFGuard())
        group.get("openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.json)))
        }
        for area in areas { area.init(services: services).addRoutes(api: group, root: router) }
    }
}
