import Foundation

/// Rules for the ways to reach a person. Values are normalised before storing so that search by phone or email
/// finds "07700 900123" whether it was typed with spaces, dashes or +44.
public enum ContactPointKind: String, Sendable, Codable, CaseIterable {
    case phone, mobile, email
}

public enum ContactPointRules {
    /// Normalises a UK phone number to national digits ("07700900123"). Accepts spaces, dashes, brackets and +44/0044.
    public static func phone(_ raw: String, field: String) throws -> String {
        var digits = raw.filter { $0.isASCII && $0.isNumber }
        let plus = raw.trimmingCharacters(in: .whitespaces).hasPrefix("+")
        if plus || digits.hasPrefix("00") {
            if digits.hasPrefix("0044") { digits = "0" + digits.dropFirst(4) }
            else if plus && digits.hasPrefix("44") { digits = "0" + digits.dropFirst(2) }
            else { throw TownhallError.invalid(field, "Enter a UK phone number, like 01632 960 001 or 07700 900 982.", code: "invalid_phone") }
        }
        let allowedPunctuation = CharacterSet(charactersIn: " -()+.")
        let stray = raw.unicodeScalars.contains { !CharacterSet.decimalDigits.contains($0) && !allowedPunctuation.contains($0) }
        guard !stray, digits.hasPrefix("0"), (10...11).contains(digits.count) else {
            throw TownhallError.invalid(field, "Enter a UK phone number, like 01632 960 001 or 07700 900 982.", code: "invalid_phone")
        }
        return digits
    }

    /// Lower-cases and checks the shape of an email address (one @, a dot in the domain, no spaces).
    public static func email(_ raw: String, field: String) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard value.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !value.contains(where: { $0.isWhitespace }) else {
            throw TownhallError.invalid(field, "Enter an email address in the correct format, like name@example.com.", code: "invalid_email")
        }
        return value
    }

    public static func normalise(kind: ContactPointKind, value: String, field: String) throws -> String {
        switch kind {
        case .phone, .mobile: try phone(value, field: field)
        case .email: try email(value, field: field)
        }
    }
}
