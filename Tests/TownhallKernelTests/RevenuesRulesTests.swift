import Revenues
import Testing
import TownhallKernel

/// Every worked example in the revenues reference (rules with their legal sources), plus the edges the rules name.
@Suite struct RevenuesRulesTests {
    func date(_ s: String) -> LocalDate { try! LocalDate(parsing: s, field: "date") }
    let y2026 = try! FinancialYear(2026)

    /// The reference's example: Band D components 250 + 200 (ASC) + 1,500 + 260 + 90 + 60 (parish) = £2,360.
    var example: CouncilTaxCharges {
        CouncilTaxCharges(year: y2026, area: "NEWTON", preceptors: [
            Preceptor(name: "Borough", kind: .billingAuthority, bandD: 250_00, previousBandD: 240_00),
            Preceptor(name: "Adult social care", kind: .adultSocialCare, bandD: 200_00, previousBandD: 190_00),
            Preceptor(name: "County", kind: .county, bandD: 1500_00, previousBandD: 1430_00),
            Preceptor(name: "Police", kind: .police, bandD: 260_00),
            Preceptor(name: "Fire", kind: .fire, bandD: 90_00),
            Preceptor(name: "Newton Parish", kind: .parish, bandD: 60_00),
        ])
    }

    @Test func bandAmountsAreEachComponentTimesNinthsRoundedHalfUpThenSummed() throws {
        let c = example
        #expect(c.bandD == 2360_00)
        #expect(c.shares(.b) == [194_44, 155_56, 1166_67, 202_22, 70_00, 46_67])
        #expect(c.amount(.b) == 1835_56)
        #expect(c.amount(.d) == 2360_00)
        #expect(c.amount(.h) == 4720_00)
        // A parish Band D of £9 is £6 in band A and £18 in band H.
        let parish = CouncilTaxCharges(year: y2026, preceptors: [Preceptor(name: "Parish", kind: .parish, bandD: 9_00)])
        #expect(parish.amount(.a) == 6_00 && parish.amount(.h) == 18_00)
        // A published table overrides the computed figure; one more than rounding away is refused as a typing error.
        var published = c
        published.published = [.b: 1835_57]
        #expect(try published.validated().amount(.b) == 1835_57)
        published.published = [.b: 1853_56]
        #expect(throws: TownhallError.self) { try published.validated() }
        // Band ratios and the disabled band reduction: B is charged as A; A pays 5/9 of Band D.
        #expect(CouncilTaxBand.allCases.map(\.ninths) == [6, 7, 8, 9, 11, 13, 15, 18])
        #expect(c.reducedAmount(.b) == c.amount(.a))
        #expect(c.reducedAmount(.a) == c.preceptors.map { CouncilTaxCharges.share($0.bandD, ninths: 5) }.reduce(0, +))
        #expect(c.reducedAmount(.a) == 1311_10)   // 138.89 + 111.11 + 833.33 + 144.44 + 50.00 + 33.33
        // A band outside A–H is refused by name.
        #expect(throws: TownhallError.self) { try CouncilTaxBand.parse("I") }
        #expect(try CouncilTaxBand.parse(" c ") == .c)
    }

    /// Two-tier (the reference's example: a borough and a county): adult social care is the county's, so it joins the
    /// county's line and the borough's line is the borough's alone.
    @Test func twoTierNoticesPutAdultSocialCareOnTheCountysLine() {
        let lines = example.noticeLines(.d)
        #expect(lines.map(\.name) == ["Borough", "County", "Police", "Fire", "Newton Parish"])
        #expect(lines[0].amount == 250_00 && lines[0].previous == 240_00 && lines[0].percentChange == "4.2%")
        #expect(lines[1].amount == 1700_00 && lines[1].previous == 1620_00 && lines[1].percentChange == "4.9%")
        #expect(lines[2].percentChange == nil)
        #expect(lines.map(\.amount).reduce(0, +) == example.amount(.d))
    }

