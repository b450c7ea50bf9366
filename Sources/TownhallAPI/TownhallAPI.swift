import Access
import Foundation
import Hummingbird
import TownhallDatabase
import TownhallHTTP

/// The JSON API under /api/v1: the shared middleware and the OpenAPI document, then each area's routes (`APIArea`).
public struct TownhallAPIRoutes: Sendable {
    let services: ServiceRegistry
    let areas: [any APIArea]
    /// The OpenAPI document, made once from the areas.
    public let document: Data

    public init(services: ServiceRegistry, areas: [any APIArea.Type]) {
        self.services = services
        self.areas = areas.map { $0.init(services: services) }
        document = OpenAPIDocument.json(self.areas)
    }

    /// Every operation the document lists.
    public var operations: [APIOperation] { OpenAPIDocument.operations(areas) }

    public func addRoutes(to router: Router<TownhallContext>) {
        let group = router.group("api/v1")
            .add(middleware: APIErrorMiddleware())
            .add(middleware: Authenticator(access: services.require(Access.self)))
            .add(middleware: APICSRFGuard())
        let document = self.document
        group.get("openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
        for area in areas { area.addRoutes(api: group, root: router) }
    }
}
