import Synchronization

/// Reference data that requests read all the time and that changes rarely (organisations, services, routing rules,
/// working calendars, message templates), kept in memory for a few seconds. This node's own changes clear it at once;
/// another node's are seen within `lifetime`, which is why it is short. A hit saves a database round trip per request.
public final class ShortLivedCache<Key: Hashable & Sendable>: Sendable {
    private struct Entry: Sendable {
        var value: any Sendable
        var expires: ContinuousClock.Instant
    }

    public let lifetime: Duration
    private let entries = Mutex<[Key: Entry]>([:])

    public init(lifetime: Duration = .seconds(5)) { self.lifetime = lifetime }

    /// The cached value, or `load`'s (then cached). Two callers missing at once both load; both results are correct.
    public func value<T: Sendable>(_ key: Key, load: () async throws -> T) async throws -> T {
        let now = ContinuousClock.now
        if let hit = entries.withLock({ $0[key] }), hit.expires > now, let value = hit.value as? T { return value }
        let value = try await load()
        guard lifetime > .zero else { return value }
        entries.withLock { $0[key] = Entry(value: value, expires: now + lifetime) }
        return value
    }

    /// After a change on this node, once it has committed (so no one caches the old value again). Changes are rare, so
    /// everything goes.
    public func clear() { entries.withLock { $0.removeAll() } }
}
