import Cases
import Register
import SQLKit
import TownhallKernel

/// What council tax sends through the outbox: e-bills and recovery letters. Each is queued inside the transaction of the
/// bill or stage it is about, keyed on it, so it exists if and only if that does and is sent once.
extension Revenues {
    /// What every council tax message can say about the account and the dwelling.
    struct Addressing {
        let addresses: [UPRN: Property]
        let organisationName: String

        func values(_ account: CouncilTaxAccount, year: FinancialYear, date: LocalDate, balance: Int64) -> [String: String] {
            ["name": account.parties.map(\.name).joined(separator: " and "), "account_reference": account.reference,
             "address": addresses[account.uprn]?.singleLine ?? "UPRN \(account.uprn)", "organisation_name": organisationName, "year": year.description,
             "date": Revenues.longDate(date), "balance": Money.format(balance), "tax": account.tax.phrase]
        }

        /// The e-billing address when the taxpayer opted in, otherwise the post to the dwelling.
        func recipient(_ account: CouncilTaxAccount) -> String {
            if let email = account.eBillingEmail { return email }
            return "post:" + ([account.parties.map(\.name).joined(separator: " and ")] + (addresses[account.uprn]?.addressLines ?? ["UPRN \(account.uprn)"]))
                .joined(separator: "\n")
        }
    }

    func addressing(_ accounts: [CouncilTaxAccount], organisation: OrganisationID, on db: any SQLDatabase) async throws -> Addressing {
        Addressing(addresses: try await Register.properties(uprns: accounts.map(\.uprn), organisation: organisation, on: db),
                   organisationName: (try? await partnership.organisation(id: organisation).name) ?? "")
    }

    /// E-billing: each new bill for an account that opted in goes by email.
    func queueEBills(_ bills: [Bill], accounts: [RevenuesAccountID: CouncilTaxAccount], on db: any SQLDatabase) async throws {
        let opted = bills.compactMap { b in accounts[b.accountID].flatMap { a in a.eBillingEmail.map { (b, a, $0) } } }
        guard let organisation = opted.first?.1.organisationID else { return }
        let addressing = try await addressing(opted.map(\.1), organisation: organisation, on: db)
        try await Cases.queueMessages(.councilTaxBill, opted.map { bill, account, email in
            var values = addressing.values(account, year: bill.year, date: bill.issuedOn, balance: bill.total)
            values["total"] = Money.format(bill.total)
            values["band"] = bill.band?.rawValue ?? bill.rates.first.map { "rateable value \(Money.format($0.rateableValue * 100))" } ?? "–"
            values["charges"] = bill.lines.map { "\($0.name): \(Money.format($0.amount))\($0.percentChange.map { " (\($0) on last year)" } ?? "")" }.joined(separator: "\n")
            values["instalments"] = bill.instalments.map { "\(Self.longDate($0.due)): \(Money.format($0.amount))" }.joined(separator: "\n")
            return (email, values, "revenues/bill/\(bill.id)")
        }, organisation: organisation, on: db)
    }

    /// Recovery letters for issued stages, with the balance each states; one template read per stage.
    func queueLetters(_ letters: [(RecoveryAction, CouncilTaxAccount, balance: Int64)], on db: any SQLDatabase) async throws {
        guard let organisation = letters.first?.1.organisationID else { return }
        let addressing = try await addressing(letters.map(\.1), organisation: organisation, on: db)
        for (stage, group) in Dictionary(grouping: letters, by: { $0.0.stage }) {
            try await Cases.queueMessages(Self.letterKind(stage), group.map { action, account, balance in
                var values = addressing.values(account, year: action.year, date: action.issuedOn ?? action.proposedOn, balance: balance)
                values["amount"] = Money.format(action.amount)
                values["costs"] = Money.format(action.costs)
                values["due_date"] = action.dueOn.map(Self.longDate) ?? ""
                return (addressing.recipient(account), values, "revenues/recovery/\(action.id)")
            }, organisation: organisation, on: db)
        }
    }

    static func letterKind(_ stage: RecoveryStage) -> NotificationTemplate.Kind {
        switch stage {
        case .reminder: .councilTaxReminder
        case .secondReminder: .councilTaxSecondReminder
        case .instalmentsLost: .councilTaxInstalmentsLost
        case .finalNotice: .councilTaxFinalNotice
        case .summons: .councilTaxSummons
        case .liabilityOrder: .councilTaxLiabilityOrder
        }
    }

    /// "22 November 2026", as letters print dates.
    static func longDate(_ d: LocalDate) -> String {
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(d.day) \(months[d.month - 1]) \(d.year)"
    }
}
