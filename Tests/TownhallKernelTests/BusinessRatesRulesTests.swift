import Revenues
import Testing
import TownhallKernel

/// Business rates bills (reference §5) and refunds out of credits, worked by hand.
@Suite struct BusinessRatesRulesTests {
    func date(_ s: String) -> LocalDate { try! LocalDate(parsing: s, field: "date") }
    let y25 = try! FinancialYear(2025), y26 = try! FinancialYear(2026)
    func relief(_ kind: Adjustment.Kind, percent: Int? = nil, from: String = "2023-04-01") -> Adjustment {
        Adjustment(kind: kind, span: DateSpan(from: date(from), to: nil), percent: percent)
    }

    @Test func annualAmountsTakeEachReliefOffWhatIsLeftToThePenny() throws {
        // The reference's example, as a bill prints it: £6,736.50 gross, SBRR 50 % £3,368.25, net £3,368.25.
        let sbrr = try BusinessRatesLiability.annual(year: y25, rateableValue: 13_500, adjustments: [relief(.smallBusinessRateRelief)])
        #expect(sbrr.multiplier == 499 && sbrr.gross == 6736_50 && sbrr.net == 3368_25)
        #expect(sbrr.reliefs == [.init(kind: .smallBusinessRateRelief, basisPoints: 5000, amount: 3368_25)])
        // The taper is exact: £13,000 keeps 2,000/3,000 of the relief, £4,324.67 of £6,487.00.
        let taper = try BusinessRatesLiability.annual(year: y25, rateableValue: 13_000, adjustments: [relief(.smallBusinessRateRelief)])
        #expect(taper.gross == 6487_00 && taper.reliefs.first?.amount == 4324_67 && taper.reliefs.first?.basisPoints == 6667 && taper.net == 2162_33)
        // 2025/26 retail, hospitality and leisure: 40 % of what SBRR leaves.
        let rhl25 = try BusinessRatesLiability.annual(year: y25, rateableValue: 13_500, adjustments: [relief(.smallBusinessRateRelief), relief(.retailHospitalityLeisure)])
        #expect(rhl25.reliefs.map(\.amount) == [3368_25, 1347_30] && rhl25.net == 2020_95)
        // 2026/27 RHL is a multiplier, not a relief: 38.2p under £51,000; 50.8p for everyone at £500,000 or more.
        let rhl26 = try BusinessRatesLiability.annual(year: y26, rateableValue: 30_000, adjustments: [relief(.retailHospitalityLeisure)])
        #expect(rhl26.multiplier == 382 && rhl26.reliefs.isEmpty && rhl26.net == 11_460_00)
        #expect(try BusinessRatesLiability.annual(year: y26, rateableValue: 600_000, adjustments: []).net == 304_800_00)
        // Charities get 80 % and no SBRR; a discretionary top-up comes off what is left.
        let charity = try BusinessRatesLiability.annual(year: y25, rateableValue: 20_000, adjustments: [relief(.charitableRelief), relief(.smallBusinessRateRelief)])
        #expect(charity.reliefs.map(\.kind) == [.charitableRelief] && charity.net == 1996_00)
        let topUp = try BusinessRatesLiability.annual(year: y25, rateableValue: 20_000, adjustments: [relief(.charitableRelief), relief(.discretionaryRelief, percent: 50)])
        #expect(topUp.net == 998_00)
        #expect(try BusinessRatesLiability.annual(year: y25, rateableValue: 80_000, adjustments: [relief(.emptyPropertyRelief)]).net == 0)
        #expect(throws: TownhallError.self) { try BusinessRatesLiability.annual(year: try FinancialYear(2024), rateableValue: 10_000, adjustments: []) }
    }

    @Test func liabilityIsDailyAcrossValueChangesAndReliefDates() throws {
        // From 1 October 2025: 182 of 365 days of £3,368.25 = £1,679.51.
        let part = try BusinessRatesLiability.compute(year: y25, liable: DateSpan(from: date("2025-10-01"), to: nil),
                                                      values: [RatingEntry(uprn: try UPRN(1), from: date("2023-04-01"), rateableValue: 13_500, description: "Shop")],
                                                      adjustments: [relief(.smallBusinessRateRelief)])
        #expect(part.total == 1679_51 && part.segments.count == 1 && part.segments[0].days == 182)
        // A VOA alteration from 1 October 2026, £10,000 to £20,000: 183 days at £4,320 and 182 at £8,640 = £6,474.08.
        let values = [RatingEntry(uprn: try UPRN(1), from: date("2023-04-01"), rateableValue: 10_000, description: "Shop"),
                      RatingEntry(uprn: try UPRN(1), from: date("2026-10-01"), rateableValue: 20_000, description: "Shop")]
        let altered = try BusinessRatesLiability.compute(year: y26, liable: DateSpan(from: date("2020-01-01"), to: nil), values: values, adjustments: [])
        #expect(altered.total == 6474_08 && altered.segments.map(\.net) == [4320_00, 8640_00] && altered.segments.map(\.days) == [183, 182])
        // Three months' empty property relief from 1 January 2027: 90 days free.
        let empty = try BusinessRatesLiability.compute(year: y26, liable: DateSpan(from: date("2020-01-01"), to: nil), values: [values[0]],
                                                       adjustments: [Adjustment(kind: .emptyPropertyRelief, span: DateSpan(from: date("2027-01-01"), to: date("2027-03-31")))])
        #expect(empty.segments.map(\.net) == [4320_00, 0] && empty.total == Money.roundHalfUp(4320_00 * 275, 365))
        // Days before the hereditament is on the list are not billed.
        let unlisted = try BusinessRatesLiability.compute(year: y26, liable: DateSpan(from: date("2026-04-01"), to: nil), values: [values[1]], adjustments: [])
        #expect(unlisted.unlistedDays == 183 && unlisted.total == Money.roundHalfUp(8640_00 * 182, 365))
    }

