import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import Cases
@testable import TownhallKernel

/// The case engine's pure rules: forms, statuses, references, routing and message templates.
@Suite struct CaseRulesTests {
    let org = OrganisationID()
    var flyTipping: ServiceDefinition { StandardCatalogue.services(for: org, kind: "district").first { $0.code == "587" }! }

    @Test func answersAreCheckedAgainstTheForm() throws {
        let clean = try flyTipping.validate(answers: ["waste_type": ["furniture"], "quantity": ["van"], "seen_at": ["2026-11-20T08:30:00+00:00"]])
        #expect(clean["waste_type"] == ["furniture"])
        #expect(clean["seen_at"] == ["2026-11-20T08:30:00.000Z"])
        func refusal(_ answers: [String: [String]]) -> TownhallError? {
            do { _ = try flyTipping.validate(answers: answers); return nil } catch { return error as? TownhallError }
        }
        #expect(refusal(["quantity": ["van"]])?.field == "attributes.waste_type")
        #expect(refusal(["quantity": ["van"]])?.code == "missing_attribute")
        #expect(refusal(["waste_type": ["sofa"], "quantity": ["van"]])?.code == "invalid_attribute")
        #expect(refusal(["waste_type": ["furniture", "garden"], "quantity": ["van"]])?.field == "attributes.waste_type")
        #expect(refusal(["waste_type": ["furniture"], "quantity": ["van"], "seen_at": ["yesterday"]])?.field == "attributes.seen_at")
        #expect(refusal(["waste_type": ["furniture"], "quantity": ["van"], "colour": ["red"]])?.code == "unknown_attribute")
        let pothole = StandardCatalogue.services(for: org, kind: "county").first { $0.code == "557" }!
        #expect(throws: TownhallError.self) { try pothole.validate(answers: ["depth_cm": ["deep"]]) }
        #expect(try pothole.validate(answers: ["depth_cm": ["7.5"]])["depth_cm"] == ["7.5"])
    }

    @Test func aFormMustBeUsable() {
        var s = flyTipping
        s.attributes.append(ServiceAttribute(code: "waste_type", datatype: .string, order: 9, description: "again"))
        #expect(throws: TownhallError.self) { try s.validated() }
        s = flyTipping
        s.attributes.append(ServiceAttribute(code: "colour", datatype: .singlevaluelist, order: 9, description: "Colour?"))
        #expect(throws: TownhallError.self) { try s.validated() }
        s = flyTipping
        s.attributes.append(ServiceAttribute(code: "note", datatype: .string, order: 1, description: "clashing order"))
        #expect(throws: TownhallError.self) { try s.validated() }
        s = flyTipping
        s.code = "5 8 7"
        #expect(throws: TownhallError.self) { try s.validated() }
    }

    @Test func statusesMoveOnlyAlongTheWorkflow() throws {
        try CaseStatus.new.check(.acknowledged)
        try CaseStatus.inProgress.check(.waitingOnCustomer)
        try CaseStatus.waitingOnCustomer.check(.inProgress)
        try CaseStatus.resolved.check(.inProgress)   // reopen
        try CaseStatus.closed.check(.inProgress)
        #expect(throws: TownhallError.self) { try CaseStatus.new.check(.closed) }
        #expect(throws: TownhallError.self) { try CaseStatus.closed.check(.resolved) }
        #expect(throws: TownhallError.self) { try CaseStatus.inProgress.check(.new) }
        #expect(CaseStatus.waitingOnThirdParty.open311 == "open")
        #expect(CaseStatus.resolved.open311 == "closed")
    }

    @Test func referencesAreNormalised() {
        #expect(CaseReference.make(year: 2026, number: 123) == "TH-26-000123")
        #expect(CaseReference.make(year: 2105, number: 1_234_567) == "TH-05-1234567")   // past a million, the number grows
        #expect(CaseReference.normalise("th 26 123") == "TH-26-000123")
        #expect(CaseReference.normalise("TH-26-000123") == "TH-26-000123")
        #expect(CaseReference.normalise("TH-2026-1") == nil)
        #expect(CaseReference.normalise("hello") == nil)
    }

