import Audit
import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Refunds of credits, and the BACS file that pays them.
public struct NewRefund: Sendable, Codable, Equatable {
    /// Pounds as text; the whole credit when absent.
    public var amount: String?
    public var payeeName: String?
    public var sortCode: String?
    public var accountNumber: String?
    public var reason: String?
    public init(amount: String? = nil, payeeName: String?, sortCode: String?, accountNumber: String?, reason: String? = nil) {
        self.amount = amount; self.payeeName = payeeName; self.sortCode = sortCode; self.accountNumber = accountNumber; self.reason = reason
    }
}

extension Revenues {
    /// Refunds all or part of an account's credit to a bank account. The refund waits for the next BACS file; until then
    /// it can be cancelled. Refused when there is no credit, or the amount is more than the credit.
    public func requestRefund(account id: RevenuesAccountID, _ input: NewRefund, by actor: Actor, now: Timestamp = .now) async throws -> Refund {
        try actor.require(.revenuesWrite)
        let payee = try BankDetails.validated(name: input.payeeName, sortCode: input.sortCode, accountNumber: input.accountNumber, prefix: "payee_")
        let reason = (input.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count <= 500 else { throw TownhallError.invalid("reason", "Keep the reason under 500 characters.") }
        let asked = try input.amount.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : try Money.parse($0, field: "amount") }
        if let asked, asked <= 0 { throw TownhallError.invalid("amount", "A refund must be more than £0.00.", code: "negative_amount") }
        let today = LocalDate.today(at: now.date)
        return try await database.transaction { db in
            let a = try await changeableAccount(id, version: nil, actor: actor, on: db)
            let credit = try await Self.view(a, today: today, on: db).credit
            guard credit > 0 else {
                throw TownhallError.conflict("Account \(a.reference) has no credit to refund.", code: "no_credit", field: "amount")
            }
            let amount = asked ?? credit
            guard amount <= credit else {
                throw TownhallError.invalid("amount", "The refund cannot be more than the credit of \(Money.format(credit)).", code: "more_than_credit")
            }
            let refund = Refund(id: RefundID(), organisationID: a.organisationID, accountID: a.id, amount: amount, payee: payee,
                                reason: reason.isEmpty ? "Overpayment" : reason, status: .pending, requestedOn: today, fileID: nil, createdAt: now)
            try await RevenuesStore.insertRefund(refund, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "revenues_refund", entityID: refund.id.string, subject: a.parties.first?.personID,
                                                 changes: ["amount": .init(old: nil, new: Money.format(amount)), "account": .init(old: nil, new: a.reference),
                                                           "payee": .init(old: nil, new: "\(payee.sortCode) \(payee.maskedAccountNumber)")], at: now), on: db)
            return refund
        }
    }

    /// Cancels a refund that is not yet in a BACS file; the money stays on the account as a credit.
    public func cancelRefund(_ id: RefundID, by actor: Actor, now: Timestamp = .now) async throws -> Refund {
        try actor.require(.revenuesWrite)
        return try await database.transaction { db in
            guard var refund = try await RevenuesStore.refund(id: id, organisation: actor.organisationID, on: db) else {
                throw TownhallError.notFound("Refund \(id)", field: "refund")
            }
            guard try await RevenuesStore.setRefundStatus([id], from: .pending, to: .cancelled, file: nil, on: db) == 1 else {
                throw TownhallError.conflict("The refund is \(refund.status.rawValue); only a pending refund can be cancelled.", code: "not_pending", field: "refund")
            }
            refund.status = .cancelled
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "revenues_refund", entityID: id.string,
                                                 changes: ["status": .init(old: "pending", new: "cancelled")], at: now), on: db)
            return refund
        }
    }

    public func refunds(status: Refund.Status?, by actor: Actor, limit: Int = 100) async throws -> [Refund] {
        try actor.require(.revenuesRead)
        return try await database.read { try await RevenuesStore.refunds(organisation: actor.organisationID, status: status, limit: limit, on: $0) }
    }

    /// The council's bank account that refunds are paid from.
    public func setBankAccount(name: String?, sortCode: String?, accountNumber: String?, by actor: Actor, now: Timestamp = .now) async throws -> BankDetails {
        try actor.require(.revenuesManage)
        let bank = try BankDetails.validated(name: name, sortCode: sortCode, accountNumber: accountNumber)
        try await database.transaction { db in
            try await RevenuesStore.setBankAccount(bank, organisation: actor.organisationID, at: now, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "revenues_bank_account", entityID: actor.organisationID.string,
                                                 changes: ["account": .init(old: nil, new: "\(bank.sortCode) \(bank.maskedAccountNumber)")], at: now), on: db)
        }
        return bank
    }

    public func bankAccount(by actor: Actor) async throws -> BankDetails? {
        try actor.require(.revenuesRead)
        return try await database.read { try await RevenuesStore.bankAccount(organisation: actor.organisationID, on: $0) }
    }

    /// Makes the BACS file for every pending refund, marks them paid and keeps the file, all in one transaction: a refund is
    /// in exactly one file, and two officers making files at once cannot pay one twice (the second finds none pending, or
    /// its status update moves fewer rows than it read and it rolls back).
    public func makeRefundFile(processingDate: LocalDate? = nil, by actor: Actor, now: Timestamp = .now) async throws -> RefundFile {
        try actor.require(.revenuesManage)
        let today = LocalDate.today(at: now.date)
        let day = processingDate ?? today
        guard day >= today else { throw TownhallError.invalid("processing_date", "The processing date cannot be in the past.", code: "past_date") }
        let org = actor.organisationID
        return try await database.transaction { db in
            guard let originator = try await RevenuesStore.bankAccount(organisation: org, on: db) else {
                throw TownhallError.conflict("Set the council's bank account for refunds first.", code: "no_bank_account", field: "bank_account")
            }
            let pending = try await RevenuesStore.refunds(organisation: org, status: .pending, limit: 100_000, on: db).reversed()
            guard !pending.isEmpty else { throw TownhallError.conflict("There are no refunds waiting to be paid.", code: "nothing_to_pay", field: "refunds") }
            let references = try await RevenuesStore.accountReferences(Array(Set(pending.map(\.accountID))), on: db)
            let file = RefundFile(id: RefundFileID(), organisationID: org, count: pending.count, total: pending.reduce(0) { $0 + $1.amount }, processingDate: day,
                                  content: BACSStandard18.file(pending.map { ($0.payee, $0.amount, "REFUND " + (references[$0.accountID] ?? "")) }, from: originator),
                                  createdAt: now)
            guard try await RevenuesStore.setRefundStatus(pending.map(\.id), from: .pending, to: .paid, file: file.id, on: db) == pending.count else {
                throw TownhallError.conflict("Another file took some of these refunds meanwhile; make the file again.", code: "stale_refunds", field: "refunds")
            }
            try await RevenuesStore.insertRefundFile(file, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "revenues_refund_file", entityID: file.id.string,
                                                 changes: ["refunds": .init(old: nil, new: "\(file.count), \(Money.format(file.total))")], at: now), on: db)
            return file
        }
    }

    public func refundFiles(by actor: Actor) async throws -> [RefundFile] {
        try actor.require(.revenuesManage)
        return try await database.read { try await RevenuesStore.refundFiles(organisation: actor.organisationID, on: $0) }
    }

    public func refundFile(_ id: RefundFileID, by actor: Actor) async throws -> RefundFile {
        try actor.require(.revenuesManage)
        guard let file = try await database.read({ try await RevenuesStore.refundFiles(organisation: actor.organisationID, id: id, on: $0).first }) else {
            throw TownhallError.notFound("Refund file \(id)", field: "file")
        }
        return file
    }
}
