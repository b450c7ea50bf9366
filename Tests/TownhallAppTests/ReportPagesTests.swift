import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Testing
import Cases
import TownhallKernel
import TownhallTesting

/// The citizen's "report a problem" pages, in process (the browser journey is in tests/browser).
@Suite struct ReportPagesTests {
    static func token(_ html: String) -> String? {
        guard let r = html.range(of: "name=\"csrf_token\" value=\"") else { return nil }
        return String(html[r.upperBound...].prefix { $0 != "\"" })
    }

    @Test func anAnonymousCitizenReportsFlyTippingWithAPhotoAndTracksIt() async throws {
        try await HTTPHarness.run { h in
            let start = try await h.call(.get, "/report")
            #expect(start.status == .ok)
            #expect(start.text.contains("id=\"service-587\""))
            #expect(start.text.contains("Street light"))   // the county's service is offered too: the place decides who acts
            #expect(try await h.call(.get, "/report/details").headers[.location] == "/report?missing=1")
            #expect(try await h.call(.get, "/report?missing=1").status == .badRequest)

            let form = try await h.call(.get, "/report/details?service=587")
            #expect(form.status == .ok)
            #expect(form.text.contains("What has been dumped?"))
            let token = try #require(Self.token(form.text))
            let cookie = "townhall_report=\(token)"
            let before = try await h.count("case_record")

            func post(_ fields: [(String, String)], photo: [UInt8]? = nil, cookie: String? = cookie) async throws -> TestResponse {
                let (body, headers) = CasesAPITests.multipart(fields, files: photo.map { [("photo", "tip.png", "image/png", $0)] } ?? [])
                var all = headers
                if let cookie { all[.cookie] = cookie }
                return try await h.call(.post, "/report/details", body: body, headers: all)
            }
            let base = [("csrf_token", token), ("service", "587"), ("postcode", "BB11 2BD"), ("where", "Behind the Co-op on Parker Street")]
            let unanswered = try await post(base)
            #expect(unanswered.status == .badRequest)
            #expect(unanswered.text.contains("href=\"#attribute-waste_type\""))
            #expect(unanswered.text.contains("Behind the Co-op on Parker Street"))   // what was typed is kept
            let unknown = try await post([("csrf_token", token), ("service", "587"), ("postcode", "BB1 1AA"), ("attribute[waste_type]", "garden"), ("attribute[quantity]", "bag")])
            #expect(unknown.status == .badRequest)
            #expect(unknown.text.contains("We cannot find BB1 1AA"))
            _ = try await h.scenario.register.importPostcodes(csv: "pcds,dointr,doterm,oslaua,ctry,lat,long\nAB1 0AA,198001,,S12000033,S92000003,57.101474,-2.242851\n",
                                                            by: .system(h.scenario.burnley.id, "test"))
            let elsewhere = try await post([("csrf_token", token), ("service", "587"), ("postcode", "AB1 0AA"), ("attribute[waste_type]", "garden"),
                                            ("attribute[quantity]", "bag")])
            #expect(elsewhere.status == .badRequest)
            #expect(elsewhere.text.contains("href=\"#postcode\""))
            #expect(try await post(base, cookie: nil).status == .forbidden)   // no double-submit cookie
            #expect(try await h.count("case_record") == before)

            let sent = try await post(base + [("attribute[waste_type]", "furniture"), ("attribute[quantity]", "car_boot"), ("description", "A sofa and two bags"),
                                              ("email", "ann@example.com")], photo: CasesAPITests.png)
            #expect(sent.status == .seeOther)
            let done = try #require(sent.headers[.location])
            #expect(done.hasPrefix("/report/done?reference=TH-"))
            let reference = String(done.dropFirst("/report/done?reference=".count))
            let confirmation = try await h.call(.get, done)
            #expect(confirmation.text.contains(reference))
            #expect(confirmation.text.contains("Burnley Borough Council will deal with your Fly-tipping report"))

            let record = try await h.scenario.cases.record(reference: reference, by: h.scenario.actor(h.scenario.burnleyAgent))
            #expect(record.case.channel == .web)
            #expect(record.case.location.address == "Behind the Co-op on Parker Street")
            #expect(record.attachments.map(\.isPublic) == [true])
            #expect(try await h.call(.get, "/track?reference=\(reference)").text.contains("Fly-tipping"))
        }
    }
}
