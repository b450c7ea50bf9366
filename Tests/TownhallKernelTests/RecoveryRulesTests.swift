import Revenues
import Testing
import TownhallKernel

/// The recovery timetable of SI 1992/613 regs 23 and 33–35, as the reference sets it out, day by day.
@Suite struct RecoveryRulesTests {
    func date(_ s: String) -> LocalDate { try! LocalDate(parsing: s, field: "date") }
    let year = try! FinancialYear(2026)
    let org = OrganisationID()
    let account = RevenuesAccountID()
    let settings = RecoverySettings.standard   // reminder 10 days after a missed instalment, £70 summons, £30 order, hearing 21 days on

    /// £1,273.43 billed on 10 March: £130.43 on 1 April, then £127 on the 1st of May to January.
    var bill: Bill {
        let instalments = InstalmentScheme.schedule(total: 1273_43, year: year, issued: date("2026-03-10"))
        return Bill(id: BillID(), organisationID: org, accountID: account, year: year, sequence: 1, issuedOn: date("2026-03-10"), total: 1273_43, band: .b,
                    area: "", lines: [], segments: [], instalments: instalments, runID: nil, createdAt: .now)
    }

    func facts(_ payments: [(String, Int64)], costs: Int64 = 0) -> RecoveryTimetable.YearFacts {
        let dated = payments.map { (date($0.0), $0.1) }
        return RecoveryTimetable.YearFacts(bill: bill, costs: costs) { day in dated.filter { $0.0 <= day }.reduce(0) { $0 + $1.1 } }
    }

    func issued(_ stage: RecoveryStage, on day: String, due: String? = nil, amount: Int64 = 0, costs: Int64 = 0) -> RecoveryAction {
        RecoveryAction(organisationID: org, accountID: account, accountReference: "CT00000001", year: year, stage: stage, status: .issued,
                       proposedOn: date(day), issuedOn: date(day), amount: amount, costs: costs, dueOn: due.map(date))
    }

    func next(_ f: RecoveryTimetable.YearFacts, _ history: [RecoveryAction], on day: String) -> RecoveryTimetable.Proposal? {
        RecoveryTimetable.next(f, history: history, settings: settings, today: date(day))
    }

    @Test func anUnpaidReminderLosesTheInstalmentsThenSummonsThenLiabilityOrderWithCosts() {
        let f = facts([])
        // Reg 23(1): nothing until the reminder delay has passed after the missed instalment of 1 April.
        #expect(next(f, [], on: "2026-04-10") == nil)
        let reminder = next(f, [], on: "2026-04-11")
        #expect(reminder?.stage == .reminder)
        // It demands the unpaid instalment and any falling due within 7 days of issue (none: the next is 1 May).
        #expect(reminder?.amount == 130_43 && reminder?.costs == 0)
        let h1 = [issued(.reminder, on: "2026-04-11", due: "2026-04-18", amount: 130_43)]
        // Seven days to pay.
        #expect(next(f, h1, on: "2026-04-18") == nil)
        // Reg 23(3): not paid within 7 days, so the right to instalments is lost; the whole balance is due 7 days later.
        let lost = next(f, h1, on: "2026-04-19")
        #expect(lost == RecoveryTimetable.Proposal(stage: .instalmentsLost, amount: 1273_43, costs: 0, dueOn: date("2026-04-25")))
        let h2 = h1 + [issued(.instalmentsLost, on: "2026-04-19", due: "2026-04-25", amount: 1273_43)]
        #expect(next(f, h2, on: "2026-04-25") == nil)
        // Reg 34: a summons once the balance is due and unpaid, with the council's costs.
        let summons = next(f, h2, on: "2026-04-26")
        #expect(summons == RecoveryTimetable.Proposal(stage: .summons, amount: 1273_43, costs: 70_00, dueOn: nil))
        let h3 = h2 + [issued(.summons, on: "2026-04-26", due: "2026-05-17", amount: 1273_43, costs: 70_00)]
        let withCosts = facts([], costs: 70_00)
        #expect(next(withCosts, h3, on: "2026-05-16") == nil)
        // Reg 34(6)–(7): at the hearing, the order is for the balance (now including the summons costs) plus the order's costs.
        let order = next(withCosts, h3, on: "2026-05-17")
        #expect(order == RecoveryTimetable.Proposal(stage: .liabilityOrder, amount: 1343_43, costs: 30_00, dueOn: nil))
        let h4 = h3 + [issued(.liabilityOrder, on: "2026-05-17", amount: 1343_43, costs: 30_00)]
        #expect(next(facts([], costs: 100_00), h4, on: "2026-08-01") == nil)
    }

