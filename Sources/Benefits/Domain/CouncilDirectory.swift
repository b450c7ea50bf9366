import Foundation
import Partnership

/// A billing authority as the checker needs it: who it is, whether London's benefit cap applies, and its working-age
/// council tax reduction scheme.
public struct Council: Sendable, Equatable {
    public var gss: String
    public var name: String
    public var country: String

    public init(gss: String, name: String, country: String) { self.gss = gss; self.name = name; self.country = country }

    /// London boroughs and the City carry E09 codes; their benefit cap is higher.
    public var isLondon: Bool { gss.hasPrefix("E09") }
    public var isEngland: Bool { gss.hasPrefix("E") }
}

/// Finds a billing authority by GSS code or name, with case, punctuation and the words "council", "city of", "borough"
/// and the like ignored, so `MANCHESTER`, `Manchester City Council` and `E08000003` are one council.
public struct CouncilDirectory: Sendable {
    private var byKey: [String: Council] = [:]

    public init(authorities: [LocalAuthority]) {
        // Counties do not bill council tax: districts, unitaries, boroughs and the City do.
        for a in authorities where a.tier != .county {
            let c = Council(gss: a.gss, name: a.name, country: a.country)
            byKey[a.gss.uppercased()] = c
            for key in [Self.key(a.name), Self.key(a.slug), Self.key(Self.stripped(a.name))] where !key.isEmpty {
                if byKey[key] == nil { byKey[key] = c }
            }
        }
    }

    /// The register shipped with Townhall.
    public static let bundled: CouncilDirectory = {
        CouncilDirectory(authorities: (try? LocalAuthority.register()) ?? [])
    }()

    public func find(_ text: String) -> Council? {
        let t = text.trimmingCharacters(in: .whitespaces)
        return byKey[t.uppercased()] ?? byKey[Self.key(t)] ?? byKey[Self.key(Self.stripped(t))]
    }

    static func key(_ s: String) -> String {
        String(String.UnicodeScalarView(s.uppercased().unicodeScalars.filter { ("A"..."Z").contains($0) || ("0"..."9").contains($0) }))
    }

    static let filler: Set<String> = [
        "COUNCIL", "CITY", "OF", "BOROUGH", "DISTRICT", "METROPOLITAN", "LONDON", "ROYAL", "THE", "COUNTY", "AND",
    ]

    /// The name without the words of a council's style ("Royal Borough of Kingston upon Thames" → "Kingston upon Thames").
    static func stripped(_ name: String) -> String {
        name.uppercased().split(whereSeparator: { !$0.isLetter }).filter { !filler.contains(String($0)) }.joined(separator: " ")
    }
}