    @Test func routingSendsEachTierToItsCouncilAndPartnerServicesToPartners() throws {
        let district = OrganisationID(), county = OrganisationID(), police = OrganisationID()
        let coverage = Routing.Coverage(district: district, county: county)
        let bb11 = try Postcode("BB11 2BD")
        #expect(try Routing.decide(serviceCode: "564", tier: .countyUnitary, rules: [], coverage: coverage, postcode: bb11, latitude: nil, longitude: nil).organisationID == county)
        #expect(try Routing.decide(serviceCode: "587", tier: .districtUnitary, rules: [], coverage: coverage, postcode: bb11, latitude: nil, longitude: nil).organisationID == district)
        let unitary = OrganisationID()
        #expect(try Routing.decide(serviceCode: "564", tier: .countyUnitary, rules: [], coverage: .init(unitary: unitary), postcode: nil, latitude: nil, longitude: nil).organisationID == unitary)
        let asb = RoutingRule(ownerID: police, name: "ASB to police", serviceCode: "asb", targetID: police)
        #expect(try Routing.decide(serviceCode: "asb", tier: .all, rules: [asb], coverage: coverage, postcode: bb11, latitude: nil, longitude: nil).organisationID == police)
        // A service area by postcode sector, and by polygon.
        let team = TeamID()
        let sector = RoutingRule(ownerID: district, name: "Town centre", serviceCode: "587", postcodePrefixes: ["BB11 2"], targetID: district, teamID: team, rank: 10)
        #expect(try Routing.decide(serviceCode: "587", tier: .districtUnitary, rules: [sector], coverage: coverage, postcode: bb11, latitude: nil, longitude: nil).teamID == team)
        #expect(try Routing.decide(serviceCode: "587", tier: .districtUnitary, rules: [sector], coverage: coverage, postcode: try Postcode("BB11 4NW"), latitude: nil, longitude: nil).teamID == nil)
        let square = RoutingRule(ownerID: district, name: "Park", serviceCode: nil, polygon: [[-2.26, 53.78], [-2.24, 53.78], [-2.24, 53.79], [-2.26, 53.79]], targetID: district, teamID: team)
        #expect(try Routing.decide(serviceCode: "584", tier: .districtUnitary, rules: [square], coverage: coverage, postcode: nil, latitude: 53.785, longitude: -2.25).teamID == team)
        #expect(try Routing.decide(serviceCode: "584", tier: .districtUnitary, rules: [square], coverage: coverage, postcode: nil, latitude: 53.80, longitude: -2.25).teamID == nil)
        // Nobody on the platform covers the place.
        #expect(throws: TownhallError.self) { try Routing.decide(serviceCode: "587", tier: .districtUnitary, rules: [], coverage: .init(), postcode: nil, latitude: nil, longitude: nil) }
        #expect(throws: TownhallError.self) { try Routing.decide(serviceCode: "587", tier: .districtUnitary, rules: [], coverage: .init(county: county), postcode: nil, latitude: nil, longitude: nil) }
    }

    @Test func templatesMayUseOnlyTheirPlaceholders() throws {
        let t = try NotificationTemplate(organisationID: org, kind: .caseAcknowledgement, subject: "Report ((reference))",
                                         body: "Hello ((name)), we will fix ((service_name)) by ((due_date)).((track_url??\n\nTrack it online.))").validated()
        let rendered = t.render(["reference": "TH-26-000001", "name": "Ann", "service_name": "Fly-tipping", "due_date": "5pm on 27 November 2026", "track_url": "x"])
        #expect(rendered.subject == "Report TH-26-000001")
        #expect(rendered.body == "Hello Ann, we will fix Fly-tipping by 5pm on 27 November 2026.\n\nTrack it online.")
        #expect(t.render(["name": "Ann"]).body.hasSuffix("by .")) // a value the event lacks renders empty; the optional text is left out
        // Names are matched trimmed of spaces and tabs and in any case; an extra opening bracket before one is kept as text.
        let spaced = NotificationTemplate(organisationID: org, kind: .caseAcknowledgement, subject: "(( Reference\t))", body: "(((name))((NAME ?? and friends)))")
        #expect(spaced.render(["reference": "TH-26-000002", "name": "Ann"]) == (subject: "TH-26-000002", body: "(Ann and friends)"))
        #expect(spaced.render([:]).body == "()")
        do {
            _ = try NotificationTemplate(organisationID: org, kind: .caseAcknowledgement, subject: "Hi", body: "Fixed by ((fix_date))").validated()
            Issue.record("an unknown placeholder was accepted")
        } catch let e as TownhallError {
            #expect(e.code == "unknown_placeholder")
            #expect(e.field == "body")
        }
        for kind in NotificationTemplate.Kind.allCases { _ = try NotificationTemplate.standard(kind, organisation: org).validated() }
    }
}

