import Access
import Cases
import Foundation
import Partnership
import TownhallKernel

extension DemoData {
    static let gss = ["burnley": "E07000117", "pendle": "E07000122", "blackpool": "E06000009"]
    static let catalogueKinds = ["lancashire": "county", "burnley": "district", "pendle": "district", "blackpool": "unitary", "lancashire-police": "police"]

    /// The case engine's demo: each organisation's standard services and the LGSL list of its tier, postcodes that place the
    /// demo homes, anti-social behaviour routed to the police, and four weeks of reports in every state. Loaded once: if
    /// Burnley already has cases, nothing is added.
    func loadCases(_ orgs: [String: Organisation]) async throws -> Int {
        let cases = services.cases
        let lgsl = try String(contentsOf: Bundle.module.url(forResource: "lgsl-local-services", withExtension: "csv")!, encoding: .utf8)
        for (slug, kind) in DemoData.catalogueKinds.sorted(by: { $0.key < $1.key }) {
            let org = orgs[slug]!
            for service in StandardCatalogue.services(for: org.id, kind: kind) {
                do { _ = try await cases.saveService(service, by: .system(org.id, "demo")) } catch let e as TownhallError where e.kind == .conflict { continue }
            }
            if org.kind.isCouncil { _ = try await cases.importLGSL(csv: lgsl, by: .system(org.id, "demo")) }
        }
        var postcodes = ["pcds,dointr,doterm,oslaua,ctry"]
        for area in DemoData.areas { for p in area.postcodes { postcodes.append("\(p),198001,,\(DemoData.gss[area.slug]!),E92000001") } }
        // Every import run is audited, so a second demo load skips what is already there.
        if try await services.register.postcode(DemoData.areas[0].postcodes[0]) == nil {
            _ = try await services.register.importPostcodes(csv: postcodes.joined(separator: "\n"), by: .system(orgs["burnley"]!.id, "demo"))
        }
        let police = orgs["lancashire-police"]!
        if try await cases.rules().isEmpty {
            _ = try await cases.addRule(RoutingRule(ownerID: police.id, name: "Anti-social behaviour to the police", serviceCode: "asb", targetID: police.id),
                                        targetSlug: police.slug, teamName: nil, by: .system(police.id, "demo"))
        }
        let burnleyAgent = Actor(organisationID: orgs["burnley"]!.id, principal: .staff(id: StaffID(StableUUID.make("staff/burnley.agent")), username: "burnley.agent"),
                                 permissions: Services.catalogue.all, channel: .phone)
        guard try await cases.list(Cases.Query(), after: nil, limit: PageSize(value: 1), by: burnleyAgent).items.isEmpty else { return 0 }

        var rng = SplitMix64(seed: 2026_11)
        let now = Date()
        let reports: [(code: String, answers: [String: [String]], text: String)] = [
            ("587", ["waste_type": ["furniture"], "quantity": ["van"]], "Two mattresses and a sofa dumped in the back street."),
            ("587", ["waste_type": ["household"], "quantity": ["bag"]], "Black bags split open by the bins."),
            ("587", ["waste_type": ["building"], "quantity": ["car_boot"]], "Rubble and plasterboard on the verge."),
            ("584", ["offensive": ["no"]], "Tags sprayed on the bus shelter."),
            ("584", ["offensive": ["yes"]], "Offensive words painted on the underpass wall."),
            ("412", ["source": ["domestic"], "times": ["Most nights after 11pm"]], "Loud music from the flat next door."),
            ("564", ["fault": ["out"]], "Street light outside number 12 has been out for a week."),
            ("564", ["fault": ["day_burning"], "column_number": ["BC/114"]], "Lamp on all day."),
            ("557", ["depth_cm": ["8"]], "Deep pothole at the junction; cars swerving round it."),
            ("asb", ["ongoing": ["ongoing"]], "Group of youths intimidating residents at the shops every evening."),
        ]
        let channels: [Channel] = [.phone, .phone, .phone, .web, .web, .faceToFace, .email, .mobileWorker]
        let names = ["Ann Clegg", "Mohammed Iqbal", "Susan Whittaker", "David Ormerod", "Priya Shah", "Gary Nuttall", "Helen Pickup", "Tom Haworth"]
        var created = 0
        for i in 0..<90 {
            let area = DemoData.areas[i % 2 == 0 ? 0 : (i % 3 == 0 ? 2 : 1)]
            let report = reports[Int(rng.next() % UInt64(reports.count))]
            let street = area.streets[Int(rng.next() % UInt64(area.streets.count))]
            let postcode = area.postcodes[Int(rng.next() % UInt64(area.postcodes.count))]
            let hoursAgo = Double(rng.next() % (28 * 24))
            let at = Timestamp(now.addingTimeInterval(-hoursAgo * 3600))
            let name = names[Int(rng.next() % UInt64(names.count))]
            let org = orgs[area.slug]!
            let channel = channels[Int(rng.next() % UInt64(channels.count))]
            let agent = Actor(organisationID: org.id, principal: .staff(id: StaffID(StableUUID.make("staff/\(area.slug).agent")), username: "\(area.slug).agent"),
                              permissions: Services.catalogue.all, channel: channel)
            let input = Cases.NewCase(serviceCode: report.code, priority: i % 11 == 0 ? "urgent" : nil, description: report.text, attributes: report.answers,
                                      contact: CaseContact(name: name, email: i % 3 == 0 ? "\(name.lowercased().replacingOccurrences(of: " ", with: "."))@example.com" : nil),
                                      location: CaseLocation(address: "\(street), \(area.town)", postcode: try Postcode(postcode)), channel: CaseChannel(channel))
            let c: Case
            do { c = try await cases.create(input, by: agent, now: at) } catch let e as TownhallError where e.code == "no_provider" { continue }
            created += 1
            // Progress: the older a report, the further along it is likely to be.
            let owner = Actor(organisationID: c.organisationID, principal: .system("demo back office"), permissions: Services.catalogue.all, channel: .system)
            var version = c.version
            var t = at
            let steps: [CaseStatus] = hoursAgo > 24 * 14 ? [.acknowledged, .inProgress, .resolved] : hoursAgo > 24 * 5 ? [.acknowledged, .inProgress] : hoursAgo > 24 ? [.acknowledged] : []
            for (n, status) in steps.enumerated() where rng.next() % 5 != 0 {
                t = t.adding(seconds: Double(3600 * (4 + n * 20)))
                guard t.date < now else { break }
                let update = status == .resolved ? "Dealt with by the crew; thank you for reporting it." : status == .inProgress ? "Passed to the team to deal with." : nil
                version = try await cases.changeStatus(c.id, to: status, version: version, update: update, by: owner, now: t).version
            }
        }
        _ = try await cases.recomputeServiceLevels()
        _ = try await cases.sweepServiceLevels()
        return created
    }
}