    @Test func reliefsBelongToBusinessRatesAndCharityExcludesSmallBusinessRelief() throws {
        let sbrr = relief(.smallBusinessRateRelief)
        #expect(throws: TownhallError.self) { try sbrr.validated(against: [], tax: .councilTax) }
        #expect(throws: TownhallError.self) { try relief(.singlePersonDiscount).validated(against: [], tax: .businessRates) }
        #expect(try sbrr.validated(against: [], tax: .businessRates) == sbrr)
        do {
            _ = try relief(.charitableRelief, from: "2026-04-01").validated(against: [sbrr], tax: .businessRates)
            Issue.record("charitable relief over small business rate relief should be refused")
        } catch let e as TownhallError { #expect(e.code == "overlapping_adjustment") }
        #expect(throws: TownhallError.self) { try relief(.discretionaryRelief, percent: 0).validated(against: [], tax: .businessRates) }
    }

    @Test func bankDetailsAreCheckedAndTheBACSRecordIsStandard18() throws {
        let payee = try BankDetails.validated(name: "Mrs Ann O'Clegg", sortCode: "30-94-57", accountNumber: "1234567")
        #expect(payee.sortCode == "309457" && payee.accountNumber == "01234567" && payee.maskedAccountNumber == "****4567")
        for (sort, number, field) in [("30-94-5", "12345678", "sort_code"), ("30945x", "12345678", "sort_code"), ("309457", "12345", "account_number"),
                                      ("309457", "123456789", "account_number")] {
            do { _ = try BankDetails.validated(name: "A", sortCode: sort, accountNumber: number); Issue.record("\(sort) \(number) accepted") }
            catch let e as TownhallError { #expect(e.field == field) }
        }
        let council = try BankDetails.validated(name: "Burnley Borough Council", sortCode: "20-00-00", accountNumber: "55779911")
        let record = BACSStandard18.record(to: payee, amount: 123_45, from: council, reference: "REFUND CT00000042")
        #expect(record.count == 100)
        func field(_ from: Int, _ to: Int) -> String { String(Array(record)[(from - 1)..<to]) }
        #expect(field(1, 6) == "309457" && field(7, 14) == "01234567" && field(15, 15) == "0" && field(16, 17) == "99")
        #expect(field(18, 23) == "200000" && field(24, 31) == "55779911" && field(32, 35) == "    " && field(36, 46) == "00000012345")
        #expect(field(47, 64) == "BURNLEY BOROUGH CO" && field(65, 82) == "REFUND CT00000042 " && field(83, 100) == "MRS ANN O CLEGG   ")
        #expect(BACSStandard18.file([(payee, 1, "A"), (payee, 2, "B")], from: council).split(separator: "\r\n").count == 2)
    }

    @Test func refundsComeOutOfTheLatestPayments() throws {
        let org = OrganisationID(), account = RevenuesAccountID()
        let bill = Bill(id: BillID(), organisationID: org, accountID: account, year: y26, sequence: 1, issuedOn: date("2026-03-10"), total: 1000_00, band: .a,
                        area: "", lines: [], segments: [], instalments: [], runID: nil, createdAt: .now)
        func pay(_ amount: Int64, _ on: String) -> RevenuesPayment {
            RevenuesPayment(id: PaymentID(), accountID: account, amount: amount, receivedOn: date(on), method: .bacs, reference: nil, directedTo: nil, createdAt: .now)
        }
        let payee = BankDetails(name: "A", sortCode: "309457", accountNumber: "01234567")
        func refund(_ amount: Int64, _ status: Refund.Status) -> Refund {
            Refund(id: RefundID(), organisationID: org, accountID: account, amount: amount, payee: payee, reason: "", status: status, requestedOn: date("2026-07-01"),
                   fileID: nil, createdAt: .now)
        }
        let payments = [pay(900_00, "2026-04-01"), pay(150_00, "2026-05-01"), pay(50_00, "2026-06-01")]
        #expect(AccountLedger(bills: [bill], payments: payments, recovery: []).allocation().credit == 100_00)
        let ledger = AccountLedger(bills: [bill], payments: payments, recovery: [], refunds: [refund(80_00, .paid), refund(20_00, .cancelled)])
        #expect(ledger.refunded == 80_00 && ledger.payments.map(\.amount) == [900_00, 120_00] && ledger.balance == -20_00)
        #expect(ledger.allocation().credit == 20_00 && ledger.allocation().paid[y26] == 1000_00)
    }
}
