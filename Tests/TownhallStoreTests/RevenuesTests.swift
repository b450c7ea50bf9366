import Foundation
import Register
@testable import Revenues
import SQLKit
import Testing
import TownhallKernel
import TownhallTesting

/// Council tax end to end on a real database: the valuation list, charges, accounts, the billing run (resumable and
/// idempotent), recalculation after a change, payments, and every refusal changing nothing.
@Suite struct RevenuesTests {
    static func date(_ s: String) -> LocalDate { try! LocalDate(parsing: s, field: "date") }
    static let year = try! FinancialYear(2026)
    static let issued = date("2026-03-10")
    /// The moment changes are made in these tests: 10 June 2026.
    static let june = Timestamp(iso: "2026-06-10T10:00:00.000Z")!

    static func charges(area: String = "") -> CouncilTaxCharges {
        CouncilTaxCharges(year: year, area: area, preceptors: [
            Preceptor(name: "Burnley Borough Council", kind: .billingAuthority, bandD: 360_52, previousBandD: 347_17),
            Preceptor(name: "Lancashire County Council", kind: .county, bandD: 1735_79, previousBandD: 1653_29),
            Preceptor(name: "Lancashire Police and Crime Commissioner", kind: .police, bandD: 286_45, previousBandD: 272_45),
            Preceptor(name: "Lancashire Combined Fire Authority", kind: .fire, bandD: 83_86, previousBandD: 80_86),
        ] + (area.isEmpty ? [] : [Preceptor(name: "Hapton Parish Council", kind: .parish, bandD: 41_20, previousBandD: 40_00)]))
    }

    func count(_ s: Scenario, _ sql: String) async throws -> Int {
        try await s.database.read { try await $0.raw(SQLQueryString(sql)).first()!.int("n") }
    }

    /// Burnley's list and charges for 2026/27 (unparished and Hapton).
    func setUp(_ s: Scenario) async throws {
        let admin = s.actor(s.burnleyAdmin)
        _ = try await s.services.revenues.importValuationList(csv: try Scenario.fixture("valuation-list.csv", bundle: .module), by: admin)
        _ = try await s.services.revenues.setCharges(Self.charges(), by: admin)
        _ = try await s.services.revenues.setCharges(Self.charges(area: "hapton"), by: admin)
    }

    func open(_ s: Scenario, _ uprn: Int64, from: String, to: String? = nil, name: String, twelve: Bool = false) async throws -> CouncilTaxAccount {
        try await s.services.revenues.openAccount(NewCouncilTaxAccount(uprn: uprn, liableFrom: from, liableTo: to, parties: [.init(name: name)], twelveInstalments: twelve),
                                                  by: s.actor(s.burnleyAgent), now: Timestamp(iso: "2026-02-01T10:00:00.000Z")!)
    }

    @Test func theValuationListImportReportsEveryRejectedRowAndARerunChangesNothing() async throws {
        try await Scenario.run { s in
            let text = try Scenario.fixture("valuation-list.csv", bundle: .module)
            let report = try await s.services.revenues.importValuationList(csv: text, by: s.actor(s.burnleyAdmin))
            #expect(report.rowsRead == 9 && report.created == 4)
            #expect(report.rejected.map(\.line) == [5, 6, 7, 8, 9])
            #expect(report.rejected.map(\.field) == ["band", "uprn", "effective_from", "uprn", "band"])
            #expect(report.rejected[0].reason.contains("A to H"))
            #expect(report.rejected[3].reason.contains("line 3"))
            let again = try await s.services.revenues.importValuationList(csv: text, by: s.actor(s.burnleyAdmin))
            #expect(again.created == 0 && again.updated == 4)
            let bands = try await s.services.revenues.bands(uprn: try UPRN(100010330001), by: s.actor(s.burnleyAgent))
            #expect(bands.map(\.band) == [.b, .c] && bands.map(\.from) == [Self.date("1993-04-01"), Self.date("2026-10-01")])
            #expect(bands.allSatisfy { $0.area == "" })
            // Agents read the list but do not change it.
            await #expect(throws: TownhallError.self) { try await s.services.revenues.importValuationList(csv: text, by: s.actor(s.burnleyAgent)) }
        }
    }

