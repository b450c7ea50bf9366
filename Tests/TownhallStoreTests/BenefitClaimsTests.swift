import Benefits
import Foundation
import Register
@testable import Revenues
import SQLKit
import Testing
import TownhallKernel
import TownhallTesting

/// Claims end to end on a real database: taken, assessed by the engine, decided onto the council tax account (a new
/// bill, the reduction day by day), changed, counted for NI 181; refusals change nothing.
@Suite struct BenefitClaimsTests {
    static func date(_ s: String) -> LocalDate { try! LocalDate(parsing: s, field: "date") }
    static func at(_ day: String) -> Timestamp { Timestamp(iso: "\(day)T10:00:00.000Z")! }

    /// A pensioner living alone in a band D house in Burnley, owner: state pension and a private pension.
    static func household(privatePension: Double) -> EstimateInput {
        var person = EstimateInput.Person(id: "a1", role: "adult", age: 75, benefitUnit: 0)
        person.statePension = 11_973
        person.privatePension = privatePension
        return EstimateInput(fiscalYear: "2026-27", council: "Burnley",
                             dwelling: .init(tenure: "owner_outright", councilTaxBand: "D"), savings: 2000, people: [person])
    }

    /// Burnley's list and 2026/27 charges, a bill for Bob Hart's band D house with the single person discount.
    func setUp(_ s: Scenario) async throws -> (CouncilTaxAccount, Person) {
        let admin = s.actor(s.burnleyAdmin), r = s.services.revenues
        _ = try await r.importValuationList(csv: try Scenario.fixture("valuation-list.csv", bundle: .module), by: admin, now: Self.at("2026-02-01"))
        _ = try await r.setCharges(RevenuesTests.charges(), by: admin, now: Self.at("2026-02-01"))
        let bob = try await s.person("Bob", "Hart", born: "1951-05-05", by: s.burnleyAgent)
        let account = try await r.openAccount(NewCouncilTaxAccount(uprn: 100010330002, liableFrom: "2019-01-01",
                                                                   parties: [.init(personID: bob.id.string)]),
                                              by: s.actor(s.burnleyAgent), now: Self.at("2026-02-01"))
        _ = try await r.addAdjustment(account: account.id, Adjustment(kind: .singlePersonDiscount, span: DateSpan(from: Self.date("2019-01-01"), to: nil)),
                                      by: s.actor(s.burnleyAgent), now: Self.at("2026-02-01"))
        _ = try await r.billingRun(year: RevenuesTests.year, issuedOn: Self.date("2026-03-10"), by: admin, now: Self.at("2026-03-10"))
        return (account, bob)
    }