    /// Single-tier (a unitary council levies both): one line for the council, general element and adult social care.
    @Test func singleTierNoticesPutAdultSocialCareOnTheCouncilsLine() {
        let unitary = CouncilTaxCharges(year: y2026, preceptors: [
            Preceptor(name: "Police", kind: .police, bandD: 260_00),
            Preceptor(name: "Unitary council", kind: .billingAuthority, bandD: 1600_00, previousBandD: 1530_00),
            Preceptor(name: "Adult social care", kind: .adultSocialCare, bandD: 200_00, previousBandD: 190_00),
            Preceptor(name: "Fire", kind: .fire, bandD: 90_00),
        ])
        let lines = unitary.noticeLines(.b)
        #expect(lines.map(\.name) == ["Police", "Unitary council", "Fire"])
        #expect(lines[1].amount == unitary.shares(.b)[1] + unitary.shares(.b)[2])
        // 1,244.44 + 155.56 = 1,400.00 against 1,190.00 + 147.78 = 1,337.78 last year: 62.22 more, 4.65 % → 4.7 %.
        #expect(lines[1].amount == 1400_00 && lines[1].previous == 1337_78 && lines[1].percentChange == "4.7%")
        #expect(lines.map(\.amount).reduce(0, +) == unitary.amount(.b))
        // A precept with no levying authority listed is not lost: it prints on a line of its own.
        let orphan = CouncilTaxCharges(year: y2026, preceptors: [Preceptor(name: "Police", kind: .police, bandD: 260_00),
                                                                 Preceptor(name: "Adult social care", kind: .adultSocialCare, bandD: 200_00)])
        #expect(orphan.noticeLines(.d).map(\.name) == ["Police", "Adult social care"])
    }

    @Test func financialYearsRunAprilToMarchWithTheirOwnLengths() throws {
        #expect(try FinancialYear(2025).days == 365)
        #expect(try FinancialYear(2027).days == 366)
        #expect(try FinancialYear(parsing: "2026/27") == y2026)
        #expect(try FinancialYear(parsing: "2026") == y2026)
        #expect(throws: TownhallError.self) { try FinancialYear(parsing: "2026/28") }
        #expect(FinancialYear(containing: date("2027-03-31")) == y2026)
        #expect(FinancialYear(containing: date("2027-04-01")).startYear == 2027)
        #expect(y2026.description == "2026/27")
    }

