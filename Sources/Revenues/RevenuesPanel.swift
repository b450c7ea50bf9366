import Foundation
import TownhallKernel

/// The single view's council tax and business rates panel: each account the person is liable on (or at the property), with its balance,
/// next instalment and arrears. Shown only to staff with `revenues.read`, for accounts their organisation may see.
public struct RevenuesPanel: SingleViewPanelSource {
    let revenues: Revenues
    public init(revenues: Revenues) { self.revenues = revenues }

    public func panel(for subject: SingleViewSubject, by actor: Actor) async throws -> SingleViewPanel? {
        guard actor.may(.revenuesRead) else { return nil }
        let today = LocalDate.today()
        let propertyUPRN: UPRN? = if case .property(let id) = subject { try await revenues.register.property(id: id, by: actor).uprn } else { nil }
        let views: [AccountView] = try await revenues.database.read { db in
            let organisations = try await revenues.visible(actor, db)
            let accounts: [CouncilTaxAccount]
            switch subject {
            case .person(let id): accounts = try await RevenuesStore.accounts(person: id, organisations: organisations, on: db)
            case .property:
                guard let propertyUPRN else { return [] }
                accounts = try await RevenuesStore.accounts(uprn: propertyUPRN, organisations: organisations, on: db)
            }
            var views: [AccountView] = []
            for a in accounts.prefix(5) { views.append(try await Revenues.view(a, today: today, on: db)) }
            return views
        }
        var lines: [SingleViewPanel.Line] = []
        var warning = false
        for v in views {
            let a = v.account
            let period = a.liable.to.map { "\(a.liable.from) to \($0)" } ?? "from \(a.liable.from)"
            lines.append(.init("\(a.tax.title) \(a.reference)", "\(a.parties.map(\.name).joined(separator: " and ")), \(period)\(a.isClosed ? " (closed)" : "")",
                               href: "/desk/revenues/accounts/\(a.id)"))
            lines.append(.init("Balance", v.balance < 0 ? "\(Money.format(-v.balance)) in credit" : Money.format(v.balance)))
            let arrears = v.years.reduce(0) { $0 + $1.arrears }
            if arrears > 0 {
                warning = true
                lines.append(.init("Arrears", "\(Money.format(arrears)) (\(v.years.reduce(0) { $0 + $1.missedInstalments }) instalments missed)"))
            }
            if let stage = v.years.compactMap(\.recoveryStage).max() {
                warning = true
                lines.append(.init("Recovery", "\(stage.title) issued\(stage >= .instalmentsLost ? "; the right to pay by instalments is lost" : "")"))
            }
            if let arrangement = v.arrangements.first(where: { $0.holds(on: today) }) {
                lines.append(.init("Arrangement to pay", "\(Money.format(arrangement.amount)) \(arrangement.frequency.rawValue) from \(arrangement.firstPaymentOn); recovery on hold"))
            }
            if let next = v.years.compactMap(\.nextInstalment).first(where: { $0.due >= today }) {
                lines.append(.init("Next instalment", "\(Money.format(next.amount)) due \(next.due)"))
            }
        }
        let taxes = Set(views.map(\.account.tax))
        return SingleViewPanel(key: "council-tax", title: taxes == [.businessRates] ? "Business rates" : taxes.count > 1 ? "Council tax and business rates" : "Council tax",
                               tone: warning ? .warning : .normal, lines: lines, emptyText: "No council tax or business rates account.")
    }
}
