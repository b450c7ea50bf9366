import Foundation
import Revenues
import SQLKit
import Testing
import TownhallKernel
import TownhallTesting

/// Council tax recovery on a real database: the daily job proposes each stage once, officers review and issue it, letters
/// go to the outbox, costs reach the account, arrangements hold recovery, and a stage paid off meanwhile is not sent.
@Suite struct RecoveryTests {
    static func date(_ s: String) -> LocalDate { try! LocalDate(parsing: s, field: "date") }
    static func at(_ day: String) -> Timestamp { Timestamp(iso: "\(day)T06:00:00.000Z")! }

    func count(_ s: Scenario, _ sql: String) async throws -> Int {
        try await s.database.read { try await $0.raw(SQLQueryString(sql)).first()!.int("n") }
    }

    /// Burnley's list and 2026/27 charges, three accounts billed on 10 March.
    func billed(_ s: Scenario) async throws -> [CouncilTaxAccount] {
        let t = RevenuesTests()
        try await t.setUp(s)
        let accounts = [try await t.open(s, 100010330001, from: "2015-06-01", name: "Ann Clegg"),
                        try await t.open(s, 100010330002, from: "2019-01-01", name: "Bob Hart"),
                        try await t.open(s, 100010330003, from: "2010-01-01", name: "Cath Dean")]
        _ = try await s.services.revenues.billingRun(year: RevenuesTests.year, issuedOn: RevenuesTests.issued, by: s.actor(s.burnleyAdmin))
        return accounts
    }

