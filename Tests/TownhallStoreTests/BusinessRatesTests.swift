import Foundation
import Revenues
import SQLKit
import Testing
import TownhallKernel
import TownhallTesting

/// Business rates and refunds end to end on a real database: the rating list, accounts with reliefs, the shared billing
/// run and recalculation, the BVPI 10 report, and refunds of credits paid by a BACS file.
@Suite struct BusinessRatesTests {
    static func date(_ s: String) -> LocalDate { try! LocalDate(parsing: s, field: "date") }
    static let year = try! FinancialYear(2026)
    static let february = Timestamp(iso: "2026-02-01T10:00:00.000Z")!
    static let june = Timestamp(iso: "2026-06-10T10:00:00.000Z")!

    func count(_ s: Scenario, _ sql: String) async throws -> Int {
        try await s.database.read { try await $0.raw(SQLQueryString(sql)).first()!.int("n") }
    }

    func refusal(_ body: () async throws -> Void) async -> TownhallError? {
        do { try await body(); return nil } catch let e as TownhallError { return e } catch { return nil }
    }

    /// Burnley's rating list and a council tax year to bill alongside.
    func setUp(_ s: Scenario) async throws -> Revenues {
        let r = s.services.revenues, admin = s.actor(s.burnleyAdmin)
        let report = try await r.importRatingList(csv: """
            uprn,rateable_value,effective_from,description
            100010330004,"£13,500",2023-04-01,Shop and premises
            100010330005,80000,,Offices and premises
            100010330006,-5,2023-04-01,Bad value
            10001033000X,5000,2023-04-01,Bad UPRN
            100010330004,14000,2023-04-01,Twice
            100010330007,,2023-04-01,No value
            """, by: admin, now: Self.february)
        #expect(report.rowsRead == 6 && report.created == 2)
        #expect(report.rejected.map(\.line) == [4, 5, 6, 7] && report.rejected.map(\.field) == ["rateable_value", "uprn", "uprn", "rateable_value"])
        _ = try await r.setCharges(CouncilTaxCharges(year: Self.year, preceptors: [Preceptor(name: "Burnley Borough Council", kind: .billingAuthority, bandD: 2000_00)]),
                                   by: admin, now: Self.february)
        return r
    }

