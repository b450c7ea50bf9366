import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Public reads for Open311 GeoReport v2: requests and their updates as anyone may see them (no names or contact details;
/// services not marked public are left out, like FixMyStreet's "private" categories).
extension Cases {
    public struct Open311Filter: Sendable {
        public var references: [String] = []
        public var serviceCodes: [String] = []
        public var open: Bool?
        public var from: Timestamp?
        public var to: Timestamp?
        public var limit = 1000
        public var page = 1
        public init() {}
    }

    public struct Open311Request: Sendable {
        public var `case`: Case
        public var agency: String
        public var statusNotes: String?
        public var notes: [CaseEvent]
        /// Photos sent with the report.
        public var photos: [CaseAttachment]
    }

    public func open311Requests(organisation: OrganisationID, filter: Open311Filter) async throws -> [Open311Request] {
        let agency = try await partnership.organisation(id: organisation).name
        return try await database.read { db in
            var f = CasesStore.CaseFilter(organisations: [organisation])
            f.references = filter.references
            f.serviceCodes = filter.serviceCodes
            if let open = filter.open { f.statuses = CaseStatus.allCases.filter { $0.isOpen == open } }
            f.createdFrom = filter.from
            f.createdTo = filter.to
            f.publicOnly = true
            // Pages by offset: clients page small public lists, and `page` is how the Open311 extension is written.
            let rows = try await CasesStore.cases(f, after: nil, limit: filter.limit * filter.page, on: db).dropFirst(filter.limit * (filter.page - 1))
            let events = try await CasesStore.publicEvents(cases: rows.map(\.id), on: db)
            let photos = try await CasesStore.publicAttachments(cases: rows.map(\.id), on: db)
            return rows.map { c in
                let notes = events[c.id] ?? []
                return Open311Request(case: c, agency: agency, statusNotes: notes.last?.text, notes: notes, photos: photos[c.id] ?? [])
            }
        }
    }

    public func open311Request(token: String) async throws -> Case? {
        guard let id = CaseID(token) else { return nil }
        return try await database.read { try await CasesStore.caseRow(id: id, on: $0) }
    }

    /// Public status changes and updates of an organisation's cases in a window: FixMyStreet's `servicerequestupdates`.
    public func open311Updates(organisation: OrganisationID, from: Timestamp?, to: Timestamp?, limit: Int = 1000) async throws -> [(event: CaseEvent, reference: String, status: String)] {
        try await database.read { db in
            let events = try await CasesStore.publicEvents(organisation: organisation, from: from, to: to, limit: limit, on: db)
            // An update without a status change reports the case's current status.
            let cases = try await CasesStore.caseRows(ids: Array(Set(events.filter { $0.0.toStatus == nil }.map(\.0.caseID))), on: db)
            return events.map { event, reference in
                let status = event.toStatus.map { Cases.fixMyStreetStatus($0, resolution: event.data["resolution"].flatMap(Resolution.init(rawValue:))) }
                    ?? cases[event.caseID].map { Cases.fixMyStreetStatus($0.status, resolution: $0.resolution) } ?? "open"
                return (event, reference, status)
            }
        }
    }

    /// Our statuses as FixMyStreet's extended statuses.
    public static func fixMyStreetStatus(_ status: CaseStatus, resolution: Resolution?) -> String {
        switch status {
        case .new: "open"
        case .acknowledged: "investigating"
        case .inProgress: "in_progress"
        case .waitingOnCustomer, .waitingOnThirdParty: "action_scheduled"
        case .closed: "closed"
        case .resolved:
            switch resolution ?? .fixed {
            case .fixed: "fixed"
            case .duplicate: "duplicate"
            case .notOurResponsibility: "not_councils_responsibility"
            case .noFurtherAction: "no_further_action"
            case .answered: "closed"
            case .withdrawn: "cancelled"
            }
        }
    }

    /// An update pushed by a FixMyStreet-style client (POST servicerequestupdates): recorded once per `update_id` as a
    /// public update from the customer; "open"/"reopen" on a finished case reopens it. Returns our event id.
    public func receiveOpen311Update(reference: String, updateID: String, status: String, description: String, by actor: Actor, now: Timestamp = .now) async throws -> String {
        try actor.require(.casesWrite)
        guard !updateID.isEmpty, updateID.count <= 100 else { throw TownhallError.invalid("update_id", "update_id is required (at most 100 characters).") }
        guard let text = try Cases.text(description, field: "description") else { throw TownhallError.missing("description") }
        guard let ref = CaseReference.normalise(reference), let c = try await database.read({ try await CasesStore.caseRow(reference: ref, on: $0) }),
              c.organisationID == actor.organisationID else {
            throw TownhallError.notFound("Service request \(reference)", field: "service_request_id")
        }
        let existing = try await database.read { try await CasesStore.events(case: c.id, on: $0) }.first { $0.data["client_update_id"] == updateID }
        if let existing { return existing.id.string }
        let reopen = ["OPEN", "REOPEN", "REOPENED"].contains(status.uppercased()) && !c.status.isOpen
        if reopen {
            _ = try await changeStatus(c.id, to: .inProgress, version: c.version, update: text, by: actor, now: now)
        }
        return try await database.transaction { db in
            let event = CaseEvent(caseID: c.id, organisationID: c.organisationID, at: now, kind: .publicUpdate, actor: actor, isPublic: true,
                                  text: reopen ? "Reopened by the customer." : text, data: ["client_update_id": updateID, "client_status": status.uppercased()])
            try await CasesStore.append(event, on: db)
            return event.id.string
        }
    }
}
