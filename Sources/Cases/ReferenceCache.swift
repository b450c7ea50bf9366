import Synchronization
import TownhallKernel

/// Reference data that every case write reads and that changes rarely (services, routing rules, working calendars with
/// bank holidays, message templates), kept in memory for a few seconds. This node's own changes clear it at once; another
/// node's are seen within `lifetime`, which is why it is short. A hit saves a database round trip on the request path.
final class ReferenceCache: Sendable {
    enum Key: Hashable, Sendable {
        case service(OrganisationID, String)
        case rules
        case calendar(OrganisationID)
        case template(OrganisationID, NotificationTemplate.Kind)
    }

    private struct Entry: Sendable {
        var value: any Sendable
        var expires: ContinuousClock.Instant
    }

    let lifetime: Duration
    private let entries = Mutex<[Key: Entry]>([:])

    init(lifetime: Duration = .seconds(5)) { self.lifetime = lifetime }

    /// The cached value, or `load`'s (then cached). Two callers missing at once both load; both results are correct.
    func value<T: Sendable>(_ key: Key, load: () async throws -> T) async throws -> T {
        let now = ContinuousClock.now
        if let hit = entries.withLock({ $0[key] }), hit.expires > now, let value = hit.value as? T { return value }
        let value = try await load()
        guard lifetime > .zero else { return value }
        entries.withLock { $0[key] = Entry(value: value, expires: now + lifetime) }
        return value
    }

    /// After any change to reference data on this node. Changes are rare, so everything goes.
    func clear() { entries.withLock { $0.removeAll() } }
}
