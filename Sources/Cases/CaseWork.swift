import Audit
import Foundation
import Partnership
import SQLKit
import TownhallDatabase
import TownhallKernel

extension Cases {
    // MARK: Reading

    /// Organisations whose cases the actor may read: its own, those sharing `cases` with it under an agreement.
    func visible(_ actor: Actor, _ db: any SQLDatabase) async throws -> Set<OrganisationID> {
        try await Partnership.visibleOrganisations(for: actor, category: .cases, on: db)
    }

    public struct CaseRecord: Sendable {
        public var `case`: Case
        public var events: [CaseEvent]
        public var links: [(kind: String, other: CaseID, reference: String)]
        public var attachments: [CaseAttachment]
        /// The actor's organisation owns the case (so may change it).
        public var canChange: Bool
    }

    /// Whether the actor may see a case: its organisation shares cases with the actor's, or the actor's organisation logged it.
    func canSee(_ c: Case, _ actor: Actor, _ db: any SQLDatabase) async throws -> Bool {
        if c.loggedByID == actor.organisationID { return true }
        return try await visible(actor, db).contains(c.organisationID)
    }

    /// A case the actor may see, with its timeline. Organisations that logged a case on another's behalf keep sight of it.
    public func record(id: CaseID, by actor: Actor) async throws -> CaseRecord {
        try actor.require(.casesRead)
        return try await database.read { db in
            guard let c = try await CasesStore.caseRow(id: id, on: db), try await self.canSee(c, actor, db) else {
                throw TownhallError.notFound("Case \(id)")
            }
            return CaseRecord(case: c, events: try await CasesStore.events(case: id, on: db), links: try await CasesStore.links(case: id, on: db),
                              attachments: try await CasesStore.attachments(case: id, on: db), canChange: c.organisationID == actor.organisationID)
        }
    }

    /// A line of the single view's case panel: the case itself where the actor may see it, otherwise only who holds it.
    public struct CustomerCase: Sendable {
        /// Nil when the case is held by an organisation that does not share cases with the actor's ("held by X — ask").
        public var `case`: Case?
        public var heldBy: String
        /// For a property's panel: the case is elsewhere in the same postcode, not at the property itself.
        public var near = false
    }

    /// Every case a person raised or is the subject of, across the partnership, newest first. The actor sees those its
    /// organisation may see under the sharing agreements; of the rest, only that they exist and who holds them.
    public func cases(requester: PersonID, limit: Int = 50, by actor: Actor) async throws -> [CustomerCase] {
        try await customerCases(limit: limit, by: actor) { $0.requesterID = requester }
    }

    /// Cases at a property (by UPRN), then those elsewhere in its postcode ("near"), newest first within each, with the
    /// same sharing rule as for a person.
    public func cases(at uprn: UPRN, postcode: Postcode?, limit: Int = 50, by actor: Actor) async throws -> [CustomerCase] {
        let at = try await customerCases(limit: limit, by: actor) { $0.uprn = uprn }
        guard let postcode else { return at }
        let near = try await customerCases(limit: limit, by: actor) { $0.postcodePrefix = postcode.value; $0.notUPRN = uprn }
            .map { line -> CustomerCase in var l = line; l.near = true; return l }
        return at + near
    }

    func customerCases(limit: Int, by actor: Actor, _ narrow: (inout CasesStore.CaseFilter) -> Void) async throws -> [CustomerCase] {
        try actor.require(.casesRead)
        let organisations = try await partnership.organisations()
        let names = organisations.namesByID
        var f = CasesStore.CaseFilter(organisations: organisations.map(\.id))
        narrow(&f)
        return try await database.read { [f] db in
            let visible = try await self.visible(actor, db)
            return try await CasesStore.cases(f, after: nil, limit: limit, on: db).map { c in
                let seen = visible.contains(c.organisationID) || c.loggedByID == actor.organisationID
                return CustomerCase(case: seen ? c : nil, heldBy: names[c.organisationID] ?? "another organisation")
            }
        }
    }

