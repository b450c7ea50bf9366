import Audit
import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

extension Revenues {
    /// Records a payment (cash office, card, Direct Debit, BACS). It pays the oldest year first unless directed to one;
    /// anything over what is owed is a credit on the account. Closed accounts take no payments.
    public func recordPayment(account id: RevenuesAccountID, _ input: NewPayment, by actor: Actor, now: Timestamp = .now) async throws -> RevenuesPayment {
        try actor.require(.revenuesWrite)
        let today = LocalDate.today(at: now.date)
        let (amount, method, on, reference, year) = try input.validated(today: today)
        return try await database.transaction { db in
            let a = try await changeableAccount(id, version: nil, actor: actor, on: db)
            if let reference, try await RevenuesStore.takenReferences(accounts: [a.id], on: db).contains("\(a.id)/\(method.rawValue)/\(reference)") {
                throw TownhallError.conflict("Payment \(reference) is already recorded on \(a.reference).", code: "duplicate_payment", field: "reference")
            }
            let payment = RevenuesPayment(id: PaymentID(), accountID: a.id, amount: amount, receivedOn: on, method: method, reference: reference,
                                          directedTo: year, createdAt: now)
            try await RevenuesStore.insertPayment(payment, organisation: a.organisationID, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "council_tax_payment", entityID: payment.id.string, subject: a.parties.first?.personID,
                                                 changes: ["amount": .init(old: nil, new: Money.format(amount)), "account": .init(old: nil, new: a.reference),
                                                           "method": .init(old: nil, new: method.rawValue)], at: now), on: db)
            return payment
        }
    }

    /// The account statement: every bill (a revision shows the change it made), recovery costs, payment and refund in date
    /// order with the running balance.
    public func statement(account id: RevenuesAccountID, by actor: Actor) async throws -> [StatementLine] {
        let view = try await account(id: id, by: actor)
        return Self.statement(view)
    }

    static func statement(_ view: AccountView) -> [StatementLine] {
        enum Entry { case bill(Bill, Int64), costs(RecoveryAction), payment(RevenuesPayment), refund(Refund) }
        let tax = view.account.tax.title
        var entries: [(LocalDate, Int, Entry)] = []
        var last: [FinancialYear: Int64] = [:]
        for b in view.bills.sorted(by: { ($0.issuedOn, $0.year, $0.sequence) < ($1.issuedOn, $1.year, $1.sequence) }) {
            entries.append((b.issuedOn, 0, .bill(b, b.total - (last[b.year] ?? 0))))
            last[b.year] = b.total
        }
        for r in view.recovery where r.status == .issued && r.costs > 0 { entries.append((r.issuedOn ?? r.proposedOn, 0, .costs(r))) }
        for p in view.payments { entries.append((p.receivedOn, 1, .payment(p))) }
        for r in view.refunds where r.status != .cancelled { entries.append((r.requestedOn, 2, .refund(r))) }
        var balance: Int64 = 0
        return entries.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { date, _, entry in
            switch entry {
            case .bill(let b, let change):
                balance += change
                let what = b.sequence == 1 ? "\(tax) \(b.year)\(b.band.map { ", band \($0.rawValue)" } ?? "")" : "\(tax) \(b.year) revised (notice \(b.sequence))"
                return StatementLine(date: date, description: what, year: b.year, debit: max(change, 0), credit: max(-change, 0), balance: balance)
            case .costs(let r):
                balance += r.costs
                return StatementLine(date: date, description: "Costs, \(r.stage.title.lowercased())", year: r.year, debit: r.costs, credit: 0, balance: balance)
            case .refund(let r):
                balance += r.amount
                return StatementLine(date: date, description: "Refund to \(r.payee.sortCode) \(r.payee.maskedAccountNumber)\(r.status == .pending ? " (pending)" : "")",
                                     year: nil, debit: r.amount, credit: 0, balance: balance)
            case .payment(let p):
                balance -= p.amount
                return StatementLine(date: date, description: "Payment, \(p.method.title)\(p.reference.map { " (\($0))" } ?? "")", year: p.directedTo,
                                     debit: 0, credit: p.amount, balance: balance)
            }
        }
    }
}
