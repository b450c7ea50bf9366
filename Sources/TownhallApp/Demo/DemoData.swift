import Access
import Citizens
import Contact
import Foundation
import Logging
import Partnership
import Register
import TownhallKernel

/// A deterministic demonstration partnership in Lancashire: the county, Burnley and Pendle (districts), Blackpool
/// (unitary), the police force, an NHS trust, a housing association and the shared-service provider; about 5,000
/// properties on real postcodes, about 8,000 people in households, staff in every role and two sharing agreements.
/// Every id is derived from a name, so loading it twice changes nothing.
public struct DemoData: Sendable {
    public static let password = "townhall-demo-2026"
    let services: Services
    let logger: Logger

    public init(services: Services, logger: Logger) { self.services = services; self.logger = logger }

    struct Council { let slug: String; let gss: String?; let name: String?; let kind: Organisation.Kind; let parent: String? }
    static let organisations: [Council] = [
        Council(slug: "lancashire", gss: "E10000017", name: nil, kind: .countyCouncil, parent: nil),
        Council(slug: "burnley", gss: "E07000117", name: nil, kind: .districtCouncil, parent: "lancashire"),
        Council(slug: "pendle", gss: "E07000122", name: nil, kind: .districtCouncil, parent: "lancashire"),
        Council(slug: "blackpool", gss: "E06000009", name: nil, kind: .unitaryCouncil, parent: nil),
        Council(slug: "lancashire-police", gss: nil, name: "Lancashire Constabulary", kind: .police, parent: nil),
        Council(slug: "east-lancs-nhs", gss: nil, name: "East Lancashire Hospitals NHS Trust", kind: .nhsTrust, parent: nil),
        Council(slug: "pennine-vale-homes", gss: nil, name: "Pennine Vale Homes (demo housing association)", kind: .housingAssociation, parent: nil),
        Council(slug: "lancashire-shared-services", gss: nil, name: "Lancashire Shared Services (demo)", kind: .sharedServiceProvider, parent: nil),
    ]

    /// Where generated homes go: real postcodes from the library sample in each council's area.
    struct Area { let slug: String; let custodian: Int64; let count: Int; let postcodes: [String]; let town: String; let streets: [String] }
    static let areas: [Area] = [
        Area(slug: "burnley", custodian: 2315, count: 1_800, postcodes: ["BB10 2JD", "BB11 2BD", "BB10 1JD", "BB11 4NW", "BB10 3JX", "BB12 6HU", "BB12 8PS"], town: "Burnley",
             streets: ["Colne Road", "Manchester Road", "Briercliffe Road", "Padiham Road", "Todmorden Road", "Accrington Road", "Brunshaw Road", "Rossendale Road", "Church Street", "Yorkshire Street"]),
        Area(slug: "pendle", custodian: 2340, count: 1_600, postcodes: ["BB18 5DW", "BB9 8QH", "BB9 5HW", "BB8 0AP", "BB9 7PU", "BB8 8RU", "BB18 6QX"], town: "Nelson",
             streets: ["Leeds Road", "Scotland Road", "Railway Street", "Carr Road", "Albert Road", "Skipton Road", "Barrowford Road", "Every Street", "Manchester Road"]),
        Area(slug: "blackpool", custodian: 2373, count: 1_600, postcodes: ["FY5 3RS", "FY1 1PX", "FY4 4TR", "FY3 7BD", "FY3 7RW", "FY2 0JG", "FY4 2AP", "FY1 5HN"], town: "Blackpool",
             streets: ["Talbot Road", "Whitegate Drive", "Lytham Road", "Devonshire Road", "Waterloo Road", "Central Drive", "Dickson Road", "Newton Drive", "Preston New Road"]),
    ]

    public struct Summary: Sendable { public var organisations = 0, staff = 0, properties = 0, households = 0, agreements = 0, cases = 0 }