    @Test func instalmentsAreWholePoundsWithTheDifferenceOnTheFirst() {
        // The reference's three examples.
        #expect(InstalmentScheme.split(1273_43, count: 10) == [130_43] + Array(repeating: 127_00, count: 9))
        #expect(InstalmentScheme.split(1236_80, count: 10) == [120_80] + Array(repeating: 124_00, count: 9))
        #expect(InstalmentScheme.split(1273_43, count: 12) == [107_43] + Array(repeating: 106_00, count: 11))
        // A whole-pound average is split equally.
        #expect(InstalmentScheme.split(1200_00, count: 10) == Array(repeating: 120_00, count: 10))
        // Under £10: one instalment; otherwise no more instalments than whole £5s.
        #expect(InstalmentScheme.split(9_99, count: 10) == [9_99])
        #expect(InstalmentScheme.split(23_00, count: 10).count == 4)
        #expect(InstalmentScheme.split(23_00, count: 10).reduce(0, +) == 23_00)
        // A half rounds up: £1,005 over 10 is 100.50 → £101 each, and the first takes the difference.
        #expect(InstalmentScheme.split(1005_00, count: 10) == [96_00] + Array(repeating: 101_00, count: 9))
        // Every split adds up to the aggregate.
        for total in [10_00, 57_31, 999_99, 1835_56, 4720_00] as [Int64] {
            for n in 1...12 { #expect(InstalmentScheme.split(total, count: n).reduce(0, +) == total) }
        }
        #expect(InstalmentScheme.split(0, count: 10).isEmpty)
    }

    @Test func theNumberOfInstalmentsFollowsTheMonthOfIssue() {
        func n(_ issued: String, twelve: Bool = false) -> Int { InstalmentScheme.count(year: y2026, issued: date(issued), twelve: twelve) }
        #expect(n("2026-03-10") == 10 && n("2026-04-30") == 10)
        #expect(n("2026-05-20") == 9 && n("2026-06-01") == 8 && n("2026-12-15") == 2)
        #expect(n("2027-01-10") == 1 && n("2027-03-01") == 1)
        #expect(n("2026-03-10", twelve: true) == 12 && n("2026-04-15", twelve: true) == 12)
        #expect(n("2026-06-10", twelve: true) == 9)
    }

    @Test func aScheduleStartsAtLeastFourteenDaysAfterIssueAndStaysInTheYear() {
        let march = InstalmentScheme.schedule(total: 1273_43, year: y2026, issued: date("2026-03-10"))
        #expect(march.map(\.due) == (4...12).map { date(String(format: "2026-%02d-01", $0)) } + [date("2027-01-01")])
        #expect(march.first?.amount == 130_43 && march.count == 10)
        // Issued 20 March with the 1st as the instalment day: 1 April is only 12 days on, so the first is 1 May.
        let late = InstalmentScheme.schedule(total: 1273_43, year: y2026, issued: date("2026-03-20"))
        #expect(late.first?.due == date("2026-05-01") && late.count == 10 && late.last?.due == date("2027-02-01"))
        // Twelve on request, issued in March: April to March.
        let twelve = InstalmentScheme.schedule(total: 1273_43, year: y2026, issued: date("2026-03-10"), twelve: true)
        #expect(twelve.count == 12 && twelve.last?.due == date("2027-03-01") && twelve.first?.amount == 107_43)
        // Issued in June: eight, July to February on the 15th.
        let june = InstalmentScheme.schedule(total: 800_00, year: y2026, issued: date("2026-06-10"), day: 15)
        #expect(june.count == 8 && june.first?.due == date("2026-07-15"))
        // Issued after the year: one instalment 14 days on.
        let after = InstalmentScheme.schedule(total: 100_00, year: y2026, issued: date("2027-04-10"))
        #expect(after == [Instalment(number: 1, due: date("2027-04-24"), amount: 100_00)])
        for s in [march, late, twelve, june] { #expect(s.allSatisfy { y2026.contains($0.due) }) }
    }

    @Test func aChangeReprofilesTheInstalmentsStillToComeAllowingForPayments() {
        let old = InstalmentScheme.schedule(total: 1200_00, year: y2026, issued: date("2026-03-10"))
        // Three paid (£360); liability falls to £900 on a revised notice of 10 June: £540 over the instalments from 1 July.
        let revised = InstalmentScheme.reprofile(outstanding: 900_00 - 360_00, previous: old, year: y2026, issued: date("2026-06-10"))
        #expect(revised.map(\.due) == (7...12).map { date(String(format: "2026-%02d-01", $0)) } + [date("2027-01-01")])
        #expect(revised.reduce(0) { $0 + $1.amount } == 540_00)
        // A revised notice after the last instalment: one payment, 14 days on (still inside the year when it can be).
        let lateRevision = InstalmentScheme.reprofile(outstanding: 50_00, previous: old, year: y2026, issued: date("2027-01-20"))
        #expect(lateRevision == [Instalment(number: 1, due: date("2027-03-01"), amount: 50_00)])
        #expect(InstalmentScheme.reprofile(outstanding: 0, previous: old, year: y2026, issued: date("2026-06-10")).isEmpty)
    }

    @Test func liabilityIsDailyAndAdjustmentsApplyInTheStatutoryOrder() throws {
        let c = example
        let bands = BandHistory([(date("1993-04-01"), .b)])
        func total(_ liable: DateSpan, _ adjustments: [Adjustment] = [], bands: BandHistory? = nil) -> Int64 {
            CouncilTaxLiability.compute(year: y2026, liable: liable, bands: bands ?? self.bandsB, adjustments: adjustments, charges: c).total
        }
        let whole = DateSpan(from: date("2020-01-01"), to: nil)
        #expect(total(whole) == 1835_56)
        // Moving in on 1 October: 182 of 365 days.
        #expect(total(DateSpan(from: date("2026-10-01"), to: nil)) == Money.roundHalfUp(1835_56 * 182, 365))
        // Moving out on 30 June after the whole year began: 91 days.
        #expect(total(DateSpan(from: date("2019-05-01"), to: date("2026-06-30"))) == Money.roundHalfUp(1835_56 * 91, 365))
        // Single person discount 25 %, all disregarded 50 %.
        #expect(total(whole, [Adjustment(kind: .singlePersonDiscount, span: DateSpan(from: date("2024-01-01"), to: nil))]) == Money.roundHalfUp(1835_56 * 75, 100))
        #expect(total(whole, [Adjustment(kind: .allDisregardedDiscount, span: DateSpan(from: date("2024-01-01"), to: nil))]) == 917_78)
        // Single person discount from 1 January: 90 of the 365 days at 75 %.
        let spd = total(whole, [Adjustment(kind: .singlePersonDiscount, span: DateSpan(from: date("2027-01-01"), to: nil))])
        #expect(spd == Money.roundHalfUp(1835_56 * 275 * 100 + 1835_56 * 90 * 75, 365 * 100))
        // Exempt (class N, only students): nothing; the disabled band reduction charges band A.
        #expect(total(whole, [Adjustment(kind: .exemption, span: whole, exemptionClass: "N")]) == 0)
        #expect(total(whole, [Adjustment(kind: .disabledBandReduction, span: whole)]) == c.amount(.a))
        // The reduction and a discount together: band A less 25 %.
        #expect(total(whole, [Adjustment(kind: .disabledBandReduction, span: whole), Adjustment(kind: .singlePersonDiscount, span: whole)])
                == Money.roundHalfUp(c.amount(.a) * 75, 100))
        // Premiums: empty over a year +100 % (200 % in all); second home +100 %.
        #expect(total(whole, [Adjustment(kind: .emptyHomePremium, span: whole, percent: 100)]) == 2 * 1835_56)
        #expect(total(whole, [Adjustment(kind: .secondHomePremium, span: whole, percent: 100)]) == 2 * 1835_56)
        // A local reduction applies after the discount.
        #expect(total(whole, [Adjustment(kind: .singlePersonDiscount, span: whole), Adjustment(kind: .localReduction, span: whole, percent: 10)])
                == Money.roundHalfUp(1835_56 * 75 * 90, 100 * 100))
        // A band change on 1 October (B to C) is charged from that day.
        let banded = BandHistory([(date("1993-04-01"), .b), (date("2026-10-01"), .c)])
        #expect(total(whole, bands: banded) == Money.roundHalfUp(1835_56 * 183 + c.amount(.c) * 182, 365))
        // Days the list gives no band are counted, not charged.
        let result = CouncilTaxLiability.compute(year: y2026, liable: whole, bands: BandHistory([(date("2026-10-01"), .b)]), adjustments: [], charges: c)
        #expect(result.unbandedDays == 183 && result.segments.count == 1)
    }