    @Test func businessRatesAccountsAreBilledByTheSameRunWithTheirReliefs() async throws {
        try await Scenario.run { s in
            let r = try await setUp(s), agent = s.actor(s.burnleyAgent), admin = s.actor(s.burnleyAdmin)
            let shop = try await r.openAccount(NewCouncilTaxAccount(uprn: 100010330004, liableFrom: "2020-01-01", parties: [.init(name: "Clegg's Bakery Ltd")],
                                                                    tax: "business_rates"), by: agent, now: Self.february)
            let offices = try await r.openAccount(NewCouncilTaxAccount(uprn: 100010330005, liableFrom: "2026-10-01", parties: [.init(name: "Hart & Co")],
                                                                       tax: "business_rates"), by: agent, now: Self.february)
            let unlisted = try await r.openAccount(NewCouncilTaxAccount(uprn: 100010330008, liableFrom: "2020-01-01", parties: [.init(name: "No Entry Ltd")],
                                                                        tax: "business_rates"), by: agent, now: Self.february)
            #expect(shop.tax == .businessRates && shop.reference.hasPrefix("BR") && offices.reference != shop.reference)
            // A second rates account over the same days is refused; a council tax account for the flat above is not.
            let overlap = await refusal {
                _ = try await r.openAccount(NewCouncilTaxAccount(uprn: 100010330004, liableFrom: "2024-01-01", parties: [.init(name: "X")], tax: "business_rates"), by: agent)
            }
            #expect(overlap?.code == "overlapping_liability")
            #expect(await refusal { _ = try await r.openAccount(NewCouncilTaxAccount(uprn: 100010330004, liableFrom: "2024-01-01", parties: [.init(name: "X")], tax: "rates"), by: agent) }?.field == "tax")
            // Reliefs belong to rates; council tax discounts do not.
            _ = try await r.addAdjustment(account: shop.id, Adjustment(kind: .smallBusinessRateRelief, span: DateSpan(from: Self.date("2020-01-01"), to: nil),
                                                                       evidence: "One property"), by: agent, now: Self.february)
            let wrong = await refusal {
                _ = try await r.addAdjustment(account: shop.id, Adjustment(kind: .singlePersonDiscount, span: DateSpan(from: Self.date("2026-04-01"), to: nil)), by: agent)
            }
            #expect(wrong?.code == "wrong_tax" && wrong?.field == "kind")

            let (run, notBilled) = try await r.billingRun(year: Self.year, issuedOn: Self.date("2026-03-10"), by: admin, now: Self.february)
            #expect(run.created == 2 && run.notBilled == 1 && notBilled.first?.reference == unlisted.reference && notBilled.first?.reason.contains("rating list") == true)
            // £13,500 × 43.2p = £5,832.00, less 50 % SBRR = £2,916.00; ten instalments of £292 with £288 first.
            let view = try await r.account(id: shop.id, by: agent, today: Self.date("2026-06-10"))
            let bill = try #require(view.currentBills.first)
            #expect(bill.total == 2916_00 && bill.band == nil && bill.rates.count == 1 && bill.rates[0].multiplier == 432)
            #expect(bill.lines.map(\.amount) == [5832_00, -2916_00] && bill.lines[0].name == "Rateable value £13,500.00 × 43.2p")
            #expect(bill.instalments.map(\.amount) == [288_00] + Array(repeating: 292_00, count: 9))
            // From 1 October: 182 of 365 days of £80,000 × 48.0p = £38,400.
            let officesBill = try #require(try await r.account(id: offices.id, by: agent).currentBills.first)
            #expect(officesBill.total == Money.roundHalfUp(38_400_00 * 182, 365))

            // A VOA alteration from 1 July 2026 to £16,000 ends SBRR's share from that day: a revised notice.
            try await r.setRateableValue(RatingEntry(uprn: try UPRN(100010330004), from: Self.date("2026-07-01"), rateableValue: 16_000, description: "Shop and premises"),
                                         by: admin, now: Self.june)
            let revised = try await r.account(id: shop.id, by: agent, today: Self.date("2026-06-10")).currentBills[0]
            #expect(revised.sequence == 2 && revised.rates.map(\.rateableValue) == [13_500, 16_000])
            #expect(revised.total == Money.roundHalfUp(2916_00 * 91 + 6912_00 * 274, 365))
            #expect(try await r.ratings(uprn: try UPRN(100010330004), by: agent).map(\.rateableValue) == [13_500, 16_000])

            // BVPI 10 counts rates only; BVPI 9 council tax only (no council tax accounts here).
            let rates = try await r.collectionReport(year: Self.year, asOf: Self.date("2026-06-10"), tax: .businessRates, by: agent)
            #expect(rates.tax == .businessRates && rates.netDebit == revised.total + officesBill.total && rates.bills.first?.annual == 2 && rates.bills.first?.revised == 1)
            #expect(try await r.collectionReport(year: Self.year, asOf: Self.date("2026-06-10"), tax: .councilTax, by: agent).netDebit == 0)
            // The statement names the tax.
            #expect(try await r.statement(account: shop.id, by: agent).first?.description == "Business rates 2026/27")
        }
    }

