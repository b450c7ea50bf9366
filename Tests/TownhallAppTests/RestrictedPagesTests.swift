import Access
import Contact
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Testing
import TownhallKernel
import TownhallTesting

/// Restricted information on the desk and over the API: the panel through the single view's extension point, the purpose
/// form, the audited read, raising a flag, and refusals that change nothing.
@Suite struct RestrictedPagesTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    func restrictedReads(_ h: HTTPHarness) async throws -> Int {
        try await h.scenario.database.read {
            try await $0.raw("SELECT COUNT(*) AS n FROM audit_event WHERE action = 'restricted_read'").first()!.decode(column: "n", as: Int.self)
        }
    }

    @Test func anAgentSeesOnlyTheDisclosedMarkerAndAnOfficerReadsBothForAPurpose() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let officer = try await s.access.createStaff(NewStaff(username: "b.safeguarding", displayName: "Designated Officer", email: "dso@example.org",
                                                                  password: Scenario.password, roles: [.safeguardingOfficer]), organisation: s.burnley.id, by: nil)
            let child = try await s.person("Kai", "Hartley", born: "2015-03-02", by: s.burnleyAgent)
            _ = try await s.services.restrictions.raise(.init(kind: "child_protection_plan", details: "Social worker: J. Ahmed"), person: child.id, by: s.access.actor(for: officer, channel: .web))
            _ = try await s.services.restrictions.raise(.init(kind: "violent_marker", details: "Threatened an officer, 2025"), person: child.id, by: s.access.actor(for: officer, channel: .web))

            // The agent: the marker's existence and what to do, nothing else, and no way in.
            let agent = try #require(WebTests.cookie(try await WebTests().signIn(h), "townhall_session"))
            let agentPage = try await h.call(.get, "/desk/people/\(child.id)", headers: [.cookie: agent])
            #expect(agentPage.text.contains("Violent or aggressive behaviour marker"))
            #expect(agentPage.text.contains("Do not arrange a home visit"))
            #expect(!agentPage.text.contains("Child-protection plan"))
            #expect(!agentPage.text.contains("Threatened an officer"))
            #expect(!agentPage.text.contains("/restricted\""))
            #expect(try await h.call(.get, "/desk/people/\(child.id)/restricted", headers: [.cookie: agent]).status == .forbidden)

            // The officer: both flags listed as readable, then the purpose form.
            let session = try #require(WebTests.cookie(try await WebTests().signIn(h, username: "b.safeguarding"), "townhall_session"))
            let page = try await h.call(.get, "/desk/people/\(child.id)", headers: [.cookie: session])
            #expect(page.text.contains("Child-protection plan"))
            #expect(page.text.contains("href=\"/desk/people/\(child.id)/restricted\""))
            #expect(!page.text.contains("Social worker"))
            let purposeForm = try await h.call(.get, "/desk/people/\(child.id)/restricted", headers: [.cookie: session])
            #expect(purposeForm.status == .ok)
            let token = try #require(WebTests.formToken(purposeForm.text))

            // No purpose: the form again with the error, and nothing read or recorded.
            let noPurpose = try await h.call(.post, "/desk/people/\(child.id)/restricted", body: ByteBuffer(string: "csrf_token=\(token)&explanation=Visit"),
                                             headers: Self.form.merging([.cookie: session]))
            #expect(noPurpose.status == .badRequest)
            #expect(noPurpose.text.contains("href=\"#purpose\""))
            #expect(!noPurpose.text.contains("Social worker"))
            #expect(try await restrictedReads(h) == 0)

            let read = try await h.call(.post, "/desk/people/\(child.id)/restricted",
                                        body: ByteBuffer(string: "csrf_token=\(token)&purpose=home_visit&explanation=Repairs+visit+on+Tuesday"),
                                        headers: Self.form.merging([.cookie: session]))
            #expect(read.status == .ok)
            #expect(read.headers[.cacheControl] == "no-store")
            #expect(read.text.contains("Social worker: J. Ahmed"))
            #expect(read.text.contains("Threatened an officer, 2025"))
            #expect(try await restrictedReads(h) == 2)

            // Raising a flag from the page: refused without details (nothing written), then added.
            let missing = try await h.call(.post, "/desk/people/\(child.id)/restricted/new", body: ByteBuffer(string: "csrf_token=\(token)&kind=vulnerable_adult&details="),
                                           headers: Self.form.merging([.cookie: session]))
            #expect(missing.status == .badRequest)
            #expect(missing.text.contains("href=\"#details\""))
            #expect(try await h.count("restricted_flag") == 2)
            let added = try await h.call(.post, "/desk/people/\(child.id)/restricted/new",
                                         body: ByteBuffer(string: "csrf_token=\(token)&kind=vulnerable_adult&disclosure=hidden&details=Lives+alone%3B+memory+loss&review_on=2099-01-31"),
                                         headers: Self.form.merging([.cookie: session]))
            #expect(added.status == .seeOther)
            #expect(try await h.count("restricted_flag") == 3)
            // Hidden by choice: the agent still sees only the marker.
            let again = try await h.call(.get, "/desk/people/\(child.id)", headers: [.cookie: agent])
            #expect(!again.text.contains("Vulnerable adult"))
        }
    }

    @Test func theAPIListsNoticesAndReadsOnlyWithPermissionAndAPurpose() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let officer = try await s.access.createStaff(NewStaff(username: "b.safeguarding", displayName: "Designated Officer", email: "dso@example.org",
                                                                  password: Scenario.password, roles: [.safeguardingOfficer]), organisation: s.burnley.id, by: nil)
            let person = try await s.person("Kai", "Hartley", by: s.burnleyAgent)
            let flag = try await s.services.restrictions.raise(.init(kind: "violent_marker", details: "Knife, 2025"), person: person.id, by: s.access.actor(for: officer, channel: .web))

            let listed = try await h.call(.get, "/api/v1/people/\(person.id)/restrictions", key: h.burnleyReader)
            #expect(listed.status == .ok)
            #expect(listed.text.contains("\"kind\":\"violent_marker\""))
            #expect(listed.text.contains("\"readable\":false"))
            #expect(!listed.text.contains("Knife"))
            #expect(!listed.text.contains(flag.id.string))

            // API keys never carry safeguarding.read.
            let byKey = try await h.call(.post, "/api/v1/people/\(person.id)/restrictions/read", key: h.burnleyWriter,
                                         json: #"{"purpose":"home_visit","explanation":"Repairs visit"}"#)
            #expect(byKey.status == .forbidden)

            let signedIn = try await WebTests().signIn(h, username: "b.safeguarding")
            let session = try #require(WebTests.cookie(signedIn, "townhall_session"))
            let token = try #require(WebTests.formToken(try await h.call(.get, "/desk", headers: [.cookie: session]).text))
            let headers: HTTPFields = [.cookie: session, HTTPField.Name("X-CSRF-Token")!: token]
            let noPurpose = try await h.call(.post, "/api/v1/people/\(person.id)/restrictions/read", json: #"{"explanation":"Repairs visit"}"#, headers: headers)
            #expect(noPurpose.status == .badRequest)
            #expect(noPurpose.text.contains("\"field\":\"purpose\""))
            let unknownField = try await h.call(.post, "/api/v1/people/\(person.id)/restrictions/read", json: #"{"purpose":"home_visit","explanation":"Repairs visit","why":"x"}"#, headers: headers)
            #expect(unknownField.status == .badRequest)
            #expect(try await restrictedReads(h) == 0)
            let read = try await h.call(.post, "/api/v1/people/\(person.id)/restrictions/read", json: #"{"purpose":"home_visit","explanation":"Repairs visit"}"#, headers: headers)
            #expect(read.status == .ok)
            #expect(read.text.contains("Knife, 2025"))
            #expect(try await restrictedReads(h) == 1)

            let badKind = try await h.call(.post, "/api/v1/people/\(person.id)/restrictions", json: #"{"kind":"nosy","details":"x"}"#, headers: headers)
            #expect(badKind.status == .badRequest)
            #expect(badKind.text.contains("\"field\":\"kind\""))
            let raised = try await h.call(.post, "/api/v1/people/\(person.id)/restrictions", json: #"{"kind":"vulnerable_adult","details":"Lives alone"}"#, headers: headers)
            #expect(raised.status == .created)
            let ended = try await h.call(.post, "/api/v1/restrictions/\(flag.id)/end", json: #"{"reason":"Reviewed"}"#, headers: headers)
            #expect(ended.status == .ok)
            #expect(ended.text.contains("\"ended_reason\":\"Reviewed\""))
            let endAgain = try await h.call(.post, "/api/v1/restrictions/\(flag.id)/end", json: #"{"reason":"Reviewed"}"#, headers: headers)
            #expect(endAgain.status == .conflict)
        }
    }
}
