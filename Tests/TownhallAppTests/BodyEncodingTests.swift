import Foundation
import Testing
import TownhallHTTP

/// The API's JSON is written by `BodyEncoder` and `JSONWriter` (issue 29). Foundation's `JSONEncoder` with snake_case keys
/// and sorted keys wrote it before; it is the oracle here: the same value must give the same bytes.
@Suite struct BodyEncodingTests {
    struct Inner: Codable, Equatable { var serviceCode: String; var amount: Int; var ratio: Double? }
    enum Kind: String, Codable { case fixed, variable }
    struct Wrapped: Codable { let raw: String; func encode(to e: any Encoder) throws { var c = e.singleValueContainer(); try c.encode(raw) } }
    struct Body: Codable {
        var id: String
        var mediaURLs: [String]
        var myURLValue: String
        var a1B: Int
        var line2: String
        var line10: String
        var isPublic: Bool
        var missing: String?
        var kind: Kind
        var wrapped: Wrapped
        var inner: Inner
        var inners: [Inner]
        var matrix: [[Double]]
        var attributes: [String: [String]]
        var camelKeys: [String: Int]
        var numbers: [Double]
        var text: String
        var big: Int64
        var negative: Int
    }

    static let body = Body(
        id: "0b7c", mediaURLs: ["https://example.org/a.jpg"], myURLValue: "x", a1B: 1, line2: "2", line10: "10", isPublic: true,
        missing: nil, kind: .variable, wrapped: Wrapped(raw: "w/1"), inner: Inner(serviceCode: "587", amount: 5, ratio: nil),
        inners: [Inner(serviceCode: "a", amount: -1, ratio: 0.1), Inner(serviceCode: "b", amount: 0, ratio: 3)],
        matrix: [[53.78905, -2.24019], [1234567.891, 12.5]], attributes: ["waste_type": ["furniture"], "quantity": ["van", "bag"]],
        camelKeys: ["wasteType": 1, "seenAt": 2, "item10": 3, "item9": 4], numbers: [0, 1, -1.5, 100, 1e-7, 0.30000000000000004],
        text: "Quote \" backslash \\ slash / tab \t newline \n bell \u{07} pound £ emoji 🏠 <b>&amp;</b>",
        big: 9_007_199_254_740_993, negative: -42)

    @Test func writesTheBytesFoundationWrote() throws {
        let foundation = JSONEncoder()
        foundation.keyEncodingStrategy = .convertToSnakeCase
        foundation.outputFormatting = [.sortedKeys]
        let expected = String(decoding: try foundation.encode(Self.body), as: UTF8.self)
        let actual = String(decoding: try JSONResponse.bytes(Self.body), as: UTF8.self)
        #expect(actual == expected)
        // Top-level arrays, strings and optionals as Foundation writes them.
        #expect(String(decoding: try JSONResponse.bytes([Self.body.inner]), as: UTF8.self) == String(decoding: try foundation.encode([Self.body.inner]), as: UTF8.self))
        #expect(String(decoding: try JSONResponse.bytes("a/b"), as: UTF8.self) == String(decoding: try foundation.encode("a/b"), as: UTF8.self))
        let none: String? = nil
        #expect(String(decoding: try JSONResponse.bytes(none), as: UTF8.self) == "null")
    }

    /// A hand-written conformance that uses nested containers and super-encoders, which synthesised ones never do.
    struct Nested: Encodable {
        enum K: String, CodingKey { case outerName, inner, list, base }
        enum I: String, CodingKey { case innerValue, deeper }
        func encode(to e: any Encoder) throws {
            var c = e.container(keyedBy: K.self)
            try c.encode("o", forKey: .outerName)
            var inner = c.nestedContainer(keyedBy: I.self, forKey: .inner)
            try inner.encode(1, forKey: .innerValue)
            var deeper = inner.nestedUnkeyedContainer(forKey: .deeper)
            try deeper.encode("a/b")
            var deeperStill = deeper.nestedContainer(keyedBy: I.self)
            try deeperStill.encode(Inner(serviceCode: "x", amount: 2, ratio: 0.5), forKey: .innerValue)
            var list = c.nestedUnkeyedContainer(forKey: .list)
            try list.encode(contentsOf: [Inner(serviceCode: "y", amount: 3, ratio: nil)])
            try Inner(serviceCode: "z", amount: 4, ratio: 1.25).encode(to: c.superEncoder(forKey: .base))
            try c.encode(Self.Marker(), forKey: .base)   // the same key again: both are kept, as the fields arrived
        }
        struct Marker: Encodable {}
    }

