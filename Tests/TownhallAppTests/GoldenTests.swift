import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Testing
import Cases
import Register
import TownhallKernel
import TownhallTesting

/// Golden outputs: a few pages and bodies, byte for byte, recorded before the read path changed how they render (issue 29).
/// What differs from run to run (identifiers, times, tokens) is replaced by a placeholder before comparing; everything else
/// must match the file in `Golden/`. After a deliberate change of output, record again with `TOWNHALL_RECORD_GOLDEN=1`
/// and read the diff.
@Suite struct GoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// Replaces what changes between runs, in a fixed order.
    static func normalised(_ text: String) -> String {
        let rules: [(String, String)] = [
            ("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "{uuid}"),
            ("name=\"csrf_token\" value=\"[^\"]*\"", "name=\"csrf_token\" value=\"{token}\""),
            ("cursor=[A-Za-z0-9_%=-]+", "cursor={cursor}"),
            ("\"next_cursor\":\"[^\"]*\"", "\"next_cursor\":\"{cursor}\""),
            ("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)", "{timestamp}"),
            ("[0-9]{4}-[0-9]{2}-[0-9]{2}", "{date}"),
            ("[0-9]{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* [0-9]{4}(, [0-9]{2}:[0-9]{2})?", "{time}"),
            ("(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day", "{weekday}"),
            ("[0-9]{2}:[0-9]{2}", "{clock}"),
            ("\"(created_at|updated_at|due_at|warning_at|requested_datetime|updated_datetime|expected_datetime)\":[0-9.]+", "\"$1\":{seconds}"),
            ("(BUR|LAN|PEN|POL)-[0-9]{2,4}-[0-9A-Z]+", "{reference}"),
        ]
        var out = text
        for (pattern, replacement) in rules {
            out = out.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return out
    }

    static func check(_ name: String, _ response: TestResponse, status: HTTPResponse.Status = .ok,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == status, "\(name)", sourceLocation: sourceLocation)
        let actual = normalised(response.text)
        let file = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["TOWNHALL_RECORD_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try #require(try? String(contentsOf: file, encoding: .utf8), "no golden file \(name)", sourceLocation: sourceLocation)
        if actual != expected {
            // Name the first line that differs, so a failure reads as a diff rather than two 20 KB strings.
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
            let got = line < a.count ? String(a[line]) : "<end>"
            let want = line < e.count ? String(e[line]) : "<end>"
            Issue.record("\(name) differs at line \(line + 1):\n  got:  \(got)\n  want: \(want)", sourceLocation: sourceLocation)
        }
    }

    @Test func pagesAndBodiesRenderAsRecorded() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let agent = s.actor(s.burnleyAgent)
            let ann = try await s.register.createPerson(PersonInput(givenName: "Ann", familyName: "O'Clegg"), by: agent).person
            var report = try CasePagesTests.flyTipping()
            report.requesterID = ann.id
            report.description = "Sofa & two \"chairs\" dumped <behind> the shop's back door"
            // A report placed by coordinates, with a link in its text (numbers and "/" in JSON and XML).
            _ = try await s.cases.create(Cases.NewCase(serviceCode: "584", description: "Tag on the bridge, see https://example.org/p/1?a=b&c=d",
                                                       attributes: ["offensive": ["no"]],
                                                       location: CaseLocation(latitude: 53.78905, longitude: -2.24019, postcode: try Postcode("BB11 2BD"))),
                                         by: agent)
            try await Task.sleep(for: .milliseconds(20))   // newest first: the two are never created in the same instant
            let c = try await s.cases.create(report, by: agent)
            _ = try await s.cases.addNote(c.id, text: "Crew booked for Tuesday & Wednesday", isPublic: true, by: agent)
            let cookie = try #require(WebTests.cookie(try await WebTests().signIn(h), "townhall_session"))
            let desk: HTTPFields = [.cookie: cookie]

            try Self.check("desk-home.html", try await h.call(.get, "/desk", headers: desk))
            try Self.check("case-queue.html", try await h.call(.get, "/desk/cases", headers: desk))
            try Self.check("case.html", try await h.call(.get, "/desk/cases/\(c.id)", headers: desk))
            try Self.check("dashboard.html", try await h.call(.get, "/desk/dashboard", headers: desk))
            try Self.check("person.html", try await h.call(.get, "/desk/people/\(ann.id)", headers: desk))
            try Self.check("track.html", try await h.call(.get, "/track?reference=\(c.reference)"))
            try Self.check("track-unknown.html", try await h.call(.get, "/track?reference=NOPE-1"), status: .badRequest)
            try Self.check("landing.html", try await h.call(.get, "/"))
            try Self.check("report-start.html", try await h.call(.get, "/report"))

            try Self.check("api-me.json", try await h.call(.get, "/api/v1/me", key: h.burnleyCases))
            try Self.check("api-cases.json", try await h.call(.get, "/api/v1/cases?limit=20", key: h.burnleyCases))
            try Self.check("api-case.json", try await h.call(.get, "/api/v1/cases/\(c.id)", key: h.burnleyCases))
            try Self.check("api-services.json", try await h.call(.get, "/api/v1/services", key: h.burnleyCases))
            try Self.check("api-people.json", try await h.call(.get, "/api/v1/people?q=ann", key: h.burnleyCases))
            try Self.check("api-error.json", try await h.call(.get, "/api/v1/cases?limit=900", key: h.burnleyCases), status: .badRequest)
            try Self.check("open311-services.json", try await h.call(.get, "/open311/v2/services.json?jurisdiction_id=burnley"))
            try Self.check("open311-services.xml", try await h.call(.get, "/open311/v2/services.xml?jurisdiction_id=burnley"))
            try Self.check("open311-service.json", try await h.call(.get, "/open311/v2/services/587.json?jurisdiction_id=burnley"))
            try Self.check("open311-requests.json", try await h.call(.get, "/open311/v2/requests.json?jurisdiction_id=burnley"))
            try Self.check("open311-requests.xml", try await h.call(.get, "/open311/v2/requests.xml?jurisdiction_id=burnley"))
            try Self.check("open311-error.json", try await h.call(.get, "/open311/v2/requests.json?jurisdiction_id=nowhere"), status: .notFound)
        }
    }
}