    public func record(reference: String, by actor: Actor) async throws -> CaseRecord {
        guard let normal = CaseReference.normalise(reference),
              let c = try await database.read({ try await CasesStore.caseRow(reference: normal, on: $0) }) else {
            throw TownhallError.notFound("Case \(reference)", field: "reference")
        }
        return try await record(id: c.id, by: actor)
    }

    public struct Query: Sendable {
        public var statuses: [CaseStatus] = []
        public var serviceCodes: [String] = []
        public var slaStates: [ServiceLevelClock.State] = []
        public var teamID: TeamID?
        public var assigneeID: StaffID?
        public var requesterID: PersonID?
        public var uprn: UPRN?
        public var area: String?
        public var references: [String] = []
        public var createdFrom: Timestamp?
        public var createdTo: Timestamp?
        /// Only the actor's own organisation's cases (a team queue), not partners' shared with it.
        public var ownOnly = false
        public init() {}
    }

    /// Cases the actor may see, newest first, keyset-paged.
    public func list(_ query: Query, after cursor: Cursor?, limit: PageSize, by actor: Actor) async throws -> Page<Case> {
        try actor.require(.casesRead)
        if let area = query.area, !area.isEmpty, !(2...8).contains(area.count) {
            throw TownhallError.invalid("area", "An area is a postcode district or sector, like BB11 or BB11 1.", code: "invalid_area")
        }
        let rows = try await database.read { db in
            let orgs = query.ownOnly ? [actor.organisationID] : try await self.visible(actor, db).sorted()
            var f = CasesStore.CaseFilter(organisations: orgs, loggedBy: query.ownOnly ? nil : actor.organisationID)
            f.statuses = query.statuses; f.serviceCodes = query.serviceCodes; f.slaStates = query.slaStates; f.teamID = query.teamID
            f.assigneeID = query.assigneeID; f.requesterID = query.requesterID; f.uprn = query.uprn; f.references = query.references
            f.postcodePrefix = query.area?.uppercased(); f.createdFrom = query.createdFrom; f.createdTo = query.createdTo
            return try await CasesStore.cases(f, after: cursor, limit: limit.value + 1, on: db)
        }
        let items = Array(rows.prefix(limit.value))
        return Page(items: items, next: rows.count > limit.value ? items.last.map { Cursor(key: [$0.createdAt.iso, $0.id.string]) } : nil)
    }

    /// What anyone with the reference may see: no names or contact details, only the public timeline.
    public struct PublicView: Sendable, Codable {
        public var reference: String
        public var serviceName: String
        public var organisationName: String
        public var status: CaseStatus
        public var resolution: Resolution?
        public var reportedAt: Timestamp
        public var updatedAt: Timestamp
        public var expectedBy: Timestamp?
        public var location: String
        public var updates: [Update]
        public struct Update: Sendable, Codable { public var at: Timestamp; public var status: CaseStatus?; public var text: String }
    }

    /// The actor's organisation's open cases: how many in each service-level state, and the queue length of each team.
    public struct Workload: Sendable, Codable, Equatable {
        public var bySLA: [String: Int]
        public var queues: [Queue]
        public struct Queue: Sendable, Codable, Equatable { public var team: String; public var open: Int }
        public var open: Int { bySLA.values.reduce(0, +) }
    }