    @discardableResult
    public func load() async throws -> Summary {
        var summary = Summary()
        let authorities = try await services.partnership.loadAuthorities()
        logger.info("loaded local authority register", metadata: ["rows": "\(authorities)"])

        // Organisations
        var orgs: [String: Organisation] = [:]
        for c in DemoData.organisations {
            if let existing = try? await services.partnership.organisation(slug: c.slug) { orgs[c.slug] = existing; continue }
            let id = OrganisationID(StableUUID.make("organisation/\(c.slug)"))
            if let gss = c.gss {
                orgs[c.slug] = try await services.partnership.createCouncil(gss: gss, slug: c.slug, parentSlug: c.parent, by: nil, id: id)
            } else {
                orgs[c.slug] = try await services.partnership.create(NewOrganisation(slug: c.slug, name: c.name!, kind: c.kind), by: nil, id: id)
            }
            summary.organisations += 1
        }

        // Staff: an administrator everywhere; every role in the councils.
        let hash = services.access.hash(password: DemoData.password)
        for c in DemoData.organisations {
            let org = orgs[c.slug]!
            let roles: [Role] = c.kind.isCouncil ? Role.allCases : [.administrator, .agent, .officer]
            for role in roles {
                let username = "\(c.slug).\(role.rawValue.replacingOccurrences(of: "_", with: "-"))"
                let staff = NewStaff(username: username, displayName: DemoData.staffName(username), email: "\(username)@example.org",
                                     password: DemoData.password, roles: [role], teamName: role == .agent ? "Contact centre" : "Back office")
                do {
                    _ = try await services.access.createStaff(staff, organisation: org.id, by: nil, id: StaffID(StableUUID.make("staff/\(username)")), passwordHash: hash)
                    summary.staff += 1
                } catch let e as TownhallError where e.code == "duplicate_username" { continue }
            }
        }

        // Properties: the real library buildings, then generated homes on real postcodes.
        let libraries = try String(contentsOf: Bundle.module.url(forResource: "demo-libraries", withExtension: "csv")!, encoding: .utf8)
        for slug in ["lancashire", "blackpool"] {
            let lines = libraries.split(separator: "\n", omittingEmptySubsequences: true)
            let authority = slug == "lancashire" ? "Lancashire," : "Blackpool,"
            let csv = ([String(lines[0])] + lines.dropFirst().filter { $0.hasPrefix(authority) }.map(String.init)).joined(separator: "\n")
            let report = try await services.register.importProperties(csv: csv, by: .system(orgs[slug]!.id, "demo"))
            summary.properties += report.created
        }
        for area in DemoData.areas {
            let report = try await services.register.importProperties(csv: DemoData.homesCSV(area), by: .system(orgs[area.slug]!.id, "demo"))
            summary.properties += report.created
            let seeds = DemoData.households(area)
            let (created, _) = try await services.register.loadHouseholds(seeds, by: .system(orgs[area.slug]!.id, "demo"))
            summary.households += created
        }

        // Agreements: Burnley shares contact details and properties with the police (community safety) and with the county (social care).
        let agreements: [(String, String, Set<DataCategory>, String)] = [
            ("burnley", "lancashire-police", [.contactDetails, .properties],
             "Crime and Disorder Act 1998, section 115: disclosure to the police for community-safety purposes, under the Burnley Community Safety Partnership protocol."),
            ("burnley", "lancashire", [.contactDetails, .properties],
             "Care Act 2014, sections 6 and 7: co-operation between the district and the county social-care authority for adult social care."),
        ]
        for (provider, recipient, categories, basis) in agreements {
            let id = AgreementID(StableUUID.make("agreement/\(provider)/\(recipient)"))
            do {
                _ = try await services.partnership.createAgreement(provider: orgs[provider]!.id, recipientSlug: recipient, categories: categories, legalBasis: basis,
                                                                   startsOn: try LocalDate(year: 2026, month: 4, day: 1), expiresOn: try LocalDate(year: 2029, month: 3, day: 31),
                                                                   by: .system(orgs[provider]!.id, "demo"), id: id)
                summary.agreements += 1
            } catch let e as TownhallError where e.kind == .conflict { continue }
        }
        summary.cases = try await loadCases(orgs)
        try await loadRestrictions(orgs["burnley"]!)
        try await loadContacts(orgs["burnley"]!)
        try await loadRevenues(orgs["burnley"]!)
        try await loadClaims(orgs["burnley"]!)
        let lancashire = Actor.system(orgs["lancashire"]!.id, "demo")
        if try await services.triage.flows(includeInactive: true, by: lancashire).isEmpty {
            _ = try await services.triage.save(serviceCode: StandardTriage.adultSocialCareService, name: StandardTriage.name,
                                               summary: "For calls about an adult who needs care or support. Ask each question as written; the outcome tells you what to say.",
                                               start: StandardTriage.nodes[0].id, nodes: StandardTriage.nodes, by: lancashire)
        }
        // A resident with a portal account: several demo reports carry her address, so "your requests" has something in it.
        try await services.citizens.createConfirmed(NewCitizenAccount(name: "Ann Clegg", email: "ann.clegg@example.com", password: DemoData.password))
        for item in DemoGuidance.items {
            let author = Actor.system(orgs[item.organisation]!.id, "demo")
            let id = GuidanceID(StableUUID.make("guidance/\(item.slug)"))
            if (try? await services.guidance.article(id, by: author)) == nil {
                _ = try await services.guidance.create(item.draft, id: id, by: author)
            }
        }
        return summary
    }

