import ArgumentParser
import Cases
import Foundation
import Partnership
import Register
import TownhallKernel

/// `townhall bench seed`: generates a large register through the real import and bulk-load paths, for bench/.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmark helpers (see bench/ and docs/BENCHMARKS.md).", subcommands: [Seed.self, CasesSeed.self])

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
                        let n = try await services.cases.recomputeServiceLevels(organisation: org.id)
                        print(String(format: "recompute: %d cases in %.2f s = %.0f cases/s", n, Date().timeIntervalSince(start), Double(n) / Date().timeIntervalSince(start)))
                    }
                }
            }
        }
    }
}