    @Test func aDecidedClaimPutsTheReductionOnTheBillAndAChangeReplacesIt() async throws {
        try await Scenario.run { s in
            let (account, bob) = try await setUp(s)
            let claims = s.services.registry.require(Claims.self), r = s.services.revenues
            let agent = s.actor(s.burnleyAgent), officer = s.actor(s.burnleyAdmin)
            let bandD: Int64 = 360_52 + 1735_79 + 286_45 + 83_86
            let before = try await r.account(id: account.id, by: agent, today: Self.date("2026-06-10")).currentBills[0]
            #expect(before.total == Money.roundHalfUp(bandD * 75, 100))

            // The agent takes the claim on the phone; only an officer assesses it.
            let claim = try await claims.take(.init(personID: bob.id.string, accountID: account.id.string, receivedOn: "2026-06-01",
                                                    household: Self.household(privatePension: 6_000), note: "By phone"),
                                              by: agent, now: Self.at("2026-06-01"))
            #expect(claim.status == .received && claim.reference == "HB00000001" && claim.effectiveFrom == Self.date("2026-06-01"))
            // A second claim while the first is with the team is refused by name.
            await #expect { _ = try await claims.take(.init(personID: bob.id.string, household: Self.household(privatePension: 0)),
                                                      by: agent, now: Self.at("2026-06-02")) } throws: { error in
                (error as? TownhallError)?.code == "claim_open"
            }
            await #expect(throws: TownhallError.self) { _ = try await claims.act(claim.id, .assess, by: agent, now: Self.at("2026-06-05")) }
            // Deciding before assessing is refused by name and changes nothing.
            await #expect { _ = try await claims.act(claim.id, .decide, by: officer, now: Self.at("2026-06-05")) } throws: { error in
                (error as? TownhallError)?.code == "invalid_transition"
            }
            let evidence = try await claims.act(claim.id, .requestEvidence, on: "2026-06-02", note: "Pension statement", by: officer, now: Self.at("2026-06-02"))
            let assessed = try await claims.act(claim.id, .assess, on: "2026-06-05", version: evidence.version, by: officer, now: Self.at("2026-06-05"))
            // The engine's answer for the household, with the band's charge for the year read from revenues.
            let engine = try await s.services.registry.require(Benefits.self).estimate(Self.household(privatePension: 6_000))
            let ctr = try #require(assessed.assessment).councilTaxReduction
            #expect(ctr == engine.councilTaxReduction && ctr > 0 && ctr < Money.roundHalfUp(bandD * 75, 100))
            // A stale version is refused.
            await #expect(throws: TownhallError.self) {
                _ = try await claims.act(claim.id, .decide, version: evidence.version, by: officer, now: Self.at("2026-06-08"))
            }
            let decided = try await claims.act(claim.id, .decide, on: "2026-06-08", by: officer, now: Self.at("2026-06-08"))
            #expect(decided.status == .decided && decided.daysToDecide == 7 && decided.awardAdjustmentID != nil)

            // The bill: full charge less the discount to 31 May, then less the reduction a day at a time to 31 March.
            let view = try await r.account(id: account.id, by: agent, today: Self.date("2026-06-10"))
            let after = view.currentBills[0]
            let yearly = Double(bandD) * 0.75
            let expected = Int64(((yearly * 61 + max(0, yearly - Double(ctr)) * 304) / 365).rounded())
            #expect(after.sequence == 2 && after.total == expected && after.total < before.total)
            #expect(after.segments.last?.reduction == ctr && after.segments.last?.from == Self.date("2026-06-01"))
            let award = try #require(view.adjustments.first { $0.adjustment.kind == .councilTaxReduction })
            #expect(award.adjustment.span == DateSpan(from: Self.date("2026-06-01"), to: Self.date("2027-03-31")))
            // By hand, a reduction is refused: it is awarded by a claim.
            await #expect(throws: TownhallError.self) {
                _ = try await r.addAdjustment(account: account.id, Adjustment(kind: .councilTaxReduction, span: DateSpan(from: Self.date("2026-06-01"), to: nil),
                                                                              amount: 100), by: officer)
            }
            _ = try await claims.act(claim.id, .notify, on: "2026-06-09", by: officer, now: Self.at("2026-06-10"))

            // The private pension stops: a change, decided two days after it is reported.
            let change = try await claims.take(.init(kind: "change_of_circumstances", personID: bob.id.string, previousClaimID: claim.id.string,
                                                     receivedOn: "2026-08-03", household: Self.household(privatePension: 0)),
                                               by: agent, now: Self.at("2026-08-03"))
            #expect(change.accountID == account.id && change.reference == "HB00000002")
            _ = try await claims.act(change.id, .assess, on: "2026-08-04", by: officer, now: Self.at("2026-08-05"))
            let changed = try await claims.act(change.id, .decide, on: "2026-08-05", by: officer, now: Self.at("2026-08-05"))
            let newCTR = try #require(changed.assessment).councilTaxReduction
            #expect(newCTR > ctr)
            let later = try await r.account(id: account.id, by: agent, today: Self.date("2026-08-05"))
            let awards = later.adjustments.filter { $0.adjustment.kind == .councilTaxReduction }.sorted { $0.adjustment.span.from < $1.adjustment.span.from }
            #expect(awards.map(\.adjustment.span) == [DateSpan(from: Self.date("2026-06-01"), to: Self.date("2026-08-02")),
                                                      DateSpan(from: Self.date("2026-08-03"), to: Self.date("2027-03-31"))])
            #expect(awards.map(\.adjustment.amount) == [ctr, newCTR])
            #expect(later.currentBills[0].sequence == 3 && later.currentBills[0].total < after.total)

            // NI 181: the new claim took 7 days (June), the change 2 (August).
            let speed = try await claims.speedOfProcessing(from: "2026-06", to: "2026-08", by: agent)
            #expect(speed.months.map(\.month) == ["2026-06", "2026-07", "2026-08"])
            #expect(speed.months.map(\.newClaims) == [1, 0, 0] && speed.months.map(\.changes) == [0, 0, 1])
            #expect(speed.months[0].average == 7 && speed.months[1].average == nil && speed.total.average == 4.5)

            // The single view shows both, newest first; Pendle, with no agreement, sees none of them.
            let panel = try #require(await BenefitsPanel(claims: claims).panel(for: .person(bob.id), by: agent))
            #expect(panel.lines.first?.key == "Change of circumstances HB00000002" && panel.lines.count == 4)
            #expect(try await claims.list(.init(person: bob.id), by: s.actor(s.pendleAgent)).items.isEmpty)
            await #expect(throws: TownhallError.self) { _ = try await claims.claim(claim.id, by: s.actor(s.pendleAgent)) }
        }
    }

    @Test func aClaimThatCannotBeAssessedIsRefusedByFieldAndNothingIsStored() async throws {
        try await Scenario.run { s in
            let (account, bob) = try await setUp(s)
            let claims = s.services.registry.require(Claims.self), agent = s.actor(s.burnleyAgent)
            func refusal(_ input: Claims.NewClaim) async -> TownhallError? {
                do { _ = try await claims.take(input, by: agent, now: Self.at("2026-06-10")); return nil } catch { return error as? TownhallError }
            }
            var old = Self.household(privatePension: 0)
            old.people[0].age = 140
            #expect(await refusal(.init(personID: bob.id.string, household: old))?.field == "household.people[0].age")
            var nowhere = Self.household(privatePension: 0)
            nowhere.council = "Gotham"
            #expect(await refusal(.init(personID: bob.id.string, household: nowhere))?.field == "household.council")
            #expect(await refusal(.init(personID: bob.id.string, receivedOn: "2026-07-01", household: Self.household(privatePension: 0)))?.field == "received_on")
            #expect(await refusal(.init(kind: "change_of_circumstances", personID: bob.id.string, household: Self.household(privatePension: 0)))?.field
                    == "previous_claim_id")
            #expect(await refusal(.init(kind: "renewal", personID: bob.id.string, household: Self.household(privatePension: 0)))?.field == "kind")
            #expect(await refusal(.init(personID: PersonID().string, household: Self.household(privatePension: 0)))?.field == "person_id")
            // Pendle's agent cannot claim against Burnley's account.
            let pendle = try await s.person("Pat", "Lee", by: s.pendleAgent)
            do {
                _ = try await claims.take(.init(personID: pendle.id.string, accountID: account.id.string, household: Self.household(privatePension: 0)),
                                          by: s.actor(s.pendleAgent), now: Self.at("2026-06-10"))
                Issue.record("Pendle claimed against Burnley's account")
            } catch let error as TownhallError { #expect(error.field == "account" || error.field == "account_id") }
            let stored = try await s.database.read { try await $0.raw("SELECT COUNT(*) AS n FROM benefits_claim").first()!.int("n") }
            #expect(stored == 0)

            // A withdrawn claim goes no further.
            let claim = try await claims.take(.init(personID: bob.id.string, household: Self.household(privatePension: 0)), by: agent, now: Self.at("2026-06-10"))
            _ = try await claims.act(claim.id, .withdraw, note: "Claimant moved away", by: s.actor(s.burnleyAdmin), now: Self.at("2026-06-10"))
            await #expect { _ = try await claims.act(claim.id, .assess, by: s.actor(s.burnleyAdmin), now: Self.at("2026-06-11")) } throws: { error in
                (error as? TownhallError)?.message.contains("nothing more can be done") == true
            }
        }
    }
}
