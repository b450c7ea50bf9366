import Foundation
import Testing
import TownhallKernel

/// `FlatJSON` reads what `JSONEncoder` wrote into the stores' text columns; JSONDecoder is the oracle.
@Suite struct FlatJSONTests {
    static let samples = ["", "plain", "quote \" and \\ backslash", "slash / and tab \t newline \n", "bell \u{07} nul-free", "pound £ é",
                          "emoji 🏠👩‍👩‍👧", "{not: json}", "[1, 2]", "\u{1F}\u{7F}"]

    @Test func readsWhatJSONEncoderWrote() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var lists: [String: [String]] = [:], map: [String: String] = [:], list: [String] = []
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                let key = Self.samples.randomElement(using: &generator)! + String(Int.random(in: 0...9, using: &generator))
                lists[key] = (0..<Int.random(in: 0...3, using: &generator)).map { _ in Self.samples.randomElement(using: &generator)! }
                map[key] = Self.samples.randomElement(using: &generator)!
                list.append(Self.samples.randomElement(using: &generator)!)
            }
            let e = JSONEncoder()
            #expect(FlatJSON.stringLists(String(decoding: try e.encode(lists), as: UTF8.self)) == lists)
            #expect(FlatJSON.stringMap(String(decoding: try e.encode(map), as: UTF8.self)) == map)
            #expect(FlatJSON.strings(String(decoding: try e.encode(list), as: UTF8.self)) == list)
        }
        // Escapes JSONEncoder does not write but JSON allows, and spaces.
        #expect(FlatJSON.stringMap(#" { "a" : "\u00e9\ud83c\udfe0\/" } "#) == ["a": "é🏠/"])
    }

    @Test func anythingElseIsLeftToJSONDecoder() {
        for bad in ["", "{", "[\"a\"", "{\"a\":1}", "{\"a\":[1]}", "[\"a\",]", "{\"a\":\"b\"} x", "\"a\"", "[\"\\x\"]", "[\"\\ud83c\"]", "null"] {
            #expect(FlatJSON.stringLists(bad) == nil, "\(bad)")
            #expect(FlatJSON.stringMap(bad) == nil, "\(bad)")
        }
        #expect(FlatJSON.strings("[\"a\", 1]") == nil)
        #expect(FlatJSON.strings("[]") == [])
    }
}
