import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Testing
import Cases
import TownhallKernel
import TownhallTesting

/// Service catalogues are rendered once per change and served with an ETag (issue 29): a matching `If-None-Match` is a
/// 304 with no body, a change to the catalogue changes the tag and the body at once, and one organisation's kept body
/// is never another's.
@Suite struct ConditionalBodiesTests {
    @Test func catalogueBodiesCarryATagThatFollowsEveryChange() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            for path in ["/api/v1/services", "/open311/v2/services.json?jurisdiction_id=burnley", "/open311/v2/services.xml?jurisdiction_id=burnley",
                         "/open311/v2/services/587.json?jurisdiction_id=burnley", "/open311/v2/services/584.xml?jurisdiction_id=burnley"] {
                let key = path.hasPrefix("/api") ? h.burnleyCases : nil
                let first = try await h.call(.get, path, key: key)
                #expect(first.status == .ok, "\(path)")
                let tag = try #require(first.headers[.eTag], "\(path)")
                #expect(first.headers[.cacheControl] == "private, no-cache")
                let again = try await h.call(.get, path, key: key)
                #expect(again.headers[.eTag] == tag)
                #expect(again.text == first.text)

                let unchanged = try await h.call(.get, path, key: key, headers: [.ifNoneMatch: tag])
                #expect(unchanged.status == .notModified, "\(path)")
                #expect(unchanged.body.readableBytes == 0)
                #expect(try await h.call(.get, path, key: key, headers: [.ifNoneMatch: "W/\(tag), \"other\""]).status == .notModified)
                #expect(try await h.call(.get, path, key: key, headers: [.ifNoneMatch: "\"other\""]).status == .ok)
            }

            // A change (here a renamed service) shows at once, under a new tag.
            let before = try await h.call(.get, "/open311/v2/services.json?jurisdiction_id=burnley")
            let admin = s.actor(s.burnleyAdmin)
            var graffiti = try await s.cases.service(code: "584", organisation: s.burnley.id)
            graffiti.name = "Graffiti and fly-posting"
            _ = try await s.cases.saveService(graffiti, expectedVersion: graffiti.version, by: admin)
            let after = try await h.call(.get, "/open311/v2/services.json?jurisdiction_id=burnley", headers: [.ifNoneMatch: before.headers[.eTag] ?? ""])
            #expect(after.status == .ok)
            #expect(after.headers[.eTag] != before.headers[.eTag])
            #expect(after.text.contains("Graffiti and fly-posting"))
            let api = try await h.call(.get, "/api/v1/services", key: h.burnleyCases)
            #expect(api.text.contains("Graffiti and fly-posting"))
            // A service's form follows its changes too, and one that is switched off is gone at once.
            let form = try await h.call(.get, "/open311/v2/services/584.json?jurisdiction_id=burnley")
            graffiti = try await s.cases.service(code: "584", organisation: s.burnley.id)
            graffiti.attributes[0].description = "Is it offensive, racist or obscene?"
            _ = try await s.cases.saveService(graffiti, expectedVersion: graffiti.version, by: admin)
            let changed = try await h.call(.get, "/open311/v2/services/584.json?jurisdiction_id=burnley")
            #expect(changed.headers[.eTag] != form.headers[.eTag])
            #expect(changed.text.contains("racist or obscene"))
            graffiti = try await s.cases.service(code: "584", organisation: s.burnley.id)
            graffiti.active = false
            _ = try await s.cases.saveService(graffiti, expectedVersion: graffiti.version, by: admin)
            let gone = try await h.call(.get, "/open311/v2/services/584.json?jurisdiction_id=burnley")
            #expect(gone.status == .notFound)
            #expect(gone.headers[.eTag] == nil)

            // Each organisation's list is its own.
            let pendle = try await h.call(.get, "/open311/v2/services.json?jurisdiction_id=pendle")
            #expect(pendle.status == .ok)
            #expect(!pendle.text.contains("Graffiti and fly-posting"))
            #expect(pendle.headers[.eTag] != nil)
        }
    }
}
