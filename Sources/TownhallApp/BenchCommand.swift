import Benefits
import ArgumentParser
import Cases
import Foundation
import Partnership
import Register
import Revenues
import TownhallHTTP
import TownhallKernel

/// `townhall bench seed`: generates a large register through the real import and bulk-load paths, for bench/.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmark helpers (see bench/ and docs/BENCHMARKS.md).", subcommands: [Seed.self, CasesSeed.self, RevenuesSeed.self, RevenuesPay.self, JSONBodies.self, BenefitsEstimates.self])

    /// The benchmark's own unitary council, created on first use with a stable id.
    static func organisation(_ slug: String, name: String, services: Services) async throws -> Organisation {
        if let existing = try? await services.partnership.organisation(slug: slug) { return existing }
        return try await services.partnership.create(NewOrganisation(slug: slug, name: name, kind: .unitaryCouncil), by: nil,
                                                     id: OrganisationID(StableUUID.make("organisation/\(slug)")))
    }

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate properties and people in a 'bench' organisation and print timings.")
        @OptionGroup var common: CommonOptions
        @Option(help: "How many properties.") var properties: Int = 500_000
        @Option(help: "How many people (spread over the properties in households).") var people: Int = 1_000_000

        func run() async throws {
            try await reportingErrors {
                try await common.withServices { services, _ in
                    let org = try await Bench.organisation("bench", name: "Benchmark Borough Council", services: services)
                    let actor = Actor.system(org.id, "bench")
                    let streets = (1...2_000).map { "\(DemoData.familyNames[$0 % DemoData.familyNames.count]) \(["Road", "Street", "Lane", "Avenue", "Close"][$0 % 5])" }
                    // About 15 homes a postcode, as in real life: format-valid units under the demo areas' real outward codes.
                    let outwards = Array(Set(DemoData.areas.flatMap(\.postcodes).map { String($0.split(separator: " ")[0]) })).sorted()
                    let unitLetters = Array("ABDEFGHJLNPQRSTUWXYZ")
                    func postcode(_ n: Int) -> String {
                        let p = n / 15
                        let pair = p / 10 % (unitLetters.count * unitLetters.count)
                        return "\(outwards[p / 4000 % outwards.count]) \(p % 10)\(unitLetters[pair / unitLetters.count])\(unitLetters[pair % unitLetters.count])"
                    }

                    var csv = "uprn,paon,street,town,postcode\n"
                    csv.reserveCapacity(properties * 48)
                    for n in 1...properties {
                        csv += "\(50_000_000_000 + n),\(n % 250 + 1),\(streets[n / 250 % streets.count]),Benchtown,\(postcode(n))\n"
                    }
                    var start = Date()
                    let report = try await services.register.importProperties(csv: csv, by: actor)
                    let importSeconds = Date().timeIntervalSince(start)
                    print(String(format: "import: %d rows in %.1f s = %.0f rows/s (%d created, %d rejected)",
                                 report.rowsRead, importSeconds, Double(report.rowsRead) / importSeconds, report.created, report.rejected.count))

                    var rng = SplitMix64(seed: 42)
                    var seeds: [HouseholdSeed] = []
                    var made = 0, n = 0
                    while made < people {
                        n += 1
                        let uprn = 50_000_000_000 + Int64((n - 1) % properties + 1)
                        let family = DemoData.familyNames[Int(rng.next() % UInt64(DemoData.familyNames.count))]
                        let size = min(people - made, 1 + Int(rng.next() % 3))
                        let members = (0..<size).map { m in
                            HouseholdSeed.Member(id: PersonID(StableUUID.make("bench/person/\(n)/\(m)")),
                                                 input: PersonInput(givenName: DemoData.givenNames[Int(rng.next() % UInt64(DemoData.givenNames.count))], familyName: family,
                                                                    dateOfBirth: String(format: "%04d-%02d-%02d", 1940 + Int(rng.next() % 80), 1 + Int(rng.next() % 12), 1 + Int(rng.next() % 28))),
                                                 relationship: nil)
                        }
                        made += size
                        seeds.append(HouseholdSeed(id: HouseholdID(StableUUID.make("bench/household/\(n)")), uprn: try UPRN(uprn), name: "The \(family) household",
                                                   movedIn: try LocalDate(year: 2010, month: 1, day: 1), members: members))
                    }
                    start = Date()
                    let (created, skipped) = try await services.register.loadHouseholds(seeds, by: actor, batchSize: 500)
                    let loadSeconds = Date().timeIntervalSince(start)
                    print(String(format: "people: %d in %d households (%d already there) in %.1f s = %.0f people/s", made, created, skipped, loadSeconds, Double(made) / loadSeconds))
                }
            }
        }
    }

    struct CasesSeed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cases", abstract: "Seed cases in a 'bench-cases' organisation, then time recomputing every case's service level.")
        @OptionGroup var common: CommonOptions
        @Option(help: "How many cases to add.") var cases: Int = 1_000_000

        func run() async throws {
            try await reportingErrors {
                try await common.withServices { services, _ in
                    let org = try await Bench.organisation("bench-cases", name: "Benchmark Cases Council", services: services)
                    if try await services.cases.services(organisation: org.id).isEmpty {
                        for s in StandardCatalogue.services(for: org.id, kind: "unitary") { _ = try await services.cases.saveService(s, by: .system(org.id, "bench")) }
                    }
                    if cases > 0 {
                        var start = Date()
                        try await services.cases.seedBenchmark(organisation: org.id, count: cases)
                        print(String(format: "seed: %d cases in %.1f s", cases, Date().timeIntervalSince(start)))
                        start = Date()
                        let n = try await services.cases.recomputeServiceLevels(organisation: org.id).recomputed
                        print(String(format: "recompute: %d cases in %.2f s = %.0f cases/s", n, Date().timeIntervalSince(start), Double(n) / Date().timeIntervalSince(start)))
                    }
                }
            }
        }
    }

    /// `townhall bench revenues`: a 'bench-revenues' council with N dwellings on the valuation list, an account for each
    /// and 2026/27 charges, loaded through the real importer and bulk loader. The billing run is timed separately.
    struct RevenuesSeed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revenues", abstract: "Seed dwellings, bands, accounts and 2026/27 charges in a 'bench-revenues' council.")
        @OptionGroup var common: CommonOptions
        @Option(help: "How many dwellings (one account each).") var dwellings: Int = 500_000

        func run() async throws {
            try await reportingErrors {
                try await common.withServices { services, _ in
                    let org = try await Bench.organisation("bench-revenues", name: "Benchmark Revenues Council", services: services)
                    let actor = Actor.system(org.id, "bench"), revenues = services.revenues
                    let bands = CouncilTaxBand.allCases, areas = ["", "P01", "P02", "P03"]
                    var csv = "uprn,band,area\n"
                    csv.reserveCapacity(dwellings * 20)
                    // Bands skewed to A–C as in most English districts; a quarter of dwellings in three parishes.
                    let weights = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 5, 6, 7]
                    for n in 1...dwellings { csv += "\(60_000_000_000 + n),\(bands[weights[n % weights.count]].rawValue),\(areas[n % 7 == 0 ? n % 4 : 0])\n" }
                    var start = Date()
                    let report = try await revenues.importValuationList(csv: csv, by: actor)
                    print(String(format: "valuation list: %d rows in %.1f s (%d created, %d rejected)", report.rowsRead, Date().timeIntervalSince(start), report.created, report.rejected.count))
                    let year = try FinancialYear(2026)
                    if try await revenues.charges(year: year, by: actor).isEmpty {
                        for area in areas {
                            var preceptors = [Preceptor(name: "Benchmark Revenues Council", kind: .billingAuthority, bandD: 345_00, previousBandD: 335_00),
                                              Preceptor(name: "Benchshire County Council", kind: .county, bandD: 1_740_00, previousBandD: 1_657_00),
                                              Preceptor(name: "Benchshire Police and Crime Commissioner", kind: .police, bandD: 300_00, previousBandD: 286_00),
                                              Preceptor(name: "Benchshire Fire Authority", kind: .fire, bandD: 88_00, previousBandD: 84_00)]
                            if !area.isEmpty { preceptors.append(Preceptor(name: "Parish \(area)", kind: .parish, bandD: 40_00, previousBandD: 38_00)) }
                            _ = try await revenues.setCharges(CouncilTaxCharges(year: year, area: area, preceptors: preceptors), by: actor)
                        }
                    }
                    let seeds = try (1...dwellings).map { n in
                        AccountSeed(id: RevenuesAccountID(StableUUID.make("bench/council-tax/\(n)")), uprn: try UPRN(60_000_000_000 + Int64(n)),
                                    liableFrom: try LocalDate(year: 2010 + n % 16, month: 1 + n % 12, day: 1 + n % 28),
                                    parties: [LiableParty(personID: nil, name: "\(DemoData.givenNames[n % DemoData.givenNames.count]) \(DemoData.familyNames[n / 7 % DemoData.familyNames.count])")],
                                    singlePersonDiscount: n % 3 == 0)
                    }
                    start = Date()
                    let created = try await revenues.loadAccounts(seeds, by: actor)
                    print(String(format: "accounts: %d created in %.1f s", created, Date().timeIntervalSince(start)))
                }
            }
        }
    }

    /// `townhall bench revenues-pay`: pays what is due by a day on most accounts, so the recovery job has a realistic
    /// few per cent in arrears.
    struct RevenuesPay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revenues-pay", abstract: "Pay the instalments due by a day on all but every Nth 'bench-revenues' account.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The day payments are received (YYYY-MM-DD).") var on: String
        @Option(help: "Leave unpaid the accounts whose number is a multiple of this.") var missEvery: Int = 25

        func run() async throws {
            try await reportingErrors {
                let day = try LocalDate(parsing: on, field: "on")
                try await common.withServices { services, _ in
                    let org = try await services.partnership.organisation(slug: "bench-revenues")
                    let start = Date()
                    let paid = try await services.revenues.payInstalmentsDue(year: FinancialYear(containing: day), by: day, missEvery: missEvery,
                                                                             actor: .system(org.id, "bench"))
                    print(String(format: "payments: %d in %.1f s", paid, Date().timeIntervalSince(start)))
                }
            }
        }
    }
}

