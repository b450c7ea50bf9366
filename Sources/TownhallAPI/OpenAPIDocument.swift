import Foundation
import TownhallHTTP

/// The OpenAPI 3.1 description of /api/v1, put together from what each area declares (`APIArea.operations` and
/// `schemas`). A test checks that every route the router serves is in it and nothing in it is missing from the router.
public enum OpenAPIDocument {
    static let core = [APIOperation(method: "get", path: "/api/v1/openapi.json", summary: "This document", tag: "meta")]

    static func obj(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        var o: [String: Any] = ["type": "object", "properties": properties]
        if !required.isEmpty { o["required"] = required }
        return o
    }
    nonisolated(unsafe) static let s: [String: Any] = ["type": "string"]
    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }

    /// Every operation: the document's own, then each area's.
    public static func operations(_ areas: [any APIArea]) -> [APIOperation] { core + areas.flatMap(\.operations) }

    /// The document for these areas, built once at start-up.
    public static func json(_ areas: [any APIArea]) -> Data {
        var schemas: [String: Any] = [
            "Error": obj(["error": obj(["code": s, "message": s, "field": s], required: ["code", "message"])], required: ["error"])
        ]
        for area in areas {
            for (name, schema) in area.schemas {
                precondition(schemas[name] == nil, "two areas declare the schema \(name)")
                schemas[name] = schema
            }
        }
        var paths: [String: [String: Any]] = [:]
        for op in operations(areas) {
            var operation: [String: Any] = [
                "summary": op.summary, "tags": [op.tag], "operationId": "\(op.method)\(op.path.replacingOccurrences(of: "/", with: "_"))",
            ]
            var parameters: [[String: Any]] = op.path.split(separator: "/").filter { $0.hasPrefix("{") }.map {
                ["name": String($0.dropFirst().dropLast()), "in": "path", "required": true, "schema": s]
            }
            parameters += op.query.map { ["name": $0, "in": "query", "required": false, "schema": s] }
            if !parameters.isEmpty { operation["parameters"] = parameters }
            if let body = op.body {
                operation["requestBody"] =
                    body == "csv"
                    ? ["required": true, "content": ["text/csv": ["schema": s]]]
                    : body == "file"
                        ? ["required": true, "content": ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]]
                        : ["required": true, "content": ["application/json": ["schema": ref(body)]]]
            }
            var responses: [String: Any] = [
                "4XX": [
                    "description": "The request was refused; nothing changed", "content": ["application/json": ["schema": ref("Error")]],
                ]
            ]
            var ok: [String: Any] = ["description": "Success"]
            if let response = op.response { ok["content"] = ["application/json": ["schema": ref(response)]] }
            responses[String(op.status)] = ok
            operation["responses"] = responses
            if op.path != "/api/v1/openapi.json" && !op.path.hasPrefix("/api/v1/track/") {
                operation["security"] = [["bearer": []], ["session": []]]
            }
            paths[op.path, default: [:]][op.method] = operation
        }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": [
                "title": "Townhall API", "version": "1",
                "description":
                    "Townhall's API: the register, partnership and access, cases, the contact centre, guidance and revenues. "
                        + "Errors are {\"error\": {\"code\", \"message\", \"field\"}} with a 4xx status.",
            ],
            "servers": [["url": "/"]],
            "paths": paths,
            "components": [
                "schemas": schemas,
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "An API key from `townhall apikey create`"],
                    "session": ["type": "apiKey", "in": "cookie", "name": "townhall_session"],
                ],
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])) ?? Data()
    }
}