    static func staffName(_ username: String) -> String {
        let given = ["Aisha", "Ben", "Chloe", "Daniel", "Emma", "Farhan", "Grace", "Harry", "Imran", "Jess"]
        let family = ["Ashworth", "Booth", "Clegg", "Duckworth", "Entwistle", "Fielding", "Greenwood", "Haworth", "Ingham", "Jackson"]
        var h: UInt64 = 1469598103934665603
        for b in username.utf8 { h = (h ^ UInt64(b)) &* 1099511628211 }
        var rng = SplitMix64(seed: h)
        return "\(given[Int(rng.next() % 10)]) \(family[Int(rng.next() % 10)])"
    }

    /// Homes in Townhall's CSV layout. Every tenth building on a street is a block of four flats with a parent UPRN.
    static func homesCSV(_ area: Area) -> String {
        var rows = ["uprn,parent_uprn,saon,paon,name,street,town,postcode,council_tax_band"]
        var rng = SplitMix64(seed: UInt64(area.custodian))
        var n: Int64 = 0
        var made = 0
        let perStreet = area.count / area.streets.count + 1
        let bands = ["A", "A", "A", "B", "B", "C", "C", "D", "E", "F"]
        outer: for (s, street) in area.streets.enumerated() {
            for number in 1...perStreet {
                let postcode = area.postcodes[(s * 3 + number / 40) % area.postcodes.count]
                let band = bands[Int(rng.next() % UInt64(bands.count))]
                n += 1
                let uprn = area.custodian * 10_000_000 + 1_000_000 + n
                if number % 10 == 0 {
                    rows.append("\(uprn),,,\(number),\(street.split(separator: " ")[0]) Court,\(street),\(area.town),\(postcode),")
                    for flat in 1...4 {
                        n += 1
                        rows.append("\(area.custodian * 10_000_000 + 1_000_000 + n),\(uprn),FLAT \(flat),\(number),,\(street),\(area.town),\(postcode),A")
                        made += 1
                        if made >= area.count { break outer }
                    }
                } else {
                    rows.append("\(uprn),,,\(number),,\(street),\(area.town),\(postcode),\(band)")
                    made += 1
                    if made >= area.count { break outer }
                }
            }
        }
        return rows.joined(separator: "\n")
    }

    /// The commonest typing slip: two neighbouring letters swapped ("Jones" → "Joens").
    static func transposed(_ name: String) -> String {
        var letters = Array(name)
        guard letters.count >= 4 else { return name + "e" }
        letters.swapAt(2, 3)
        return String(letters)
    }

