import Synchronization

/// Values kept while the state they came from holds: each entry carries the tag of that state (read from the database,
/// so a change on any node shows at once), and a lookup with another tag misses. For reference data rendered or decoded
/// once per change (service catalogues and their bodies). Unlike `ShortLivedCache`, nothing is ever served stale.
public final class TaggedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry: Sendable { var tag: String; var value: Value }
    private let entries = Mutex<[Key: Entry]>([:])
    /// Past this many keys everything goes and is made again: plenty for every organisation's catalogue in every form.
    public let capacity: Int

    public init(capacity: Int = 4096) { self.capacity = capacity }

    /// The value kept for `key` if it was made under `tag`.
    public func value(_ key: Key, tag: String) -> Value? {
        entries.withLock { $0[key] }.flatMap { $0.tag == tag ? $0.value : nil }
    }

    public func keep(_ value: Value, for key: Key, tag: String) {
        entries.withLock {
            if $0.count >= capacity && $0[key] == nil { $0.removeAll() }
            $0[key] = Entry(tag: tag, value: value)
        }
    }
}
