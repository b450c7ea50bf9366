import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Testing
import Cases
import TownhallKernel
import TownhallTesting

/// The staff case pages and the public track page, in process (the browser journeys are in tests/browser).
@Suite struct CasePagesTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    func session(_ h: HTTPHarness) async throws -> String {
        try #require(WebTests.cookie(try await WebTests().signIn(h), "townhall_session"))
    }

    static func flyTipping() throws -> Cases.NewCase {
        Cases.NewCase(serviceCode: "587", description: "Sofa dumped", attributes: ["waste_type": ["furniture"], "quantity": ["van"]],
                      contact: CaseContact(name: "Ann Clegg"), location: CaseLocation(address: "Back Parker Street", postcode: try Postcode("BB11 2BD")))
    }

    @Test func queueFiltersAndTheCasePageActions() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let c = try await s.cases.create(try Self.flyTipping(), by: s.actor(s.burnleyAgent))
            let light = try await s.cases.create(Cases.NewCase(serviceCode: "564", attributes: ["fault": ["out"]], location: CaseLocation(postcode: try Postcode("BB11 2BD"))),
                                                 by: s.actor(s.burnleyAgent))
            let cookie = try await session(h)
            let queue = try await h.call(.get, "/desk/cases", headers: [.cookie: cookie])
            #expect(queue.status == .ok)
            #expect(queue.text.contains(c.reference))
            #expect(queue.text.contains(light.reference))            // logged here for the county
            #expect(queue.text.contains("Lancashire County Council"))
            let filtered = try await h.call(.get, "/desk/cases?status=open&service_code=564&sla_state=&team_id=&area=", headers: [.cookie: cookie])
            #expect(!filtered.text.contains(c.reference))
            #expect(filtered.text.contains(light.reference))
            #expect(try await h.call(.get, "/desk/cases?status=nonsense", headers: [.cookie: cookie]).status == .badRequest)

            let page = try await h.call(.get, "/desk/cases/\(c.id)", headers: [.cookie: cookie])
            #expect(page.status == .ok)
            #expect(page.text.contains("What has been dumped?"))
            #expect(page.text.contains("Furniture or mattresses"))
            let token = try #require(WebTests.formToken(page.text))
            let moved = try await h.call(.post, "/desk/cases/\(c.id)/status", body: ByteBuffer(string: "csrf_token=\(token)&version=1&status=in_progress&resolution=&update=On+our+list"),
                                         headers: Self.form.merging([.cookie: cookie]))
            #expect(moved.status == .seeOther)
            // A second tab still on version 1 loses, and is told so on the page.
            let stale = try await h.call(.post, "/desk/cases/\(c.id)/status", body: ByteBuffer(string: "csrf_token=\(token)&version=1&status=resolved"),
                                         headers: Self.form.merging([.cookie: cookie]))
            #expect(stale.status == .conflict)
            #expect(stale.text.contains("Someone else changed this case"))
            #expect(stale.text.contains("<title>Error:"))
            let empty = try await h.call(.post, "/desk/cases/\(c.id)/notes", body: ByteBuffer(string: "csrf_token=\(token)&text="), headers: Self.form.merging([.cookie: cookie]))
            #expect(empty.status == .badRequest)
            #expect(empty.text.contains("href=\"#text\""))
            let forged = try await h.call(.post, "/desk/cases/\(c.id)/notes", body: ByteBuffer(string: "csrf_token=wrong&text=hi"), headers: Self.form.merging([.cookie: cookie]))
            #expect(forged.status == .forbidden)
            let noted = try await h.call(.post, "/desk/cases/\(c.id)/notes", body: ByteBuffer(string: "csrf_token=\(token)&text=Crew+booked&public=yes"),
                                         headers: Self.form.merging([.cookie: cookie]))
            #expect(noted.status == .seeOther)
            let after = try await h.call(.get, "/desk/cases/\(c.id)", headers: [.cookie: cookie])
            #expect(after.text.contains("New → In progress"))
            #expect(after.text.contains("Crew booked"))
            // The county's case: visible, not changeable here.
            let county = try await h.call(.get, "/desk/cases/\(light.id)", headers: [.cookie: cookie])
            #expect(county.text.contains("only Lancashire County Council can change it"))
            #expect(!county.text.contains("action=\"/desk/cases/\(light.id)/status\""))
        }
    }

    @Test func theTrackPageShowsProgressWithoutPersonalData() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let c = try await s.cases.create(try Self.flyTipping(), by: s.actor(s.burnleyAgent))
            _ = try await s.cases.addNote(c.id, text: "Customer sounded distressed", isPublic: false, by: s.actor(s.burnleyAgent))
            let page = try await h.call(.get, "/track?reference=\(c.reference.lowercased())")
            #expect(page.status == .ok)
            #expect(page.text.contains("Fly-tipping"))
            #expect(page.text.contains("Burnley Borough Council"))
            #expect(!page.text.contains("Ann Clegg"))
            #expect(!page.text.contains("distressed"))
            let missing = try await h.call(.get, "/track?reference=TH-26-999999")
            #expect(missing.status == .notFound)
            #expect(missing.text.contains("We cannot find a report"))
            #expect(try await h.call(.get, "/track?reference=banana").status == .badRequest)
            #expect(try await h.call(.get, "/track").status == .ok)
        }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields { var out = self; for f in other { out.append(f) }; return out }
}