    public func workload(by actor: Actor, now: Timestamp = .now) async throws -> Workload {
        try actor.require(.casesRead)
        let (bySLA, byTeam) = try await database.read { try await CasesStore.workload(organisation: actor.organisationID, now: now, on: $0) }
        let teams = Dictionary(try await access.teams(in: actor.organisationID).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        return Workload(bySLA: bySLA, queues: byTeam.map { Workload.Queue(team: $0.0.flatMap { teams[$0] } ?? "Not assigned to a team", open: $0.1) })
    }

    public func track(reference: String) async throws -> PublicView {
        guard let normal = CaseReference.normalise(reference) else {
            throw TownhallError.invalid("reference", "A reference looks like TH-26-000123.", code: "invalid_reference")
        }
        guard let (c, events) = try await database.read({ db -> (Case, [CaseEvent])? in
            guard let c = try await CasesStore.caseRow(reference: normal, on: db) else { return nil }
            return (c, try await CasesStore.events(case: c.id, on: db))
        }) else { throw TownhallError.notFound("A case with the reference \(normal)", field: "reference") }
        return Cases.publicView(c, events: events, organisationName: try await partnership.organisation(id: c.organisationID).name)
    }

    /// What the public may know of a case: no names or contact details, the place at street level, public updates only.
    static func publicView(_ c: Case, events: [CaseEvent], organisationName: String) -> PublicView {
        // A street-level place: the postcode, or the address as given, never who reported it.
        let location = c.location.postcode?.value ?? c.location.address ?? "Location given"
        return PublicView(reference: c.reference, serviceName: c.serviceName, organisationName: organisationName, status: c.status, resolution: c.resolution,
                          reportedAt: c.createdAt, updatedAt: c.updatedAt, expectedBy: c.status.isOpen ? c.dueAt : nil, location: location,
                          updates: events.filter(\.isPublic).map { .init(at: $0.at, status: $0.toStatus, text: $0.text ?? $0.kind.title) })
    }

    /// A citizen's own requests: the public view of every case reported with this (confirmed) email address, across the
    /// partnership, newest first. The caller has checked the address belongs to the person asking.
    public func requests(contactEmail: String, page: Int = 1, pageSize: Int = 20) async throws -> [PublicView] {
        let email = try ContactPointRules.email(contactEmail, field: "email")
        let page = max(1, page), pageSize = min(max(pageSize, 1), 100)
        let found = try await database.read { db in
            var found: [(Case, [CaseEvent])] = []
            for c in try await CasesStore.cases(contactEmail: email, offset: (page - 1) * pageSize, limit: pageSize, on: db) {
                found.append((c, try await CasesStore.events(case: c.id, on: db)))
            }
            return found
        }
        let names = try await partnership.organisations().namesByID
        return found.map { c, events in Cases.publicView(c, events: events, organisationName: names[c.organisationID] ?? "") }
    }

    // MARK: Changing

    /// Loads a case the actor's organisation owns, checking the version the actor read.
    func owned(_ id: CaseID, version: Int?, by actor: Actor, on db: any SQLDatabase) async throws -> Case {
        guard let c = try await CasesStore.caseRow(id: id, on: db) else { throw TownhallError.notFound("Case \(id)") }
        guard c.organisationID == actor.organisationID else {
            if try await canSee(c, actor, db) { throw TownhallError.forbidden("Only the organisation that owns this case can change it; ask them.") }
            throw TownhallError.notFound("Case \(id)")
        }
        if let version, version != c.version {
            throw TownhallError.conflict("Someone else changed this case (now version \(c.version)). Reload it and make your change again.", code: "stale_version", field: "version")
        }
        return c
    }

    /// A case's clock from its status history, with `status` entered `now` appended when given.
    func clock(for c: Case, entering status: CaseStatus? = nil, on db: any SQLDatabase, now: Timestamp) async throws -> ServiceLevelClock {
        var history = try await CasesStore.statusHistories(cases: [c.id], on: db)[c.id] ?? []
        if let status { history.append(.init(at: now.seconds, status: status)) }
        var inputs = ClockInputs()
        return try await inputs.clock(organisation: c.organisationID, service: c.serviceID, priority: c.priority, history: history, now: now, on: db)
    }

    func save(_ c: Case, expected: Int, resetAlerts: Bool, on db: any SQLDatabase) async throws {
        guard try await CasesStore.update(c, expectedVersion: expected, resetAlerts: resetAlerts, on: db) else {
            throw TownhallError.conflict("Someone else changed this case. Reload it and make your change again.", code: "stale_version", field: "version")
        }
    }

    /// Moves a case to a new status. `update` is a message to the customer (shown on the timeline and sent to them).
    public func changeStatus(_ id: CaseID, to status: CaseStatus, version: Int, update: String? = nil, resolution: Resolution? = nil,
                             duplicateOf: String? = nil, by actor: Actor, now: Timestamp = .now) async throws -> Case {
        try actor.require(.casesWrite)
        let update = try Cases.text(update, field: "update")
        if resolution != nil && status != .resolved { throw TownhallError.invalid("resolution", "Give a resolution only when resolving a case.") }
        return try await database.transaction { db in
            var c = try await self.owned(id, version: version, by: actor, on: db)
            try c.status.check(status)
            var duplicateTarget: Case?
            if resolution == .duplicate {
                guard let ref = duplicateOf.flatMap(CaseReference.normalise), let other = try await CasesStore.caseRow(reference: ref, on: db), other.id != c.id else {
                    throw TownhallError.invalid("duplicate_of", "Give the reference of the case this one duplicates.", code: "missing_duplicate")
                }
                duplicateTarget = other
            }
            let previous = c.status
            let clock = try await self.clock(for: c, entering: status, on: db, now: now)
            c.status = status
            c.resolution = status == .resolved ? (resolution ?? .fixed) : (status == .closed ? c.resolution : nil)
            c.resolvedAt = status == .resolved ? now : (status == .closed ? c.resolvedAt : nil)
            if let d = duplicateTarget { c.duplicateOfID = d.id; try await CasesStore.link(c.id, d.id, kind: "duplicate_of", on: db) }
            c.updatedAt = now
            c.version += 1
            c.apply(clock)
            try await self.save(c, expected: version, resetAlerts: !previous.isOpen && status.isOpen || previous.pausesClock, on: db)
            var data: [String: String] = [:]
            if let r = c.resolution, status == .resolved { data["resolution"] = r.rawValue }
            if !previous.isOpen && status.isOpen { data["reopened"] = "true" }
            if let d = duplicateTarget { data["duplicate_of"] = d.reference }
            let event = CaseEvent(caseID: c.id, organisationID: c.organisationID, at: now, kind: .statusChanged, actor: actor, fromStatus: previous, toStatus: status,
                                  isPublic: true, text: update ?? "\(status.title)\(c.resolution.map { status == .resolved ? ": \($0.title.lowercased())" : "" } ?? "")", data: data)
            try await CasesStore.append(event, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "case", entityID: c.id.string, subject: c.requesterID,
                                                 changes: ["status": .init(old: previous.rawValue, new: status.rawValue)]), on: db)
            let organisation = try await self.partnership.organisation(id: c.organisationID)
            try await self.notifyCustomer(c, kind: .caseStatusUpdate, eventKey: "event/\(event.id)",
                                          values: ["previous_status": previous.title.lowercased(), "update": update ?? ""], organisationName: organisation.name, at: now, on: db)
            return c
        }
    }

