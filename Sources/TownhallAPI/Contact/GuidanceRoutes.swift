import Contact
import Foundation
import Hummingbird
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// Agent guidance over JSON: search and read every partner's scripts and articles, suggestions from a service and typed
/// words, and write your own organisation's (cases.manage).
public struct GuidanceRoutes: APIArea {
    let guidance: Guidance

    public init(services: ServiceRegistry) {
        guidance = services.require(Guidance.self)
    }

    struct ArticleBody: StrictBody {
        static let fields: Set<String> = ["kind", "title", "summary", "service_codes", "keywords", "body", "active", "version"]
        var kind: String?
        var title: String
        var summary: String?
        var service_codes: [String]?
        var keywords: [String]?
        var body: String
        var active: Bool?
        var version: Int?

        func draft() throws -> Guidance.Draft {
            let kind = try kind.map { raw -> GuidanceArticle.Kind in
                guard let k = GuidanceArticle.Kind(rawValue: raw) else { throw TownhallError.invalid("kind", "kind is script or article.") }
                return k
            } ?? .article
            return Guidance.Draft(kind: kind, title: title, summary: summary, serviceCodes: service_codes ?? [], keywords: keywords ?? [], body: body, active: active ?? true)
        }
    }

    struct ArticleView: Encodable {
        var id, organisation_id, kind, title, body, updated_at, updated_by: String
        var summary: String?
        var service_codes, keywords: [String]
        var active: Bool
        var version: Int
        init(_ a: GuidanceArticle) {
            id = a.id.string; organisation_id = a.organisationID.string; kind = a.kind.rawValue; title = a.title; body = a.body
            updated_at = a.updatedAt.iso; updated_by = a.updatedBy; summary = a.summary; service_codes = a.serviceCodes; keywords = a.keywords
            active = a.active; version = a.version
        }
    }

    struct ResultsView: Encodable {
        var items: [ArticleView]
        var total, page, page_size: Int
        var next_page: Int?
    }

    public func addRoutes(api group: RouterGroup<TownhallContext>, root: Router<TownhallContext>) {
        group.get("guidance") { request, context in
            let actor = try context.requireActor()
            let page = try request.query("page").map { raw -> Int in
                guard let n = Int(raw), n >= 1, n <= 10_000 else { throw TownhallError.invalid("page", "page is a whole number from 1.") }
                return n
            } ?? 1
            let limit = try request.query("limit").map { raw -> Int in
                guard let n = Int(raw), (1...100).contains(n) else { throw TownhallError.invalid("limit", "limit is a whole number from 1 to 100.") }
                return n
            } ?? 20
            let results = try await guidance.search(request.query("q") ?? "", serviceCode: request.query("service_code"), page: page, pageSize: limit, by: actor)
            return try JSONResponse.make(ResultsView(items: results.items.map(ArticleView.init), total: results.total, page: results.page,
                                                     page_size: results.pageSize, next_page: results.hasNext ? results.page + 1 : nil))
        }
        group.get("guidance/suggest") { request, context in
            let actor = try context.requireActor()
            let items = try await guidance.suggest(serviceCode: request.query("service_code"), text: request.query("text") ?? "", by: actor)
            return try JSONResponse.make(["items": items.map(ArticleView.init)])
        }
        group.get("guidance/:id") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(ArticleView(try await guidance.article(try GuidanceID.parse(try context.parameters.require("id"), field: "id"), by: actor)))
        }
        group.post("guidance") { request, context in
            let actor = try context.requireActor()
            let body = try await BodyDecoding.decode(ArticleBody.self, from: request, context: context)
            return try JSONResponse.make(ArticleView(try await guidance.create(try body.draft(), by: actor)), status: .created)
        }
        group.put("guidance/:id") { request, context in
            let actor = try context.requireActor()
            let id = try GuidanceID.parse(try context.parameters.require("id"), field: "id")
            let body = try await BodyDecoding.decode(ArticleBody.self, from: request, context: context)
            guard let version = body.version else { throw TownhallError.missing("version", "Send the version you read, so a change made meanwhile is not overwritten.") }
            return try JSONResponse.make(ArticleView(try await guidance.update(id, try body.draft(), version: version, by: actor)))
        }
    }
}

// What this area adds to the OpenAPI document.
extension GuidanceRoutes {
    public var operations: [APIOperation] {
        [
        APIOperation(method: "get", path: "/api/v1/guidance", summary: "Search every partner's call scripts and knowledge articles: every word must match; or all of a service's; or all by title",
                  tag: "guidance", query: ["q", "service_code", "page", "limit"], response: "GuidanceResults"),
        APIOperation(method: "get", path: "/api/v1/guidance/suggest", summary: "Guidance to suggest while an agent types: for the chosen service, and sharing any word with the text",
                  tag: "guidance", query: ["service_code", "text"]),
        APIOperation(method: "get", path: "/api/v1/guidance/{id}", summary: "One script or article, its body in markdown", tag: "guidance", response: "GuidanceArticle"),
        APIOperation(method: "post", path: "/api/v1/guidance", summary: "Write a script or article for your organisation (cases.manage)", tag: "guidance",
                  body: "GuidanceInput", response: "GuidanceArticle", status: 201),
        APIOperation(method: "put", path: "/api/v1/guidance/{id}", summary: "Change your organisation's script or article; send the version you read (a change made meanwhile is a 409)",
                  tag: "guidance", body: "GuidanceInput", response: "GuidanceArticle"),
        ]
    }

    public var schemas: [String: Any] {
        [
        "GuidanceInput": obj(["kind": ["type": "string", "enum": ["script", "article"]], "title": ["type": "string", "maxLength": 150], "summary": s,
                              "service_codes": array(s), "keywords": array(s), "body": ["type": "string", "description": "Markdown", "maxLength": 50_000],
                              "active": ["type": "boolean"], "version": int], required: ["title", "body"]),
        "GuidanceArticle": obj(["id": s, "organisation_id": s, "kind": s, "title": s, "summary": optS, "service_codes": array(s), "keywords": array(s),
                                "body": s, "active": ["type": "boolean"], "updated_at": s, "updated_by": s, "version": int]),
        "GuidanceResults": obj(["items": array(ref("GuidanceArticle")), "total": int, "page": int, "page_size": int, "next_page": ["type": ["integer", "null"]]]),
        ]
    }
}