/// The GOV.UK Notify sender builds the request Notify documents; it is not called here (no network in tests).
@Suite struct NotifySenderTests {
    @Test func signsAJWTWithTheKeysSecretAndSendsTheRenderedMessage() throws {
        let serviceID = "26785a09-ab16-4eb0-8407-a37497a57506"
        let secret = "3d844edf-8d35-48ac-975b-e847b4f122b0"
        let sender = try NotifySender(apiKey: "townhall_test-\(serviceID)-\(secret)", templateID: "f33517ff-2a88-4f6e-b855-c550268ce08a")
        #expect(sender.serviceID == serviceID)
        let token = sender.token(issuedAt: Date(timeIntervalSince1970: 1_763_800_000))
        let parts = token.split(separator: ".").map(String.init)
        #expect(parts.count == 3)
        func decode(_ s: String) -> String {
            var b = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while b.count % 4 != 0 { b += "=" }
            return String(decoding: Data(base64Encoded: b) ?? Data(), as: UTF8.self)
        }
        #expect(decode(parts[0]) == #"{"alg":"HS256","typ":"JWT"}"#)
        #expect(decode(parts[1]) == "{\"iss\":\"\(serviceID)\",\"iat\":1763800000}")
        // The signature verifies with the secret, and not with anything else.
        let signed = Data("\(parts[0]).\(parts[1])".utf8)
        var b = parts[2].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b.count % 4 != 0 { b += "=" }
        let signature = try #require(Data(base64Encoded: b))
        #expect(HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: SymmetricKey(data: Data(secret.utf8))))
        #expect(!HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: SymmetricKey(data: Data("other".utf8))))

        let message = OutgoingMessage(id: "m1", organisationID: OrganisationID(), eventKey: "case/1/acknowledgement", kind: .caseAcknowledgement, caseID: nil,
                                      recipient: "ann@example.com", subject: "We have your report", body: "Hello", status: "pending", attempts: 0,
                                      createdAt: .now, lastError: nil)
        let request = try sender.request(for: message)
        #expect(request.url?.absoluteString == "https://api.notifications.service.gov.uk/v2/notifications/email")
        #expect(request.value(forHTTPHeaderField: "Authorization")?.hasPrefix("Bearer ey") == true)
        let body = try #require(try JSONSerialization.jsonObject(with: request.httpBody ?? Data()) as? [String: Any])
        #expect(body["email_address"] as? String == "ann@example.com")
        #expect(body["template_id"] as? String == "f33517ff-2a88-4f6e-b855-c550268ce08a")
        #expect((body["personalisation"] as? [String: String])?["subject"] == "We have your report")
        #expect(throws: TownhallError.self) { try NotifySender(apiKey: "too-short", templateID: "x") }

        // A council tax letter goes to Notify's letter endpoint with the address lines, or fails for good without a letter template.
        var letter = message
        letter.recipient = "post:Ann Clegg\nFLAT 3\n60 Colne Road\nBurnley\nBB11 2BD"
        #expect(throws: SendFailure.self) { try sender.request(for: letter) }
        let posting = try NotifySender(apiKey: "townhall_test-\(serviceID)-\(secret)", templateID: "e", letterTemplateID: "l")
        let letterRequest = try posting.request(for: letter)
        #expect(letterRequest.url?.absoluteString == "https://api.notifications.service.gov.uk/v2/notifications/letter")
        let letterBody = try #require(try JSONSerialization.jsonObject(with: letterRequest.httpBody ?? Data()) as? [String: Any])
        let p = try #require(letterBody["personalisation"] as? [String: String])
        #expect(letterBody["template_id"] as? String == "l" && letterBody["email_address"] == nil)
        #expect(p["address_line_1"] == "Ann Clegg" && p["address_line_5"] == "BB11 2BD" && p["body"] == "Hello")
    }
}
