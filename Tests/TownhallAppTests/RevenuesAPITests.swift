import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Revenues
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

    @Test func recoverySettingsTheDailyRunReviewIssueWithholdAndArrangements() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let manager = try await s.access.createAPIKey(organisation: s.burnley.id, name: "revenues", scopes: [.admin], by: nil).1
            let cashier = try await s.access.createAPIKey(organisation: s.burnley.id, name: "cash office", scopes: [.revenuesWrite], by: nil).1
            #expect(try await h.call(.put, "/api/v1/revenues/charges", key: manager, json: Self.charges).status == .ok)
            var ids: [String] = []
            for (i, uprn) in ["100010330001", "100010330002"].enumerated() {
                #expect(try await h.call(.put, "/api/v1/revenues/bands/\(uprn)", key: manager, json: #"{"band": "C", "effective_from": "1993-04-01"}"#).status == .ok)
                let opened = try await h.call(.post, "/api/v1/revenues/accounts", key: cashier,
                                              json: #"{"uprn": \#(uprn), "liable_from": "2020-01-01", "parties": [{"name": "Taxpayer \#(i)"}]}"#)
                ids.append(try #require((opened.json["account"] as? [String: Any])?["id"] as? String))
            }
            _ = try await s.services.revenues.billingRun(year: try FinancialYear(2026), issuedOn: try LocalDate(parsing: "2026-03-10", field: "d"), by: .system(s.burnley.id, "test"))

            // Settings: bad values are refused by field and change nothing; fields left out keep their value.
            let short = try await h.call(.put, "/api/v1/revenues/recovery/settings", key: manager, json: #"{"hearing_after_days": 10}"#)
            #expect(short.status == .badRequest && short.error["field"] == "hearing_after_days")
            #expect(try await h.call(.put, "/api/v1/revenues/recovery/settings", key: cashier, json: #"{"summons_costs": 9000}"#).status == .forbidden)
            let set = try await h.call(.put, "/api/v1/revenues/recovery/settings", key: manager, json: #"{"summons_costs": 9000}"#)
            #expect(set.status == .ok && set.json["summons_costs"] as? Int == 90_00 && set.json["hearing_after_days"] as? Int == 21)

            // An arrangement on the second account: bad input by field, then a good one.
            let bad = try await h.call(.post, "/api/v1/revenues/accounts/\(ids[1])/arrangements", key: cashier,
                                       json: #"{"amount": "-5", "frequency": "monthly", "first_payment_on": "2026-04-20", "note": "x"}"#)
            #expect(bad.status == .badRequest && bad.error["field"] == "amount")
            let noNote = try await h.call(.post, "/api/v1/revenues/accounts/\(ids[1])/arrangements", key: cashier,
                                          json: #"{"amount": "40", "frequency": "monthly", "first_payment_on": "\#(LocalDate.today())"}"#)
            #expect(noNote.status == .badRequest && noNote.error["field"] == "note")
            #expect(try await h.count("revenues_arrangement") == 0)
            let made = try await h.call(.post, "/api/v1/revenues/accounts/\(ids[1])/arrangements", key: cashier,
                                        json: #"{"amount": "40", "frequency": "monthly", "first_payment_on": "\#(LocalDate.today())", "note": "Agreed by phone"}"#)
            #expect(made.status == .created && made.json["amount"] as? Int == 40_00)

            // The job for 11 April: the first account is reminded; the arrangement holds the second.
            let future = try await h.call(.post, "/api/v1/revenues/recovery/runs", key: manager, json: #"{"date": "\#(LocalDate.today().adding(days: 1))"}"#)
            #expect(future.status == .badRequest && future.error["field"] == "date")
            let ran = try await h.call(.post, "/api/v1/revenues/recovery/runs", key: manager, json: #"{"date": "2026-04-11"}"#)
            #expect(ran.status == .ok && (ran.json["proposed"] as? [String: Int]) == ["reminder": 1], "\(ran.text)")
            let listed = try await h.call(.get, "/api/v1/revenues/recovery/actions?status=proposed&stage=reminder", key: cashier)
            let items = try #require(listed.json["items"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["account_id"] as? String == ids[0] && listed.json["next"] == nil)
            #expect(try await h.call(.get, "/api/v1/revenues/recovery/actions?stage=court", key: cashier).error["field"] == "stage")
            let actionID = try #require(items[0]["id"] as? String)

            // Withholding needs a reason; issuing needs ids or a stage; a cashier can do neither.
            #expect(try await h.call(.post, "/api/v1/revenues/recovery/actions/\(actionID)/withhold", key: manager, json: "{}").error["field"] == "reason")
            #expect(try await h.call(.post, "/api/v1/revenues/recovery/actions/issue", key: manager, json: "{}").error["field"] == "ids")
            #expect(try await h.call(.post, "/api/v1/revenues/recovery/actions/issue", key: cashier, json: #"{"stage": "reminder"}"#).status == .forbidden)
            let issued = try await h.call(.post, "/api/v1/revenues/recovery/actions/issue", key: manager, json: #"{"ids": ["\#(actionID)"]}"#)
            #expect(issued.status == .ok && (issued.json["issued"] as? [Any])?.count == 1, "\(issued.text)")
            #expect(try await h.count("notification") == 1)
            let again = try await h.call(.post, "/api/v1/revenues/recovery/actions/issue", key: manager, json: #"{"ids": ["\#(actionID)"]}"#)
            #expect(again.status == .conflict && again.error["code"] == "not_proposed")
            // Naming a stage already issued alongside one waiting issues neither.
            _ = try await s.services.revenues.cancelArrangement(account: try RevenuesAccountID.parse(ids[1], field: "id"),
                                                                arrangement: try ArrangementID.parse(try #require(made.json["id"] as? String), field: "id"),
                                                                by: .system(s.burnley.id, "test"))
            // (Cancelled today, so today's run reminds the second account; the first's reminder is not yet a week old.)
            _ = try await h.call(.post, "/api/v1/revenues/recovery/runs", key: manager, json: "{}")
            let waiting = try #require(try await h.call(.get, "/api/v1/revenues/recovery/actions?status=proposed", key: cashier).json["items"] as? [[String: Any]])
            #expect(waiting.count == 1)
            let waitingID = try #require(waiting.first?["id"] as? String)
            let mixed = try await h.call(.post, "/api/v1/revenues/recovery/actions/issue", key: manager, json: #"{"ids": ["\#(actionID)", "\#(waitingID)"]}"#)
            #expect(mixed.status == .conflict && mixed.error["field"] == "ids")
            #expect(try await h.count("notification") == 1)
            let view = try await h.call(.get, "/api/v1/revenues/accounts/\(ids[0])", key: cashier).json
            #expect(((view["years"] as? [[String: Any]])?.first)?["recovery_stage"] as? String == "reminder")
            #expect((view["recovery"] as? [[String: Any]])?.first?["status"] as? String == "issued")

            // The collection report, as JSON and as CSV; an unknown format is refused by name.
            let report = try await h.call(.get, "/api/v1/revenues/reports/collection?year=2026&as_of=2026-06-30", key: cashier)
            #expect(report.status == .ok && report.json["collection_rate"] as? String == "0.00" && (report.json["net_debit"] as? Int ?? 0) > 0)
            let csv = try await h.call(.get, "/api/v1/revenues/reports/collection?year=2026&format=csv", key: cashier)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8" && csv.text.contains("recovery,,reminder_issued,1"))
            #expect(try await h.call(.get, "/api/v1/revenues/reports/collection?year=2026&format=pdf", key: cashier).error["field"] == "format")
        }
    }

    @Test func businessRatesTheRatingListRefundsAndTheBACSFile() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let manager = try await s.access.createAPIKey(organisation: s.burnley.id, name: "revenues", scopes: [.admin], by: nil).1
            let cashier = try await s.access.createAPIKey(organisation: s.burnley.id, name: "cash office", scopes: [.revenuesWrite], by: nil).1
            #expect(try await h.call(.put, "/api/v1/revenues/charges", key: manager, json: Self.charges).status == .ok)

            let list = "uprn,rateable_value,description\n100010330004,13500,Shop\n100010330005,lots,Offices\n"
            let imported = try await h.call(.post, "/api/v1/imports/rating-list", key: manager, body: ByteBuffer(string: list), headers: [.contentType: "text/csv"])
            #expect(imported.status == .ok && imported.json["created"] as? Int == 1, "\(imported.text)")
            #expect(((imported.json["rejected"] as? [[String: Any]])?.first?["field"] as? String) == "rateable_value")
            let bad = try await h.call(.put, "/api/v1/revenues/rating-list/100010330005", key: manager, json: #"{"rateable_value": -1}"#)
            #expect(bad.status == .badRequest && bad.error["field"] == "rateable_value")
            #expect(try await h.call(.put, "/api/v1/revenues/rating-list/100010330005", key: cashier, json: #"{"rateable_value": 20000}"#).status == .forbidden)
            let altered = try await h.call(.put, "/api/v1/revenues/rating-list/100010330005", key: manager, json: #"{"rateable_value": 20000, "effective_from": "2026-04-01"}"#)
            #expect(altered.status == .ok && (altered.json["items"] as? [Any])?.count == 1)

            let opened = try await h.call(.post, "/api/v1/revenues/accounts", key: cashier,
                                          json: #"{"tax": "business_rates", "uprn": 100010330004, "liable_from": "2020-01-01", "parties": [{"name": "Clegg's Bakery Ltd"}]}"#)
            #expect(opened.status == .created, "\(opened.text)")
            let account = try #require(opened.json["account"] as? [String: Any])
            let id = try #require(account["id"] as? String)
            #expect(account["tax"] as? String == "business_rates" && (account["reference"] as? String)?.hasPrefix("BR") == true)
            let spd = try await h.call(.post, "/api/v1/revenues/accounts/\(id)/adjustments", key: cashier, json: #"{"kind": "single_person_discount", "from": "2026-04-01"}"#)
            #expect(spd.status == .badRequest && spd.error["code"] == "wrong_tax")
            let sbrr = try await h.call(.post, "/api/v1/revenues/accounts/\(id)/adjustments", key: cashier, json: #"{"kind": "small_business_rate_relief", "from": "2020-01-01"}"#)
            #expect(sbrr.status == .created, "\(sbrr.text)")

            let run = try await h.call(.post, "/api/v1/revenues/billing-runs", key: manager, json: #"{"year": "2026", "issued_on": "2026-03-10"}"#)
            #expect(run.status == .accepted)
            let runID = try #require((run.json["run"] as? [String: Any])?["id"] as? String)
            var status = ""
            for _ in 0..<100 where status != "finished" {
                status = (try await h.call(.get, "/api/v1/revenues/billing-runs/\(runID)", key: manager).json["run"] as? [String: Any])?["status"] as? String ?? ""
                if status != "finished" { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(status == "finished")
            let view = try await h.call(.get, "/api/v1/revenues/accounts/\(id)", key: cashier)
            let bill = try #require((view.json["bills"] as? [[String: Any]])?.first)
            // £13,500 × 43.2p less 50 % small business rate relief.
            #expect(bill["total"] as? Int == 2916_00 && (bill["rates"] as? [Any])?.count == 1)

            // Overpay by £25.50, refund it, and pay it out in a BACS file.
            let paid = try await h.call(.post, "/api/v1/revenues/accounts/\(id)/payments", key: cashier, json: #"{"amount": "2941.50", "method": "card", "received_on": "2026-04-02"}"#)
            #expect(paid.status == .created)
            let tooMuch = try await h.call(.post, "/api/v1/revenues/accounts/\(id)/refunds", key: cashier,
                                           json: #"{"amount": "30", "payee_name": "Clegg's Bakery Ltd", "sort_code": "309457", "account_number": "12345678"}"#)
            #expect(tooMuch.status == .badRequest && tooMuch.error["code"] == "more_than_credit" && tooMuch.error["field"] == "amount")
            let badAccount = try await h.call(.post, "/api/v1/revenues/accounts/\(id)/refunds", key: cashier,
                                              json: #"{"payee_name": "Clegg's Bakery Ltd", "sort_code": "309457", "account_number": "12"}"#)
            #expect(badAccount.status == .badRequest && badAccount.error["field"] == "payee_account_number")
            #expect(try await h.count("revenues_refund") == 0)
            let refund = try await h.call(.post, "/api/v1/revenues/accounts/\(id)/refunds", key: cashier,
                                          json: #"{"payee_name": "Clegg's Bakery Ltd", "sort_code": "30-94-57", "account_number": "12345678"}"#)
            #expect(refund.status == .created && refund.json["amount"] as? Int == 25_50 && refund.json["account_number"] as? String == "****5678", "\(refund.text)")
            let pending = try await h.call(.get, "/api/v1/revenues/refunds?status=pending", key: cashier)
            #expect((pending.json["items"] as? [Any])?.count == 1)
            #expect(try await h.call(.get, "/api/v1/revenues/refunds?status=lost", key: cashier).error["field"] == "status")

            let noBank = try await h.call(.post, "/api/v1/revenues/refunds/files", key: manager, json: "{}")
            #expect(noBank.status == .conflict && noBank.error["code"] == "no_bank_account")
            #expect(try await h.call(.put, "/api/v1/revenues/refunds/bank-account", key: manager, json: #"{"name": "Burnley BC", "sort_code": "20-00-00", "account_number": "55779911"}"#).status == .ok)
            #expect(try await h.call(.get, "/api/v1/revenues/refunds/bank-account", key: cashier).json["account_number"] as? String == "****9911")
            #expect(try await h.call(.post, "/api/v1/revenues/refunds/files", key: cashier, json: "{}").status == .forbidden)
            let file = try await h.call(.post, "/api/v1/revenues/refunds/files", key: manager, json: "{}")
            #expect(file.status == .created && file.json["count"] as? Int == 1 && file.json["total"] as? Int == 25_50, "\(file.text)")
            let download = try await h.call(.get, try #require(file.json["download"] as? String), key: manager)
            #expect(download.status == .ok && download.text.hasPrefix("309457123456780992000005577991") && download.text.contains("00000002550"))
            #expect(try await h.call(.post, "/api/v1/revenues/refunds/files", key: manager, json: "{}").error["code"] == "nothing_to_pay")

            // BVPI 10: the rates account only.
            let report = try await h.call(.get, "/api/v1/revenues/reports/collection?year=2026&as_of=2026-04-30&tax=business_rates", key: cashier)
            #expect(report.status == .ok && report.json["net_debit"] as? Int == 2916_00 && report.json["collected"] as? Int == 2916_00, "\(report.text)")
            #expect(try await h.call(.get, "/api/v1/revenues/reports/collection?year=2026&tax=water", key: cashier).error["field"] == "tax")
        }
    }
}