    @Test func aCreditIsRefundedByABACSFileOnceAndRefusalsChangeNothing() async throws {
        try await Scenario.run { s in
            let r = try await setUp(s), agent = s.actor(s.burnleyAgent), admin = s.actor(s.burnleyAdmin)
            let shop = try await r.openAccount(NewCouncilTaxAccount(uprn: 100010330004, liableFrom: "2020-01-01", parties: [.init(name: "Clegg's Bakery Ltd")],
                                                                    tax: "business_rates"), by: agent, now: Self.february)
            _ = try await r.billingRun(year: Self.year, issuedOn: Self.date("2026-03-10"), by: admin, now: Self.february)
            let payee = NewRefund(payeeName: "Clegg's Bakery Ltd", sortCode: "30-94-57", accountNumber: "12345678")
            #expect(await refusal { _ = try await r.requestRefund(account: shop.id, payee, by: agent, now: Self.june) }?.code == "no_credit")
            // Paid twice by mistake: £5,832 against a charge of £5,832, then £100 more.
            _ = try await r.recordPayment(account: shop.id, NewPayment(amount: "5832", method: "bacs", receivedOn: "2026-05-01", reference: "A1"), by: agent, now: Self.june)
            _ = try await r.recordPayment(account: shop.id, NewPayment(amount: "100", method: "bacs", receivedOn: "2026-05-02", reference: "A2"), by: agent, now: Self.june)
            #expect(try await r.account(id: shop.id, by: agent).credit == 100_00)
            var tooMuch = payee; tooMuch.amount = "100.01"
            #expect(await refusal { _ = try await r.requestRefund(account: shop.id, tooMuch, by: agent, now: Self.june) }?.code == "more_than_credit")
            var badSort = payee; badSort.sortCode = "30-94"
            #expect(await refusal { _ = try await r.requestRefund(account: shop.id, badSort, by: agent, now: Self.june) }?.field == "payee_sort_code")
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM revenues_refund") == 0)

            var part = payee; part.amount = "60"
            let first = try await r.requestRefund(account: shop.id, part, by: agent, now: Self.june)
            let rest = try await r.requestRefund(account: shop.id, payee, by: agent, now: Self.june)
            #expect(first.status == .pending && first.amount == 60_00 && rest.amount == 40_00)
            let view = try await r.account(id: shop.id, by: agent)
            #expect(view.credit == 0 && view.balance == 0)
            // The API's JSON never carries the whole account number.
            let json = String(decoding: try JSONEncoder().encode(view), as: UTF8.self)
            #expect(!json.contains("12345678") && json.contains("****5678"))
            _ = try await r.cancelRefund(rest.id, by: agent, now: Self.june)
            #expect(try await r.account(id: shop.id, by: agent).credit == 40_00)

            #expect(await refusal { _ = try await r.makeRefundFile(by: admin, now: Self.june) }?.code == "no_bank_account")
            #expect(await refusal { _ = try await r.makeRefundFile(by: agent, now: Self.june) } != nil)   // agents cannot pay money out
            _ = try await r.setBankAccount(name: "Burnley Borough Council", sortCode: "20-00-00", accountNumber: "55779911", by: admin, now: Self.june)
            let file = try await r.makeRefundFile(by: admin, now: Self.june)
            #expect(file.count == 1 && file.total == 60_00 && file.processingDate == Self.date("2026-06-10"))
            let records = file.content.split(separator: "\r\n")
            #expect(records.count == 1 && records[0].count == 100 && records[0].hasPrefix("3094571234567809920000055779911"))
            #expect(records[0].contains("00000006000") && records[0].contains("REFUND \(shop.reference)"))
            #expect(try await r.refunds(status: .paid, by: agent).map(\.id) == [first.id])
            // Paid once: a second file finds nothing, and a paid refund cannot be cancelled.
            #expect(await refusal { _ = try await r.makeRefundFile(by: admin, now: Self.june) }?.code == "nothing_to_pay")
            #expect(await refusal { _ = try await r.cancelRefund(first.id, by: agent, now: Self.june) }?.code == "not_pending")
            #expect(try await r.refundFiles(by: admin).map(\.id) == [file.id])
            let statement = try await r.statement(account: shop.id, by: agent)
            #expect(statement.last?.description == "Refund to 309457 ****5678" && statement.last?.debit == 60_00 && statement.last?.balance == -40_00)
        }
    }
}