    @Test func theBillingRunBillsEveryLiableAccountOnceAndARerunCreatesNothing() async throws {
        try await Scenario.run { s in
            try await setUp(s)
            let r = s.services.revenues, admin = s.actor(s.burnleyAdmin)
            let ash = try await open(s, 100010330001, from: "2015-06-01", name: "Ann Clegg")
            let oak = try await open(s, 100010330002, from: "2026-10-01", name: "Bob Hart", twelve: true)
            let hapton = try await open(s, 100010330003, from: "2010-01-01", name: "Cath Dean")
            let unbanded = try await open(s, 100010330009, from: "2020-01-01", name: "Dan Eve")
            _ = try await open(s, 100010330002, from: "2019-01-01", to: "2026-03-31", name: "Earlier Owner")   // not liable in 2026/27
            _ = try await r.addAdjustment(account: ash.id, Adjustment(kind: .singlePersonDiscount, span: DateSpan(from: Self.date("2015-06-01"), to: nil), evidence: "Declared by phone"),
                                          by: s.actor(s.burnleyAgent), now: Timestamp(iso: "2026-02-01T10:00:00.000Z")!)

            let (run, notBilled) = try await r.billingRun(year: Self.year, issuedOn: Self.issued, by: admin)
            #expect(run.summary == "billed 3 accounts: 3 created, 0 already billed")
            #expect(run.accounts == 4 && run.notBilled == 1 && run.status == .finished)
            #expect(notBilled.map(\.reference) == [unbanded.reference] && notBilled[0].reason.contains("no council tax band"))

            let c = Self.charges(), ch = Self.charges(area: "HAPTON")
            // Ann: band B until 30 September, C from 1 October (the list's band change), all at 75 %.
            let ashView = try await r.account(id: ash.id, by: s.actor(s.burnleyAgent))
            let ashBill = try #require(ashView.bills.first)
            #expect(ashBill.total == Money.roundHalfUp(c.amount(.b) * 183 * 75 + c.amount(.c) * 182 * 75, 365 * 100))
            #expect(ashBill.instalments.count == 10 && ashBill.instalments.first?.due == Self.date("2026-04-01"))
            #expect(ashBill.instalments.reduce(0) { $0 + $1.amount } == ashBill.total)
            #expect(ashBill.lines.map(\.name).first == "Burnley Borough Council")
            // Bob moves in on 1 October, twelve instalments asked for: 182 days, and instalments from April as the notice allows.
            let oakBill = try #require(try await r.account(id: oak.id, by: s.actor(s.burnleyAgent)).bills.first)
            #expect(oakBill.total == Money.roundHalfUp(c.amount(.d) * 182, 365) && oakBill.instalments.count == 12)
            // Cath is in Hapton: the parish precept is in her bill.
            let haptonBill = try #require(try await r.account(id: hapton.id, by: s.actor(s.burnleyAgent)).bills.first)
            #expect(haptonBill.total == ch.amount(.a) && haptonBill.area == "HAPTON" && haptonBill.lines.count == 5)

            let rerun = try await r.billingRun(year: Self.year, issuedOn: Self.issued, by: admin).run
            #expect(rerun.summary == "billed 3 accounts: 0 created, 3 already billed")
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM revenues_bill") == 3)
            // Charges for a billed year no longer change.
            await #expect(throws: TownhallError.self) { try await r.setCharges(Self.charges(), by: admin) }
        }
    }

