import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Testing
import Cases
import Register
import TownhallKernel
import TownhallTesting

/// The agent's single view: cases across the partnership (shared or "held by X — ask"), the contact log and its form,
/// and the contact API.
@Suite struct SingleViewTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test func theSingleViewShowsSharedCasesAndLogsAContactResolvedFirstTime() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let ann = try await s.register.createPerson(PersonInput(givenName: "Ann", familyName: "Clegg"), by: s.actor(s.burnleyAgent)).person
            var report = try CasePagesTests.flyTipping()
            report.requesterID = ann.id
            let own = try await s.cases.create(report, by: s.actor(s.burnleyAgent))
            // The police hold an ASB case for her and share nothing with Burnley.
            let asb = try await s.cases.create(Cases.NewCase(serviceCode: "asb", attributes: ["ongoing": ["recent"]], requesterID: ann.id,
                                                             location: CaseLocation(postcode: try Postcode("BB11 2BD"))), by: s.actor(s.policeAgent))

            let cookie = try #require(WebTests.cookie(try await WebTests().signIn(h), "townhall_session"))
            let page = try await h.call(.get, "/desk/people/\(ann.id)", headers: [.cookie: cookie])
            #expect(page.status == .ok)
            #expect(page.text.contains(own.reference))
            #expect(!page.text.contains(asb.reference))
            #expect(page.text.contains("A case not shared with your organisation: ask Lancashire Constabulary."))
            #expect(page.text.contains("No contacts recorded."))

            let token = try #require(WebTests.formToken(page.text))
            let before = try await h.count("contact_log")
            let missing = try await h.call(.post, "/desk/people/\(ann.id)/contacts", body: ByteBuffer(string: "csrf_token=\(token)&channel=phone&reason=&outcome=signposted"),
                                           headers: Self.form.merging([.cookie: cookie]))
            #expect(missing.status == .badRequest)
            #expect(missing.text.contains("href=\"#reason\""))
            #expect(missing.text.contains("Say what the contact was about."))
            let noPartner = try await h.call(.post, "/desk/people/\(ann.id)/contacts",
                                             body: ByteBuffer(string: "csrf_token=\(token)&channel=phone&reason=Noisy+neighbours&outcome=transferred_to_partner&partner="),
                                             headers: Self.form.merging([.cookie: cookie]))
            #expect(noPartner.status == .badRequest)
            #expect(noPartner.text.contains("Choose the partner"))
            #expect(noPartner.text.contains("value=\"Noisy neighbours\""))   // what was typed is kept
            #expect(try await h.count("contact_log") == before)

            let logged = try await h.call(.post, "/desk/people/\(ann.id)/contacts",
                                          body: ByteBuffer(string: "csrf_token=\(token)&channel=phone&reason=When+is+my+bin+day%3F&service_code=&outcome=resolved_first_contact&minutes=3.5&notes="),
                                          headers: Self.form.merging([.cookie: cookie]))
            #expect(logged.status == .seeOther)
            #expect(logged.headers[.location] == "/desk/people/\(ann.id)?logged=1#contacts")
            let after = try await h.call(.get, "/desk/people/\(ann.id)?logged=1", headers: [.cookie: cookie])
            #expect(after.text.contains("Contact recorded"))
            #expect(after.text.contains("When is my bin day?"))
            #expect(after.text.contains("Resolved at first point of contact"))
            #expect(after.text.contains("4 min"))

            // The same log over the API, with the day's figures.
            let api = try await h.call(.post, "/api/v1/contacts", key: h.burnleyCases,
                                       json: #"{"person_id": "\#(ann.id)", "channel": "face_to_face", "reason": "Report fly-tipping", "outcome": "case_created", "case_id": "\#(own.id)", "minutes": 6}"#)
            #expect(api.status == .created)
            #expect(api.json["duration_seconds"] as? Int == 360)
            let list = try await h.call(.get, "/api/v1/contacts?person_id=\(ann.id)", key: h.burnleyCases)
            #expect((list.json["items"] as? [[String: Any]])?.map { $0["outcome"] as? String } == ["case_created", "resolved_first_contact"])
            let summary = try await h.call(.get, "/api/v1/contacts/summary", key: h.burnleyCases)
            #expect(summary.json["total"] as? Int == 2)
            #expect(summary.json["first_contact_resolution_percent"] as? Int == 50)
            #expect((summary.json["by_channel"] as? [String: Int])?["phone"] == 1)
            let bad = try await h.call(.post, "/api/v1/contacts", key: h.burnleyCases, json: #"{"person_id": "\#(ann.id)", "channel": "pigeon", "reason": "x", "outcome": "signposted"}"#)
            #expect(bad.status == .badRequest)
            #expect((bad.json["error"] as? [String: Any])?["field"] as? String == "channel")
            let long = try await h.call(.post, "/api/v1/contacts", key: h.burnleyCases, json: #"{"person_id": "\#(ann.id)", "channel": "phone", "reason": "x", "outcome": "signposted", "minutes": 300}"#)
            #expect((long.json["error"] as? [String: Any])?["field"] as? String == "duration")
            #expect(try await h.count("contact_log") == before + 2)
        }
    }

    @Test func thePropertyViewListsCasesAtAndNearTheAddress() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let home = try await s.property(100_012_536_898, "1", "Grimshaw Street", postcode: "BB11 2BD", in: s.burnleyAgent)
            let light = try await s.cases.create(Cases.NewCase(serviceCode: "587", attributes: ["waste_type": ["garden"], "quantity": ["bag"]],
                                                               location: CaseLocation(uprn: home.uprn)), by: s.actor(s.burnleyAgent))
            let nearby = try await s.cases.create(try CasePagesTests.flyTipping(), by: s.actor(s.burnleyAgent))   // same postcode, no UPRN
            _ = try await s.cases.create(Cases.NewCase(serviceCode: "asb", attributes: ["ongoing": ["recent"]], location: CaseLocation(postcode: try Postcode("BB11 2BD"))),
                                         by: s.actor(s.policeAgent))
            let other = try await s.cases.create(Cases.NewCase(serviceCode: "584", attributes: ["offensive": ["no"]], location: CaseLocation(postcode: try Postcode("BB9 7PU"))),
                                                 by: s.actor(s.pendleAgent))

            let cookie = try #require(WebTests.cookie(try await WebTests().signIn(h), "townhall_session"))
            let page = try await h.call(.get, "/desk/properties/\(home.id)", headers: [.cookie: cookie])
            #expect(page.status == .ok)
            let at = try #require(page.text.range(of: light.reference)), near = try #require(page.text.range(of: nearby.reference))
            #expect(at.lowerBound < near.lowerBound)   // the address's own cases first
            #expect(page.text.contains("Nearby: Back Parker Street, BB11 2BD"))
            #expect(page.text.contains("A case not shared with your organisation: ask Lancashire Constabulary."))
            #expect(!page.text.contains(other.reference))   // another postcode
        }
    }

    @Test func suggestionsFindPeoplePlacesAndCasesAndAReferenceOpensTheCase() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            try await s.property(100_012_536_898, "1", "Grimshaw Street", postcode: "BB11 2BD", in: s.burnleyAgent)
            let ann = try await s.person("Ann", "Clegg", uprn: 100_012_536_898, by: s.burnleyAgent)
            _ = try await s.person("Joan", "Pendleton", by: s.pendleAgent)   // another council's: never suggested to Burnley
            let c = try await s.cases.create(try CasePagesTests.flyTipping(), by: s.actor(s.burnleyAgent))
            let cookie = try #require(WebTests.cookie(try await WebTests().signIn(h), "townhall_session"))

            let people = try await h.call(.get, "/desk/suggest?q=Clegg", headers: [.cookie: cookie])
            #expect(people.status == .ok)
            #expect(people.text.contains("people\\/\(ann.id)"))   // JSON escapes the slashes
            #expect(people.text.contains("Ann Clegg, 1 Grimshaw Street"))
            #expect(!(try await h.call(.get, "/desk/suggest?q=Pendleton", headers: [.cookie: cookie])).text.contains("Joan"))
            #expect(try await h.call(.get, "/desk/suggest?q=c", headers: [.cookie: cookie]).text == "{\"items\":[]}")
            let byReference = try await h.call(.get, "/desk/suggest?q=\(c.reference.lowercased())", headers: [.cookie: cookie])
            #expect(byReference.text.contains("cases\\/\(c.id)"))
            // The search box takes any reference: a case reference opens the case.
            let opened = try await h.call(.get, "/desk?q=\(c.reference)", headers: [.cookie: cookie])
            #expect(opened.status == .seeOther)
            #expect(opened.headers[.location] == "/desk/cases/\(c.id)")
            #expect(try await h.call(.get, "/desk/suggest?q=Clegg").status == .seeOther)   // signed-in staff only
        }
    }
}
