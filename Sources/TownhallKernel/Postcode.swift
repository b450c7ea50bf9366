import Foundation

/// A UK postcode in its normal form: upper case, one space before the inward code ("SW1A 1AA").
///
/// Validation follows the BS 7666 / Cabinet Office bulk-transfer pattern (shared/reference/uk_standards.md §2).
/// Accepted: every geographic postcode, GIR 0AA, non-geographic ones such as BX1 1LT, and the Crown dependencies
/// (JE, GY, IM) and Gibraltar GX11 1AA, because councils hold addresses there for correspondence.
/// Refused with a reason: BFPO numbers, overseas-territory codes (ASCN 1ZZ …), and postcodes whose letters are never used
/// in those positions (QA1 1AA). A format-valid postcode may still not exist; that is the postcode directory's question.
public struct Postcode: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let value: String

    public var description: String { value }
    /// The outward code ("SW1A"), which names the postcode district.
    public var outward: String { String(value.split(separator: " ")[0]) }
    /// The sector ("SW1A 1"): the unit routing by area usually works at.
    public var sector: String { String(value.dropLast(2)) }

    public static func < (lhs: Postcode, rhs: Postcode) -> Bool { lhs.value < rhs.value }

    public init(_ raw: String, field: String = "postcode") throws {
        let compact = String(raw.uppercased().filter { !$0.isWhitespace })
        if compact.isEmpty { throw TownhallError.missing(field) }
        if compact.hasPrefix("BFPO") {
            throw TownhallError.invalid(field, "BFPO numbers are not postcodes of an address in a council area.", code: "invalid_postcode")
        }
        if Postcode.overseasTerritories.contains(compact) {
            throw TownhallError.invalid(field, "\(compact.dropLast(3)) \(compact.suffix(3)) is an overseas territory postcode, not a UK council address.", code: "invalid_postcode")
        }
        guard compact.count >= 5, compact.count <= 7, compact.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw TownhallError.invalid(field, "Enter a real postcode, like SW1A 1AA.", code: "invalid_postcode")
        }
        let normal = "\(compact.dropLast(3)) \(compact.suffix(3))"
        guard Postcode.isWellFormed(normal) else {
            throw TownhallError.invalid(field, "\(normal) is not a valid UK postcode. Check the letters and numbers, like SW1A 1AA.", code: "invalid_postcode")
        }
        self.value = normal
    }

    /// Parses a stored, already-normal value without re-validating it.
    public init(normalised: String) { self.value = normalised }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do { try self.init(try container.decode(String.self)) } catch let error as TownhallError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    static let overseasTerritories: Set<String> = ["ASCN1ZZ", "STHL1ZZ", "TDCU1ZZ", "BIQQ1ZZ", "FIQQ1ZZ", "PCRN1ZZ", "SIQQ1ZZ", "TKCA1ZZ"]

    /// The government pattern, written out as character classes rather than a regular expression so it needs no
    /// regex engine at run time:
    /// `^(GIR 0AA|[A-PR-UWYZ]([0-9]{1,2}|([A-HK-Y][0-9]|[A-HK-Y][0-9]([0-9]|[ABEHMNPRV-Y]))|[0-9][A-HJKPS-UW]) [0-9][ABD-HJLNP-UW-Z]{2})$`
    static func isWellFormed(_ normal: String) -> Bool {
        if normal == "GIR 0AA" { return true }
        let parts = normal.split(separator: " ")
        guard parts.count == 2 else { return false }
        let outward = Array(parts[0]), inward = Array(parts[1])
        let first = "ABCDEFGHIJKLMNOPRSTUWYZ"            // [A-PR-UWYZ]
        let second = "ABCDEFGHKLMNOPQRSTUVWXY"           // [A-HK-Y]
        let thirdLetter = "ABCDEFGHJKPSTUW"              // [A-HJKPS-UW]
        let fourthLetter = "ABEHMNPRVWXY"                // [ABEHMNPRV-Y]
        let unitLetters = "ABDEFGHJLNPQRSTUWXYZ"         // [ABD-HJLNP-UW-Z]
        func digit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
        guard inward.count == 3, digit(inward[0]), unitLetters.contains(inward[1]), unitLetters.contains(inward[2]) else { return false }
        guard let head = outward.first, first.contains(head) else { return false }
        let rest = Array(outward.dropFirst())
        switch rest.count {
        case 1: return digit(rest[0])                                                     // A9
        case 2:
            return (digit(rest[0]) && digit(rest[1]))                                     // A99
                || (second.contains(rest[0]) && digit(rest[1]))                           // AA9
                || (digit(rest[0]) && thirdLetter.contains(rest[1]))                      // A9A
        case 3:
            return second.contains(rest[0]) && digit(rest[1])
                && (digit(rest[2]) || fourthLetter.contains(rest[2]))                     // AA99, AA9A
        default: return false
        }
    }
}
