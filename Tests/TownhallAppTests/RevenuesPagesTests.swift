import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Revenues
import Testing
import TownhallKernel
import TownhallTesting

/// Council tax on the desk: the account page from the single view's panel, an agent's payment, move and discount as
/// contacts resolved at first contact, refusals that change nothing, and the demand notice (HTML, and PDF with Chromium).
@Suite struct RevenuesPagesTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test func theAccountPageTakesAPaymentGrantsADiscountAndShowsTheNotice() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let admin = s.actor(s.burnleyAdmin)
            _ = try await s.services.revenues.setCharges(CouncilTaxCharges(year: try FinancialYear(2026), preceptors: [
                Preceptor(name: "Burnley Borough Council", kind: .billingAuthority, bandD: 360_52, previousBandD: 347_17),
                Preceptor(name: "Lancashire County Council", kind: .county, bandD: 1735_79, previousBandD: 1653_29),
            ]), by: admin)
            try await s.services.revenues.setBand(BandEntry(uprn: try UPRN(100010330001), from: try LocalDate(parsing: "1993-04-01", field: "d"), band: .c, area: ""), by: admin)
            let person = try await s.person("Ann", "Clegg", born: "1970-05-01", by: s.burnleyAgent)
            let account = try await s.services.revenues.openAccount(NewCouncilTaxAccount(uprn: 100010330001, liableFrom: "2020-01-01", parties: [.init(personID: person.id.string)]),
                                                                     by: s.actor(s.burnleyAgent))
            _ = try await s.services.revenues.billingRun(year: try FinancialYear(2026), issuedOn: try LocalDate(parsing: "2026-03-10", field: "d"), by: admin)

            let session = try #require(WebTests.cookie(try await WebTests().signIn(h), "townhall_session"))
            // The person's page links to the account from the council tax panel.
            let personPage = try await h.call(.get, "/desk/people/\(person.id)", headers: [.cookie: session])
            #expect(personPage.text.contains("href=\"/desk/revenues/accounts/\(account.id)\""))
            let page = try await h.call(.get, "/desk/revenues/accounts/\(account.id)", headers: [.cookie: session])
            #expect(page.status == .ok && page.text.contains(account.reference) && page.text.contains("Take a payment"))
            let token = try #require(WebTests.formToken(page.text))
            func post(_ path: String, _ body: String) async throws -> TestResponse {
                try await h.call(.post, "/desk/revenues/accounts/\(account.id)/\(path)", body: ByteBuffer(string: "csrf_token=\(token)&\(body)"),
                                 headers: Self.form.merging([.cookie: session]))
            }

            // A bad amount: the page again with the error linked to the field; nothing recorded.
            let bad = try await post("payments", "amount=twelve&method=card")
            #expect(bad.status == .badRequest && bad.text.contains("href=\"#amount\"") && bad.text.contains("value=\"twelve\""))
            #expect(try await h.count("revenues_payment") == 0)
            #expect(try await h.count("contact_log") == 0)
            let paid = try await post("payments", "amount=150.00&method=cash&reference=R-1")
            #expect(paid.status == .seeOther && paid.headers[.location] == "/desk/revenues/accounts/\(account.id)?done=paid")
            #expect(try await h.count("revenues_payment") == 1)
            let outcome = try await s.database.read { try await $0.raw("SELECT outcome, reason FROM contact_log").first()! }
            #expect(try outcome.string("outcome") == "resolved_first_contact" && outcome.string("reason").contains("£150.00"))

            // A single person discount needs the declaration; granted, it revises the bill.
            let noEvidence = try await post("single-person-discount", "from=2026-06-01&evidence=")
            #expect(noEvidence.status == .badRequest && noEvidence.text.contains("href=\"#evidence\""))
            #expect(try await h.count("revenues_adjustment") == 0)
            #expect(try await post("single-person-discount", "from=2026-06-01&evidence=Lives+alone%3B+declared+by+phone").status == .seeOther)
            let after = try await h.call(.get, "/desk/revenues/accounts/\(account.id)?done=discount", headers: [.cookie: session])
            #expect(after.text.contains("Single person discount granted") && after.text.contains("Revised (2)") && after.text.contains("Lives alone"))
            #expect(try await h.count("contact_log") == 2)
            let badDay = try await post("move-out", "last_day=2019-12-31")
            #expect(badDay.status == .badRequest && badDay.text.contains("href=\"#last_day\""))

            // The notice: each preceptor's amount and change on last year, the instalments.
            let bill = try #require(try await s.services.revenues.account(id: account.id, by: admin).bills.first)
            let notice = try await h.call(.get, "/desk/revenues/bills/\(bill.id)", headers: [.cookie: session])
            #expect(notice.status == .ok && notice.text.contains("Council tax demand notice 2026/27") && notice.text.contains("Lancashire County Council"))
            #expect(notice.text.contains("5.0%") && notice.text.contains("Ann Clegg"))
            let pdf = try await h.call(.get, "/desk/revenues/bills/\(bill.id)/pdf", headers: [.cookie: session])
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") {
                #expect(pdf.status == .ok && pdf.headers[.contentType] == "application/pdf" && Array(pdf.body.readableBytesView.prefix(4)) == Array("%PDF".utf8))
                // A screen reader announces its title and language; it is printed on A4 (594.96 × 841.92 points).
                let text = String(decoding: pdf.body.readableBytesView, as: UTF8.self)
                #expect(text.contains("/Lang (en-GB)") && text.contains("/Title (Council tax demand notice"))
                #expect(text.contains("/MediaBox [0 0 594.9") && !text.contains("/MediaBox [0 0 612 792]"))
            } else {
                #expect(pdf.status == .notImplemented)
            }
            // Another council's staff cannot see it.
            let pendle = try #require(WebTests.cookie(try await WebTests().signIn(h, username: "p.agent"), "townhall_session"))
            #expect(try await h.call(.get, "/desk/revenues/accounts/\(account.id)", headers: [.cookie: pendle]).status == .notFound)
        }
    }

    @Test func aBusinessRatesAccountAndNoticeShowTheRateableValueAndReliefs() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let admin = s.actor(s.burnleyAdmin), r = s.services.revenues
            _ = try await r.setCharges(CouncilTaxCharges(year: try FinancialYear(2026), preceptors: [Preceptor(name: "Burnley Borough Council", kind: .billingAuthority, bandD: 2000_00)]),
                                       by: admin)
            _ = try await r.importRatingList(csv: "uprn,rateable_value,description\n100010330001,13500,Shop and premises\n", by: admin)
            let shop = try await r.openAccount(NewCouncilTaxAccount(uprn: 100010330001, liableFrom: "2020-01-01", parties: [.init(name: "Clegg's Bakery Ltd")],
                                                                    tax: "business_rates"), by: s.actor(s.burnleyAgent))
            _ = try await r.addAdjustment(account: shop.id, Adjustment(kind: .smallBusinessRateRelief, span: DateSpan(from: try LocalDate(parsing: "2020-01-01", field: "d"), to: nil),
                                                                       evidence: "One property"), by: s.actor(s.burnleyAgent))
            _ = try await r.billingRun(year: try FinancialYear(2026), issuedOn: try LocalDate(parsing: "2026-03-10", field: "d"), by: admin)
            let session = try #require(WebTests.cookie(try await WebTests().signIn(h), "townhall_session"))
            let page = try await h.call(.get, "/desk/revenues/accounts/\(shop.id)", headers: [.cookie: session])
            #expect(page.status == .ok && page.text.contains("Business rates account") && page.text.contains("Small business rate relief"))
            #expect(page.text.contains("Take a payment") && !page.text.contains("single-person-discount"))
            let bill = try #require(try await r.account(id: shop.id, by: admin).currentBills.first)
            let notice = try await h.call(.get, "/desk/revenues/bills/\(bill.id)", headers: [.cookie: session])
            #expect(notice.status == .ok && notice.text.contains("Business rates demand notice 2026/27") && !notice.text.contains("Valuation band"))
            #expect(notice.text.contains("Rateable value £13,500.00 × 43.2p") && notice.text.contains("-£2,916.00") && notice.text.contains("£2,916.00"))
            #expect(notice.text.contains("43.2p in the pound: £5,832.00 a year, less small business rate relief £2,916.00 = £2,916.00 a year"))
        }
    }

    @Test func theBackOfficeReviewsRecoveryPaysRefundsAndReportsCollection() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let r = s.services.revenues
            let admin = s.actor(s.burnleyAdmin), agent = s.actor(s.burnleyAgent)
            _ = try await r.setCharges(CouncilTaxCharges(year: try FinancialYear(2026), preceptors: [
                Preceptor(name: "Burnley Borough Council", kind: .billingAuthority, bandD: 360_52, previousBandD: 347_17),
                Preceptor(name: "Lancashire County Council", kind: .county, bandD: 1735_79, previousBandD: 1653_29),
            ]), by: admin)
            var accounts: [CouncilTaxAccount] = []
            for (i, uprn) in [100010330001, 100010330002, 100010330003].enumerated() {
                try await r.setBand(BandEntry(uprn: try UPRN(Int64(uprn)), from: try LocalDate(parsing: "1993-04-01", field: "d"), band: .c, area: ""), by: admin)
                accounts.append(try await r.openAccount(NewCouncilTaxAccount(uprn: Int64(uprn), liableFrom: "2020-01-01", parties: [.init(name: "Taxpayer \(i)")]), by: agent))
            }
            _ = try await r.billingRun(year: try FinancialYear(2026), issuedOn: try LocalDate(parsing: "2026-03-10", field: "d"), by: admin)
            // The third pays the year and £100 more; the first two miss April's instalment and are proposed reminders.
            let charge = try await r.account(id: accounts[2].id, by: agent).years.last!.charge
            _ = try await r.recordPayment(account: accounts[2].id, NewPayment(amountPence: charge + 100_00, method: "bacs", receivedOn: "2026-04-01", reference: "OVER"), by: agent)
            _ = try await r.runRecovery(on: try LocalDate(parsing: "2026-04-11", field: "d"), by: admin)

            let agentSession = try #require(WebTests.cookie(try await WebTests().signIn(h), "townhall_session"))
            let session = try #require(WebTests.cookie(try await WebTests().signIn(h, username: "b.admin"), "townhall_session"))
            let home = try await h.call(.get, "/desk", headers: [.cookie: agentSession])
            #expect(home.text.contains("href=\"/desk/revenues/recovery\"") && home.text.contains("href=\"/desk/revenues/collection\""))

            // The review queue: an agent reads it; only a manager can select, issue and withhold.
            let agentQueue = try await h.call(.get, "/desk/revenues/recovery", headers: [.cookie: agentSession])
            #expect(agentQueue.status == .ok && agentQueue.text.contains(accounts[0].reference) && !agentQueue.text.contains("name=\"ids\""))
            let queue = try await h.call(.get, "/desk/revenues/recovery?stage=reminder", headers: [.cookie: session])
            let ids = Self.values(of: "ids", in: queue.text)
            #expect(queue.status == .ok && ids.count == 2 && queue.text.contains("Issue selected"))
            let token = try #require(WebTests.formToken(queue.text))
            func post(_ path: String, _ body: String) async throws -> TestResponse {
                try await h.call(.post, path, body: ByteBuffer(string: "csrf_token=\(token)&\(body)"), headers: Self.form.merging([.cookie: session]))
            }
            let letters = try await h.count("notification")
            let none = try await post("/desk/revenues/recovery/issue", "")
            #expect(none.status == .badRequest && none.text.contains("href=\"#ids\"") && none.text.contains("Select the stages to issue"))
            #expect(try await h.count("notification") == letters)
            let issued = try await post("/desk/revenues/recovery/issue", "ids=\(ids[0])")
            #expect(issued.status == .seeOther && issued.headers[.location] == "/desk/revenues/recovery?issued=1&withdrawn=0", "\(issued.headers[.location] ?? "")")
            let afterIssue = try await h.call(.get, "/desk/revenues/recovery?issued=1&withdrawn=0", headers: [.cookie: session])
            #expect(afterIssue.text.contains("1 issued") && Self.values(of: "ids", in: afterIssue.text) == [ids[1]])
            #expect(try await r.recoveryAction(try RecoveryActionID.parse(ids[0], field: "id"), by: admin).status == .issued)
            let again = try await post("/desk/revenues/recovery/issue", "ids=\(ids[0])")
            #expect(again.status == .badRequest && again.text.contains("Only stages waiting for review"))

            // Withholding needs a reason.
            let withhold = try await h.call(.get, "/desk/revenues/recovery/\(ids[1])/withhold", headers: [.cookie: session])
            #expect(withhold.status == .ok && withhold.text.contains("Reminder") && withhold.text.contains("name=\"reason\""))
            let noReason = try await post("/desk/revenues/recovery/\(ids[1])/withhold", "reason=+")
            #expect(noReason.status == .badRequest && noReason.text.contains("href=\"#reason\""))
            #expect(try await r.recoveryAction(try RecoveryActionID.parse(ids[1], field: "id"), by: admin).status == .proposed)
            let withheld = try await post("/desk/revenues/recovery/\(ids[1])/withhold", "reason=Disputes+the+band")
            #expect(withheld.status == .seeOther)
            let held = try await r.recoveryAction(try RecoveryActionID.parse(ids[1], field: "id"), by: admin)
            #expect(held.status == .withheld && held.reason == "Disputes the band")
            #expect(try await h.call(.get, "/desk/revenues/recovery", headers: [.cookie: session]).text.contains("Nothing is waiting for review"))
            #expect(try await h.call(.get, "/desk/revenues/recovery/\(RecoveryActionID())/withhold", headers: [.cookie: session]).status == .notFound)

            // Refunds: the credit is refunded, then paid by a BACS file made on the page.
            _ = try await r.requestRefund(account: accounts[2].id, NewRefund(payeeName: "Taxpayer 2", sortCode: "30-94-57", accountNumber: "12345678"), by: agent)
            let refunds = try await h.call(.get, "/desk/revenues/refunds", headers: [.cookie: session])
            #expect(refunds.status == .ok && refunds.text.contains("Taxpayer 2, 309457 ****5678") && refunds.text.contains("£100.00"))
            #expect(!(try await h.call(.get, "/desk/revenues/refunds", headers: [.cookie: agentSession])).text.contains("Make the BACS file"))
            let noBank = try await post("/desk/revenues/refunds/files", "processing_date=")
            #expect(noBank.status == .badRequest && noBank.text.contains("bank account for refunds first"))
            _ = try await r.setBankAccount(name: "Burnley Borough Council", sortCode: "20-00-00", accountNumber: "55779911", by: admin)
            let past = try await post("/desk/revenues/refunds/files", "processing_date=2020-01-01")
            #expect(past.status == .badRequest && past.text.contains("href=\"#processing_date\"") && past.text.contains("value=\"2020-01-01\""))
            #expect(try await h.count("revenues_refund_file") == 0)
            let made = try await post("/desk/revenues/refunds/files", "processing_date=")
            #expect(made.status == .seeOther && made.headers[.location] == "/desk/revenues/refunds?done=file")
            let paid = try await h.call(.get, "/desk/revenues/refunds?done=file", headers: [.cookie: session])
            #expect(paid.text.contains("BACS file made") && paid.text.contains("No refunds are waiting"))
            let fileID = try #require(paid.text.range(of: #"/desk/revenues/refunds/files/[0-9a-f-]{36}"#, options: .regularExpression).map { String(paid.text[$0]) })
            let file = try await h.call(.get, fileID, headers: [.cookie: session])
            #expect(file.status == .ok && file.text.hasPrefix("3094571234567809920000055779911") && file.text.contains("00000010000"), "\(file.text)")

            // The collection report, with bad input named by field, and its CSV.
            let report = try await h.call(.get, "/desk/revenues/collection?tax=council_tax&year=2026&as_of=2026-04-30", headers: [.cookie: agentSession])
            #expect(report.status == .ok && report.text.contains("BVPI 9") && report.text.contains("Collection rate"))
            let expected = try await r.collectionReport(year: try FinancialYear(2026), asOf: try LocalDate(parsing: "2026-04-30", field: "d"), by: agent)
            #expect(report.text.contains(expected.collectionRate + "%") && report.text.contains(Money.format(expected.netDebit)))
            let bad = try await h.call(.get, "/desk/revenues/collection?year=twenty&as_of=2026-02-30", headers: [.cookie: agentSession])
            #expect(bad.status == .badRequest && bad.text.contains("href=\"#year\"") && bad.text.contains("href=\"#as_of\"") && !bad.text.contains("BVPI"))
            let csv = try await h.call(.get, "/desk/revenues/collection?tax=council_tax&year=2026&as_of=2026-04-30&format=csv", headers: [.cookie: agentSession])
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true && csv.text.contains("collection,2026/27,collection_rate_percent,\(expected.collectionRate)"))
        }
    }

    /// The values of the checkboxes named `name` on a page.
    static func values(of name: String, in html: String) -> [String] {
        html.components(separatedBy: "name=\"\(name)\" value=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }
}
