import Benefits
import Foundation
import Partnership
import Register
import Revenues
import TownhallKernel

extension DemoData {
    /// Burnley's benefit claims: twenty households from the register, as they are made up there, with incomes drawn for
    /// the demo, claiming in the past months and now in every state. Those decided carry their reduction on the council
    /// tax account (a new bill), and their dates give NI 181 something to measure. Steps are recorded on the days they
    /// happened, so the figures are as a live service would have them.
    func loadClaims(_ burnley: Organisation, today: LocalDate = .today()) async throws {
        let claims = services.registry.require(Claims.self), rates = services.registry.require(Benefits.self).rates
        let actor = Actor.system(burnley.id, "demo")
        guard try await claims.list(.init(), limit: 1, by: actor).items.isEmpty else { return }   // loaded already
        let area = DemoData.areas.first { $0.slug == "burnley" }!
        var rng = SplitMix64(seed: 181)
        // The shapes a benefits queue holds, oldest first; the last few are still with the team.
        let plan: [[Claim.Action]] = [
            [.assess, .decide, .notify], [.assess, .decide, .notify], [.requestEvidence, .assess, .decide, .notify],
            [.assess, .decide, .notify], [.requestEvidence, .assess, .decide, .notify], [.assess, .decide, .notify],
            [.assess, .decide, .notify, .suspend], [.assess, .decide, .notify], [.requestEvidence, .assess, .decide, .notify],
            [.assess, .decide, .notify], [.withdraw], [.assess, .decide, .notify], [.requestEvidence, .assess, .decide, .notify],
            [.assess, .decide, .notify], [.assess, .decide], [.assess], [.requestEvidence], [.requestEvidence], [], [],
        ]
        let households = DemoData.households(area).filter { $0.members.contains { $0.relationship == "householder" } }
        var chosen = 0
        for (n, household) in households.enumerated() where n % 7 == 3 && chosen < plan.count {
            let steps = plan[chosen]
            // Spread over the last eight months: a claim every twelve days or so, the newest a few days ago.
            let received = today.adding(days: -8 - (plan.count - 1 - chosen) * 12)
            guard let year = rates.yearNames.first(where: { name in
                (try? FinancialYear(parsing: name, field: "year")).map { $0.contains(received) && $0.contains(today) } ?? false
            }) else { continue }
            let account = RevenuesAccountID(StableUUID.make("council-tax/\(household.id)"))
            guard let band = try? await services.revenues.account(id: account, by: actor, today: received).currentBills.last?.band,
                  let input = Self.claimHousehold(household, year: year, band: band.rawValue, on: received, rng: &rng) else { continue }
            let claimant = household.members.first { $0.relationship == "householder" }!
            var claim = try await claims.take(.init(personID: claimant.id.string, accountID: account.string, receivedOn: received.description,
                                                    household: input, note: chosen % 3 == 0 ? "Claim form handed in at the Burnley Contact Centre" : ""),
                                              by: actor, now: Self.at(received))
            var day = received
            for action in steps {
                day = day.adding(days: action == .requestEvidence ? 1 : action == .assess ? 2 + Int(rng.next() % 9) : action == .notify ? 1 : Int(rng.next() % 3))
                guard day <= today else { break }
                let note = action == .requestEvidence ? "Asked for three months' bank statements and a pension statement" : ""
                claim = try await claims.act(claim.id, action, on: day.description, note: note, by: actor, now: Self.at(day))
            }
            chosen += 1
        }
    }

    static func at(_ day: LocalDate) -> Timestamp { Timestamp(iso: "\(day)T10:00:00.000Z") ?? .now }

    /// The household as the register has it (ages from dates of birth), with incomes drawn for the demo: State Pension
    /// and some a private pension at pension age, part-time or full-time earnings below it; most rent from the council.
    static func claimHousehold(_ h: HouseholdSeed, year: String, band: String, on day: LocalDate, rng: inout SplitMix64) -> EstimateInput? {
        var people: [EstimateInput.Person] = []
        for (i, m) in h.members.enumerated() where m.relationship != "lodger" {
            guard let born = m.input.dateOfBirth.flatMap({ try? LocalDate(parsing: $0, field: "date_of_birth") }) else { return nil }
            let age = born.years(until: day)
            let child = m.relationship == "child" && age < 20
            var p = EstimateInput.Person(id: "p\(i)", role: child ? "child" : "adult", age: age, benefitUnit: child || i < 2 ? 0 : 1)
            if !child {
                if age >= 66 {
                    p.statePension = 11_973
                    if rng.next() % 2 == 0 { p.privatePension = Double(1_000 + rng.next() % 6_000) }
                } else if rng.next() % 3 != 0 {
                    let hours = Double(8 + rng.next() % 30)
                    p.hoursWorkedPerWeek = hours
                    p.employmentIncome = (hours * 12.21 * 52).rounded()
                }
            }
            people.append(p)
        }
        guard people.contains(where: { $0.role == "adult" }) else { return nil }
        let renting = rng.next() % 10 < 7
        return EstimateInput(fiscalYear: year, council: "Burnley",
                             dwelling: .init(tenure: renting ? "social_rent" : "owner_outright",
                                             rentPerYear: renting ? Double(4_800 + rng.next() % 1_400) : nil,
                                             bedrooms: max(1, min(4, people.count - 1)), councilTaxBand: band),
                             savings: Double(rng.next() % 4_000), people: people)
    }
}
