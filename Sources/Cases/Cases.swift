import Access
import Audit
import CSV
import Foundation
import Partnership
import Register
import SQLKit
import TownhallDatabase
import TownhallKernel

/// The case engine's public service API: the service catalogue, routing across partners, cases and their timelines,
/// service levels on working time, and the notifications outbox. Every write is one transaction with its audit entry and
/// timeline events; concurrent changes are refused by version.
public struct Cases: Sendable {
    public static let migrations = CasesStore.migrations
    public let database: Database
    let partnership: Partnership
    let register: Register
    let access: Access
    /// Where customers track a case; `((track_url))` in messages is this plus `?reference=…`.
    public let trackURL: String
    let reference: ShortLivedCache<ReferenceKey>
    /// New cases are written in groups (see `CaseIntake`); set up by `init`.
    let intake: CaseIntake

    /// `referenceLifetime`: how long services, rules, calendars and templates are kept in memory (see `ShortLivedCache`).
    public init(database: Database, partnership: Partnership, register: Register, access: Access, trackURL: String = "http://localhost:8080/track",
                referenceLifetime: Duration = .seconds(5)) {
        self.database = database; self.partnership = partnership; self.register = register; self.access = access; self.trackURL = trackURL
        self.reference = ShortLivedCache(lifetime: referenceLifetime)
        let writer = NewCaseWriter(database: database, reference: reference, trackURL: trackURL)
        self.intake = CaseIntake { batch in try await writer.write(batch) }
    }

    struct CatalogueKey: Hashable, Sendable { var organisation: OrganisationID; var publicOnly: Bool }
    /// The last catalogue read per organisation, with its tag.
    let catalogues = TaggedCache<CatalogueKey, Catalogue>()

    /// An organisation's services and the tag of the state they were read in.
    public struct Catalogue: Sendable {
        public var tag: String
        public var services: [ServiceDefinition]
    }

    /// What `reference` holds.
    enum ReferenceKey: Hashable, Sendable {
        case service(OrganisationID, String)
        case rules
        case calendar(OrganisationID)
        case template(OrganisationID, NotificationTemplate.Kind)
    }

    /// A partner's active service with this code, the first found: what a case sent to the wrong organisation or tier is about.
    /// `organisations` saves a read when the caller already has the list.
    public func anyActiveService(code: String, organisations: [OrganisationID]? = nil) async throws -> ServiceDefinition? {
        let everyone: [OrganisationID]
        if let organisations { everyone = organisations } else { everyone = try await partnership.organisations().map(\.id) }
        return try await database.read { try await CasesStore.services(organisations: everyone, code: code, publicOnly: false, on: $0).first { $0.active } }
    }

    /// An organisation's active service with this code (kept briefly in memory: every new case reads it).
    func activeService(organisation: OrganisationID, code: String) async throws -> ServiceDefinition? {
        try await reference.value(.service(organisation, code)) {
            try await database.read { try await CasesStore.activeService(organisation: organisation, code: code, on: $0) }
        }
    }

    // MARK: Catalogue

    public func services(organisation: OrganisationID, publicOnly: Bool = false) async throws -> [ServiceDefinition] {
        try await catalogue(organisation: organisation, publicOnly: publicOnly).services
    }

    /// An organisation's catalogue with the tag of its state (see `CasesStore.catalogueTag`). The decoded services are
    /// kept in memory while the tag holds, so a read costs one small aggregate query; callers use the tag as an ETag.
    public func catalogue(organisation: OrganisationID, publicOnly: Bool = false) async throws -> Catalogue {
        let key = CatalogueKey(organisation: organisation, publicOnly: publicOnly)
        return try await database.read { [catalogues] db in
            let tag = try await CasesStore.catalogueTag(organisation: organisation, on: db) + (publicOnly ? "-p" : "")
            if let kept = catalogues.value(key, tag: tag) { return kept }
            let fresh = Catalogue(tag: tag, services: try await CasesStore.services(organisations: [organisation], publicOnly: publicOnly, on: db))
            catalogues.keep(fresh, for: key, tag: tag)
            return fresh
        }
    }

