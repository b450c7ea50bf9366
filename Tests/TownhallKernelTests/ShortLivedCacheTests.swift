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
