import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Access
import SQLKit
import TownhallAPI
import TownhallHTTP
import TownhallApp
import TownhallKernel
import TownhallTesting

/// Runs `body` against the real router over a fresh scenario database, with an API key per test persona.
struct HTTPHarness {
    let scenario: Scenario
    let client: any TestClientProtocol
    let burnleyWriter: String
    let burnleyReader: String
    let pendleWriter: String
    let burnleyCases: String
    let burnleyOpen311: String

    static func run(_ body: @escaping @Sendable (HTTPHarness) async throws -> Void) async throws {
        try await Scenario.run { s in
            let router = buildRouter(s.services, configuration: TownhallConfiguration(secureCookies: false, bcryptCost: 4))
            let app = Application(router: router)
            let writer = try await s.access.createAPIKey(organisation: s.burnley.id, name: "writer", scopes: [.registerWrite, .auditRead], by: nil).1
            let reader = try await s.access.createAPIKey(organisation: s.burnley.id, name: "reader", scopes: [.registerRead], by: nil).1
            let pendle = try await s.access.createAPIKey(organisation: s.pendle.id, name: "pendle", scopes: [.registerWrite], by: nil).1
            let cases = try await s.access.createAPIKey(organisation: s.burnley.id, name: "cases", scopes: [.casesWrite, .registerRead, .contactsLog], by: nil).1
            let open311 = try await s.access.createAPIKey(organisation: s.burnley.id, name: "fixmystreet", scopes: [.open311], by: nil).1
            try await app.test(.router) { client in
                try await body(HTTPHarness(scenario: s, client: client, burnleyWriter: writer, burnleyReader: reader, pendleWriter: pendle,
                                             burnleyCases: cases, burnleyOpen311: open311))
            }
        }
    }

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ uri: String, key: String? = nil, json: String? = nil, body: ByteBuffer? = nil,
              headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let key { headers[.authorization] = "Bearer \(key)" }
        if json != nil && headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) } ?? body)
    }

    func count(_ table: String) async throws -> Int {
        try await scenario.database.read { try await $0.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()!.decode(column: "n", as: Int.self) }
    }

    /// How many people the whole database holds: the before/after check that a refused request changed nothing.
    func peopleCount() async throws -> Int {
        try await scenario.database.read { try await $0.raw("SELECT COUNT(*) AS n FROM person").first()!.decode(column: "n", as: Int.self) }
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:] }
    var error: [String: String] { (json["error"] as? [String: String]) ?? [:] }
    var array: [[String: Any]] { (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [[String: Any]] ?? [] }
}
