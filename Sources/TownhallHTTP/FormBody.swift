import Foundation
import Hummingbird
import MultipartKit
import TownhallKernel

/// A file sent in a multipart form (a photo with a report).
public struct UploadedFile: Sendable {
    public var field: String
    public var filename: String
    public var contentType: String
    public var content: Data
}

/// An HTML or Open311 form body: `application/x-www-form-urlencoded`, or `multipart/form-data` when it carries files.
/// One reader for the web pages and the Open311 routes, so both treat a malformed body the same way: a 4xx, never a crash.
public struct FormBody: Sendable {
    /// Values by name, repeated names kept in order.
    public var fields: [String: [String]] = [:]
    public var files: [UploadedFile] = []

    public init(fields: [String: [String]] = [:], files: [UploadedFile] = []) {
        self.fields = fields
        self.files = files
    }

    /// The first non-blank value of a field.
    public func value(_ name: String) -> String? { fields[name]?.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } }

    /// Reads the request body. `limit` caps a urlencoded body; a multipart body may be as large as `multipartLimit`.
    public static func read(_ request: Request, limit: Int, multipartLimit: Int) async throws -> FormBody {
        let type = request.headers[.contentType] ?? ""
        let lower = type.lowercased()
        if lower.hasPrefix("multipart/form-data") {
            guard let boundary = parameter("boundary", in: type) else {
                throw TownhallError.invalid("form", "A multipart form needs a boundary.", code: "malformed_form")
            }
            return try parse(multipart: try await collect(request, upTo: multipartLimit), boundary: boundary)
        }
        guard lower.hasPrefix("application/x-www-form-urlencoded") || lower.isEmpty else {
            throw TownhallError(.unsupportedMedia, code: "unsupported_media_type",
                                message: "Send the form as application/x-www-form-urlencoded or multipart/form-data.", field: "content_type")
        }
        return FormBody(fields: parse(urlencoded: String(buffer: try await collect(request, upTo: limit))))
    }

    static func collect(_ request: Request, upTo limit: Int) async throws -> ByteBuffer {
        do { return try await request.body.collect(upTo: limit) } catch {
            throw TownhallError(.payloadTooLarge, code: "body_too_large", message: "The form is larger than \(limit / 1024 / 1024 > 0 ? "\(limit / 1024 / 1024) MiB" : "\(limit / 1024) KiB").")
        }
    }

    /// `name=value&…` pairs. Parsed by hand: URLComponents traps on malformed input. A malformed escape keeps its raw text.
    public static func parse(urlencoded text: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            out[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        return out
    }

    /// Parts with a filename are files; the rest are fields.
    public static func parse(multipart body: ByteBuffer, boundary: String) throws -> FormBody {
        let parser = MultipartParser(boundary: boundary)
        var form = FormBody()
        var headers: [(String, String)] = []
        var content = ByteBuffer()
        var complete = false
        parser.onHeader = { name, value in headers.append((name, value)) }
        parser.onBody = { chunk in content.writeBuffer(&chunk) }
        parser.onPartComplete = {
            defer { headers = []; content = ByteBuffer(); complete = true }
            let disposition = headers.first { $0.0.lowercased() == "content-disposition" }?.1 ?? ""
            guard let name = parameter("name", in: disposition) else { return }
            if let filename = parameter("filename", in: disposition) {
                // A file input left empty still sends a part with an empty filename and no content.
                guard !filename.isEmpty || content.readableBytes > 0 else { return }
                let type = headers.first { $0.0.lowercased() == "content-type" }?.1 ?? "application/octet-stream"
                form.files.append(UploadedFile(field: name, filename: filename, contentType: type, content: Data(content.readableBytesView)))
            } else {
                form.fields[name, default: []].append(String(buffer: content))
            }
        }
        do { try parser.execute(body) } catch {
            throw TownhallError.invalid("form", "The multipart form could not be read.", code: "malformed_form")
        }
        guard complete || body.readableBytes == 0 else {
            throw TownhallError.invalid("form", "The multipart form could not be read.", code: "malformed_form")
        }
        return form
    }

    /// A `key=value` or `key="value"` parameter of a header such as Content-Type or Content-Disposition.
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let kv = piece.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            var value = kv[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
