import Foundation
import Partnership
import Register
import Revenues
import TownhallKernel

extension DemoData {
    /// Burnley's council tax: the generated homes' bands, 2025/26 and 2026/27 charges, an account per household (the adults
    /// jointly liable, single person discount where one adult lives alone), both years billed, and payments to date: most
    /// by Direct Debit on time, some late, a few stopped in the summer, so arrears and the panel have something to show.
    func loadRevenues(_ burnley: Organisation, today: LocalDate = .today()) async throws {
        let actor = Actor.system(burnley.id, "demo"), revenues = services.revenues
        let y2025 = try FinancialYear(2025), y2026 = try FinancialYear(2026)
        let ran2025 = try await hasRun(y2025, actor), ran2026 = try await hasRun(y2026, actor)
        guard !(ran2025 && ran2026) else { return }   // loaded already: a second load changes nothing
        let area = DemoData.areas.first { $0.slug == "burnley" }!
        let list = DemoData.homesCSV(area).split(separator: "\n").dropFirst().compactMap { line -> String? in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            return f[8].isEmpty ? nil : "\(f[0]),\(f[8])"
        }
        _ = try await revenues.importValuationList(csv: (["uprn,band"] + list).joined(separator: "\n"), by: actor)
        // Burnley's published 2025/26 Band D figures, and 2026/27 risen by each authority's allowed increase (demo figures).
        let bandD2025: [(String, Preceptor.Kind, Int64)] = [("Burnley Borough Council", .billingAuthority, 347_17), ("Lancashire County Council", .county, 1735_79),
                                                           ("Lancashire Police and Crime Commissioner", .police, 286_45), ("Lancashire Combined Fire Authority", .fire, 83_86)]
        let rise: [Int64] = [299, 499, 500, 500]   // hundredths of a percent: 2.99 %, 4.99 %, 5 %, 5 %
        if try await revenues.charges(year: y2025, by: actor).isEmpty && !ran2025 {
            _ = try await revenues.setCharges(CouncilTaxCharges(year: y2025, preceptors: bandD2025.map { Preceptor(name: $0.0, kind: $0.1, bandD: $0.2) }), by: actor)
        }
        if try await revenues.charges(year: y2026, by: actor).isEmpty && !ran2026 {
            let preceptors = zip(bandD2025, rise).map { p, r in Preceptor(name: p.0, kind: p.1, bandD: Money.roundHalfUp(p.2 * (10_000 + r), 10_000), previousBandD: p.2) }
            _ = try await revenues.setCharges(CouncilTaxCharges(year: y2026, preceptors: preceptors), by: actor)
        }
        let seeds = DemoData.households(area).map { h -> AccountSeed in
            let adults = h.members.filter { $0.relationship == "householder" || $0.relationship == "partner" }
            return AccountSeed(id: RevenuesAccountID(StableUUID.make("council-tax/\(h.id)")), uprn: h.uprn, liableFrom: h.movedIn,
                               parties: adults.map { LiableParty(personID: $0.id, name: "\($0.input.givenName ?? "") \($0.input.familyName ?? "")") },
                               singlePersonDiscount: adults.count == 1)
        }
        let shops = try await loadBusinessPremises(area, actor: actor)
        let created = try await revenues.loadAccounts(seeds + shops, by: actor)
        if !ran2025 { _ = try await revenues.billingRun(year: y2025, issuedOn: try LocalDate(year: 2025, month: 3, day: 10), by: actor) }
        if !ran2026 { _ = try await revenues.billingRun(year: y2026, issuedOn: try LocalDate(year: 2026, month: 3, day: 10), by: actor) }
        guard created > 0 else { return }   // payments were loaded with the accounts

        // Payments to date, as the bank's daily files would bring them.
        var rng = SplitMix64(seed: 2315)
        var rows = ["account,amount,received_on,method,reference"]
        for seed in seeds + shops {
            let view = try await revenues.account(id: seed.id, by: actor, today: today)
            let habit = rng.next() % 100   // 0–79 Direct Debit on time; 80–91 pays a few days late; 92–96 stopped in August; 97–99 owes from 2025/26
            for bill in view.currentBills {
                for i in bill.instalments where i.due <= today {
                    if habit >= 97 && bill.year == y2025 && i.number > 7 { continue }
                    if habit >= 92 && habit < 97 && bill.year == y2026 && i.due.month >= 8 { continue }
                    let late = habit >= 80 && habit < 92 ? 3 + Int(rng.next() % 12) : 0
                    let paid = i.due.adding(days: late)
                    guard paid <= today else { continue }
                    rows.append("\(view.account.reference),\(Double(i.amount) / 100),\(paid),\(late == 0 ? "direct_debit" : "card"),\(late == 0 ? "DD" : "WEB")\(bill.year.startYear)-\(bill.sequence)-\(i.number)")
                }
            }
        }
        _ = try await revenues.importPayments(csv: rows.joined(separator: "\n"), by: actor)
    }

    /// Thirty business premises on the town's first streets: on the register, on the rating list (rateable values from
    /// £4,000 to £92,000), each with a business rates account; small ones get small business rate relief.
    func loadBusinessPremises(_ area: Area, actor: Actor) async throws -> [AccountSeed] {
        let uses = [("Shop", "Newsagent"), ("Cafe", "Café"), ("Shop", "Bakery"), ("Office", "Solicitors"), ("Workshop", "Motor repairs"), ("Shop", "Florist"),
                    ("Restaurant", "Takeaway"), ("Office", "Accountants"), ("Warehouse", "Wholesale"), ("Shop", "Pharmacy")]
        var properties = ["uprn,parent_uprn,saon,paon,name,street,town,postcode,council_tax_band"], list = ["uprn,rateable_value,effective_from,description"]
        var seeds: [AccountSeed] = []
        for n in 1...30 {
            let uprn = area.custodian * 10_000_000 + 2_000_000 + Int64(n)
            let (kind, trade) = uses[n % uses.count]
            let family = DemoData.familyNames[(n * 7) % DemoData.familyNames.count]
            let street = area.streets[n % min(4, area.streets.count)]
            let rv = Int64([4_000, 6_500, 9_800, 12_750, 13_500, 14_200, 18_000, 27_500, 56_000, 92_000][n % 10])
            properties.append("\(uprn),,UNIT \(n),\(200 + n),\(family) \(trade),\(street),\(area.town),\(area.postcodes[n % area.postcodes.count]),")
            list.append("\(uprn),\(rv),2023-04-01,\(kind) and premises")
            seeds.append(AccountSeed(id: RevenuesAccountID(StableUUID.make("business-rates/\(uprn)")), uprn: try UPRN(uprn),
                                     liableFrom: try LocalDate(year: 2015 + n % 10, month: 1 + n % 12, day: 1),
                                     parties: [LiableParty(personID: nil, name: "\(family) \(trade) Ltd")], singlePersonDiscount: false,
                                     tax: .businessRates, smallBusinessRateRelief: rv < 15_000 && n % 4 != 0))
        }
        _ = try await services.register.importProperties(csv: properties.joined(separator: "\n"), by: actor)
        _ = try await services.revenues.importRatingList(csv: list.joined(separator: "\n"), by: actor)
        return seeds
    }

    func hasRun(_ year: FinancialYear, _ actor: Actor) async throws -> Bool {
        try await services.revenues.billingRuns(by: actor, limit: 50).contains { $0.year == year }
    }
}
