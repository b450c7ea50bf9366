import Contact
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Testing
import TownhallKernel
import TownhallTesting

/// Triage and raising a case from the single view, over the real router: one question a page, the outcome recorded as a
/// contact (with a case for referrals), and refusals that change nothing.
@Suite struct FirstContactPagesTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test func anAgentRunsTheSocialCareTriageToAnEquipmentAssessment() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let flow = try await s.services.triage.save(serviceCode: "209", name: StandardTriage.name, start: "danger", nodes: StandardTriage.nodes,
                                                        by: .system(s.lancashire.id, "test"))
            try await s.property(100_012_536_898, "1", "Grimshaw Street", postcode: "BB11 2BD", in: s.burnleyAgent)
            let mary = try await s.person("Mary", "Ashworth", born: "1941-02-11", uprn: 100_012_536_898, by: s.burnleyAgent)
            let cookie = try #require(WebTests.cookie(try await WebTests().signIn(h), "townhall_session"))
            let page = try await h.call(.get, "/desk/people/\(mary.id)", headers: [.cookie: cookie])
            #expect(page.text.contains("href=\"/desk/people/\(mary.id)/triage/\(flow.id)\""))
            #expect(page.text.contains("Raise a case for Mary Ashworth"))

            let base = "/desk/people/\(mary.id)/triage/\(flow.id)"
            let first = try await h.call(.get, base, headers: [.cookie: cookie])
            #expect(first.text.contains("Is the person in immediate danger?"))
            let started = try #require(first.text.firstMatch(of: /name="started" value="([^"]+)"/)?.1)
            let noChoice = try await h.call(.get, "\(base)?answers=&started=\(started)&next=1", headers: [.cookie: cookie])
            #expect(noChoice.status == .badRequest)
            #expect(noChoice.text.contains("Choose an answer."))
            let moved = try await h.call(.get, "\(base)?answers=&started=\(started)&next=1&choice=1", headers: [.cookie: cookie])
            #expect(moved.status == .seeOther)
            #expect(moved.headers[.location] == "\(base)?answers=1&started=\(started)")
            // An edited path that does not fit the flow starts again rather than failing.
            #expect(try await h.call(.get, "\(base)?answers=9.9", headers: [.cookie: cookie]).headers[.location] == base)

            let outcome = try await h.call(.get, "\(base)?answers=1.1.1.0&started=\(started)", headers: [.cookie: cookie])
            #expect(outcome.text.contains("Simple equipment assessment booked (within 48 hours)"))
            #expect(outcome.text.contains("What to say:"))
            #expect(outcome.text.contains("Change<span class=\"th-visually-hidden\"> the answer to: Is the person in immediate danger?"))
            let token = try #require(WebTests.formToken(outcome.text))
            let unfinished = try await h.call(.post, base, body: ByteBuffer(string: "csrf_token=\(token)&answers=1.1&started=\(started)&channel=phone"),
                                              headers: Self.form.merging([.cookie: cookie]))
            #expect(unfinished.status == .badRequest)
            #expect(try await h.count("case_record") == 0)
            let done = try await h.call(.post, base, body: ByteBuffer(string: "csrf_token=\(token)&answers=1.1.1.0&started=\(started)&channel=phone&notes=Daughter+present"),
                                        headers: Self.form.merging([.cookie: cookie]))
            #expect(done.status == .seeOther)
            let location = try #require(done.headers[.location])
            #expect(location.hasPrefix("/desk/people/\(mary.id)?raised=TH-"))
            let after = try await h.call(.get, location, headers: [.cookie: cookie])
            #expect(after.text.contains("created"))
            #expect(after.text.contains("Lancashire County Council"))
            #expect(after.text.contains("Triage: Adult social care: first contact"))
            #expect(try await h.count("triage_run") == 1)
        }
    }

    @Test func anAgentRaisesACaseFromTheContactWithTheAddressFilledIn() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            try await s.property(100_012_536_898, "1", "Grimshaw Street", postcode: "BB11 2BD", in: s.burnleyAgent)
            let ann = try await s.person("Ann", "Clegg", uprn: 100_012_536_898, by: s.burnleyAgent)
            let cookie = try #require(WebTests.cookie(try await WebTests().signIn(h), "townhall_session"))
            let choose = try await h.call(.get, "/desk/people/\(ann.id)/cases/new", headers: [.cookie: cookie])
            #expect(choose.text.contains("<option value=\"587\""))
            let details = try await h.call(.get, "/desk/people/\(ann.id)/cases/new?service=587", headers: [.cookie: cookie])
            #expect(details.text.contains("At their home: 1 Grimshaw Street"))
            #expect(details.text.contains("What has been dumped?"))
            let token = try #require(WebTests.formToken(details.text))

            let missing = try await h.call(.post, "/desk/people/\(ann.id)/cases/new",
                                           body: ByteBuffer(string: "csrf_token=\(token)&service=587&place=home&attribute%5Bquantity%5D=bag&channel=phone"),
                                           headers: Self.form.merging([.cookie: cookie]))
            #expect(missing.status == .badRequest)
            #expect(missing.text.contains("href=\"#attribute-waste_type\""))
            #expect(missing.text.contains("value=\"bag\" checked"))
            #expect(try await h.count("case_record") == 0)
            #expect(try await h.count("contact_log") == 0)

            let created = try await h.call(.post, "/desk/people/\(ann.id)/cases/new",
                                           body: ByteBuffer(string: "csrf_token=\(token)&service=587&place=home&attribute%5Bwaste_type%5D=furniture&attribute%5Bquantity%5D=van&channel=phone&minutes=3"),
                                           headers: Self.form.merging([.cookie: cookie]))
            #expect(created.status == .seeOther)
            let reference = try #require(created.headers[.location]?.split(separator: "=").last.map(String.init))
            let c = try await s.cases.record(reference: reference, by: s.actor(s.burnleyAgent)).case
            #expect(c.requesterID == ann.id)
            #expect(c.location.uprn?.value == 100_012_536_898)
            #expect(c.attributes["waste_type"] == ["furniture"])
            let contacts = try await s.services.contacts.recent(person: ann.id, by: s.actor(s.burnleyAgent))
            #expect(contacts.map(\.outcome) == [.caseCreated])
            #expect(contacts.first?.caseID == c.id.string)
            #expect(contacts.first?.durationSeconds == 180)
        }
    }

    @Test func theTriageAPIRefusesABadFlowAndRecordsARun() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let (_, manager) = try await s.access.createAPIKey(organisation: s.lancashire.id, name: "care", scopes: [.admin], by: nil)
            let loop = #"{"service_code":"209","name":"Loop","start":"a","nodes":[{"id":"a","question":"A?","answers":[{"label":"x","next":"b"},{"label":"y","next":"b"}]},{"id":"b","question":"B?","answers":[{"label":"x","next":"a"},{"label":"y","next":"a"}]}]}"#
            let refused = try await h.call(.put, "/api/v1/triage/flows", key: manager, json: loop)
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("loops back"))
            #expect(try await h.count("triage_flow") == 0)
            let body = String(decoding: try JSONEncoder().encode(["service_code": "209", "name": "Care", "start": "danger"]), as: UTF8.self).dropLast()
                + #","nodes":"# + String(decoding: try JSONEncoder().encode(StandardTriage.nodes), as: UTF8.self) + "}"
            let saved = try await h.call(.put, "/api/v1/triage/flows", key: manager, json: String(body))
            #expect(saved.status == .ok)
            let flowID = try #require(saved.text.firstMatch(of: /"id":"([0-9a-f-]{36})"/)?.1)
            let listed = try await h.call(.get, "/api/v1/triage/flows", key: h.burnleyReader)
            #expect(listed.text.contains(String(flowID)))

            let person = try await s.person("Mary", "Ashworth", by: s.burnleyAgent)
            let run = try await h.call(.post, "/api/v1/triage/flows/\(flowID)/runs", key: h.burnleyCases, json: #"{"person_id":"\#(person.id)","answers":[1,1,0],"channel":"phone"}"#)
            #expect(run.status == .created)
            #expect(run.text.contains("\"outcome\":\"advice\""))
            let badAnswers = try await h.call(.post, "/api/v1/triage/flows/\(flowID)/runs", key: h.burnleyCases, json: #"{"person_id":"\#(person.id)","answers":[5]}"#)
            #expect(badAnswers.status == .badRequest)
            #expect(badAnswers.text.contains("\"field\":\"answers\""))
            #expect(try await h.count("triage_run") == 1)
        }
    }
}
