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
}
