import Contact
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Testing
import TownhallKernel
import TownhallTesting
@testable import TownhallWeb

/// The team leader's dashboard: the charts are drawn from the day's real contacts and cases, and say the same as the tables.
@Suite struct DashboardTests {
    @Test func barsAreProportionalAndLabelsAreEscaped() {
        let svg = BarChart(id: "c", title: "Queues <today>", bars: [.init(label: "Street & Parks", value: 10), .init(label: "Waste", value: 5),
                                                                     .init(label: "None", value: 0)]).svg
        #expect(svg.contains("<title id=\"c-title\">Queues &lt;today&gt;</title>"))
        #expect(svg.contains(">Street &amp; Parks</text>"))
        #expect(svg.contains("Street &amp; Parks: 10; Waste: 5; None: 0"))
        let widths = svg.matches(of: /<rect x="320" y="\d+" width="(\d+)"/).map { Int($0.1)! }
        #expect(widths.count == 3)
        #expect(widths[0] == 2 * widths[1])
        #expect(widths[2] == 0)
    }

    @Test func theDashboardCountsTheDaysContactsAndOpenCases() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let agent = s.actor(s.burnleyAgent)
            let ann = try await s.person("Ann", "Clegg", by: s.burnleyAgent)
            for (channel, outcome) in [("phone", "resolved_first_contact"), ("phone", "resolved_first_contact"), ("face_to_face", "signposted"), ("web", "resolved_first_contact")] {
                _ = try await s.services.contacts.log(.init(personID: ann.id, channel: channel, reason: "Bin day", outcome: outcome), by: agent)
            }
            _ = try await s.cases.create(try CasePagesTests.flyTipping(), by: agent)

            let cookie = try #require(WebTests.cookie(try await WebTests().signIn(h), "townhall_session"))
            let page = try await h.call(.get, "/desk/dashboard", headers: [.cookie: cookie])
            #expect(page.status == .ok)
            #expect(page.text.contains("<span class=\"th-figure__value\">4</span><span class=\"th-figure__label\">contacts on"))
            #expect(page.text.contains("<span class=\"th-figure__value\">75%</span>"))
            #expect(page.text.contains("Phone: 2; Face to face: 1; Web: 1"))
            #expect(page.text.contains("On track: 1"))
            #expect(page.text.contains("role=\"img\""))

            let yesterday = LocalDate.today().adding(days: -1)
            let quiet = try await h.call(.get, "/desk/dashboard?date=\(yesterday)", headers: [.cookie: cookie])
            #expect(quiet.text.contains("<span class=\"th-figure__value\">0</span><span class=\"th-figure__label\">contacts on"))
            let bad = try await h.call(.get, "/desk/dashboard?date=yesterday", headers: [.cookie: cookie])
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("href=\"#date\""))

            let api = try await h.call(.get, "/api/v1/dashboard", key: h.burnleyCases)
            #expect(api.status == .ok)
            #expect(api.text.contains("\"first_contact_resolution_percent\":75"))
            #expect(api.text.contains("\"open_cases\":1"))
            #expect(try await h.call(.get, "/api/v1/dashboard?date=2026-13-01", key: h.burnleyCases).status == .badRequest)
        }
    }
}
