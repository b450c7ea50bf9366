/// The one error type every layer speaks. The HTTP layer maps `kind` to a 4xx status and renders
/// `{"error": {"code", "message", "field"}}`; nothing else decides status codes.
public struct TownhallError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case invalid            // 400: the request is malformed or a value breaks a rule
        case unauthenticated    // 401
        case forbidden          // 403
        case notFound           // 404
        case conflict           // 409: a lost race or a duplicate
        case payloadTooLarge    // 413
        case unsupportedMedia   // 415
        case tooManyRequests    // 429
    }

    public var kind: Kind
    /// A stable, machine-readable code such as `invalid_postcode`.
    public var code: String
    /// A sentence a person can act on.
    public var message: String
    /// The input field at fault, in the API's own naming (snake_case, dotted for nesting).
    public var field: String?

    public init(_ kind: Kind, code: String, message: String, field: String? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String {
        field.map { "\(code) (\($0)): \(message)" } ?? "\(code): \(message)"
    }

    public static func invalid(_ field: String, _ message: String, code: String = "invalid_field") -> TownhallError {
        TownhallError(.invalid, code: code, message: message, field: field)
    }

    public static func missing(_ field: String) -> TownhallError {
        TownhallError(.invalid, code: "missing_field", message: "Enter \(field.replacingOccurrences(of: "_", with: " ")).", field: field)
    }

    /// A required field left empty, with wording that says what to enter.
    public static func missing(_ field: String, _ message: String) -> TownhallError {
        TownhallError(.invalid, code: "missing_field", message: message, field: field)
    }

    public static func notFound(_ what: String, field: String? = nil) -> TownhallError {
        TownhallError(.notFound, code: "not_found", message: "\(what) was not found.", field: field)
    }

    public static func forbidden(_ message: String) -> TownhallError {
        TownhallError(.forbidden, code: "forbidden", message: message)
    }

    public static func conflict(_ message: String, code: String = "conflict", field: String? = nil) -> TownhallError {
        TownhallError(.conflict, code: code, message: message, field: field)
    }
}

extension TownhallError {
    /// A decoding failure as a 400 naming the field (`people[2].age must be a whole number.`).
    public init(decoding error: DecodingError) {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.reduce("") { result, key in
                if let index = key.intValue { return "\(result)[\(index)]" }
                return result.isEmpty ? key.stringValue : "\(result).\(key.stringValue)"
            }
        }
        func describe(_ type: Any.Type) -> String {
            let name = String(describing: type)
            if name.contains("Int") { return "a whole number" }
            if name.contains("Double") { return "a number" }
            if name.contains("Bool") { return "true or false" }
            if name.contains("Array") { return "a list" }
            if name.contains("Dictionary") { return "an object" }
            return "text"
        }
        switch error {
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            self = .invalid(field, "\(field) must be \(describe(type)).", code: "wrong_type")
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            self = .invalid(field, "\(field) must be \(describe(type)), not null.", code: "wrong_type")
        case .keyNotFound(let key, let context):
            self = .missing(path(context.codingPath + [key]))
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            self = .invalid(field.isEmpty ? "body" : field, context.debugDescription, code: "invalid_value")
        @unknown default:
            self = TownhallError(.invalid, code: "malformed_json", message: "The body could not be read.")
        }
    }
}
