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

            func post(_ fields: [(String, String)], to path: String = "/report/details", photo: [UInt8]? = nil, cookie: String? = cookie) async throws -> TestResponse {
                let (body, headers) = CasesAPITests.multipart(fields, files: photo.map { [("photo", "tip.png", "image/png", $0)] } ?? [])
                var all = headers
                if let cookie { all[.cookie] = cookie }
                return try await h.call(.post, path, body: body, headers: all)
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

            // Checked as sending would check it, but nothing is written until "Send report".
            let checked = try await post(base + [("attribute[waste_type]", "furniture"), ("attribute[quantity]", "car_boot"), ("description", "A sofa and two bags"),
                                                 ("email", "ann@example.com")])
            #expect(checked.status == .ok)
            #expect(checked.text.contains("Check your answers"))
            #expect(checked.text.contains("Furniture or mattresses"))
            #expect(checked.text.contains("Burnley Borough Council will deal with it."))
            #expect(checked.text.contains("formaction=\"/report/change#attribute-waste_type\""))
            #expect(try await h.count("case_record") == before)
            let hidden = Self.hiddenFields(checked.text)
            #expect(hidden.contains { $0 == ("email", "ann@example.com") })
            // "Change" goes back to the details with everything kept.
            let change = try await post(hidden, to: "/report/change")
            #expect(change.status == .ok && change.text.contains("value=\"Behind the Co-op on Parker Street\"") && change.text.contains("A sofa and two bags"))
            // A file that is not a photo is refused on the check page, with the answers kept and nothing written.
            let notPhoto = try await post(hidden, to: "/report/send", photo: Array("not an image".utf8))
            #expect(notPhoto.status.code >= 400 && notPhoto.status.code < 500)
            #expect(notPhoto.text.contains("href=\"#photo\"") && notPhoto.text.contains("Check your answers"))
            #expect(try await h.count("case_record") == before)
            let sent = try await post(hidden, to: "/report/send", photo: CasesAPITests.png)
            let done = try #require(sent.headers[.location])
            #expect(done.hasPrefix("/report/done?reference=TH-"))
            let reference = String(done.dropFirst("/report/done?reference=".count))
            let confirmation = try await h.call(.get, done)
            #expect(confirmation.text.contains(reference))
            #expect(confirmation.text.contains("Burnley Borough Council will deal with your Fly-tipping report"))

            let record = try await h.scenario.cases.record(reference: reference, by: h.scenario.actor(h.scenario.burnleyAgent))
            #expect(record.case.channel == .web)
            #expect(record.case.loggedByID == record.case.organisationID)   // reported online, not logged by one partner for another
            #expect(record.case.location.address == "Behind the Co-op on Parker Street")
            #expect(record.attachments.map(\.isPublic) == [true])
            #expect(try await h.call(.get, "/track?reference=\(reference)").text.contains("Fly-tipping"))
        }
    }

    @Test func aReportCanBePlacedByAMapReferenceInsteadOfAPostcode() async throws {
        try await HTTPHarness.run { h in
            let form = try await h.call(.get, "/report/details?service=587")
            let token = try #require(Self.token(form.text))
            func post(_ fields: [(String, String)], to path: String = "/report/details") async throws -> TestResponse {
                let (body, headers) = CasesAPITests.multipart([("csrf_token", token), ("service", "587"), ("attribute[waste_type]", "household"),
                                                               ("attribute[quantity]", "bag")] + fields, files: [])
                return try await h.call(.post, path, body: body, headers: headers.merging([.cookie: "townhall_report=\(token)"]))
            }
            let nothing = try await post([])
            #expect(nothing.status == .badRequest && nothing.text.contains("or give a map reference"))
            let badLatitude = try await post([("lat", "north"), ("long", "-2.2483")])
            #expect(badLatitude.status == .badRequest && badLatitude.text.contains("href=\"#lat\"") && badLatitude.text.contains(" open>"))
            let abroad = try await post([("lat", "48.85"), ("long", "2.35")])
            #expect(abroad.status == .badRequest && abroad.text.contains("href=\"#lat\""))
            // Near BB11 2BD: the nearest postcode places it in Burnley.
            let checked = try await post([("lat", "53.7869"), ("long", "-2.2480"), ("where", "By the canal bridge")])
            #expect(checked.status == .ok && checked.text.contains("map reference 53.7869, -2.2480"))
            let sent = try await post(Self.hiddenFields(checked.text).filter { !["csrf_token", "service", "attribute[waste_type]", "attribute[quantity]"].contains($0.0) },
                                      to: "/report/send")
            #expect(sent.status == .seeOther)
            let reference = String(try #require(sent.headers[.location]).dropFirst("/report/done?reference=".count))
            let record = try await h.scenario.cases.record(reference: reference, by: h.scenario.actor(h.scenario.burnleyAgent))
            #expect(record.case.organisationID == h.scenario.burnley.id)
            #expect(record.case.location.latitude == 53.7869 && record.case.location.address == "By the canal bridge")
        }
    }

    /// The hidden inputs of a page, in order (values unescaped as a browser would).
    static func hiddenFields(_ html: String) -> [(String, String)] {
        html.matches(of: /<input type="hidden" name="([^"]+)" value="([^"]*)">/).map { m in
            (String(m.1), String(m.2).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&"))
        }
    }
}