    /// Adds an internal note, or (public) an update to the customer. Notes do not change the version: they cannot clash.
    public func addNote(_ id: CaseID, text: String, isPublic: Bool, by actor: Actor, now: Timestamp = .now) async throws -> CaseEvent {
        try actor.require(.casesWrite)
        guard let text = try Cases.text(text, field: "text") else { throw TownhallError.missing("text") }
        return try await database.transaction { db in
            var c = try await self.owned(id, version: nil, by: actor, on: db)
            let event = CaseEvent(caseID: c.id, organisationID: c.organisationID, at: now, kind: isPublic ? .publicUpdate : .note, actor: actor, isPublic: isPublic, text: text)
            try await CasesStore.append(event, on: db)
            if isPublic {
                c.updatedAt = now
                try await CasesStore.touch(c.id, at: now, on: db)
                let organisation = try await self.partnership.organisation(id: c.organisationID)
                try await self.notifyCustomer(c, kind: .casePublicUpdate, eventKey: "event/\(event.id)", values: ["update": text], organisationName: organisation.name, at: now, on: db)
            }
            return event
        }
    }

    /// Assigns a case to one of its organisation's teams and, optionally, an officer in it.
    public func assign(_ id: CaseID, teamID: TeamID?, assigneeID: StaffID?, version: Int, by actor: Actor, now: Timestamp = .now) async throws -> Case {
        try actor.require(.casesWrite)
        var teamName: String?
        if let teamID {
            guard let team = try await access.team(id: teamID), team.organisationID == actor.organisationID else {
                throw TownhallError.invalid("team_id", "That team is not one of your organisation's.", code: "unknown_team")
            }
            teamName = team.name
        }
        var assigneeName: String?
        if let assigneeID {
            guard let staff = try await access.staff(id: assigneeID), staff.organisationID == actor.organisationID, staff.active else {
                throw TownhallError.invalid("assignee_id", "That officer is not an active member of your organisation.", code: "unknown_staff")
            }
            if let teamID, staff.teamID != teamID { throw TownhallError.invalid("assignee_id", "\(staff.displayName) is not in that team.", code: "not_in_team") }
            assigneeName = staff.displayName
        }
        let (team, assignee) = (teamName, assigneeName)
        return try await database.transaction { db in
            var c = try await self.owned(id, version: version, by: actor, on: db)
            let old = (c.teamID, c.assigneeID)
            c.teamID = teamID; c.assigneeID = assigneeID; c.updatedAt = now; c.version += 1
            try await self.save(c, expected: version, resetAlerts: false, on: db)
            try await CasesStore.append(CaseEvent(caseID: c.id, organisationID: c.organisationID, at: now, kind: .assigned, actor: actor,
                                                  text: [team.map { "Team: \($0)" }, assignee.map { "Officer: \($0)" }].compactMap { $0 }.joined(separator: ". ").nonEmpty ?? "Unassigned",
                                                  data: ["team_id": teamID?.string ?? "", "assignee_id": assigneeID?.string ?? ""]), on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "case", entityID: c.id.string,
                                                 changes: ["team_id": .init(old: old.0?.string, new: teamID?.string), "assignee_id": .init(old: old.1?.string, new: assigneeID?.string)]), on: db)
            return c
        }
    }

    /// Hands a case to another organisation (which must offer the same service), with a reason. The clock keeps running.
    public func transfer(_ id: CaseID, to slug: String, reason: String, version: Int, by actor: Actor, now: Timestamp = .now) async throws -> Case {
        try actor.require(.casesWrite)
        guard let reason = try Cases.text(reason, field: "reason") else { throw TownhallError.missing("reason") }
        let target = try await partnership.organisation(slug: slug)
        let from = try await partnership.organisation(id: actor.organisationID)
        return try await database.transaction { db in
            var c = try await self.owned(id, version: version, by: actor, on: db)
            guard target.id != c.organisationID else { throw TownhallError.invalid("organisation", "The case is already with \(target.name).") }
            guard c.status.isOpen else { throw TownhallError.conflict("Reopen the case before transferring it.", code: "invalid_transition", field: "status") }
            guard let service = try await CasesStore.activeService(organisation: target.id, code: c.serviceCode, on: db) else {
                throw TownhallError.invalid("organisation", "\(target.name) does not offer service \(c.serviceCode) (\(c.serviceName)) on this platform.", code: "no_provider")
            }
            c.organisationID = target.id; c.serviceID = service.id; c.serviceName = service.name
            c.teamID = nil; c.assigneeID = nil; c.updatedAt = now; c.version += 1
            c.apply(try await self.clock(for: c, on: db, now: now))
            try await self.save(c, expected: version, resetAlerts: true, on: db)
            try await CasesStore.append(CaseEvent(caseID: c.id, organisationID: target.id, at: now, kind: .transferred, actor: actor, isPublic: true,
                                                  text: "Passed from \(from.name) to \(target.name): \(reason)", data: ["from": from.slug, "to": target.slug, "reason": reason]), on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "case", entityID: c.id.string,
                                                 changes: ["organisation": .init(old: from.slug, new: target.slug)]), on: db)
            return c
        }
    }

    public func setPriority(_ id: CaseID, to priority: Priority, version: Int, by actor: Actor, now: Timestamp = .now) async throws -> Case {
        try actor.require(.casesWrite)
        return try await database.transaction { db in
            var c = try await self.owned(id, version: version, by: actor, on: db)
            let old = c.priority
            c.priority = priority; c.updatedAt = now; c.version += 1
            c.apply(try await self.clock(for: c, on: db, now: now))
            try await self.save(c, expected: version, resetAlerts: true, on: db)
            try await CasesStore.append(CaseEvent(caseID: c.id, organisationID: c.organisationID, at: now, kind: .priorityChanged, actor: actor,
                                                  text: "Priority \(old.rawValue) → \(priority.rawValue)", data: ["from": old.rawValue, "to": priority.rawValue]), on: db)
            return c
        }
    }

    /// Links two cases the actor can see ("related"); the link shows on both.
    public func link(_ id: CaseID, to reference: String, by actor: Actor, now: Timestamp = .now) async throws {
        try actor.require(.casesWrite)
        try await database.transaction { db in
            let c = try await self.owned(id, version: nil, by: actor, on: db)
            guard let ref = CaseReference.normalise(reference), let other = try await CasesStore.caseRow(reference: ref, on: db), other.id != c.id,
                  try await self.canSee(other, actor, db) else {
                throw TownhallError.invalid("reference", "There is no other case \(reference) you can see.", code: "unknown_case")
            }
            try await CasesStore.link(c.id, other.id, kind: "related", on: db)
            try await CasesStore.append(CaseEvent(caseID: c.id, organisationID: c.organisationID, at: now, kind: .linked, actor: actor,
                                                  text: "Linked to \(other.reference)", data: ["other": other.reference]), on: db)
        }
    }

    /// Stores a file on a case: photos and documents up to 5 MiB.
    public func attach(_ id: CaseID, filename: String, contentType: String, content: Data, by actor: Actor, now: Timestamp = .now) async throws -> CaseAttachment {
        try actor.require(.casesWrite)
        let file = try NewAttachment(filename: filename, contentType: contentType, content: content).validated()
        return try await database.transaction { db in
            let c = try await self.owned(id, version: nil, by: actor, on: db)
            return try await Cases.store(file, on: c, isPublic: false, position: 0, by: actor, at: now, db: db)
        }
    }

    /// Writes one checked file and its timeline event, inside the caller's transaction.
    static func store(_ file: NewAttachment, on c: Case, isPublic: Bool, position: Int, by actor: Actor, at now: Timestamp, db: any SQLDatabase) async throws -> CaseAttachment {
        let attachment = CaseAttachment(id: UUID.timeOrdered().lowercasedString, filename: file.filename, contentType: file.contentType, size: file.content.count,
                                        createdAt: now, isPublic: isPublic)
        try await CasesStore.insertAttachment(attachment, case: c, position: position, content: file.content, on: db)
        try await CasesStore.append(CaseEvent(caseID: c.id, organisationID: c.organisationID, at: now, kind: .attachment, actor: actor, isPublic: isPublic,
                                              text: "\(file.filename) (\(file.content.count / 1024 + 1) KiB)", data: ["attachment_id": attachment.id]), on: db)
        return attachment
    }

    /// A photo sent with a report, for anyone who can see the report publicly (Open311 `media_url`, the track page).
    public func publicAttachment(_ attachmentID: String) async throws -> (CaseAttachment, Data) {
        try await database.read { db in
            guard let found = try await CasesStore.attachmentContent(id: attachmentID, case: nil, on: db), found.0.isPublic else {
                throw TownhallError.notFound("Attachment \(attachmentID)")
            }
            return found
        }
    }

    public func attachment(_ id: CaseID, attachmentID: String, by actor: Actor) async throws -> (CaseAttachment, Data) {
        try actor.require(.casesRead)
        return try await database.read { db in
            guard let c = try await CasesStore.caseRow(id: id, on: db), try await self.canSee(c, actor, db),
                  let found = try await CasesStore.attachmentContent(id: attachmentID, case: id, on: db) else {
                throw TownhallError.notFound("Attachment \(attachmentID)")
            }
            return found
        }
    }

    static func text(_ raw: String?, field: String) throws -> String? {
        guard let t = raw?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        guard t.count <= 4000 else { throw TownhallError.invalid(field, "\(field) can be at most 4,000 characters.") }
        return t
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