extension Bench {
    /// `townhall bench json`: the API's JSON writer against Foundation's `JSONEncoder` (snake_case, sorted keys: what
    /// wrote the bodies before issue 29) on the same page of cases, in one process, and checks the bytes are the same.
    struct JSONBodies: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "json", abstract: "Time writing a page of cases as JSON, ours against Foundation's.")
        @Option(help: "Cases on the page.") var cases: Int = 20
        @Option(help: "How many times each writer writes the page.") var rounds: Int = 5_000
        @Flag(help: "Time only ours (for a profile).") var oursOnly = false

        func run() throws {
            // A case as the store would give it (Case has no public memberwise initialiser: decode one).
            let org = OrganisationID().string, now = Timestamp.now.iso
            let page: [Case] = try (0..<cases).map { n in
                let fields: [String: Any] = [
                    "id": CaseID().string, "organisationID": org, "reference": CaseReference.make(year: 2026, number: n + 1),
                    "serviceID": ServiceID().string, "serviceCode": "587", "serviceName": "Fly-tipping", "status": "in_progress",
                    "priority": "normal", "channel": "web", "requesterID": PersonID().string,
                    "contact": ["name": "Ann O'Clegg", "email": "ann@example.org", "phone": "01282 123456"],
                    "location": ["latitude": 53.78905, "longitude": -2.24019, "address": "1 Back Parker Street, Burnley"],
                    "description": "Sofa & two \"chairs\" dumped behind the shops on the corner",
                    "attributes": ["waste_type": ["furniture"], "quantity": ["van"]], "teamID": TeamID().string, "loggedByID": org,
                    "mediaUrls": ["https://example.org/p/\(n).jpg"], "createdAt": now, "updatedAt": now, "dueAt": now, "warningAt": now,
                    "slaState": "on_track", "version": 3,
                ]
                return try JSONDecoder().decode(Case.self, from: JSONSerialization.data(withJSONObject: fields))
            }
            struct Body: Encodable { var items: [Case]; var nextCursor: String? }
            let body = Body(items: page, nextCursor: "abc")
            let foundation = JSONEncoder()
            foundation.keyEncodingStrategy = .convertToSnakeCase
            foundation.outputFormatting = [.sortedKeys]
            func time(_ work: () throws -> Int) rethrows -> (Double, Int) {
                var size = 0
                let start = ContinuousClock.now
                for _ in 0..<rounds { size = try work() }
                let elapsed = ContinuousClock.now - start
                let micro = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
                return (micro, size)
            }
            let ours = try JSONResponse.bytes(body), theirs = Array(try foundation.encode(body))
            print(ours == theirs ? "same bytes: yes (\(ours.count) bytes)" : "same bytes: NO")
            if oursOnly {
                let (a, _) = try time { try JSONResponse.bytes(body).count }
                print(String(format: "JSONWriter %.1f µs a page", a / Double(rounds)))
                return
            }
            for round in 1...3 {
                let (a, size) = try time { try JSONResponse.bytes(body).count }
                let (b, _) = try time { try foundation.encode(body).count }
                print(String(format: "round %d: %d cases, %d bytes: JSONWriter %.1f µs a page, JSONEncoder %.1f µs a page, %.1f× faster",
                             round, cases, size, a / Double(rounds), b / Double(rounds), b / a))
            }
        }
    }
}


