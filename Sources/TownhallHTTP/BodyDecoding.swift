import Foundation
import Hummingbird
import TownhallKernel

/// A request body type that lists the fields it accepts, so an unknown (often misspelt) field is an error rather than
/// silently ignored.
public protocol StrictBody: Decodable {
    static var fields: Set<String> { get }
    /// The fields of nested objects, by the field that holds them: checked the same way ("location.colour" is refused).
    static var nested: [String: Set<String>] { get }
}

extension StrictBody {
    public static var nested: [String: Set<String>] { [:] }
}

public enum BodyDecoding {
    /// Reads and decodes a JSON object body: wrong content type 415, too large 413, not JSON or not an object 400,
    /// unknown field 400 naming it, wrong type 400 naming the field.
    public static func decode<T: StrictBody>(_ type: T.Type, from request: Request, context: TownhallContext) async throws -> T {
        let data = try await json(from: request, context: context)
        guard !data.isEmpty else { throw TownhallError(.invalid, code: "empty_body", message: "The request needs a JSON object body.") }
        guard let object = try? JSONSerialization.jsonObject(with: data), let dictionary = object as? [String: Any] else {
            throw TownhallError(.invalid, code: "malformed_json", message: "The body is not a JSON object. Check for a missing quote, comma or brace.")
        }
        if let unknown = dictionary.keys.sorted().first(where: { !T.fields.contains($0) }) {
            throw TownhallError(.invalid, code: "unknown_field",
                                message: "\(unknown) is not a field here. Fields are: \(T.fields.sorted().joined(separator: ", ")).", field: unknown)
        }
        for (key, allowed) in T.nested.sorted(by: { $0.key < $1.key }) {
            // A nested object, or a list of them (`parties[1].colour`).
            let inners: [(String, [String: Any])] = if let one = dictionary[key] as? [String: Any] { [(key, one)] }
                else { ((dictionary[key] as? [Any]) ?? []).enumerated().compactMap { i, v in (v as? [String: Any]).map { ("\(key)[\(i)]", $0) } } }
            for (path, inner) in inners {
                if let unknown = inner.keys.sorted().first(where: { !allowed.contains($0) }) {
                    throw TownhallError(.invalid, code: "unknown_field",
                                        message: "\(path).\(unknown) is not a field here. Fields of \(key) are: \(allowed.sorted().joined(separator: ", ")).",
                                        field: "\(path).\(unknown)")
                }
            }
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch let error as DecodingError {
            throw translate(error)
        }
    }

    /// A JSON body's bytes, for a body whose shape a module checks itself: wrong content type 415, too large 413.
    public static func json(from request: Request, context: TownhallContext) async throws -> Data {
        if let contentType = request.headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw TownhallError(.unsupportedMedia, code: "unsupported_media_type", message: "Send the body as application/json.")
        }
        do { return Data(buffer: try await request.body.collect(upTo: context.maxUploadSize)) } catch {
            throw TownhallError(.payloadTooLarge, code: "body_too_large", message: "The request body is larger than \(context.maxUploadSize / 1024) KiB.")
        }
    }

    /// CSV uploads (imports of every area) may be far larger than JSON bodies: 64 MiB, as text/csv.
    public static let maximumCSV = 64 * 1024 * 1024

    /// Reads a CSV upload: wrong content type 415, too large 413, not UTF-8 400.
    public static func csv(from request: Request) async throws -> String {
        guard let type = request.headers[.contentType]?.lowercased(), type.hasPrefix("text/csv") else {
            throw TownhallError(.unsupportedMedia, code: "unsupported_media_type", message: "Send the file as text/csv.")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maximumCSV) } catch {
            throw TownhallError(.payloadTooLarge, code: "body_too_large",
                                message: "A CSV upload can be at most 64 MiB; split the file or use townhall import.")
        }
        guard let text = String(validating: Data(buffer: buffer), as: UTF8.self) else {
            throw TownhallError.invalid("file", "The file is not UTF-8 text.", code: "malformed_csv")
        }
        return text
    }

    public static func translate(_ error: DecodingError) -> TownhallError { TownhallError(decoding: error) }
}

extension Request {
    /// A query parameter, with empty values treated as absent. Decoded as HTML forms encode it: "+" is a space and
    /// "%2B" a plus, so a GET search form and an API client sending "+44…" as %2B both mean what they typed.
    public func query(_ name: String) -> String? {
        guard let raw = uri.query else { return nil }
        for pair in raw.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts[0].replacingOccurrences(of: "+", with: " ").removingPercentEncoding == name else { continue }
            let value = parts.count > 1 ? (parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
            return value.isEmpty ? nil : value
        }
        return nil
    }
}