    @Test func theDailyJobProposesEachStageOnceForReviewAndIssuedStagesSendLettersAndAddCosts() async throws {
        try await Scenario.run { s in
            let (ann, bob, cath) = try await { let a = try await billed(s); return (a[0], a[1], a[2]) }()
            let r = s.services.revenues, admin = s.actor(s.burnleyAdmin), agent = s.actor(s.burnleyAgent)
            // Bob pays the year in full; Cath pays nothing but agrees an arrangement before the job runs.
            let bobTotal = try await r.account(id: bob.id, by: agent).bills[0].total
            _ = try await r.recordPayment(account: bob.id, NewPayment(amountPence: bobTotal, method: "card", receivedOn: "2026-03-20"), by: agent, now: Self.at("2026-03-20"))
            _ = try await r.addArrangement(account: cath.id, NewArrangement(amount: "50.00", frequency: "monthly", firstPaymentOn: "2026-04-15",
                                                                             note: "Income and outgoings checked"), by: agent, now: Self.at("2026-04-05"))
            await #expect(throws: TownhallError.self) {
                try await r.addArrangement(account: cath.id, NewArrangement(amount: "10", frequency: "weekly", firstPaymentOn: "2026-04-15", note: "Second"),
                                           by: agent, now: Self.at("2026-04-06"))
            }

            // 11 April: Ann missed 1 April's instalment ten days ago. One reminder is proposed, for review.
            let first = try await r.runRecovery(on: Self.date("2026-04-11"), by: admin, now: Self.at("2026-04-11"))
            #expect(first.accounts == 3 && first.proposed == ["reminder": 1] && first.issued == 0)
            let again = try await r.runRecovery(on: Self.date("2026-04-11"), by: admin, now: Self.at("2026-04-11"))
            #expect(again.proposedTotal == 0)
            let proposed = try await r.recoveryActions(status: .proposed, stage: nil, after: nil, by: agent)
            let annFirst = try await r.account(id: ann.id, by: agent).bills[0].instalments[0].amount
            #expect(proposed.map(\.accountReference) == [ann.reference] && proposed[0].amount == annFirst && proposed[0].dueOn == nil)
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM notification") == 0)

            // Agents see the list; only managers issue.
            await #expect(throws: TownhallError.self) { try await r.issueRecovery(ids: nil, stage: .reminder, by: agent) }
            let issued = try await r.issueRecovery(ids: nil, stage: .reminder, by: admin, today: Self.date("2026-04-12"), now: Self.at("2026-04-12"))
            #expect(issued.issued.count == 1 && issued.withdrawn.isEmpty && issued.issued[0].dueOn == Self.date("2026-04-19"))
            let letter = try await s.database.read { try await $0.raw("SELECT kind, recipient, body FROM notification").first()! }
            #expect(try letter.string("kind") == "council_tax_reminder")
            #expect(try letter.string("recipient").hasPrefix("post:Ann Clegg\n"))
            #expect(try letter.string("body").contains(Money.format(annFirst)) && letter.string("body").contains("19 April 2026"))
            var view = try await r.account(id: ann.id, by: agent)
            #expect(view.years[0].recoveryStage == .reminder && view.recovery.count == 1)

            // 20 April: the reminder was not paid within 7 days, so the instalments are lost and the balance is due on 26 April.
            let lost = try await r.runRecovery(on: Self.date("2026-04-20"), by: admin, now: Self.at("2026-04-20"))
            #expect(lost.proposed == ["instalments_lost": 1])
            let lostID = try #require(try await r.recoveryActions(status: .proposed, stage: .instalmentsLost, after: nil, by: admin).first?.id)
            let lostIssued = try await r.issueRecovery(ids: [lostID], stage: nil, by: admin, today: Self.date("2026-04-20"), now: Self.at("2026-04-20"))
            #expect(lostIssued.issued.first?.dueOn == Self.date("2026-04-26") && lostIssued.issued.first?.amount == view.balance)
            // Issuing it twice is refused by name.
            await #expect(throws: TownhallError.self) { try await r.issueRecovery(ids: [lostID], stage: nil, by: admin, today: Self.date("2026-04-20")) }

            // The council stops reviewing and sets its own costs: the summons on 27 April is issued by the job itself.
            var settings = RecoverySettings.standard
            settings.reviewBeforeIssue = false
            settings.summonsCosts = 80_00
            _ = try await r.setRecoverySettings(settings, by: admin)
            await #expect(throws: TownhallError.self) { try await r.setRecoverySettings(settings, by: agent) }
            let summons = try await r.runRecovery(on: Self.date("2026-04-27"), by: admin, now: Self.at("2026-04-27"))
            #expect(summons.proposed == ["summons": 1] && summons.issued == 1)
            let before = view.balance
            view = try await r.account(id: ann.id, by: agent)
            #expect(view.balance == before + 80_00 && view.years[0].costs == 80_00 && view.years[0].recoveryStage == .summons)
            let summonsLetter = try await s.database.read { try await $0.raw("SELECT body FROM notification WHERE kind = 'council_tax_summons'").first()!.string("body") }
            #expect(summonsLetter.contains("18 May 2026") && summonsLetter.contains("£80.00"))
            // Bob (paid) and Cath (arrangement) were never chased.
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM revenues_recovery_action WHERE account_id <> '\(ann.id)'") == 0)
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM notification") == 3)
        }
    }

    @Test func aStagePaidOffBeforeIssueIsWithdrawnAndWithholdingNeedsAReason() async throws {
        try await Scenario.run { s in
            let accounts = try await billed(s)
            let r = s.services.revenues, admin = s.actor(s.burnleyAdmin), agent = s.actor(s.burnleyAgent)
            let run = try await r.runRecovery(on: Self.date("2026-04-11"), by: admin, now: Self.at("2026-04-11"))
            #expect(run.proposed == ["reminder": 3])
            // Ann pays what she owes the day after the job ran; her reminder is withdrawn when the batch is issued.
            let annArrears = try await r.account(id: accounts[0].id, by: agent, today: Self.date("2026-04-12")).years[0].arrears
            _ = try await r.recordPayment(account: accounts[0].id, NewPayment(amountPence: annArrears, method: "cash", receivedOn: "2026-04-12"), by: agent,
                                          now: Self.at("2026-04-12"))
            // Bob's is withheld: a dispute. A reason is required, and a withheld stage is not proposed again.
            let bobs = try #require(try await r.recoveryActions(status: .proposed, stage: nil, after: nil, by: admin).first { $0.accountID == accounts[1].id })
            await #expect(throws: TownhallError.self) { try await r.withholdRecovery(bobs.id, reason: "  ", by: admin) }
            let withheld = try await r.withholdRecovery(bobs.id, reason: "Disputes the band; appeal lodged with the VOA", by: admin)
            #expect(withheld.status == .withheld)
            await #expect(throws: TownhallError.self) { try await r.withholdRecovery(bobs.id, reason: "Again", by: admin) }

            let result = try await r.issueRecovery(ids: nil, stage: .reminder, by: admin, today: Self.date("2026-04-13"), now: Self.at("2026-04-13"))
            #expect(result.issued.map(\.accountID) == [accounts[2].id])
            #expect(result.withdrawn.map(\.accountID) == [accounts[0].id] && result.withdrawn[0].reason?.contains("No longer due") == true)
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM notification") == 1)
            let later = try await r.runRecovery(on: Self.date("2026-05-30"), by: admin, now: Self.at("2026-05-30"))
            // Cath's unpaid reminder loses her instalments. Ann's withdrawn reminder left her year free: she missed May, so she is
            // reminded afresh. Bob's withheld year stays where the officer left it.
            #expect(later.proposed == ["instalments_lost": 1, "reminder": 1])
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM audit_event WHERE entity_type = 'recovery_action' AND action = 'delete'") == 1)
        }
    }
}