    /// Every partner's public, active services, one per code (the place reported decides which partner acts), by group and name.
    public func publicCatalogue() async throws -> [ServiceDefinition] {
        let everyone = try await partnership.organisations().map(\.id)
        var seen = Set<String>()
        return try await database.read { try await CasesStore.services(organisations: everyone, publicOnly: true, on: $0) }
            .filter { seen.insert($0.code).inserted }
    }

    /// A service of an organisation by code.
    public func service(code: String, organisation: OrganisationID, publicOnly: Bool = false) async throws -> ServiceDefinition {
        guard let s = try await database.read({ try await CasesStore.services(organisations: [organisation], code: code, publicOnly: publicOnly, on: $0) }).first,
              s.active else {
            throw TownhallError(.notFound, code: "unknown_service", message: "There is no service with the code \(code) here.", field: "service_code")
        }
        return s
    }

    /// Creates a service, or changes one (send the version read; a stale version is a 409).
    public func saveService(_ input: ServiceDefinition, expectedVersion: Int? = nil, by actor: Actor) async throws -> ServiceDefinition {
        defer { reference.clear() }   // after the commit, so no one caches the old value again
        try actor.require(.casesManage)
        var service = try input.validated()
        service.organisationID = actor.organisationID
        return try await database.transaction { [service] db in
            var service = service
            let existing = try await CasesStore.services(organisations: [actor.organisationID], code: service.code, publicOnly: false, on: db).first
            if let existing {
                guard let expectedVersion else {
                    throw TownhallError.conflict("Service \(service.code) already exists; send its version to change it.", code: "duplicate_service", field: "code")
                }
                guard existing.version == expectedVersion else {
                    throw TownhallError.conflict("Someone else changed this service (now version \(existing.version)). Reload it and try again.", code: "stale_version", field: "version")
                }
                service.id = existing.id
                service.version = existing.version + 1
            } else {
                service.version = 1
            }
            try await CasesStore.upsert(service, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: existing == nil ? .create : .update, entityType: "case_service", entityID: service.id.string,
                                                 changes: ["code": .init(old: existing?.code, new: service.code), "name": .init(old: existing?.name, new: service.name)]), on: db)
            return service
        }
    }

    public struct CatalogueImport: Sendable, Codable, Equatable {
        public var rowsRead = 0
        public var created = 0
        public var unchanged = 0
        /// Services of the other tier (a county service offered to a district), left out.
        public var otherTier = 0
        public var rejected: [ImportRejection] = []
    }

    public struct ImportRejection: Sendable, Codable, Equatable {
        public var line: Int
        public var field: String?
        public var reason: String
    }

    /// Loads an LGSL services CSV (`LGSL,Description,Providing Tier`, as GOV.UK publishes it) into the actor's catalogue:
    /// the services of its tier become services with a default form and target. Existing services are left as they are,
    /// so a rerun changes nothing.
    public func importLGSL(csv: String, by actor: Actor) async throws -> CatalogueImport {
        defer { reference.clear() }   // after the commit, so no one caches the old value again
        try actor.require(.casesManage)
        let organisation = try await partnership.organisation(id: actor.organisationID)
        let reader: CSVReader
        do { reader = try CSVReader(string: csv, hasHeaderRow: true) } catch {
            throw TownhallError.invalid("file", "The file is not CSV.", code: "malformed_csv")
        }
        let header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let codeIndex = header.firstIndex(of: "lgsl"), let nameIndex = header.firstIndex(where: { $0 == "description" || $0 == "label" || $0 == "name" }) else {
            throw TownhallError.invalid("file", "The CSV needs LGSL and Description columns (and optionally Providing Tier).", code: "malformed_csv")
        }
        let tierIndex = header.firstIndex(where: { $0 == "providing tier" || $0 == "providing_tier" || $0 == "tier" })
        var report = CatalogueImport()
        var services: [ServiceDefinition] = []
        var line = 1
        while let fields = reader.next() {
            line += 1
            report.rowsRead += 1
            func field(_ i: Int?) -> String { i.flatMap { $0 < fields.count ? fields[$0].trimmingCharacters(in: .whitespaces) : nil } ?? "" }
            let code = field(codeIndex), description = field(nameIndex)
            guard let number = Int(code), number > 0 else { report.rejected.append(.init(line: line, field: "LGSL", reason: "\(code.isEmpty ? "(empty)" : code) is not an LGSL number")); continue }
            guard !description.isEmpty else { report.rejected.append(.init(line: line, field: "Description", reason: "the description is empty")); continue }
            let tier: ProvidingTier
            do { tier = tierIndex == nil || field(tierIndex).isEmpty ? .all : try ProvidingTier(parsing: field(tierIndex)) } catch {
                report.rejected.append(.init(line: line, field: "Providing Tier", reason: "\(field(tierIndex)) is not all, county/unitary or district/unitary")); continue
            }
            guard Cases.provides(tier, kind: organisation.kind) else { report.otherTier += 1; continue }
            services.append(ServiceDefinition(id: ServiceID(StableUUID.make("service/\(organisation.id)/\(number)")), organisationID: organisation.id,
                                              code: String(number), name: Cases.serviceName(description), group: "Council services",
                                              description: description, tier: tier,
                                              targets: [.normal: try ServiceLevelTarget(amount: 10, unit: .workingDays)]))
        }
        let toWrite = services
        let outcome = try await database.transaction { db -> (Int, Int) in
            var created = 0, unchanged = 0
            for s in toWrite {
                if try await CasesStore.services(organisations: [s.organisationID], code: s.code, publicOnly: false, on: db).first != nil { unchanged += 1; continue }
                try await CasesStore.upsert(s, on: db)
                created += 1
            }
            if created > 0 {
                try await AuditLog.record(AuditEntry(actor: actor, action: .import, entityType: "case_service", entityID: nil,
                                                     changes: ["created": .init(old: nil, new: String(created))]), on: db)
            }
            return (created, unchanged)
        }
        report.created = outcome.0
        report.unchanged = outcome.1
        return report
    }

    /// Whether an organisation of `kind` provides services of `tier`.
    static func provides(_ tier: ProvidingTier, kind: Organisation.Kind) -> Bool {
        switch tier {
        case .all: kind.isCouncil
        case .countyUnitary: [.countyCouncil, .unitaryCouncil, .metropolitanBorough, .londonBorough].contains(kind)
        case .districtUnitary: [.districtCouncil, .unitaryCouncil, .metropolitanBorough, .londonBorough].contains(kind)
        }
    }

    /// GOV.UK words its services "Find out about free school meals"; a catalogue wants "Free school meals".
    static func serviceName(_ description: String) -> String {
        for prefix in ["Find out about ", "Find out how to ", "Find out "] where description.hasPrefix(prefix) {
            let rest = description.dropFirst(prefix.count)
            return rest.prefix(1).uppercased() + rest.dropFirst()
        }
        return description
    }

    // MARK: Routing rules

    public func addRule(_ input: RoutingRule, targetSlug: String, teamName: String?, by actor: Actor) async throws -> RoutingRule {
        defer { reference.clear() }   // after the commit, so no one caches the old value again
        try actor.require(.casesManage)
        let target = try await partnership.organisation(slug: targetSlug)
        var rule = input
        rule.ownerID = actor.organisationID
        rule.targetID = target.id
        if let teamName, !teamName.isEmpty {
            guard let team = try await access.teams(in: target.id).first(where: { $0.name.lowercased() == teamName.lowercased() }) else {
                throw TownhallError.invalid("team", "\(target.name) has no team called \(teamName).", code: "unknown_team")
            }
            rule.teamID = team.id
        }
        let valid = try rule.validated()
        return try await database.transaction { db in
            try await CasesStore.insert(valid, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "routing_rule", entityID: valid.id.string,
                                                 changes: ["name": .init(old: nil, new: valid.name), "target": .init(old: nil, new: target.slug)]), on: db)
            return valid
        }
    }

    public func rules() async throws -> [RoutingRule] {
        try await reference.value(.rules) { try await database.read { try await CasesStore.rules(on: $0) } }
    }

    public func removeRule(_ id: RoutingRuleID, by actor: Actor) async throws {
        defer { reference.clear() }   // after the commit, so no one caches the old value again
        try actor.require(.casesManage)
        try await database.transaction { db in
            guard try await CasesStore.deleteRule(id: id, owner: actor.organisationID, on: db) else { throw TownhallError.notFound("Routing rule \(id)") }
            try await AuditLog.record(AuditEntry(actor: actor, action: .close, entityType: "routing_rule", entityID: id.string), on: db)
        }
    }

    // MARK: Calendars

    public func calendar(organisation: OrganisationID) async throws -> WorkingCalendar {
        try await reference.value(.calendar(organisation)) { try await database.read { try await CasesStore.calendar(organisation: organisation, on: $0) } }
    }

    /// Sets the organisation's working days and hours. Open cases keep the due times they had until `recompute` runs.
    public func setCalendar(workingDays: Set<Int>, opensAt: Int, closesAt: Int, by actor: Actor) async throws -> WorkingCalendar {
        defer { reference.clear() }   // after the commit, so no one caches the old value again
        try actor.require(.casesManage)
        let calendar = try WorkingCalendar(workingDays: workingDays, opensAt: opensAt, closesAt: closesAt)
        try await database.transaction { db in
            try await CasesStore.save(calendar, organisation: actor.organisationID, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "working_calendar", entityID: actor.organisationID.string,
                                                 changes: ["hours": .init(old: nil, new: "\(opensAt)-\(closesAt) on \(workingDays.sorted())")]), on: db)
        }
        return try await self.calendar(organisation: actor.organisationID)
    }

    /// Whether any bank holidays are stored (start-up loads the shipped list into an empty database).
    public func hasBankHolidays() async throws -> Bool {
        try await database.read { !(try await CasesStore.bankHolidays(on: $0).isEmpty) }
    }

    /// Loads (or refreshes) the England and Wales bank holidays from GOV.UK's JSON. `actor` nil: platform start-up and demo.
    @discardableResult
    public func loadBankHolidays(json: Data, by actor: Actor?) async throws -> (added: Int, total: Int) {
        defer { reference.clear() }   // after the commit, so no one caches the old value again
        if let actor { try actor.require(.casesManage) }
        let events = try BankHolidays.parse(json)
        guard !events.isEmpty else { throw TownhallError.invalid("file", "The file lists no bank holidays.") }
        return try await database.transaction { db in
            let result = try await CasesStore.replaceBankHolidays(events, on: db)
            if let actor {
                try await AuditLog.record(AuditEntry(actor: actor, action: .import, entityType: "bank_holiday", entityID: nil,
                                                     changes: ["total": .init(old: nil, new: String(result.total))]), on: db)
            }
            return result
        }
    }

    // MARK: Creating cases

    /// A new case as it arrives from any channel.
    public struct NewCase: Sendable {
        public var serviceCode: String
        /// The organisation the report was sent to (an Open311 jurisdiction, the agent's choice); the actor's when nil.
        public var sentTo: OrganisationID?
        public var priority: String?
        public var description: String?
        public var attributes: [String: [String]]
        public var requesterID: PersonID?
        public var contact: CaseContact
        public var location: CaseLocation
        public var channel: CaseChannel?
        public var mediaURLs: [String]
        /// Photos sent with the report; they are public, as the report is.
        public var attachments: [NewAttachment]

        public init(serviceCode: String, sentTo: OrganisationID? = nil, priority: String? = nil, description: String? = nil, attributes: [String: [String]] = [:],
                    requesterID: PersonID? = nil, contact: CaseContact = CaseContact(), location: CaseLocation, channel: CaseChannel? = nil, mediaURLs: [String] = [],
                    attachments: [NewAttachment] = []) {
            self.serviceCode = serviceCode; self.sentTo = sentTo; self.priority = priority; self.description = description; self.attributes = attributes
            self.requesterID = requesterID; self.contact = contact; self.location = location; self.channel = channel; self.mediaURLs = mediaURLs
            self.attachments = attachments
        }
    }

    public func create(_ input: NewCase, by actor: Actor, now: Timestamp = .now) async throws -> Case {
        try await intake.submit(try await prepare(input, by: actor, now: now))
    }

    /// Checks a new case exactly as `create` would (service, answers, place, routing, files) and writes nothing: for a
    /// "check your answers" page. Returns who would deal with it.
    public func check(_ input: NewCase, by actor: Actor, now: Timestamp = .now) async throws -> (organisationID: OrganisationID, organisationName: String, serviceName: String) {
        let pending = try await prepare(input, by: actor, now: now)
        return (pending.draft.organisationID, pending.organisationName, pending.draft.serviceName)
    }

    /// Everything about a new case up to writing it: checked, routed, timed, its first events drafted.
    func prepare(_ input: NewCase, by actor: Actor, now: Timestamp) async throws -> PendingCase {
        try actor.require(.casesWrite)
        let code = input.serviceCode.trimmingCharacters(in: .whitespaces)
        guard !code.isEmpty else { throw TownhallError.missing("service_code") }
        let description = (input.description ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard description.count <= 4000 else { throw TownhallError.invalid("description", "A description can be at most 4,000 characters.") }
        let contact = try Cases.validated(input.contact)
        let location = try input.location.validated()
        for (i, url) in input.mediaURLs.enumerated() {
            guard url.count <= 2000, let u = URL(string: url), ["http", "https"].contains(u.scheme?.lowercased() ?? "") else {
                throw TownhallError.invalid(i == 0 ? "media_url" : "media_url[\(i)]", "media_url must be an http or https address.", code: "invalid_media_url")
            }
        }
        guard input.attachments.count <= CaseAttachment.maximumPerReport else {
            throw TownhallError.invalid(input.attachments[CaseAttachment.maximumPerReport].field,
                                        "Send at most \(CaseAttachment.maximumPerReport) photos with a report.", code: "too_many_attachments")
        }
        let files = try input.attachments.map { try $0.validated() }
        let priority = try input.priority.flatMap { $0.isEmpty ? nil : try Priority(parsing: $0) }
        let sentTo = input.sentTo ?? actor.organisationID

        // Which service was asked for: the receiving organisation's, or (a wrong-tier report) a partner's with the same code.
        let organisations = try await partnership.organisations()
        let everyone = organisations.map(\.id)
        var requested = try await activeService(organisation: sentTo, code: code)
        if requested == nil { requested = try await anyActiveService(code: code, organisations: everyone) }
        guard let requested else {
            throw TownhallError.invalid("service_code", "There is no service with the code \(code).", code: "unknown_service")
        }

        // Where, and so who.
        let place = try await register.place(uprn: location.uprn, postcode: location.postcode, latitude: location.latitude, longitude: location.longitude)
        var coverage = Routing.Coverage()
        var authorityGSS = place.authorityGSS
        if authorityGSS == nil {
            // No postcode directory entry: the council whose register holds the UPRN (its custodian) places it.
            authorityGSS = organisations.filter { place.custodians.contains($0.id) && $0.kind.isCouncil }.compactMap(\.onsCode).first
        }
        if let gss = authorityGSS {
            let councils = try await partnership.councils(covering: gss)
            coverage = Routing.Coverage(district: councils.district?.id, county: councils.county?.id, unitary: councils.unitary?.id)
        }
        let rules = try await self.rules()
        let decision: Routing.Decision
        do {
            decision = try Routing.decide(serviceCode: code, tier: requested.tier, rules: rules, coverage: coverage, postcode: place.postcode,
                                          latitude: place.latitude, longitude: place.longitude)
        } catch let error as TownhallError where authorityGSS == nil {
            // Nowhere we can place (an address in words only): it stays with whoever it was sent to, who knows their area.
            guard requested.organisationID == sentTo else { throw error }
            decision = Routing.Decision(organisationID: sentTo, teamID: nil, reason: "sent to this organisation; the location could not be placed")
        }
        guard let service = try await activeService(organisation: decision.organisationID, code: code) else {
            let target = try await partnership.organisation(id: decision.organisationID)
            throw TownhallError.invalid("service_code", "\(target.name) is responsible at that location (\(decision.reason)) but does not offer service \(code) on this platform.",
                                        code: "no_provider")
        }
        let answers = try service.validate(answers: input.attributes)
        let calendar = try await self.calendar(organisation: service.organisationID)
        let chosenPriority = priority ?? service.defaultPriority
        let clock = ServiceLevelClock.compute(changes: [.init(at: now.seconds, status: .new)], target: service.target(for: chosenPriority), calendar: calendar, now: now.seconds)
        let year = LocalDate.today(at: now.date).year
        var locationToStore = location
        if locationToStore.postcode == nil { locationToStore.postcode = place.postcode }
        if locationToStore.address == nil { locationToStore.address = place.address }
        let stored = locationToStore
        let channel = input.channel ?? CaseChannel(actor.channel)
        @Sendable func name(_ id: OrganisationID) -> String { organisations.first { $0.id == id }?.name ?? id.string }

        var draft = Case(id: CaseID(), organisationID: service.organisationID, reference: "", serviceID: service.id,
                         serviceCode: service.code, serviceName: service.name, status: .new, resolution: nil, priority: chosenPriority, channel: channel,
                         requesterID: input.requesterID, contact: contact, location: stored, description: description, attributes: answers,
                         teamID: decision.teamID, assigneeID: nil, loggedByID: actor.organisationID, duplicateOfID: nil, mediaURLs: input.mediaURLs,
                         createdAt: now, updatedAt: now, dueAt: nil, warningAt: nil, slaState: .onTrack, resolvedAt: nil, version: 1)
        draft.apply(clock)
        let owner = draft.organisationID
        var data = ["routing": decision.reason, "service": "\(service.code) \(service.name)", "channel": channel.rawValue]
        if actor.organisationID != owner { data["on_behalf_of"] = name(owner); data["logged_by"] = name(actor.organisationID) }
        let text = actor.organisationID != owner
            ? "Logged by \(name(actor.organisationID)) on behalf of \(name(owner))."
            : "Reported by \(channel.rawValue.replacingOccurrences(of: "_", with: " "))."
        var events = [CaseEvent(caseID: draft.id, organisationID: owner, at: now, kind: .created, actor: actor, toStatus: .new, isPublic: true, text: text, data: data)]
        if requested.organisationID != owner || sentTo != owner {
            events.append(CaseEvent(caseID: draft.id, organisationID: owner, at: now, kind: .rerouted, actor: actor, isPublic: true,
                                    text: "Sent to \(name(owner)): \(decision.reason).", data: ["from": name(sentTo), "to": name(owner)]))
        }
        return PendingCase(draft: draft, year: year, events: events, actor: actor, organisationName: name(owner), files: files)
    }

    static func validated(_ contact: CaseContact) throws -> CaseContact {
        var c = contact
        c.name = c.name?.trimmingCharacters(in: .whitespaces)
        if c.name?.isEmpty == true { c.name = nil }
        if let n = c.name, n.count > 200 { throw TownhallError.invalid("name", "A name can be at most 200 characters.") }
        if let e = c.email, !e.trimmingCharacters(in: .whitespaces).isEmpty { c.email = try ContactPointRules.email(e, field: "email") } else { c.email = nil }
        if let p = c.phone, !p.trimmingCharacters(in: .whitespaces).isEmpty { c.phone = try ContactPointRules.phone(p, field: "phone") } else { c.phone = nil }
        return c
    }

    static func displayDate(_ t: Timestamp?) -> String { t.map(LondonTime.describe) ?? "" }
}
