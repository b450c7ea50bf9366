import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Benefits
import Revenues
import TownhallKernel
import TownhallTesting

/// The eligibility checker over /api/v1: the same answer as the engine, the scope that allows it, bad input by field.
@Suite struct BenefitsAPITests {
    static let household = #"""
        {"fiscal_year": "2025-26", "council": "Manchester City Council",
         "dwelling": {"tenure": "social_rent", "rent_per_year": 5200, "council_tax_band": "B", "council_tax_gross": 1697.91},
         "people": [{"id": "a1", "role": "adult", "age": 70}]}
        """#

    @Test func anEstimateOverTheAPIIsTheEnginesAnswer() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let checker = try await s.access.createAPIKey(organisation: s.burnley.id, name: "website", scopes: [.benefitsEstimate], by: nil).1
            let other = try await s.access.createAPIKey(organisation: s.burnley.id, name: "cash", scopes: [.revenuesRead], by: nil).1

            let r = try await h.call(.post, "/api/v1/benefits/estimate", key: checker, json: Self.household)
            #expect(r.status == .ok, "\(r.text)")
            let engine = try await Benefits().estimate(try Benefits.decodeInput(Data(Self.household.utf8)))
            for (name, pence) in engine.amounts {
                #expect((r.json[name] as? Double).map { Int64(($0 * 100).rounded()) } == pence, "\(name)")
            }
            #expect(r.json["council_gss"] as? String == "E08000003")
            #expect(r.json["eligible_pension_credit"] as? Bool == true)
            let lines = (r.json["explanation"] as? [String: Any])?["housing_benefit"] as? [[String: Any]]
            #expect(lines?.contains { ($0["step"] as? String)?.hasPrefix("Guarantee Credit") == true } == true)

            // A key without the checker's scope is refused; bad input is named by field.
            #expect(try await h.call(.post, "/api/v1/benefits/estimate", key: other, json: Self.household).status == .forbidden)
            let bad = try await h.call(.post, "/api/v1/benefits/estimate", key: checker,
                                       json: Self.household.replacingOccurrences(of: #""age": 70"#, with: #""age": 70, "shoe_size": 9"#))
            #expect(bad.status == .badRequest && bad.error["field"] == "people[0].shoe_size", "\(bad.text)")
            let unknown = try await h.call(.post, "/api/v1/benefits/estimate", key: checker,
                                           json: Self.household.replacingOccurrences(of: "Manchester City Council", with: "Gotham"))
            #expect(unknown.status == .badRequest && unknown.error["field"] == "council")
        }
    }

    @Test func withoutTheBillTheBandsChargeIsTakenWhereTownhallBillsTheCouncil() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let admin = try await s.access.createAPIKey(organisation: s.burnley.id, name: "admin", scopes: [.admin], by: nil).1
            let body = #"""
                {"fiscal_year": "2026-27", "council": "Burnley",
                 "dwelling": {"tenure": "owner_outright", "council_tax_band": "B"},
                 "people": [{"id": "a1", "role": "adult", "age": 45}]}
                """#
            // No charges set yet: the bill is needed, and the field is named.
            let before = try await h.call(.post, "/api/v1/benefits/estimate", key: admin, json: body)
            #expect(before.status == .badRequest && before.error["field"] == "dwelling.council_tax_gross", "\(before.text)")
            #expect(try await h.call(.put, "/api/v1/revenues/charges", key: admin, json: RevenuesAPITests.charges).status == .ok)
            let after = try await h.call(.post, "/api/v1/benefits/estimate", key: admin, json: body)
            #expect(after.status == .ok, "\(after.text)")
            // The same charges as RevenuesAPITests sets, as the revenues rules work out band B.
            let charges = CouncilTaxCharges(year: try FinancialYear(2026), preceptors: [
                Preceptor(name: "Burnley Borough Council", kind: .billingAuthority, bandD: 36052),
                Preceptor(name: "Lancashire County Council", kind: .county, bandD: 173579),
                Preceptor(name: "Police", kind: .police, bandD: 28645), Preceptor(name: "Fire", kind: .fire, bandD: 8386)])
            let first = ((after.json["explanation"] as? [String: Any])?["council_tax_net"] as? [[String: Any]])?.first
            #expect((first?["amount"] as? Double).map { Int64(($0 * 100).rounded()) } == charges.amount(.b))
            // Another council Townhall does not bill still needs the bill.
            let elsewhere = try await h.call(.post, "/api/v1/benefits/estimate", key: admin,
                                             json: body.replacingOccurrences(of: "Burnley", with: "Manchester"))
            #expect(elsewhere.status == .badRequest && elsewhere.error["field"] == "dwelling.council_tax_gross")
        }
    }

    @Test func aPartnersAdviserSendsAClaimAndAnOfficerDecidesIt() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let adviser = try await s.access.createAPIKey(organisation: s.burnley.id, name: "advice", scopes: [.benefitsClaim], by: nil).1
            let reader = try await s.access.createAPIKey(organisation: s.burnley.id, name: "reader", scopes: [.benefitsRead], by: nil).1
            let admin = try await s.access.createAPIKey(organisation: s.burnley.id, name: "admin", scopes: [.admin], by: nil).1
            let person = try await s.person("Ann", "Clegg", by: s.burnleyAgent)
            let claim = #"{"person_id": "\#(person.id)", "received_on": "\#(LocalDate.today())", "household": \#(Self.household)}"#

            // Unknown fields are refused by their full path, at any depth; nothing is stored.
            let bad = try await h.call(.post, "/api/v1/benefits/claims", key: adviser,
                                       json: claim.replacingOccurrences(of: #""age": 70"#, with: #""age": 70, "shoe_size": 9"#))
            #expect(bad.status == .badRequest && bad.error["field"] == "household.people[0].shoe_size", "\(bad.text)")
            let badCouncil = try await h.call(.post, "/api/v1/benefits/claims", key: adviser,
                                              json: claim.replacingOccurrences(of: "Manchester City Council", with: "Gotham"))
            #expect(badCouncil.status == .badRequest && badCouncil.error["field"] == "household.council", "\(badCouncil.text)")
            #expect(try await h.count("benefits_claim") == 0)

            let taken = try await h.call(.post, "/api/v1/benefits/claims", key: adviser, json: claim)
            #expect(taken.status == .created, "\(taken.text)")
            let id = try #require(taken.json["id"] as? String)
            #expect(taken.json["status"] as? String == "received" && taken.json["actions"] as? [String] == ["request_evidence", "assess", "withdraw"])
            // The adviser sends claims; deciding them is the council's.
            let refused = try await h.call(.post, "/api/v1/benefits/claims/\(id)/steps", key: adviser, json: #"{"action": "assess"}"#)
            #expect(refused.status == .forbidden)
            let assessed = try await h.call(.post, "/api/v1/benefits/claims/\(id)/steps", key: admin, json: #"{"action": "assess", "version": 1}"#)
            #expect(assessed.status == .ok, "\(assessed.text)")
            let assessment = try #require(assessed.json["assessment"] as? [String: Any])
            let engine = try await Benefits().estimate(try Benefits.decodeInput(Data(Self.household.utf8)))
            #expect((assessment["housing_benefit"] as? Double).map { Int64(($0 * 100).rounded()) } == engine.housingBenefit)
            #expect(((assessed.json["workings"] as? [String: Any])?["explanation"] as? [String: Any])?["housing_benefit"] != nil)
            let stale = try await h.call(.post, "/api/v1/benefits/claims/\(id)/steps", key: admin, json: #"{"action": "decide", "version": 1}"#)
            #expect(stale.status == .conflict && stale.error["field"] == "version")
            let wrong = try await h.call(.post, "/api/v1/benefits/claims/\(id)/steps", key: admin, json: #"{"action": "notify"}"#)
            #expect(wrong.status == .conflict && wrong.error["code"] == "invalid_transition")
            let unknown = try await h.call(.post, "/api/v1/benefits/claims/\(id)/steps", key: admin, json: #"{"action": "approve"}"#)
            #expect(unknown.status == .badRequest && unknown.error["field"] == "action")
            let decided = try await h.call(.post, "/api/v1/benefits/claims/\(id)/steps", key: admin, json: #"{"action": "decide", "version": 2}"#)
            #expect(decided.status == .ok && decided.json["days_to_decide"] as? Int == 0, "\(decided.text)")

            let list = try await h.call(.get, "/api/v1/benefits/claims?person_id=\(person.id)", key: reader)
            #expect((list.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            let open = try await h.call(.get, "/api/v1/benefits/claims?open=true", key: reader)
            #expect((open.json["items"] as? [[String: Any]])?.isEmpty == true)
            let month = String(LocalDate.today().description.prefix(7))
            let report = try await h.call(.get, "/api/v1/benefits/reports/speed-of-processing?first_month=\(month)&last_month=\(month)&format=csv", key: reader)
            #expect(report.status == .ok && report.text.contains("\n\(month),1,0.0,0,,0.0\n"), "\(report.text)")
            let caseload = try await h.call(.get, "/api/v1/benefits/reports/caseload", key: reader)
            let statuses = (caseload.json["items"] as? [[String: Any]]) ?? []
            #expect(statuses.count == Claim.Status.allCases.count)
            #expect(statuses.first { $0["status"] as? String == "decided" }?["new_claims"] as? Int == 1)
            #expect(statuses.filter { $0["status"] as? String != "decided" }.allSatisfy { $0["new_claims"] as? Int == 0 })
            let badMonth = try await h.call(.get, "/api/v1/benefits/reports/speed-of-processing?first_month=April", key: reader)
            #expect(badMonth.status == .badRequest && badMonth.error["field"] == "first_month")
        }
    }
}