    @Test func nestedContainersAndSuperEncodersWriteWhatFoundationWrites() throws {
        let foundation = JSONEncoder()
        foundation.keyEncodingStrategy = .convertToSnakeCase
        foundation.outputFormatting = [.sortedKeys]
        // Foundation keeps one value per key; leave out the repeated key for the byte comparison.
        struct Once: Encodable {
            func encode(to e: any Encoder) throws {
                var c = e.container(keyedBy: Nested.K.self)
                var inner = c.nestedContainer(keyedBy: Nested.I.self, forKey: .inner)
                try inner.encode(1, forKey: .innerValue)
                var deeper = inner.nestedUnkeyedContainer(forKey: .deeper)
                try deeper.encode("a/b")
                var deeperStill = deeper.nestedContainer(keyedBy: Nested.I.self)
                try deeperStill.encode(Inner(serviceCode: "x", amount: 2, ratio: 0.5), forKey: .innerValue)
                try Inner(serviceCode: "z", amount: 4, ratio: 1.25).encode(to: c.superEncoder(forKey: .base))
            }
        }
        #expect(String(decoding: try JSONResponse.bytes([Once(), Once()]), as: UTF8.self) == String(decoding: try foundation.encode([Once(), Once()]), as: UTF8.self))
        let value = try BodyEncoder(keys: .snakeCase).encode(Nested())
        #expect(value["inner"]?["deeper"] == .array([.string("a/b"), .object([.init("inner_value", .object([
            .init("service_code", .string("x")), .init("amount", .int(2)), .init("ratio", .double(0.5))]))])]))
        #expect(value["base"] == .object([.init("service_code", .string("z")), .init("amount", .int(4)), .init("ratio", .double(1.25))]))
    }

    @Test func snakeCaseMatchesFoundationKeyForKey() throws {
        let keys = ["id", "serviceCode", "mediaURLs", "myURLValue", "URL", "a1B", "line2Text", "percentMet", "nextCursor", "uprn",
                    "isPublic", "HTTPStatus", "already_snake", "x", "ABC", "aBC", "fooBAR"]
        for key in keys {
            let foundation = JSONEncoder()
            foundation.keyEncodingStrategy = .convertToSnakeCase
            struct One: Encodable {
                let key: String
                struct K: CodingKey { var stringValue: String; var intValue: Int? { nil }; init(stringValue: String) { self.stringValue = stringValue }; init?(intValue: Int) { nil } }
                func encode(to e: any Encoder) throws { var c = e.container(keyedBy: K.self); try c.encode(1, forKey: K(stringValue: key)) }
            }
            let json = String(decoding: try foundation.encode(One(key: key)), as: UTF8.self)
            #expect(json == "{\"\(BodyEncoder.snakeCase(key))\":1}", "\(key)")
        }
    }

    @Test func keysSortWithoutALocaleAndTemplatesKeepDeclaredNames() throws {
        #expect(JSONWriter.precedes("line10", "line2"))   // bytes, as Foundation sorted them
        #expect(JSONWriter.precedes("Zebra", "apple"))
        #expect(JSONWriter.precedes("due", "due_at"))
        #expect(JSONWriter.precedes("a", "b") && !JSONWriter.precedes("b", "b"))
        let value = try BodyEncoder(keys: .asDeclared).encode(Self.body.inner)
        #expect(value == .object([.init("serviceCode", .string("587")), .init("amount", .int(5))]))
        #expect(value["serviceCode"] == .string("587"))
    }
}
