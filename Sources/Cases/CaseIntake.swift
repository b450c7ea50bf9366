import Audit
import Foundation
import SQLKit
import Synchronization
import TownhallDatabase
import TownhallKernel

/// A new case, checked and routed, waiting for its reference number, which it gets when it is written.
struct PendingCase: Sendable {
    var draft: Case
    var year: Int
    /// Timeline events in order (created, then rerouted when it was); they take places 1, 2, …
    var events: [CaseEvent]
    var actor: Actor
    var organisationName: String
    var files: [NewAttachment]
}

/// Group commit for new cases. Reports arriving together (a storm, a FixMyStreet batch) are written together: one
/// transaction, one sync to disk and a handful of multi-row statements for the lot, instead of a transaction each.
/// Nothing waits on a timer: whoever arrives while a batch is being written joins the next one. Every caller still gets
/// all-or-nothing for its own case: if a batch fails, its cases are written again one by one, so one bad row fails alone.
final class CaseIntake: Sendable {
    private struct Waiting: Sendable {
        var pending: PendingCase
        var continuation: CheckedContinuation<Case, any Error>
    }
    private struct State: Sendable {
        var queue: [Waiting] = []
        var writing = false
    }

    /// A batch is at most this many cases (a few thousand bound values per statement).
    static let maximumBatch = 64
    private let state = Mutex(State())
    private let write: @Sendable ([PendingCase]) async throws -> [Case]

    init(write: @escaping @Sendable ([PendingCase]) async throws -> [Case]) { self.write = write }

    func submit(_ pending: PendingCase) async throws -> Case {
        try await withCheckedThrowingContinuation { continuation in
            let lead = state.withLock { s -> Bool in
                s.queue.append(Waiting(pending: pending, continuation: continuation))
                if s.writing { return false }
                s.writing = true
                return true
            }
            if lead { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch = state.withLock { s -> [Waiting] in
                let batch = Array(s.queue.prefix(Self.maximumBatch))
                s.queue.removeFirst(batch.count)
                if batch.isEmpty { s.writing = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                let written = try await write(batch.map(\.pending))
                for (w, c) in zip(batch, written) { w.continuation.resume(returning: c) }
            } catch {
                guard batch.count > 1 else { batch[0].continuation.resume(throwing: error); continue }
                for w in batch {
                    do { w.continuation.resume(returning: try await write([w.pending])[0]) } catch { w.continuation.resume(throwing: error) }
                }
            }
        }
    }
}

/// Writes a batch of new cases in one transaction: their numbers, rows, timelines, audit entries, acknowledgements and photos.
struct NewCaseWriter: Sendable {
    let database: Database
    let reference: ShortLivedCache<Cases.ReferenceKey>
    let trackURL: String

    func write(_ batch: [PendingCase]) async throws -> [Case] {
        try await database.transaction { db in
            var next: [Int: Int] = [:]
            for (year, items) in Dictionary(grouping: batch, by: \.year) {
                next[year] = try await CasesStore.reserveNumbers(year: year, count: items.count, on: db)
            }
            var written: [Case] = []
            for p in batch {
                var c = p.draft
                c.reference = CaseReference.make(year: p.year, number: next[p.year]!)
                next[p.year]! += 1
                written.append(c)
            }
            try await CasesStore.insert(written, on: db)
            try await CasesStore.append(batch.flatMap { p in p.events.enumerated().map { ($0.element, $0.offset + 1) } }, on: db)
            try await AuditLog.recordAll(zip(batch, written).map { p, c in
                AuditEntry(actor: p.actor, action: .create, entityType: "case", entityID: c.id.string, subject: c.requesterID,
                           changes: ["reference": .init(old: nil, new: c.reference), "service": .init(old: nil, new: c.serviceCode),
                                     "organisation": .init(old: nil, new: p.organisationName)])
            }, on: db)
            var messages: [OutgoingMessage] = []
            for (p, c) in zip(batch, written) {
                if let m = try await Cases.customerMessage(c, kind: .caseAcknowledgement, eventKey: "case/\(c.id)/acknowledgement", values: [:],
                                                           organisationName: p.organisationName, at: c.createdAt, trackURL: trackURL, reference: reference, on: db) {
                    messages.append(m)
                }
                for (i, file) in p.files.enumerated() {
                    _ = try await Cases.store(file, on: c, isPublic: true, position: i + 1, by: p.actor, at: c.createdAt, db: db)
                }
            }
            try await CasesStore.enqueue(messages, on: db)
            return written
        }
    }
}
