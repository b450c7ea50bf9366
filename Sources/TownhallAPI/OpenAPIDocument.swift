import Foundation
import TownhallHTTP
import TownhallKernel

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
        // Request bodies declare what the server enforces: no unknown fields, ids are UUIDs, required text is not blank.
        // A schema that is also a response is left open, since responses carry more than a request may send.
        let operations = operations(areas)
        let responses = Set(operations.compactMap(\.response))
        for name in Set(operations.compactMap(\.body)) where !responses.contains(name) {
            if let schema = schemas[name] as? [String: Any] { schemas[name] = Conventions.request(schema) }
        }
        var paths: [String: [String: Any]] = [:]
        for op in operations {
            var operation: [String: Any] = [
                "summary": op.summary, "tags": [op.tag], "operationId": "\(op.method)\(op.path.replacingOccurrences(of: "/", with: "_"))",
            ]
            var parameters: [[String: Any]] = op.path.split(separator: "/").filter { $0.hasPrefix("{") }.map {
                let name = String($0.dropFirst().dropLast())
                return ["name": name, "in": "path", "required": true, "schema": Conventions.parameter(name)]
            }
            // An empty query parameter counts as absent (`?date=` is today), so the empty string is valid for each.
            parameters += op.query.map {
                ["name": $0, "in": "query", "required": false, "schema": ["anyOf": [Conventions.parameter($0), ["type": "string", "maxLength": 0]]]]
            }
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

/// The API's naming conventions, which the server enforces everywhere, declared once for the document.
enum Conventions {
    static let ids: Set<String> = ["id", "attachment", "adjustment", "arrangement"]
    static let dates: Set<String> = ["date", "from", "to", "as_of", "starts_on", "expires_on", "moved_in", "date_of_birth", "last_day",
                                      "liable_from", "received_on", "first_payment_on", "processing_date", "effective_from"]

    /// A path or query parameter's schema, by its name.
    static func parameter(_ name: String) -> [String: Any] {
        if ids.contains(name) || name.hasSuffix("_id") { return ["type": "string", "format": "uuid"] }
        if name == "uprn" || name == "parent_uprn" { return ["type": "integer", "minimum": 1, "maximum": 999_999_999_999] }
        if dates.contains(name) { return ["type": "string", "format": "date"] }
        if name == "first_month" || name == "last_month" { return ["type": "string", "pattern": "^(20[0-9][0-9]|2100)-(0[1-9]|1[0-2])$"] }
        if name == "open" { return ["type": "string", "enum": ["true", "false"]] }
        if name == "limit" { return ["type": "integer", "minimum": 1, "maximum": PageSize.maximum] }
        return ["type": "string"]
    }

    /// A request body object: unknown fields refused, id and date fields typed, required text not blank; nested objects too.
    static func request(_ schema: [String: Any]) -> [String: Any] {
        guard schema["type"] as? String == "object", var properties = schema["properties"] as? [String: Any] else {
            if schema["type"] as? String == "array", let items = schema["items"] as? [String: Any] {
                var copy = schema
                copy["items"] = request(items)
                return copy
            }
            return schema
        }
        let required = Set(schema["required"] as? [String] ?? [])
        for (name, value) in properties {
            guard var property = value as? [String: Any] else { continue }
            if property["type"] as? String == "string" && property["enum"] == nil && property["format"] == nil {
                // A field that declares its own length is free text that happens to be called an id (a household's people).
                if (ids.contains(name) || name.hasSuffix("_id")) && property["maxLength"] == nil { property["format"] = "uuid" }
                else if dates.contains(name) { property["format"] = "date" }
                else if required.contains(name) { property["minLength"] = 1; property["pattern"] = "\\S" }
            }
            if name.hasSuffix("uprn"), property["type"] as? String == "integer" {
                property["minimum"] = 1; property["maximum"] = 999_999_999_999
            }
            // A field that may be left out may also be sent as null: it means the same.
            if !required.contains(name), let type = property["type"] as? String {
                property["type"] = [type, "null"]
                if let values = property["enum"] as? [Any] { property["enum"] = values + [NSNull()] }
            }
            properties[name] = request(property)
        }
        var copy = schema
        copy["properties"] = properties
        // An object declared with no properties is a free-form map (a service's attributes).
        if !properties.isEmpty { copy["additionalProperties"] = false }
        return copy
    }
}
