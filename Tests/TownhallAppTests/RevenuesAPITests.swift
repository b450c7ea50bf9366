import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TownhallKernel
import TownhallTesting

/// Council tax through /api/v1: charges, the valuation list, an account, a billing run as a background job with live
/// counts, payments and the payment file, and bad input refused by field with nothing changed.
@Suite struct RevenuesAPITests {
    static let charges = #"""
        {"year": "2026/27", "preceptors": [
            {"name": "Burnley Borough Council", "kind": "billing_authority", "band_d": 36052, "previous_band_d": 34717},
            {"name": "Lancashire County Council", "kind": "county", "band_d": 173579},
            {"name": "Police", "kind": "police", "band_d": 28645}, {"name": "Fire", "kind": "fire", "band_d": 8386}]}
        """#

    @Test func chargesBandsAnAccountABillingRunAndPayments() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let manager = try await s.access.createAPIKey(organisation: s.burnley.id, name: "revenues", scopes: [.admin], by: nil).1
            let cashier = try await s.access.createAPIKey(organisation: s.burnley.id, name: "cash office", scopes: [.revenuesWrite], by: nil).1

            // Bad charges and bands: refused by field, nothing stored.
            for (body, field) in [
                (#"{"year": "2026", "preceptors": [{"name": "A", "kind": "county", "band_d": -5}]}"#, "preceptors[0].band_d"),
                (#"{"year": "2026", "preceptors": [{"name": "A", "kind": "county", "band_d": 5, "colour": "red"}]}"#, "preceptors[0].colour"),
                (#"{"year": "2026", "preceptors": [{"name": "A", "kind": "duke", "band_d": 5}]}"#, "preceptors[0].kind"),
                (#"{"year": "2026/28", "preceptors": [{"name": "A", "kind": "county", "band_d": 5}]}"#, "year"),
            ] {
                let r = try await h.call(.put, "/api/v1/revenues/charges", key: manager, json: body)
                #expect(r.status == .badRequest && r.error["field"] == field, "\(body): \(r.text)")
            }
            #expect(try await h.count("revenues_charge") == 0)
            // A cashier cannot set charges.
            #expect(try await h.call(.put, "/api/v1/revenues/charges", key: cashier, json: Self.charges).status == .forbidden)
            #expect(try await h.call(.put, "/api/v1/revenues/charges", key: manager, json: Self.charges).status == .ok)
            let set = try await h.call(.get, "/api/v1/revenues/charges?year=2026", key: cashier)
            #expect(((set.json["items"] as? [[String: Any]])?.first?["preceptors"] as? [Any])?.count == 4)

            let outside = try await h.call(.put, "/api/v1/revenues/bands/100010330001", key: manager, json: #"{"band": "I", "effective_from": "1993-04-01"}"#)
            #expect(outside.status == .badRequest && outside.error["field"] == "band" && outside.error["message"]?.contains("A to H") == true)
            #expect(try await h.count("revenues_valuation") == 0)
            #expect(try await h.call(.put, "/api/v1/revenues/bands/100010330001", key: manager, json: #"{"band": "D", "effective_from": "1993-04-01"}"#).status == .ok)

            // An account; a second one over the same days is a 409 naming liable_from.
            let opened = try await h.call(.post, "/api/v1/revenues/accounts", key: cashier,
                                          json: #"{"uprn": 100010330001, "liable_from": "2020-01-01", "parties": [{"name": "Ann Clegg"}]}"#)
            #expect(opened.status == .created, "\(opened.text)")
            let account = try #require(opened.json["account"] as? [String: Any])
            let id = try #require(account["id"] as? String), reference = try #require(account["reference"] as? String)
            let overlap = try await h.call(.post, "/api/v1/revenues/accounts", key: cashier,
                                           json: #"{"uprn": 100010330001, "liable_from": "2024-01-01", "parties": [{"name": "Bob", "colour": "red"}]}"#)
            #expect(overlap.status == .badRequest && overlap.error["field"] == "parties[0].colour")
            let overlap2 = try await h.call(.post, "/api/v1/revenues/accounts", key: cashier,
                                            json: #"{"uprn": 100010330001, "liable_from": "2024-01-01", "parties": [{"name": "Bob"}]}"#)
            #expect(overlap2.status == .conflict && overlap2.error["code"] == "overlapping_liability" && overlap2.error["field"] == "liable_from")
            #expect(try await h.count("revenues_account") == 1)

            // Billing: a year with no charges is refused before anything is recorded; 2026/27 runs as a job.
            let none = try await h.call(.post, "/api/v1/revenues/billing-runs", key: manager, json: #"{"year": "2025"}"#)
            #expect(none.status == .badRequest && none.error["code"] == "no_charges" && none.error["field"] == "year")
            #expect(try await h.count("revenues_billing_run") == 0)
            let started = try await h.call(.post, "/api/v1/revenues/billing-runs", key: manager, json: #"{"year": "2026", "issued_on": "2026-03-10"}"#)
            #expect(started.status == .accepted)
            let runID = try #require((started.json["run"] as? [String: Any])?["id"] as? String)
            var run: [String: Any] = [:]
            for _ in 0..<100 {
                run = try await h.call(.get, "/api/v1/revenues/billing-runs/\(runID)", key: cashier).json
                if (run["run"] as? [String: Any])?["status"] as? String != "running" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(run["summary"] as? String == "billed 1 accounts: 1 created, 0 already billed")
            #expect(run["percent_done"] as? Int == 100)

            // Payments: a negative amount names the field and writes nothing; a good one reduces the balance.
            let negative = try await h.call(.post, "/api/v1/revenues/accounts/\(id)/payments", key: cashier, json: #"{"amount": "-20.00", "method": "cash"}"#)
            #expect(negative.status == .badRequest && negative.error["field"] == "amount")
            let paid = try await h.call(.post, "/api/v1/revenues/accounts/\(id)/payments", key: cashier,
                                        json: #"{"amount": "120.00", "method": "card", "received_on": "2026-04-01", "reference": "WEB-1"}"#)
            #expect(paid.status == .created)
            let file = "account,amount,received_on,method,reference\n\(reference),100.00,2026-05-01,bacs,BACS-9\n\(reference),100.00,2026-05-01,bacs,BACS-9\nCT99999999,5,2026-05-01,bacs,X\n"
            let imported = try await h.call(.post, "/api/v1/imports/payments", key: cashier, body: ByteBuffer(string: file), headers: [.contentType: "text/csv"])
            #expect(imported.json["created"] as? Int == 1)
            #expect((imported.json["rejected"] as? [[String: Any]])?.map { $0["line"] as? Int } == [3, 4])
            #expect(try await h.count("revenues_payment") == 2)
            let view = try await h.call(.get, "/api/v1/revenues/accounts/\(id)", key: cashier).json
            let bill = try #require((view["bills"] as? [[String: Any]])?.first)
            let total = try #require(bill["total"] as? Int)
            #expect(view["balance"] as? Int == total - 220_00)
            #expect((bill["instalments"] as? [Any])?.count == 10)
            let statement = try await h.call(.get, "/api/v1/revenues/accounts/\(id)/statement", key: cashier).json
            #expect((statement["items"] as? [[String: Any]])?.last?["balance"] as? Int == total - 220_00)
            // Pendle's key sees nothing of Burnley's account.
            #expect(try await h.call(.get, "/api/v1/revenues/accounts/\(id)", key: h.pendleWriter).status == .forbidden)
        }
    }
}
