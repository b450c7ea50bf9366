import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Refunds, BACS refund files and the council's bank account.
extension RevenuesStore {
    static func insertRefund(_ r: Refund, on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "revenues_refund",
                                      columns: ["id", "organisation_id", "account_id", "amount", "payee_name", "sort_code", "account_number", "reason", "status",
                                                "requested_on", "file_id", "created_at"],
                                      rows: [[r.id.string, r.organisationID.string, r.accountID.string, r.amount, r.payee.name, r.payee.sortCode, r.payee.accountNumber,
                                              r.reason, r.status.rawValue, r.requestedOn.description, r.fileID?.string, r.createdAt.iso]])
    }

    static func refunds(accounts ids: [RevenuesAccountID], on db: any SQLDatabase) async throws -> [RevenuesAccountID: [Refund]] {
        var result: [RevenuesAccountID: [Refund]] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 1000) {
            for row in try await db.raw("""
                SELECT * FROM revenues_refund WHERE account_id IN (\(binds: ids[chunk..<min(chunk + 1000, ids.count)].map(\.string))) ORDER BY created_at, id
                """).all() {
                let r = try decodeRefund(row)
                result[r.accountID, default: []].append(r)
            }
        }
        return result
    }

    /// An organisation's refunds, newest first, optionally of one status.
    static func refunds(organisation: OrganisationID, status: Refund.Status?, limit: Int, on db: any SQLDatabase) async throws -> [Refund] {
        var q: SQLQueryString = "SELECT * FROM revenues_refund WHERE organisation_id = \(bind: organisation.string)"
        if let status { q += " AND status = \(bind: status.rawValue)" }
        q += " ORDER BY created_at DESC, id DESC LIMIT \(unsafeRaw: String(limit))"
        return try await db.raw(q).all().map(decodeRefund)
    }

    static func refund(id: RefundID, organisation: OrganisationID, on db: any SQLDatabase) async throws -> Refund? {
        try await db.raw("SELECT * FROM revenues_refund WHERE id = \(bind: id.string) AND organisation_id = \(bind: organisation.string)").first().map(decodeRefund)
    }

    /// Moves refunds from one status to another; returns how many moved (the others had moved already).
    static func setRefundStatus(_ ids: [RefundID], from: Refund.Status, to: Refund.Status, file: RefundFileID?, on db: any SQLDatabase) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return try await db.raw("""
            UPDATE revenues_refund SET status = \(bind: to.rawValue), file_id = \(bind: file?.string)
            WHERE status = \(bind: from.rawValue) AND id IN (\(binds: ids.map(\.string))) RETURNING id
            """).all().count
    }

    static func decodeRefund(_ row: any SQLRow) throws -> Refund {
        Refund(id: try row.id("id"), organisationID: try row.id("organisation_id"), accountID: try row.id("account_id"), amount: try row.int64("amount"),
               payee: BankDetails(name: try row.string("payee_name"), sortCode: try row.string("sort_code"), accountNumber: try row.string("account_number")),
               reason: try row.string("reason"), status: Refund.Status(rawValue: try row.string("status")) ?? .pending,
               requestedOn: try LocalDate(parsing: try row.string("requested_on"), field: "requested_on"), fileID: try row.optionalID("file_id"),
               createdAt: try row.timestamp("created_at"))
    }

    static func insertRefundFile(_ f: RefundFile, on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "revenues_refund_file", columns: ["id", "organisation_id", "count", "total", "processing_date", "content", "created_at"],
                                      rows: [[f.id.string, f.organisationID.string, f.count, f.total, f.processingDate.description, f.content, f.createdAt.iso]])
    }

    static func refundFiles(organisation: OrganisationID, id: RefundFileID? = nil, on db: any SQLDatabase) async throws -> [RefundFile] {
        var q: SQLQueryString = "SELECT * FROM revenues_refund_file WHERE organisation_id = \(bind: organisation.string)"
        if let id { q += " AND id = \(bind: id.string)" }
        q += " ORDER BY created_at DESC, id LIMIT 100"
        return try await db.raw(q).all().map { row in
            RefundFile(id: try row.id("id"), organisationID: try row.id("organisation_id"), count: try row.int("count"), total: try row.int64("total"),
                       processingDate: try LocalDate(parsing: try row.string("processing_date"), field: "processing_date"), content: try row.string("content"),
                       createdAt: try row.timestamp("created_at"))
        }
    }

    static func setBankAccount(_ b: BankDetails, organisation: OrganisationID, at: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO revenues_bank_account (organisation_id, name, sort_code, account_number, updated_at)
            VALUES (\(bind: organisation.string), \(bind: b.name), \(bind: b.sortCode), \(bind: b.accountNumber), \(bind: at.iso))
            ON CONFLICT (organisation_id) DO UPDATE SET name = excluded.name, sort_code = excluded.sort_code, account_number = excluded.account_number,
                updated_at = excluded.updated_at
            """).run()
    }

    static func bankAccount(organisation: OrganisationID, on db: any SQLDatabase) async throws -> BankDetails? {
        try await db.raw("SELECT * FROM revenues_bank_account WHERE organisation_id = \(bind: organisation.string)").first().map { row in
            BankDetails(name: try row.string("name"), sortCode: try row.string("sort_code"), accountNumber: try row.string("account_number"))
        }
    }
}

extension RevenuesStore {
    static func accountReferences(_ ids: [RevenuesAccountID], on db: any SQLDatabase) async throws -> [RevenuesAccountID: String] {
        var result: [RevenuesAccountID: String] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 1000) {
            for row in try await db.raw("SELECT id, reference FROM revenues_account WHERE id IN (\(binds: ids[chunk..<min(chunk + 1000, ids.count)].map(\.string)))").all() {
                result[try row.id("id")] = try row.string("reference")
            }
        }
        return result
    }
}
