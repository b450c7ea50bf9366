import Foundation

/// A keyset pagination cursor: the sort key of the last row a page returned, opaque to clients (base64url JSON).
/// Keyset, not offset, so a page costs the same however deep it is and rows added meanwhile are not skipped.
public struct Cursor: Sendable, Equatable, Codable {
    public var key: [String]

    public init(key: [String]) { self.key = key }

    public var token: String {
        let data = (try? JSONEncoder().encode(key)) ?? Data()
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public init(token: String, field: String = "cursor") throws {
        var b64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard token.count <= 2048, let data = Data(base64Encoded: b64), let key = try? JSONDecoder().decode([String].self, from: data), !key.isEmpty else {
            throw TownhallError.invalid(field, "The cursor is not one this server gave out. Start again from the first page.", code: "invalid_cursor")
        }
        self.key = key
    }
}

/// One page of a list and the cursor for the next (nil on the last page).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: Cursor?
    public init(items: [Item], next: Cursor?) { self.items = items; self.next = next }
}

/// A validated page size: 1...200, 50 when not given.
public struct PageSize: Sendable, Equatable {
    public static let maximum = 200
    public let value: Int
    public init(_ raw: String?, field: String = "limit") throws {
        guard let raw, !raw.isEmpty else { value = 50; return }
        guard let n = Int(raw), (1...PageSize.maximum).contains(n) else {
            throw TownhallError.invalid(field, "\(field) must be a whole number from 1 to \(PageSize.maximum).", code: "invalid_limit")
        }
        value = n
    }
    public init(value: Int) { self.value = min(max(1, value), PageSize.maximum) }
}
