import Foundation
import TownhallKernel

/// Where the data lives, from `TOWNHALL_DATABASE_URL`:
/// `sqlite:///absolute/path.sqlite`, `sqlite://relative.sqlite`, or `postgres://user:password@host:port/database`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    public static let defaultSQLitePath = "townhall.sqlite"

    public init(url raw: String?) throws {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            self = .sqlite(path: DatabaseLocation.defaultSQLitePath); return
        }
        if raw.hasPrefix("sqlite://") {
            let path = String(raw.dropFirst("sqlite://".count))
            guard !path.isEmpty else {
                throw TownhallError.invalid("database_url", "An SQLite URL needs a file path: sqlite:///var/lib/townhall/townhall.sqlite or sqlite://townhall.sqlite.")
            }
            self = .sqlite(path: path)   // "sqlite:///abs" leaves "/abs"; "sqlite://rel" leaves "rel"
        } else if raw.hasPrefix("postgres://") || raw.hasPrefix("postgresql://") || raw.hasPrefix("postgres+tcp://") {
            self = .postgres(url: raw.hasPrefix("postgresql://") ? "postgres://" + raw.dropFirst("postgresql://".count) : raw)
        } else {
            throw TownhallError.invalid("database_url", "TOWNHALL_DATABASE_URL must start with sqlite:// or postgres://.")
        }
    }

    /// The location with any password hidden, for logs.
    public var description: String {
        switch self {
        case .sqlite(let path):
            return "sqlite://\(path)"
        case .postgres(let url):
            if var c = URLComponents(string: url), c.password != nil { c.password = "****"; return c.string ?? "postgres://…" }
            return url
        }
    }
}
