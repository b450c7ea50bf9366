import Foundation
import Hummingbird
import TownhallKernel

/// Bodies rendered from organisation-wide reference data (service catalogues), kept per change rather than per request
/// (issue 29). The caller names what the body is of (`key`: route, organisation, format) and the state it was rendered
/// from (`tag`, read from the database, so a change on any node is seen at once). A request whose `If-None-Match` holds
/// the tag gets 304 and no body; otherwise the kept bytes are served while the tag holds, and rendered again when not.
/// Tenancy is the caller's: a key must name everything the body depends on besides the tag.
public final class RenderedBodies: Sendable {
    private let bodies = TaggedCache<String, ByteBuffer>()

    public init() {}

    public func response(for request: Request, key: String, tag: String, contentType: String,
                         render: () throws -> [UInt8]) rethrows -> Response {
        var headers = HTTPFields()
        headers[.eTag] = "\"\(tag)\""
        // Revalidate every time: the tag is cheap to check, and the body depends on who may see which organisation.
        headers[.cacheControl] = "private, no-cache"
        if let match = request.headers[.ifNoneMatch], Self.matches(match, tag: tag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = contentType
        if let kept = bodies.value(key, tag: tag) { return Response(status: .ok, headers: headers, body: .init(byteBuffer: kept)) }
        let bytes = ByteBuffer(bytes: try render())
        bodies.keep(bytes, for: key, tag: tag)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
    }

    /// `If-None-Match: "a", W/"b"` or `*` (RFC 9110 §13.1.2: weak comparison).
    static func matches(_ header: String, tag: String) -> Bool {
        header.split(separator: ",").contains { raw in
            var t = raw.trimmingCharacters(in: .whitespaces)
            if t == "*" { return true }
            if t.hasPrefix("W/") { t.removeFirst(2) }
            return t == "\"\(tag)\""
        }
    }
}