    var bandsB: BandHistory { BandHistory([(date("1993-04-01"), .b)]) }

    @Test func adjustmentsThatCannotApplyTogetherAreRefused() throws {
        let spd = Adjustment(kind: .singlePersonDiscount, span: DateSpan(from: date("2026-04-01"), to: nil))
        let premium = Adjustment(kind: .secondHomePremium, span: DateSpan(from: date("2026-06-01"), to: nil), percent: 100)
        #expect(throws: TownhallError.self) { try premium.validated(against: [spd]) }
        // After the discount ends, the premium may start.
        var ended = spd; ended.span.to = date("2026-05-31")
        #expect(try premium.validated(against: [ended]).percent == 100)
        #expect(throws: TownhallError.self) { try Adjustment(kind: .exemption, span: spd.span, exemptionClass: "Z").validated(against: []) }
        #expect(throws: TownhallError.self) { try Adjustment(kind: .emptyHomePremium, span: spd.span, percent: 150).validated(against: []) }
        #expect(throws: TownhallError.self) { try Adjustment(kind: .singlePersonDiscount, span: DateSpan(from: date("2026-05-01"), to: date("2026-04-01"))).validated(against: []) }
        #expect(try Adjustment(kind: .exemption, span: spd.span, exemptionClass: "n").validated(against: [spd]).exemptionClass == "N")
    }

