import Hummingbird
import TownhallDatabase

/// An area's JSON API: the HTTP half of the module seam (see `AreaModule`). The app lists each area's `APIArea` types
/// beside its module in `TownhallModules`; the API builds them from the services and asks each for its routes.
public protocol APIArea: Sendable {
    init(services: ServiceRegistry)
    /// Adds the area's routes. `api` is `/api/v1` (authenticated, errors as JSON); `root` is the router itself, for an
    /// area that speaks another protocol at a path of its own (Open311 at `/open311/v2`).
    func addRoutes(api: RouterGroup<TownhallContext>, root: Router<TownhallContext>)
    /// The area's operations under `/api/v1`, for the OpenAPI document (one for each route it adds there).
    var operations: [APIOperation] { get }
    /// The JSON Schemas its operations name, by name.
    var schemas: [String: Any] { get }
}

extension APIArea {
    public var operations: [APIOperation] { [] }
    public var schemas: [String: Any] { [:] }
}

/// One operation of the OpenAPI document: an area lists one for each route it adds under `/api/v1` (a test checks the
/// router and the document agree), naming its body and response schemas.
public struct APIOperation: Sendable {
    public var method: String
    public var path: String
    public var summary: String
    public var tag: String
    public var query: [String]
    /// A schema name, or `csv` / `file` for raw bodies.
    public var body: String?
    public var response: String?
    public var status: Int

    public init(
        method: String, path: String, summary: String, tag: String, query: [String] = [], body: String? = nil,
        response: String? = nil, status: Int = 200
    ) {
        self.method = method; self.path = path; self.summary = summary; self.tag = tag; self.query = query; self.body = body
        self.response = response; self.status = status
    }
}

// JSON Schema builders for the areas' `schemas`, so a schema reads like the body it describes.
extension APIArea {
    /// The query parameters of a paged list.
    public var list: [String] { ["cursor", "limit"] }
    public func obj(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        var o: [String: Any] = ["type": "object", "properties": properties]
        if !required.isEmpty { o["required"] = required }
        return o
    }
    public var s: [String: Any] { ["type": "string"] }
    public var optS: [String: Any] { ["type": ["string", "null"]] }
    public var int: [String: Any] { ["type": "integer"] }
    public var num: [String: Any] { ["type": ["number", "null"]] }
    public func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    public func array(_ item: [String: Any]) -> [String: Any] { ["type": "array", "items": item] }
}