    @Test func aBillingRunKilledPartWayThroughFinishesOnTheNextWithOneBillPerAccount() async throws {
        try await Scenario.run { s in
            try await setUp(s)
            var r = s.services.revenues
            r.billingBatch = 1
            for (i, uprn) in [100010330001, 100010330002, 100010330003].enumerated() { _ = try await open(s, Int64(uprn), from: "2020-01-01", name: "Person \(i)") }
            struct Killed: Error {}
            // The process dies after the first batch has committed.
            await #expect(throws: Killed.self) {
                _ = try await r.billingRun(year: Self.year, issuedOn: Self.issued, by: s.actor(s.burnleyAdmin)) { run in
                    if run.done == 1 { throw Killed() }
                }
            }
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM revenues_bill") == 1)
            #expect(try await r.billingRuns(by: s.actor(s.burnleyAdmin)).first?.status == .failed)
            let again = try await r.billingRun(year: Self.year, issuedOn: Self.issued, by: s.actor(s.burnleyAdmin)).run
            #expect(again.summary == "billed 3 accounts: 2 created, 1 already billed")
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM (SELECT account_id FROM revenues_bill WHERE year = 2026 GROUP BY account_id HAVING COUNT(*) = 1) x") == 3)
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM revenues_instalment") == 30)
        }
    }

    /// A run works a batch out on a reader and writes it afterwards; whatever changed in between is written as it stands
    /// at the commit: an account billed meanwhile (a move-out recalculates it) is counted, not billed again; a closed one
    /// is not billed; one changed otherwise is worked out again.
    @Test func anAccountChangedBetweenReadingAndWritingABatchIsBilledAsItStandsAtTheCommit() async throws {
        try await Scenario.run { s in
            try await setUp(s)
            let r = s.services.revenues, admin = s.actor(s.burnleyAdmin), agent = s.actor(s.burnleyAgent)
            let ash = try await open(s, 100010330001, from: "2020-01-01", name: "Ann Clegg")
            let oak = try await open(s, 100010330002, from: "2020-01-01", name: "Bob Hart")
            let hapton = try await open(s, 100010330003, from: "2020-01-01", name: "Cath Dean")
            let (run, charges) = try await r.beginBillingRun(year: Self.year, issuedOn: Self.issued, by: admin)
            let batch = try #require(try await r.readBillingBatch(run, after: "", charges: charges, now: Self.june))
            #expect(batch.bills.count == 3 && batch.bills.allSatisfy { $0.instalments.count == 10 })

            _ = try await r.recordMoveOut(account: ash.id, lastDay: Self.date("2026-09-30"), version: nil, by: agent, now: Self.june)
            try await r.closeAccount(oak.id, by: agent, now: Self.june)
            try await s.database.transaction { db in
                try await db.raw("UPDATE revenues_account SET twelve_instalments = 1, version = version + 1 WHERE id = \(bind: hapton.id.string)").run()
            }
            let (written, refused) = try await s.database.transaction { try await r.writeBillingBatch(batch, run: run, charges: charges, now: Self.june, on: $0) }
            #expect(written.created == 1 && written.alreadyBilled == 1 && refused.isEmpty)
            let bills = try await r.account(id: ash.id, by: agent).bills
            #expect(bills.count == 1 && bills[0].runID == nil)                                    // the move-out's own bill, not the batch's
            #expect(bills[0].total == Money.roundHalfUp(Self.charges().amount(.b) * 183, 365))
            #expect(try await r.account(id: oak.id, by: agent).bills.isEmpty)
            let haptonBills = try await r.account(id: hapton.id, by: agent).bills
            #expect(haptonBills.count == 1 && haptonBills[0].instalments.count == 12 && haptonBills[0].runID == run.id)
        }
    }

    @Test func badInputIsRefusedByNameAndChangesNothing() async throws {
        try await Scenario.run { s in
            let r = s.services.revenues, admin = s.actor(s.burnleyAdmin), agent = s.actor(s.burnleyAgent)
            // A year with no charges set: no run is even recorded.
            await #expect(throws: TownhallError.self) { try await r.billingRun(year: Self.year, issuedOn: Self.issued, by: admin) }
            do { _ = try await r.billingRun(year: Self.year, issuedOn: Self.issued, by: admin) } catch let e as TownhallError {
                #expect(e.code == "no_charges" && e.field == "year" && e.message.contains("2026/27"))
            }
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM revenues_billing_run") == 0)
            try await setUp(s)
            let ash = try await open(s, 100010330001, from: "2020-01-01", name: "Ann Clegg")
            // Overlapping liability for the same dwelling.
            do {
                _ = try await open(s, 100010330001, from: "2024-05-01", to: "2024-06-01", name: "Someone Else")
                Issue.record("an overlapping account was opened")
            } catch let e as TownhallError {
                #expect(e.code == "overlapping_liability" && e.field == "liable_from" && e.message.contains(ash.reference))
            }
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM revenues_account") == 1)
            // A band outside A–H.
            #expect(throws: TownhallError.self) { try CouncilTaxBand.parse("I") }
            // Negative and zero payments.
            for amount in ["-10.00", "0", "abc"] {
                await #expect(throws: TownhallError.self) { try await r.recordPayment(account: ash.id, NewPayment(amount: amount, method: "cash"), by: agent, now: Self.june) }
            }
            await #expect(throws: TownhallError.self) { try await r.recordPayment(account: ash.id, NewPayment(amountPence: -500, method: "cash"), by: agent, now: Self.june) }
            await #expect(throws: TownhallError.self) { try await r.recordPayment(account: ash.id, NewPayment(amount: "10", method: "bitcoin"), by: agent, now: Self.june) }
            // A closed account takes no payment.
            try await r.closeAccount(ash.id, by: agent, now: Self.june)
            do {
                _ = try await r.recordPayment(account: ash.id, NewPayment(amount: "10.00", method: "cash"), by: agent, now: Self.june)
                Issue.record("a closed account took a payment")
            } catch let e as TownhallError { #expect(e.code == "account_closed") }
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM revenues_payment") == 0)
            // Invalid charges: nothing set, no duplicate preceptors.
            var bad = Self.charges(area: "TWICE")
            bad.preceptors.append(bad.preceptors[0])
            await #expect(throws: TownhallError.self) { try await r.setCharges(bad, by: admin) }
            #expect(try await r.charges(year: Self.year, by: admin).map(\.area) == ["", "HAPTON"])
        }
    }

    @Test func aMoveOutRecalculatesFromThatDayAndReprofilesWhatIsLeftAllowingForPayments() async throws {
        try await Scenario.run { s in
            try await setUp(s)
            let r = s.services.revenues, agent = s.actor(s.burnleyAgent)
            let home = try await s.property(100010330002, "2", "Oak Street", postcode: "BB11 2BD", in: s.burnleyAgent)
            let person = try await s.person("Ann", "Clegg", uprn: 100010330002, by: s.burnleyAgent)
            let account = try await r.openAccount(NewCouncilTaxAccount(uprn: 100010330002, liableFrom: "2018-04-01", parties: [.init(personID: person.id.string)]),
                                                  by: agent, now: Timestamp(iso: "2026-02-01T10:00:00.000Z")!)
            #expect(account.parties == [LiableParty(personID: person.id, name: "Ann Clegg")] && account.reference.hasPrefix("CT"))
            _ = try await r.billingRun(year: Self.year, issuedOn: Self.issued, by: s.actor(s.burnleyAdmin))
            let bandD = Self.charges().amount(.d)
            let first = try #require(try await r.account(id: account.id, by: agent).bills.first)
            #expect(first.total == bandD)
            // Three instalments paid (April to June).
            let paid = first.instalments.prefix(3).reduce(0) { $0 + $1.amount }
            _ = try await r.recordPayment(account: account.id, NewPayment(amountPence: paid, method: "direct_debit", receivedOn: "2026-06-01"), by: agent, now: Self.june)
            // She moves out on 31 July: 122 days' liability; a revised notice on 10 June spreads the rest over July to January.
            let view = try await r.recordMoveOut(account: account.id, lastDay: Self.date("2026-07-31"), version: account.version, by: agent, now: Self.june)
            let revised = try #require(view.currentBills.first)
            #expect(revised.sequence == 2 && revised.total == Money.roundHalfUp(bandD * 122, 365) && revised.issuedOn == Self.date("2026-06-10"))
            #expect(revised.instalments.first?.due == Self.date("2026-07-01"))
            #expect(revised.instalments.reduce(0) { $0 + $1.amount } == revised.total - paid)
            #expect(view.balance == revised.total - paid && view.years.first?.paid == paid)
            // The statement: the bill, the payment, and the revision as a credit, with the running balance.
            let statement = try await r.statement(account: account.id, by: agent)
            #expect(statement.map(\.debit) == [bandD, 0, 0])
            #expect(statement.map(\.credit) == [0, paid, bandD - revised.total])
            #expect(statement.last?.balance == view.balance)
            // A stale version is refused.
            await #expect(throws: TownhallError.self) {
                try await r.recordMoveOut(account: account.id, lastDay: Self.date("2026-07-30"), version: account.version, by: agent, now: Self.june)
            }
            // The single view shows the account on the person and the property.
            let panels = await s.services.panels.panels(for: .person(person.id), by: agent)
            let panel = try #require(panels.first { $0.key == "council-tax" })
            #expect(panel.lines.first?.key == "Council tax \(account.reference)" && panel.lines.contains { $0.key == "Balance" && $0.value == Money.format(view.balance) })
            #expect(account.propertyID == home.id)
            let propertyPanel = await s.services.panels.panels(for: .property(home.id), by: agent).first { $0.key == "council-tax" }
            #expect(propertyPanel?.lines.first?.key == "Council tax \(account.reference)")
            // Pendle shares no revenues with Burnley: its agent neither reads the account nor sees the panel lines.
            await #expect(throws: TownhallError.self) { try await r.account(id: account.id, by: s.actor(s.pendleAgent)) }
            let pendlePanels = await s.services.panels.panels(for: .person(person.id), by: s.actor(s.pendleAgent))
            #expect(pendlePanels.first { $0.key == "council-tax" }?.lines.isEmpty ?? true)
        }
    }

    @Test func anAccountOpenedAfterTheRunIsBilledAtOnceAndADiscountRevisesIt() async throws {
        try await Scenario.run { s in
            try await setUp(s)
            let r = s.services.revenues, agent = s.actor(s.burnleyAgent)
            _ = try await r.billingRun(year: Self.year, issuedOn: Self.issued, by: s.actor(s.burnleyAdmin))
            let account = try await r.openAccount(NewCouncilTaxAccount(uprn: 100010330002, liableFrom: "2026-05-15", parties: [.init(name: "New Tenant")]), by: agent, now: Self.june)
            let bill = try #require(try await r.account(id: account.id, by: agent, today: Self.date("2026-06-10")).bills.first)
            let c = Self.charges()
            #expect(bill.total == Money.roundHalfUp(c.amount(.d) * 321, 365) && bill.issuedOn == Self.date("2026-06-10"))
            // Issued in June: eight instalments from July.
            #expect(bill.instalments.count == 8 && bill.instalments.first?.due == Self.date("2026-07-01"))
            let view = try await r.addAdjustment(account: account.id, Adjustment(kind: .singlePersonDiscount, span: DateSpan(from: Self.date("2026-05-15"), to: nil),
                                                                                 evidence: "Lives alone"), by: agent, now: Self.june)
            #expect(view.currentBills.first?.sequence == 2)
            #expect(view.currentBills.first?.total == Money.roundHalfUp(c.amount(.d) * 321 * 75, 365 * 100))
            // A second occupancy adjustment over the same days is refused and changes nothing.
            await #expect(throws: TownhallError.self) {
                try await r.addAdjustment(account: account.id, Adjustment(kind: .secondHomePremium, span: DateSpan(from: Self.date("2026-08-01"), to: nil), percent: 100),
                                          by: agent, now: Self.june)
            }
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM revenues_adjustment") == 1)
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM revenues_bill WHERE account_id = '\(account.id)'") == 2)
        }
    }

    @Test func optedInTaxpayersGetEachBillByEmailThroughTheOutboxOnce() async throws {
        try await Scenario.run { s in
            try await setUp(s)
            let r = s.services.revenues
            let emailed = try await r.openAccount(NewCouncilTaxAccount(uprn: 100010330001, liableFrom: "2015-06-01", parties: [.init(name: "Ann Clegg")],
                                                                       eBillingEmail: "ann@example.org"), by: s.actor(s.burnleyAgent), now: Timestamp(iso: "2026-02-01T10:00:00.000Z")!)
            _ = try await open(s, 100010330002, from: "2019-01-01", name: "Bob Hart")
            _ = try await r.billingRun(year: Self.year, issuedOn: Self.issued, by: s.actor(s.burnleyAdmin))
            _ = try await r.billingRun(year: Self.year, issuedOn: Self.issued, by: s.actor(s.burnleyAdmin))
            let messages = try await s.database.read { try await $0.raw("SELECT recipient, subject, body FROM notification WHERE kind = 'council_tax_bill'").all() }
            #expect(messages.count == 1)
            let bill = try #require(try await r.account(id: emailed.id, by: s.actor(s.burnleyAgent)).bills.first)
            #expect(try messages[0].string("recipient") == "ann@example.org" && messages[0].string("subject").contains(emailed.reference))
            let body = try messages[0].string("body")
            #expect(body.contains(Money.format(bill.total)) && body.contains("1 April 2026: \(Money.format(bill.instalments[0].amount))"))
            #expect(body.contains("Lancashire County Council: ") && body.contains("on last year"))
            // A change that revises the bill sends the revised notice too.
            _ = try await r.recordMoveOut(account: emailed.id, lastDay: Self.date("2026-09-30"), version: nil, by: s.actor(s.burnleyAgent), now: Self.june)
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM notification WHERE kind = 'council_tax_bill'") == 2)
        }
    }

    @Test func theCollectionReportGivesTheYearsDebitCollectionRateArrearsAndBills() async throws {
        try await Scenario.run { s in
            try await setUp(s)
            let r = s.services.revenues, agent = s.actor(s.burnleyAgent)
            let ash = try await open(s, 100010330001, from: "2015-06-01", name: "Ann Clegg")
            let hapton = try await open(s, 100010330003, from: "2010-01-01", name: "Cath Dean")
            _ = try await r.billingRun(year: Self.year, issuedOn: Self.issued, by: s.actor(s.burnleyAdmin))
            let ashTotal = try await r.account(id: ash.id, by: agent).bills[0].total
            let haptonTotal = try await r.account(id: hapton.id, by: agent).bills[0].total
            _ = try await r.recordPayment(account: hapton.id, NewPayment(amountPence: haptonTotal, method: "direct_debit", receivedOn: "2026-04-01"), by: agent, now: Self.june)
            _ = try await r.recordPayment(account: ash.id, NewPayment(amount: "500.00", method: "card", receivedOn: "2026-05-01"), by: agent, now: Self.june)

            let june = try await r.collectionReport(year: Self.year, asOf: Self.date("2026-06-30"), by: agent)
            #expect(june.netDebit == ashTotal + haptonTotal && june.collected == haptonTotal + 500_00)
            #expect(june.collectionRate == CollectionReportExpect.percent(haptonTotal + 500_00, ashTotal + haptonTotal))
            #expect(june.years.map(\.outstanding) == [ashTotal - 500_00] && june.years[0].accounts == 2)
            #expect(june.bills.map(\.annual) == [2] && june.bills.map(\.revised) == [0])
            // On 15 April Ann's card payment had not been made.
            let april = try await r.collectionReport(year: Self.year, asOf: Self.date("2026-04-15"), by: agent)
            #expect(april.collected == haptonTotal)
            #expect(june.csv.hasPrefix("section,year,measure,value\n") && june.csv.contains("collection,2026/27,collection_rate_percent,\(june.collectionRate)\n"))
            #expect(june.csv.contains("arrears,2026/27,outstanding,\(Money.decimal(ashTotal - 500_00))\n"))
        }
    }
}

/// The rate worked out independently: hundredths of a percent, half up.
enum CollectionReportExpect {
    static func percent(_ part: Int64, _ whole: Int64) -> String {
        let hundredths = (Double(part) * 10_000 / Double(whole)).rounded(.toNearestOrAwayFromZero)
        return String(format: "%.2f", hundredths / 100)
    }
}