    static let familyNames = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson", "Evans",
                              "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Khan", "Hussain", "Ahmed", "Ali", "Patel",
                              "Begum", "Shah", "Iqbal", "Ashworth", "Duckworth", "Greenwood", "Haworth", "Nowak", "Kowalski", "Murphy", "O'Brien",
                              "Kelly", "Lee", "Chen", "Okafor", "Mensah", "Fernandes", "Nuttall", "Pilling", "Crossley", "Sutcliffe", "Hargreaves"]
    static let givenNames = ["Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Mohammed", "Muhammad", "Ali", "Adam", "Thomas", "James", "Daniel",
                             "John", "David", "Michael", "Peter", "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Aisha", "Fatima",
                             "Maryam", "Zara", "Sarah", "Emma", "Jessica", "Hannah", "Margaret", "Susan", "Linda", "Karen", "Patricia", "Agnieszka",
                             "Piotr", "Siobhan", "Chloe", "Ruby", "Leah", "Bilal", "Imran", "Yusuf", "Jon", "Jonathan", "Stephen", "Steven"]

    /// Households for the generated homes: 0–4 people each (about 1.6 on average), deterministic from the area.
    static func households(_ area: Area) -> [HouseholdSeed] {
        var rng = SplitMix64(seed: UInt64(area.custodian) &* 7919)
        var seeds: [HouseholdSeed] = []
        var phone = area.slug == "blackpool" ? 600 : (area.slug == "pendle" ? 300 : 0)
        // Homes are the generated rows without a building name (blocks of flats are parents, not homes).
        let homes = homesCSV(area).split(separator: "\n").dropFirst().compactMap { line -> Int64? in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            return fields[4].isEmpty ? Int64(fields[0]) : nil
        }
        for uprn in homes {
            let n = uprn - (area.custodian * 10_000_000 + 1_000_000)
            let roll = rng.next() % 100
            let size = roll < 12 ? 0 : roll < 50 ? 1 : roll < 80 ? 2 : roll < 93 ? 3 : 4
            if size == 0 { continue }
            let family = familyNames[Int(rng.next() % UInt64(familyNames.count))]
            var members: [HouseholdSeed.Member] = []
            for m in 0..<size {
                let adult = m < 2
                let year = adult ? 1940 + Int(rng.next() % 66) : 2008 + Int(rng.next() % 17)
                let dob = String(format: "%04d-%02d-%02d", year, 1 + Int(rng.next() % 12), 1 + Int(rng.next() % 28))
                let given = givenNames[Int(rng.next() % UInt64(givenNames.count))]
                var contacts: [PersonInput.ContactInput] = []
                if adult && rng.next() % 100 < 25 && phone < 900 {
                    // Ofcom's drama ranges: numbers that are never allocated to anyone.
                    let suffix = String(format: "%03d", phone / 2)
                    let mobile = phone % 2 == 0
                    let number: String = mobile ? "07700 900" + suffix : "01632 960" + suffix
                    let email: String = given.lowercased() + "." + family.lowercased().filter(\.isLetter) + String(n) + "@example.com"
                    contacts.append(PersonInput.ContactInput(kind: mobile ? "mobile" : "phone", value: number, preferred: true))
                    contacts.append(PersonInput.ContactInput(kind: "email", value: email, preferred: false))
                    phone += 1
                }
                let id = PersonID(StableUUID.make("person/\(area.slug)/\(n)/\(m)"))
                members.append(.init(id: id, input: PersonInput(givenName: given, familyName: family, dateOfBirth: dob, contacts: contacts),
                                     relationship: m == 0 ? "householder" : adult ? "partner" : "child"))
            }
            // A few records typed twice at another address with a slip in the name: the duplicates a register accumulates.
            if n % 157 == 0, let first = members.first {
                var twin = first.input
                twin.familyName = DemoData.transposed(twin.familyName!)
                members.append(.init(id: PersonID(StableUUID.make("person/\(area.slug)/\(n)/dup")), input: twin, relationship: "lodger"))
            }
            let year = 1995 + Int(rng.next() % 30)
            seeds.append(HouseholdSeed(id: HouseholdID(StableUUID.make("household/\(area.slug)/\(n)")), uprn: try! UPRN(uprn), name: "The \(family) household",
                                       movedIn: try! LocalDate(year: year, month: 1 + Int(rng.next() % 12), day: 1 + Int(rng.next() % 28)), members: members))
        }
        return seeds
    }
}

/// A small, fast, seedable generator so demo and benchmark data are the same on every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

