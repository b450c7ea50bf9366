import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

extension Cases {
    /// Writes `count` synthetic cases (with their created and status events) spread over the organisation's services, in
    /// batches: the fixture for `bench/cases.sh`, not a way to log real cases. As in a live table, cases are stored in the
    /// order they were logged, over 60 days ending 4 days ago (so no status change lies in the future); one in ten is high
    /// priority. References are made as real ones are (TH-25-000001…, so the track page finds them), and the 2025 sequence
    /// is moved past them.
    public func seedBenchmark(organisation: OrganisationID, count: Int, batch: Int = 5000) async throws {
        let services = try await self.services(organisation: organisation)
        guard !services.isEmpty else {
            throw TownhallError.invalid("organisation", "The organisation has no services to seed cases for.")
        }
        var rng = SystemRandomNumberGenerator()
        let now = Date().timeIntervalSince1970, span = 60.0 * 86_400
        var start = 0
        while start < count {
            let end = min(count, start + batch)
            var caseRows: [[any Encodable & Sendable]] = []
            var eventRows: [[any Encodable & Sendable]] = []
            for n in start..<end {
                let logged = now - 4 * 86_400 - span + span * Double(n) / Double(count) + Double.random(in: 0..<60, using: &rng)
                let created = Timestamp(Date(timeIntervalSince1970: logged))
                let service = services[n % services.count]
                let path: [CaseStatus] = switch n % 4 { case 0: [.new]; case 1: [.new, .inProgress]; case 2: [.new, .inProgress, .waitingOnCustomer]; default: [.new, .inProgress, .resolved] }
                var at = created
                let c = Case(id: CaseID(), organisationID: organisation, reference: CaseReference.make(year: 2025, number: n + 1), serviceID: service.id, serviceCode: service.code,
                             serviceName: service.name, status: path.last!, resolution: path.last == .resolved ? .fixed : nil, priority: n % 10 == 9 ? .high : .normal, channel: .web,
                             requesterID: nil, contact: CaseContact(), location: CaseLocation(address: "\(n % 300 + 1) Bench Street"), description: "Benchmark case",
                             attributes: [:], teamID: nil, assigneeID: nil, loggedByID: organisation, duplicateOfID: nil, mediaURLs: [], createdAt: created,
                             updatedAt: created, dueAt: nil, warningAt: nil, slaState: .onTrack, resolvedAt: nil, version: path.count)
                caseRows.append(CasesStore.values(c))
                for (seq, status) in path.enumerated() {
                    eventRows.append([UUID.timeOrdered().lowercasedString, c.id.string, organisation.string, seq + 1, at.iso, seq == 0 ? "created" : "status_changed",
                                      "bench", organisation.string, "web", seq == 0 ? nil : path[seq - 1].rawValue, status.rawValue, 1, nil as String?, "{}"])
                    at = at.adding(seconds: Double(3600 * (1 + n % 48)))
                }
            }
            let (cases, events) = (caseRows, eventRows)
            try await database.transaction { db in
                try await Database.insertRows(db, into: "case_record", columns: CasesStore.caseColumns, rows: cases)
                try await Database.insertRows(db, into: "case_event", columns: ["id", "case_id", "organisation_id", "seq", "at", "kind", "actor", "actor_organisation_id",
                                                                                "channel", "from_status", "to_status", "is_public", "body", "data"], rows: events)
            }
            start = end
        }
        try await database.transaction { db in
            try await db.raw("""
                INSERT INTO case_sequence (year, last_number) VALUES (2025, \(bind: count))
                ON CONFLICT (year) DO UPDATE SET last_number = CASE WHEN case_sequence.last_number > \(bind: count) THEN case_sequence.last_number ELSE \(bind: count) END
                """).run()
        }
    }
}