    @Test func paymentsPayTheOldestYearFirstUnlessDirected() throws {
        let y25 = try FinancialYear(2025)
        let charges = [y25: 100_00, y2026: 1000_00] as [FinancialYear: Int64]
        let plain = PaymentAllocation.allocate(charges: charges, payments: [.init(amount: 150_00)])
        #expect(plain.paid == [y25: 100_00, y2026: 50_00] && plain.outstanding[y2026] == 950_00 && plain.credit == 0)
        let directed = PaymentAllocation.allocate(charges: charges, payments: [.init(amount: 150_00, directedTo: y2026)])
        #expect(directed.paid == [y2026: 150_00] && directed.outstanding[y25] == 100_00)
        let over = PaymentAllocation.allocate(charges: charges, payments: [.init(amount: 1200_00)])
        #expect(over.credit == 100_00 && over.outstanding.values.allSatisfy { $0 == 0 })
    }

    @Test func instalmentPositionCountsWhatHasFallenDueAndIsNotPaid() {
        let s = InstalmentScheme.schedule(total: 1200_00, year: y2026, issued: date("2026-03-10"))
        let p = InstalmentPosition.of(s, paid: 150_00, on: date("2026-06-05"))
        // Due by 5 June: April, May, June (£360); paid £150.
        #expect(p.arrears == 210_00 && p.missed == 2 && p.next?.number == 2 && p.next?.amount == 90_00)
        #expect(InstalmentPosition.of(s, paid: 1200_00, on: date("2027-02-01")) == InstalmentPosition(arrears: 0, next: nil, missed: 0))
    }

    @Test func businessRatesUseTheYearsMultiplierAndTheSmallBusinessTaper() throws {
        let y25 = try FinancialYear(2025)
        // The reference's example: RV £13,500 gets 50 %; 13,500 × 49.9p = £6,736.50, so £3,368.25.
        #expect(BusinessRates.smallBusinessRelief(rateableValue: 13_500) == 1500)
        func net(_ rv: Int64, sbrr: Bool) throws -> Int64 {
            try BusinessRatesLiability.annual(year: y25, rateableValue: rv, adjustments: sbrr ? [Adjustment(kind: .smallBusinessRateRelief, span: DateSpan(from: y25.start, to: nil))] : []).net
        }
        #expect(try net(13_500, sbrr: false) == 6736_50)
        #expect(try net(13_500, sbrr: true) == 3368_25)
        #expect(try net(12_000, sbrr: true) == 0)
        #expect(try net(15_000, sbrr: true) == 7485_00)
        #expect(try BusinessRates.multiplier(year: y25, rateableValue: 51_000) == 555)
        #expect(try BusinessRates.multiplier(year: y2026, rateableValue: 50_999, retailHospitalityLeisure: true) == 382)
        #expect(try BusinessRates.multiplier(year: y2026, rateableValue: 100_000) == 480)
        #expect(try BusinessRates.multiplier(year: y2026, rateableValue: 100_000, retailHospitalityLeisure: true) == 430)
        #expect(try BusinessRates.multiplier(year: y2026, rateableValue: 500_000, retailHospitalityLeisure: true) == 508)
        #expect(throws: TownhallError.self) { try BusinessRates.multiplier(year: try FinancialYear(2024), rateableValue: 10_000) }
    }

    @Test func moneyIsWrittenAndReadAsPeopleDo() throws {
        #expect(Money.format(1835_56) == "£1,835.56" && Money.format(-5) == "-£0.05" && Money.format(1_000_000_00) == "£1,000,000.00")
        #expect(try Money.parse("£1,234.5", field: "amount") == 1234_50)
        #expect(try Money.parse("12", field: "amount") == 12_00)
        for bad in ["-5", "12.345", "abc", "", "1.2.3"] { #expect(throws: TownhallError.self) { try Money.parse(bad, field: "amount") } }
    }
}
