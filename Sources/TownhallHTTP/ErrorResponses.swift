import Foundation
import Hummingbird
import Logging
import TownhallKernel

extension TownhallError.Kind {
    public var status: HTTPResponse.Status {
        switch self {
        case .invalid: .badRequest
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMedia: .unsupportedMediaType
        case .tooManyRequests: .tooManyRequests
        }
    }
}

/// Renders every failure on /api as `{"error": {"code", "message", "field"}}`. Known failures get their 4xx;
/// anything unexpected is logged with the request id and answered with a 500 that leaks nothing.
public struct APIErrorMiddleware: RouterMiddleware {
    public typealias Context = TownhallContext
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return APIErrorMiddleware.response(for: error, context: context)
        }
    }

    public static func translate(_ error: any Error) -> TownhallError? {
        if let e = error as? TownhallError { return e }
        if let e = error as? HTTPError {
            switch e.status {
            case .contentTooLarge: return TownhallError(.payloadTooLarge, code: "body_too_large", message: "The request body is too large.")
            case .notFound: return TownhallError(.notFound, code: "not_found", message: "There is no such resource.")
            case .methodNotAllowed: return TownhallError(.invalid, code: "method_not_allowed", message: "That method is not allowed here.")
            case .unauthorized: return TownhallError(.unauthenticated, code: "unauthenticated", message: "Sign in or send an API key.")
            default:
                if (400..<500).contains(e.status.code) {
                    return TownhallError(.invalid, code: "bad_request", message: e.body ?? "The request could not be understood.")
                }
            }
        }
        if let e = error as? DecodingError { return BodyDecoding.translate(e) }
        return nil
    }

    public static func response(for error: any Error, context: TownhallContext) -> Response {
        if let e = translate(error) { return json(status: e.kind.status, error: e) }
        context.logger.error("unhandled error", metadata: ["error": .string(String(reflecting: error)), "request_id": .string(context.requestID)])
        return json(status: .internalServerError,
                    error: TownhallError(.invalid, code: "internal_error", message: "Something went wrong on our side. Quote request \(context.requestID) to support."))
    }

    static func json(status: HTTPResponse.Status, error: TownhallError) -> Response {
        var fields: [BodyValue.Field] = [.init("code", .string(error.code)), .init("message", .string(error.message))]
        if let field = error.field { fields.append(.init("field", .string(field))) }
        let data = JSONWriter.bytes(.object([.init("error", .object(fields))]))
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"townhall\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
