import Synchronization
import Testing
import TownhallKernel

@Suite struct ShortLivedCacheTests {
    @Test func servesTheCachedValueUntilClearedOrExpired() async throws {
        let loads = Atomic<Int>(0)
        @Sendable func load() -> Int { loads.add(1, ordering: .relaxed).newValue }

        let cache = ShortLivedCache<String>(lifetime: .seconds(60))
        #expect(try await cache.value("a") { load() } == 1)
        #expect(try await cache.value("a") { load() } == 1)   // a hit: not loaded again
        #expect(try await cache.value("b") { load() } == 2)   // keys are separate
        cache.clear()
        #expect(try await cache.value("a") { load() } == 3)

        let brief = ShortLivedCache<String>(lifetime: .milliseconds(20))
        #expect(try await brief.value("a") { load() } == 4)
        try await Task.sleep(for: .milliseconds(40))
        #expect(try await brief.value("a") { load() } == 5)   // expired

        let none = ShortLivedCache<String>(lifetime: .zero)   // caching off
        #expect(try await none.value("a") { load() } == 6)
        #expect(try await none.value("a") { load() } == 7)
    }

    @Test func aFailedLoadIsNotCached() async throws {
        struct Failure: Error {}
        let cache = ShortLivedCache<String>()
        await #expect(throws: Failure.self) { try await cache.value("a") { () throws -> Int in throw Failure() } }
        #expect(try await cache.value("a") { 42 } == 42)
    }
}

@Suite struct TaggedCacheTests {
    @Test func aValueIsKeptOnlyForTheTagItWasMadeUnder() {
        let cache = TaggedCache<String, Int>(capacity: 2)
        #expect(cache.value("a", tag: "1") == nil)
        cache.keep(10, for: "a", tag: "1")
        #expect(cache.value("a", tag: "1") == 10)
        #expect(cache.value("a", tag: "2") == nil)   // the state moved on: made again
        cache.keep(20, for: "a", tag: "2")
        #expect(cache.value("a", tag: "1") == nil)
        cache.keep(30, for: "b", tag: "1")
        cache.keep(40, for: "c", tag: "1")           // past capacity: everything goes
        #expect(cache.value("a", tag: "2") == nil)
        #expect(cache.value("c", tag: "1") == 40)
    }
}
