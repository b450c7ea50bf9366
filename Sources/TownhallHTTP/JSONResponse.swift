import Foundation
import Hummingbird
import TownhallKernel

/// JSON responses in the API's naming (snake_case keys, sorted for stable output), written from the typed body by
/// `BodyEncoder` and `JSONWriter`: no reflection, no locale, the same bytes on every machine.
public enum JSONResponse {
    public static let encoder = BodyEncoder(keys: .snakeCase)
    public static let contentType = "application/json; charset=utf-8"

    /// The bytes of a body, as a response would carry them.
    public static func bytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        JSONWriter.bytes(try encoder.encode(value))
    }

    public static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try bytes(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A page of a list: `{"items": [...], "next_cursor": "…" | null}`.
    public static func page<T: Encodable & Sendable>(_ page: Page<T>) throws -> Response {
        try make(PageBody(items: page.items, nextCursor: page.next?.token))
    }

    struct PageBody<T: Encodable>: Encodable {
        var items: [T]
        var nextCursor: String?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(items, forKey: .items)
            try c.encode(nextCursor, forKey: .nextCursor)   // explicit null on the last page
        }
        enum CodingKeys: String, CodingKey { case items, nextCursor }
    }
}

extension Request {
    public func cursor() throws -> Cursor? { try query("cursor").map { try Cursor(token: $0) } }
    public func pageSize() throws -> PageSize { try PageSize(query("limit")) }
    /// The `date` a report is for (YYYY-MM-DD); today in London when absent.
    public func day() throws -> LocalDate { try query("date").map { try LocalDate(parsing: $0, field: "date") } ?? .today() }
}

extension Parameters {
    public func id<Tag>(_ name: String, as: Identifier<Tag>.Type = Identifier<Tag>.self) throws -> Identifier<Tag> {
        let raw = try require(name)
        guard let id = Identifier<Tag>(raw) else {
            throw TownhallError(.notFound, code: "not_found", message: "\(raw) is not an identifier this server uses.", field: name)
        }
        return id
    }
}