extension DemoData {
    /// A family in Burnley with restricted information: the father has a violent marker (other staff are told it exists),
    /// the son a child-protection plan (hidden from everyone but designated officers).
    func loadRestrictions(_ burnley: Organisation) async throws {
        let officer = Actor(organisationID: burnley.id, principal: .staff(id: StaffID(StableUUID.make("staff/burnley.safeguarding-officer")),
                                                                          username: "burnley.safeguarding-officer"), permissions: Services.catalogue.permissions(for: [.safeguardingOfficer]), channel: .system)
        let people: [(slug: String, given: String, born: String, kind: String, details: String)] = [
            ("dean-hartley", "Dean", "1984-07-19", "violent_marker",
             "Threatened a housing officer with a knife at the door, June 2025 (police reference LC-20250611-0412). Two officers on any visit; meet at the office."),
            ("kai-hartley", "Kai", "2015-03-02", "child_protection_plan",
             "Child-protection plan (neglect) since March 2026. Lead social worker: Jo Ahmed, Lancashire Children's Social Care, 0300 123 6720. Share nothing with the father."),
        ]
        for p in people {
            let id = PersonID(StableUUID.make("person/\(p.slug)"))
            guard try await services.register.visiblePerson(id: id, by: officer) == nil else { continue }
            _ = try await services.register.createPerson(PersonInput(givenName: p.given, familyName: "Hartley", dateOfBirth: p.born, uprn: 2_315_1000_005, movedIn: "2019-09-01"),
                                                         by: .system(burnley.id, "demo"), id: id)
            _ = try await services.restrictions.raise(.init(kind: p.kind, details: p.details, startsOn: "2026-04-01", reviewOn: "2027-03-31"), person: id, by: officer)
        }
    }
}

extension DemoData {
    /// A week of Burnley's contact centre, today included, so the single view and the dashboard have history: about 80
    /// % resolved at the first point of contact, as the shared services that inspired Townhall report.
    func loadContacts(_ burnley: Organisation) async throws {
        let agent = Actor(organisationID: burnley.id, principal: .staff(id: StaffID(StableUUID.make("staff/burnley.agent")), username: "burnley.agent"),
                          permissions: Services.catalogue.permissions(for: [.agent]), channel: .phone)
        let people = try await services.register.searchPeople(q: "BB11 2BD", after: nil, limit: PageSize(value: 40), by: agent).items.map(\.person.id)
        guard let first = people.first, try await services.contacts.recent(person: first, by: agent).isEmpty else { return }
        let reasons: [(String, String?)] = [("When is my bin collected?", nil), ("Council tax: change of address", nil), ("Missed green bin", "587"),
                                            ("Report a street light out", "564"), ("Noise from next door", "412"), ("Pay for a bulky waste collection", nil),
                                            ("Housing benefit claim progress", nil), ("Parking permit renewal", nil)]
        let channels: [ContactChannel] = [.phone, .phone, .phone, .faceToFace, .web, .email]
        let outcomes: [ContactOutcome] = [.resolvedFirstContact, .resolvedFirstContact, .resolvedFirstContact, .resolvedFirstContact, .resolvedFirstContact,
                                          .resolvedFirstContact, .resolvedFirstContact, .resolvedFirstContact, .signposted, .callBack]
        var rng = SplitMix64(seed: 2026_1122)
        let now = Date()
        for i in 0..<140 {
            let hoursAgo = i < 30 ? Double(rng.next() % 6) : Double(rng.next() % (7 * 24))
            let (reason, service) = reasons[Int(rng.next() % UInt64(reasons.count))]
            var contact = Contacts.NewContact(personID: people[Int(rng.next() % UInt64(people.count))], channel: channels[Int(rng.next() % UInt64(channels.count))].rawValue,
                                              reason: reason, serviceCode: service, outcome: outcomes[Int(rng.next() % UInt64(outcomes.count))].rawValue,
                                              minutes: String(2 + Int(rng.next() % 9)))
            if contact.outcome == ContactOutcome.callBack.rawValue { contact.notes = "Caller asked to be rung back after 5pm." }
            _ = try await services.contacts.log(contact, by: agent, now: Timestamp(now.addingTimeInterval(-hoursAgo * 3600 - 60)))
        }
    }
}
