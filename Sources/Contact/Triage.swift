import Audit
import Cases
import Foundation
import Partnership
import Register
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Triage at first contact: decision trees per service, run by an agent from the single view. A finished run is recorded
/// as a contact (resolved now, signposted, or a case created with the answers attached) and as a run with its times, so
/// the first-contact resolution rate and each flow's outcomes can be measured.
public struct Triage: Sendable {
    public let database: Database
    let contacts: Contacts
    let cases: Cases
    let register: Register

    public init(database: Database, contacts: Contacts, cases: Cases, register: Register) {
        self.database = database; self.contacts = contacts; self.cases = cases; self.register = register
    }

    /// Saves the organisation's flow for a service (replacing the one it had), after checking it whole.
    public func save(serviceCode: String, name: String, summary: String? = nil, start: String, nodes: [TriageFlow.Node], active: Bool = true,
                     by actor: Actor, now: Timestamp = .now) async throws -> TriageFlow {
        try actor.require(.casesManage)
        let flow = try TriageFlow(organisationID: actor.organisationID, serviceCode: serviceCode, name: name,
                                  summary: summary?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmptyOrNil, start: start, nodes: nodes, active: active).validated()
        for node in flow.nodes { if let code = node.serviceCode, !code.isEmpty, try await cases.anyActiveService(code: code) == nil {
            throw TownhallError.invalid("nodes", "Outcome \(node.id) names service \(code), which no partner provides.", code: "unknown_service")
        } }
        return try await database.transaction { db in
            let saved = try await TriageStore.upsert(flow, at: now, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "triage_flow", entityID: saved.id.string,
                                                 changes: ["service_code": .init(old: nil, new: saved.serviceCode), "nodes": .init(old: nil, new: "\(saved.nodes.count)")],
                                                 at: now), on: db)
            return saved
        }
    }

    /// Every partner's active flows: any agent may run any of them, as a one-stop shop answers for every partner.
    public func flows(includeInactive: Bool = false, by actor: Actor) async throws -> [TriageFlow] {
        try actor.require(.registerRead)
        return try await database.read { try await TriageStore.flows(activeOnly: !includeInactive, on: $0) }
    }

    public func flow(_ id: TriageFlowID, by actor: Actor) async throws -> TriageFlow {
        try actor.require(.registerRead)
        guard let flow = try await database.read({ try await TriageStore.flow(id, on: $0) }) else { throw TownhallError.notFound("Triage flow \(id)") }
        return flow
    }

    public struct Finish: Sendable {
        public var flowID: TriageFlowID
        public var personID: PersonID
        public var answers: [Int]
        public var startedAt: Timestamp?
        public var channel: String
        public var notes: String?
        public init(flowID: TriageFlowID, personID: PersonID, answers: [Int], startedAt: Timestamp?, channel: String, notes: String? = nil) {
            self.flowID = flowID; self.personID = personID; self.answers = answers; self.startedAt = startedAt; self.channel = channel; self.notes = notes
        }
    }

    public struct Finished: Sendable {
        public var run: TriageRun
        public var contact: ContactRecord
        public var createdCase: Case?
    }

    /// Records a run that reached an outcome. Case outcomes raise the case (requester and current address from the register,
    /// the questions and answers as its description) before the contact and the run are written together.
    public func finish(_ input: Finish, by actor: Actor, now: Timestamp = .now) async throws -> Finished {
        try actor.require(.contactsLog)
        let flow = try await self.flow(input.flowID, by: actor)
        guard flow.active else { throw TownhallError.invalid("flow", "This triage flow has been withdrawn. Start again from the person's page.", code: "inactive_flow") }
        let (steps, at) = try flow.walk(input.answers)
        guard let kind = at.outcome else {
            throw TownhallError.invalid("answers", "Answer every question before recording the outcome.", code: "triage_unfinished")
        }
        // A start time from the page is the agent's browser's word: keep it within the longest contact we accept.
        let earliest = now.adding(seconds: -Double(ContactRecord.maximumDuration))
        let started = input.startedAt.map { min(max($0, earliest), now) } ?? now
        let transcript = TriageFlow.transcript(steps, outcome: at)
        let notes = [transcript, input.notes?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmptyOrNil].compactMap { $0 }.joined(separator: "\n\n")
        let contact = Contacts.NewContact(personID: input.personID, channel: input.channel, reason: "Triage: \(flow.name)", serviceCode: flow.serviceCode,
                                          outcome: kind.contactOutcome.rawValue, minutes: String(now.date.timeIntervalSince(started.date) / 60),
                                          notes: String(notes.prefix(4000)))
        let runID = TriageRunID()
        let run = { @Sendable (record: ContactRecord, created: Case?) in
            TriageRun(id: runID, organisationID: actor.organisationID, flowID: flow.id, personID: input.personID, answers: input.answers, outcomeNode: at.id,
                      outcome: kind, startedAt: started, finishedAt: now, contactID: record.id, caseReference: created?.reference, agent: actor.label)
        }
        let alsoWriteRun: Contacts.AlsoWrite = { record, created, db in try await TriageStore.insert(run(record, created), on: db) }
        guard kind.createsCase else {
            let record = try await contacts.log(contact, by: actor, now: now, also: alsoWriteRun)
            return Finished(run: run(record, nil), contact: record, createdCase: nil)
        }
        let person = try await register.person(id: input.personID, by: actor, purpose: "triage referral")
        let home = person.currentAddress
        let newCase = Cases.NewCase(serviceCode: at.serviceCode ?? flow.serviceCode, priority: at.priority, description: "\(at.title ?? flow.name)\n\n\(transcript)",
                                    requesterID: input.personID, contact: CaseContact(name: person.person.fullName),
                                    location: CaseLocation(uprn: home?.uprn, address: home?.address), channel: try? CaseChannel(parsing: input.channel))
        guard !newCase.location.isEmpty else {
            throw TownhallError.invalid("location", "\(person.person.fullName) has no current address, so the case cannot be placed. Record the address first.",
                                        code: "no_address")
        }
        let (created, record) = try await contacts.raiseCase(newCase, contact: contact, by: actor, now: now, also: alsoWriteRun)
        return Finished(run: run(record, created), contact: record, createdCase: created)
    }

    /// The organisation's runs on a London day: per flow, how many ended in each outcome and the median time taken.
    public func summary(on day: LocalDate = .today(), by actor: Actor) async throws -> [TriageSummary] {
        try actor.require(.registerRead)
        let (from, to) = LondonTime.bounds(of: day)
        let (runs, names) = try await database.read { db in
            (try await TriageStore.runs(organisation: actor.organisationID, from: from, to: to, on: db), try await TriageStore.flowNames(on: db))
        }
        return Dictionary(grouping: runs, by: \.flow).map { id, runs in
            let seconds = runs.map(\.seconds).sorted()
            return TriageSummary(flowID: id, name: names[id] ?? "", runs: runs.count, byOutcome: Dictionary(grouping: runs, by: \.outcome).mapValues(\.count),
                                 medianSeconds: seconds[seconds.count / 2])
        }.sorted { $0.name < $1.name }
    }
}

public struct TriageSummary: Sendable, Codable, Equatable {
    public var flowID: TriageFlowID
    public var name: String
    public var runs: Int
    public var byOutcome: [String: Int]
    public var medianSeconds: Int
}
