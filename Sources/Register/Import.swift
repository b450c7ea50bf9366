import Audit
import SQLKit
import TownhallDatabase
import TownhallKernel

extension Register {
    /// Rows per transaction: big enough to be fast, small enough that a failure loses little work. A rerun is safe:
    /// properties are upserted by (organisation, UPRN), so importing a file twice leaves one row per UPRN.
    static let importBatch = 1000

    public func importProperties(csv text: String, by actor: Actor) async throws -> ImportReport {
        try actor.require(.registerImport)
        let (format, rows, rejected, read) = try PropertyRows.parse(csv: text, organisation: actor.organisationID)
        var report = ImportReport(format: "properties (\(format.rawValue))")
        report.rowsRead = read
        report.rejected = rejected
        for start in stride(from: 0, to: rows.count, by: Register.importBatch) {
            let batch = Array(rows[start..<min(start + Register.importBatch, rows.count)])
            let (created, updated, missing) = try await database.transaction { db -> (Int, Int, [ImportReport.Rejection]) in
                // One query finds which UPRNs the register already holds; new rows go in with multi-row inserts.
                let existing = try await RegisterStore.properties(uprns: try batch.map { try UPRN($0.input.uprn!) }, organisation: actor.organisationID, on: db)
                var created: [Property] = [], updated = 0, missing: [ImportReport.Rejection] = []
                for row in batch {
                    let uprn = try UPRN(row.input.uprn!)
                    if row.coordinatesOnly {
                        guard var p = existing[uprn] else {
                            missing.append(.init(line: row.line, field: "uprn", reason: "UPRN \(uprn) is not on the register, and OS Open UPRN carries no address to create it from."))
                            continue
                        }
                        p.latitude = row.input.latitude; p.longitude = row.input.longitude; p.easting = row.input.easting; p.northing = row.input.northing
                        if case .updated = try await RegisterStore.upsert(p, on: db).1 { updated += 1 }
                    } else {
                        let property = try row.input.validated(organisation: actor.organisationID, id: PropertyID(StableUUID.make("property/\(actor.organisationID)/\(uprn)")))
                        if existing[uprn] == nil { created.append(property) }
                        else if case .updated = try await RegisterStore.upsert(property, on: db).1 { updated += 1 }
                    }
                }
                try await RegisterStore.insertProperties(created, on: db)
                return (created.count, updated, missing)
            }
            report.created += created
            report.updated += updated
            report.rejected += missing
        }
        report.rejected.sort { $0.line < $1.line }
        let summary = report
        guard report.created + report.updated > 0 else { return report }  // a rerun that changed nothing leaves no trace
        try await database.transaction { db in
            try await AuditLog.record(AuditEntry(actor: actor, action: .import, entityType: "property_import", entityID: nil,
                                                 changes: ["result": .init(old: nil, new: summary.summary)]), on: db)
        }
        return report
    }

    /// Loads postcode directory rows (platform-wide reference data). Needs `register.import`.
    public func importPostcodes(csv text: String, by actor: Actor) async throws -> ImportReport {
        try actor.require(.registerImport)
        let (records, rejected, read) = try PostcodeRows.parse(csv: text)
        var report = ImportReport(format: "postcodes (ONSPD)")
        report.rowsRead = read
        report.rejected = rejected
        for start in stride(from: 0, to: records.count, by: Register.importBatch) {
            let batch = Array(records[start..<min(start + Register.importBatch, records.count)])
            try await database.transaction { db in
                for (_, record) in batch { try await RegisterStore.upsert(record, on: db) }
            }
            report.updated += batch.count
        }
        let summary = report
        try await database.transaction { db in
            try await AuditLog.record(AuditEntry(actor: actor, action: .import, entityType: "postcode_import", entityID: nil,
                                                 changes: ["result": .init(old: nil, new: summary.summary)]), on: db)
        }
        return report
    }
}