    @Test func aPaidSecondReminderThenAnotherMissMakesTheWholeBalanceDueWithAFinalNotice() {
        let h1 = [issued(.reminder, on: "2026-04-11", due: "2026-04-18", amount: 130_43)]
        // The reminder is paid within 7 days: instalments carry on, and nothing more is due while they are paid.
        var f = facts([("2026-04-15", 130_43)])
        #expect(next(f, h1, on: "2026-04-19") == nil)
        // May's instalment is missed: the second reminder in the year.
        let second = next(f, h1, on: "2026-05-11")
        #expect(second == RecoveryTimetable.Proposal(stage: .secondReminder, amount: 127_00, costs: 0, dueOn: nil))
        let h2 = h1 + [issued(.secondReminder, on: "2026-05-11", due: "2026-05-18", amount: 127_00)]
        f = facts([("2026-04-15", 130_43), ("2026-05-14", 127_00)])
        #expect(next(f, h2, on: "2026-05-19") == nil)
        // Reg 23(4): June's instalment is missed after a paid second reminder. No third reminder: the whole balance was due
        // the day after the failure, and the final notice (reg 33) states it.
        let final = next(f, h2, on: "2026-06-11")
        #expect(final == RecoveryTimetable.Proposal(stage: .finalNotice, amount: 1016_00, costs: 0, dueOn: date("2026-06-02")))
        let h3 = h2 + [issued(.finalNotice, on: "2026-06-11", due: "2026-06-18", amount: 1016_00)]
        // A summons may follow 7 days after the final notice.
        #expect(next(f, h3, on: "2026-06-18") == nil)
        #expect(next(f, h3, on: "2026-06-19")?.stage == .summons)
        // Reg 34(5): paying the balance and the costs before the hearing ends the case.
        let h4 = h3 + [issued(.summons, on: "2026-06-19", due: "2026-07-10", amount: 1016_00, costs: 70_00)]
        let paidUp = facts([("2026-04-15", 130_43), ("2026-05-14", 127_00), ("2026-07-01", 1086_00)], costs: 70_00)
        #expect(next(paidUp, h4, on: "2026-07-10") == nil)
        #expect(next(facts([("2026-04-15", 130_43), ("2026-05-14", 127_00)], costs: 70_00), h4, on: "2026-07-10")?.stage == .liabilityOrder)
    }

    @Test func aReminderDemandsInstalmentsFallingDueWithinSevenDaysAndSmallArrearsAreNotChased() {
        // Missed on 1 April and reminded on 25 April: May's instalment falls due within 7 days, so it is demanded too.
        #expect(next(facts([]), [], on: "2026-04-25")?.amount == 257_43)
        // Paid all but £4: under the £5 minimum, nothing is sent.
        #expect(next(facts([("2026-04-02", 126_43)]), [], on: "2026-04-20") == nil)
        #expect(next(facts([("2026-04-02", 125_43)]), [], on: "2026-04-20")?.amount == 5_00)
    }

    @Test func aStageWaitingForReviewOrWithheldStopsTheYearThere() {
        var pending = issued(.reminder, on: "2026-04-11")
        pending.status = .proposed
        #expect(next(facts([]), [pending], on: "2026-05-20") == nil)
        pending.status = .withheld
        #expect(next(facts([]), [pending], on: "2026-05-20") == nil)
    }

    @Test func settingsKeepTheStatutoryFourteenDaysBeforeAHearing() throws {
        var s = RecoverySettings.standard
        s.hearingAfterDays = 13
        #expect(throws: TownhallError.self) { try s.validated() }
        s.hearingAfterDays = 14
        s.summonsCosts = -1
        #expect(throws: TownhallError.self) { try s.validated() }
        s.summonsCosts = 60_00
        #expect(try s.validated() == s)
        // An arrangement holds recovery until it ends or is cancelled.
        var a = Arrangement(id: ArrangementID(), accountID: account, amount: 50_00, frequency: .monthly, firstPaymentOn: date("2026-05-01"),
                            endsOn: date("2027-03-01"), note: "Income checked", cancelledOn: nil, createdAt: .now)
        #expect(a.holds(on: date("2026-06-01")) && !a.holds(on: date("2027-03-02")))
        a.cancelledOn = date("2026-07-01")
        #expect(a.holds(on: date("2026-06-30")) && !a.holds(on: date("2026-07-01")))
    }
}