extension Bench {
    /// `townhall bench benefits`: the eligibility checker's engine over generated households in one process, and the
    /// same households through JSON decoding and validation (what the API and CLI add).
    struct BenefitsEstimates: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "benefits", abstract: "Time benefit estimates over generated households.")
        @Option(help: "Households to generate.") var households: Int = 100_000
        @Option(help: "Write one household's JSON here (for bench/benefits.sh's HTTP run).") var sample: String?

        func run() throws {
            var seed: UInt64 = 2025
            func next(_ n: Int) -> Int {   // SplitMix64: the same households on every run
                seed &+= 0x9E37_79B9_7F4A_7C15
                var z = seed
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return Int((z ^ (z >> 31)) % UInt64(n))
            }
            let tenures = ["social_rent", "private_rent", "owner_outright", "owner_mortgage"]
            let inputs: [EstimateInput] = (0..<households).map { _ in
                let pension = next(2) == 0
                var people: [EstimateInput.Person] = []
                var a = EstimateInput.Person(id: "a1", role: "adult", age: pension ? 66 + next(25) : 18 + next(48))
                if pension { a.statePension = Double([0, 6000, 9500, 11973][next(4)]) } else {
                    a.employmentIncome = Double([0, 6000, 12000, 24000][next(4)]); a.hoursWorkedPerWeek = 20
                }
                people.append(a)
                if next(2) == 0 { people.append(.init(id: "a2", role: "adult", age: pension ? 66 + next(20) : 18 + next(48))) }
                if !pension { for c in 0..<next(4) { people.append(.init(id: "c\(c)", role: "child", age: next(16))) } }
                if next(4) == 0 {
                    var n = EstimateInput.Person(id: "n1", role: "adult", age: 19 + next(30), benefitUnit: 1)
                    n.employmentIncome = Double(next(30_000)); n.hoursWorkedPerWeek = Double(next(40))
                    people.append(n)
                }
                let tenure = tenures[next(4)]
                return EstimateInput(
                    fiscalYear: next(2) == 0 ? "2025-26" : "2026-27", council: "MANCHESTER",
                    brma: tenure == "private_rent" ? "CENTRAL_GREATER_MANCHESTER" : nil,
                    dwelling: .init(tenure: tenure, rentPerYear: tenure.hasSuffix("rent") ? Double(4000 + next(8000)) : nil,
                                    bedrooms: 1 + next(3), councilTaxBand: "B", councilTaxGross: 1697.91),
                    savings: Double([0, 3000, 8000, 12000, 20000][next(5)]), people: people)
            }
            let benefits = Benefits()
            let validated = try inputs.map { try $0.validated(rates: benefits.rates, councils: benefits.councils) }
            let engines = Dictionary(uniqueKeysWithValues: benefits.rates.years.map { ($0.key, Estimator(rates: $0.value)) })
            let bodies = try inputs.map { try JSONEncoder().encode($0) }
            if let sample { try bodies[0].write(to: URL(fileURLWithPath: sample)) }
            func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
            for round in 1...3 {
                var total: Int64 = 0
                let start = ContinuousClock.now
                for (h, r) in validated { total &+= engines[r.fiscalYear]!.estimate(h).councilTaxReduction }
                let engine = seconds(ContinuousClock.now - start)
                let start2 = ContinuousClock.now
                for body in bodies { total &+= try benefits.estimate(try Benefits.decodeInput(body)).housingBenefit }
                let full = seconds(ContinuousClock.now - start2)
                print(String(format: "round %d: %d households: engine %.0f households/s (%.2f µs each); "
                             + "JSON in, validated, estimated %.0f households/s (%.2f µs each) [checksum %lld]",
                             round, households, Double(households) / engine, engine * 1e6 / Double(households),
                             Double(households) / full, full * 1e6 / Double(households), total))
            }
        }
    }
}
