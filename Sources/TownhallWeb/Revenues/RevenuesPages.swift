import Contact
import Foundation
import Hummingbird
import Partnership
import Register
import Revenues
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// Council tax on the desk: the account page (years, bills, payments, recovery) with the agent's first-contact actions —
/// take a payment, record a move-out, grant a single person discount (each also logged as a contact resolved at the first
/// point of contact) — and the demand notice itself, printable, and as PDF where headless Chromium is installed.
public struct RevenuesPages: WebArea {
    let revenues: Revenues
    let register: Register
    let contacts: Contacts
    let partnership: Partnership
    let pages: Pages
    let chrome: @Sendable (TownhallContext) async throws -> Chrome

    public init(services: ServiceRegistry, kit: PageKit) {
        revenues = services.require(Revenues.self); register = services.require(Register.self)
        contacts = services.require(Contacts.self); partnership = services.require(Partnership.self); pages = kit.pages
        chrome = kit.chrome
    }

    public func addRoutes(desk: RouterGroup<TownhallContext>, web: RouterGroup<TownhallContext>) {
        desk.get("revenues/accounts/:id") { request, context in
            try await accountPage(try pageID(context, "id"), context: context, notice: Self.notices[request.query("done") ?? ""])
        }
        action(desk, "payments", form: "payment", done: "paid") { id, form, actor in
            let p = try await revenues.recordPayment(account: id, NewPayment(amount: form["amount"], method: form["method"], reference: form["reference"]), by: actor)
            let account = try await revenues.account(id: id, by: actor).account
            return (account, "\(account.tax.title) payment of \(Money.format(p.amount)) (\(p.method.title))")
        }
        action(desk, "move-out", form: "move", done: "moved") { id, form, actor in
            let lastDay = try LocalDate(parsing: form["last_day"] ?? "", field: "last_day")
            let view = try await revenues.recordMoveOut(account: id, lastDay: lastDay, version: nil, by: actor)
            return (view.account, "\(view.account.tax.title): moved out on \(lastDay)")
        }
        action(desk, "single-person-discount", form: "discount", done: "discount") { id, form, actor in
            let from = try LocalDate(parsing: form["from"] ?? "", field: "from")
            let evidence = (form["evidence"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !evidence.isEmpty else { throw TownhallError.missing("evidence", "Say who lives there and how they declared it.") }
            let view = try await revenues.addAdjustment(account: id, Adjustment(kind: .singlePersonDiscount, span: DateSpan(from: from, to: nil), evidence: evidence), by: actor)
            return (view.account, "Council tax: single person discount from \(from)")
        }
        desk.get("revenues/bills/:id") { _, context in
            try await billPage(try pageID(context, "id"), context: context)
        }
        desk.get("revenues/bills/:id/pdf") { request, context in
            let actor = try context.requireActor()
            let id: BillID = try pageID(context, "id")
            _ = try await revenues.bill(id: id, by: actor)   // the reader may see it
            guard let chromium = BillPDF.chromium() else {
                throw HTTPError(.notImplemented, message: "PDF needs headless Chromium on the server; print the notice from the browser instead.")
            }
            let page = try await billPage(id, context: context, printOnly: true)
            let pdf = try await BillPDF.render(html: page, chromium: chromium)
            return Response(status: .ok, headers: [.contentType: "application/pdf", .cacheControl: "no-store",
                                                   .contentDisposition: "inline; filename=\"council-tax-\(id).pdf\""],
                            body: .init(byteBuffer: ByteBuffer(bytes: pdf)))
        }
    }

    static let notices = ["paid": "Payment recorded", "moved": "Move-out recorded; the account is recalculated", "discount": "Single person discount granted; the account is recalculated"]

    /// An agent's action on the account page. Done, it is logged as a contact resolved at the first point of contact with
    /// the liable person (when they are on the register) and the page reloads with a notice; refused, the page comes back
    /// with the error on the form's field (400) and nothing written. `perform` returns the account and the contact's reason.
    func action(_ desk: RouterGroup<TownhallContext>, _ path: String, form formName: String, done: String,
                _ perform: @escaping @Sendable (RevenuesAccountID, [String: String], Actor) async throws -> (CouncilTaxAccount, String)) {
        desk.post("revenues/accounts/:id/\(path)") { request, context in
            let actor = try context.requireActor()
            let id: RevenuesAccountID = try pageID(context, "id")
            let form = try await Form.checked(request, context)
            do {
                let (account, reason) = try await perform(id, form, actor)
                _ = try await contacts.log(Contacts.NewContact(personID: account.parties.first?.personID, propertyID: account.propertyID,
                                                               channel: form["channel"] ?? "phone", reason: reason, outcome: "resolved_first_contact"), by: actor)
                return Response.redirect(to: "/desk/revenues/accounts/\(id)?done=\(done)", type: .normal)
            } catch let e as TownhallError where e.kind == .invalid || e.kind == .conflict {
                return try await accountPage(id, context: context, form: form, formName: formName, error: e)
            }
        }
    }

    func accountPage(_ id: RevenuesAccountID, context: TownhallContext, notice: String? = nil, form: [String: String] = [:], formName: String? = nil,
                     error: TownhallError? = nil) async throws -> Response {
        let actor = try context.requireActor()
        let today = LocalDate.today()
        let view = try await revenues.account(id: id, by: actor, today: today)
        let a = view.account
        let address = (try? await register.property(uprn: a.uprn, by: actor))?.singleLine ?? "UPRN \(a.uprn)"
        var m = RevenuesAccountModel(id: a.id.string, reference: a.reference, csrfToken: context.csrfToken ?? "", notice: notice)
        m.taxTitle = a.tax.title
        m.councilTax = a.tax == .councilTax
        m.summary = [
            .init("Liable", a.parties.map(\.name).joined(separator: " and ")),
            .init(a.tax == .councilTax ? "Dwelling" : "Property", address),
            .init("Liable from", a.liable.from.description + (a.liable.to.map { " to \($0)" } ?? "")),
            .init("Instalments", "\(a.twelveInstalments ? 12 : 10) a year, on day \(a.instalmentDay) of the month"),
            .init("Bills by email", a.eBillingEmail ?? "No (sent by post)"),
            .init("Balance", view.balance < 0 ? "\(Money.format(-view.balance)) in credit" : Money.format(view.balance)),
        ] + (a.isClosed ? [.init("Status", "Closed")] : [])
        m.years = view.years.reversed().map { y in
            YearRow(year: y.year.description, charge: Money.format(y.charge), costs: y.costs == 0 ? "–" : Money.format(y.costs), paid: Money.format(y.paid),
                    outstanding: Money.format(y.outstanding), arrears: y.arrears == 0 ? "–" : Money.format(y.arrears), stage: y.recoveryStage?.title ?? "–")
        }
        let current = view.currentBills.last
        m.instalments = (current?.instalments ?? []).map { .init(number: $0.number, due: $0.due.description, amount: Money.format($0.amount)) }
        m.instalmentsYear = current?.year.description ?? ""
        m.bills = view.bills.reversed().map { b in
            BillRow(id: b.id.string, year: b.year.description, notice: b.sequence == 1 ? "Annual bill" : "Revised (\(b.sequence))", issued: b.issuedOn.description,
                    band: b.band?.rawValue ?? b.rates.last.map { "RV \(Money.format($0.rateableValue * 100))" } ?? "–", total: Money.format(b.total))
        }
        m.payments = view.payments.reversed().prefix(24).map { .init(date: $0.receivedOn.description, method: $0.method.title, reference: $0.reference ?? "", amount: Money.format($0.amount)) }
        m.refunds = view.refunds.reversed().map { r in
            .init(date: r.requestedOn.description, payee: "\(r.payee.name), \(r.payee.sortCode) \(r.payee.maskedAccountNumber)", status: r.status.rawValue.capitalizedFirst,
                  amount: Money.format(r.amount))
        }
        m.adjustments = view.adjustments.map { x in
            .init(kind: x.adjustment.kind.title,
                  period: x.adjustment.span.from.description + (x.adjustment.span.to.map { " to \($0)" } ?? " onwards"), evidence: x.adjustment.evidence)
        }
        m.recovery = view.recovery.sorted { ($0.year, $0.stage) > ($1.year, $1.stage) }.map { r in
            .init(year: r.year.description, stage: r.stage.title, status: r.status.rawValue.capitalizedFirst, date: (r.issuedOn ?? r.proposedOn).description,
                  amount: Money.format(r.amount), costs: r.costs == 0 ? "–" : Money.format(r.costs), due: r.dueOn?.description ?? "–")
        }
        m.arrangements = view.arrangements.map { x in
            .init(text: "\(Money.format(x.amount)) \(x.frequency.rawValue) from \(x.firstPaymentOn)\(x.endsOn.map { " to \($0)" } ?? "")"
                  + (x.cancelledOn.map { ", cancelled \($0)" } ?? (x.holds(on: today) ? ", holding recovery" : "")), note: x.note)
        }
        m.canAct = actor.may(.revenuesWrite) && a.organisationID == actor.organisationID && !a.isClosed
        m.methods = [PaymentMethod.cash, .card, .cheque].map { CasePages.Option(value: $0.rawValue, label: $0.title, selected: (form["method"] ?? "card") == $0.rawValue) }
        m.amount = formName == "payment" ? form["amount"] ?? "" : ""
        m.paymentReference = formName == "payment" ? form["reference"] ?? "" : ""
        m.lastDay = formName == "move" ? form["last_day"] ?? "" : ""
        m.discountFrom = formName == "discount" ? form["from"] ?? "" : ""
        m.evidence = formName == "discount" ? form["evidence"] ?? "" : ""
        if let error, let formName {
            let field: String
            switch (formName, error.field) {
            case ("payment", "method"): field = "method-cash"
            case ("payment", _): field = error.field == "reference" ? "reference" : "amount"
            case ("move", _): field = "last_day"
            default: field = error.field == "evidence" ? "evidence" : "from"
            }
            m.errors = [.init(field: field, message: error.message)]
            m.fieldErrors[field] = error.message
        }
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk")] + (a.propertyID.map { [.init(text: address, href: "/desk/properties/\($0)")] } ?? [])
        let ready = m.ready()
        return html(pages.render("revenues-account", ready, title: (error == nil ? "" : "Error: ") + "\(a.tax.title) account \(a.reference)", hasErrors: ready.hasErrors, chrome: c),
                    status: error == nil ? .ok : .badRequest)
    }

    func billPage(_ id: BillID, context: TownhallContext) async throws -> Response {
        html(try await billPage(id, context: context, printOnly: false))
    }

    /// The demand notice. `printOnly` renders it without the site's header and navigation (what the PDF is made from).
    func billPage(_ id: BillID, context: TownhallContext, printOnly: Bool) async throws -> String {
        let actor = try context.requireActor()
        let bill = try await revenues.bill(id: id, by: actor)
        let view = try await revenues.account(id: bill.accountID, by: actor)
        let a = view.account
        let property = try? await register.property(uprn: a.uprn, by: actor)
        let organisation = try await partnership.organisation(id: bill.organisationID)
        var m = DemandNoticeModel(id: bill.id.string, accountID: a.id.string, organisation: organisation.name, reference: a.reference, issued: bill.issuedOn.description,
                                  year: bill.year.description, band: bill.band?.rawValue ?? "–", area: bill.area.isEmpty ? "Unparished area" : bill.area.capitalizedFirst,
                                  total: Money.format(bill.total), revised: bill.sequence > 1, sequence: bill.sequence, printOnly: printOnly)
        m.addressLines = a.parties.map(\.name) + (property?.addressLines ?? ["UPRN \(a.uprn)"])
        m.taxTitle = a.tax.title
        m.councilTax = a.tax == .councilTax
        m.lines = bill.lines.map { .init(name: $0.name, amount: Money.format($0.amount), change: $0.percentChange ?? "–") }
        m.bandTotal = Money.format(bill.lines.reduce(0) { $0 + $1.amount })
        m.segments = bill.segments.map { s in
            let what = s.exemptionClass.map { "Exempt (class \($0))" } ?? (s.percent == 100 ? "Full charge" : "\(s.percent)% of the charge")
            return .init(period: "\(s.from) to \(s.to)", days: s.days, band: s.band.rawValue, basis: what + (s.localReduction > 0 ? ", less \(s.localReduction)% local reduction" : "")
                             + (s.reduction.map { ", less council tax reduction of \(Money.format($0)) a year" } ?? ""))
        } + bill.rates.map { s in
            let reliefs = s.reliefs.map { "less \($0.kind.title.lowercased()) \(Money.format($0.amount))" }
            return .init(period: "\(s.from) to \(s.to)", days: s.days, band: Money.format(s.rateableValue * 100),
                         basis: (["\(s.pence) in the pound: \(Money.format(s.gross)) a year"] + reliefs).joined(separator: ", ")
                             + " = \(Money.format(s.net)) a year")
        }
        m.instalments = bill.instalments.map { .init(number: $0.number, due: $0.due.description, amount: Money.format($0.amount)) }
        m.hasInstalments = !m.instalments.isEmpty
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk"), .init(text: "Account \(a.reference)", href: "/desk/revenues/accounts/\(a.id)")]
        let title = "\(a.tax.title) demand notice \(bill.year), \(a.reference)"
        if printOnly { return pages.render(PrintLayout(title: title, body: pages.render(m, withTemplate: "demand-notice")), withTemplate: "print-layout") }
        return pages.render("demand-notice", m, title: title, chrome: c)
    }
}

/// Renders a page to PDF with headless Chromium (`--print-to-pdf`), which honours the notice's print stylesheet.
enum BillPDF {
    static func chromium() -> String? {
        let candidates = [ProcessInfo.processInfo.environment["TOWNHALL_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func render(html: String, chromium: String) async throws -> [UInt8] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("townhall-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("notice.html"), output = dir.appendingPathComponent("notice.pdf")
        try Data(html.utf8).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--user-data-dir=\(dir.path)/profile",
                             "--print-to-pdf=\(output.path)", input.absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, Error>) in
            process.terminationHandler = { _ in done.resume() }
            do { try process.run() } catch { done.resume(throwing: error) }
        }
        guard let data = FileManager.default.contents(atPath: output.path), data.starts(with: Array("%PDF".utf8)) else {
            throw HTTPError(.internalServerError, message: "Chromium did not produce a PDF.")
        }
        return Array(data)
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst().lowercased() }
}

/// The notice alone, with the stylesheet inline so Chromium needs nothing from the server.
struct PrintLayout: Encodable {
    var title, body: String
    var css: String = PrintLayout.stylesheet
    static let stylesheet: String = {
        guard let url = Bundle.module.url(forResource: "townhall", withExtension: "css", subdirectory: "Assets") else { return "" }
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()
}
struct YearRow: Encodable { var year, charge, costs, paid, outstanding, arrears, stage: String }
struct InstalmentRow: Encodable { var number: Int; var due, amount: String }
struct BillRow: Encodable { var id, year, notice, issued, band, total: String }
struct PaymentRow: Encodable { var date, method, reference, amount: String }
struct AdjustmentRow: Encodable { var kind, period, evidence: String }
struct RecoveryRow: Encodable { var year, stage, status, date, amount, costs, due: String }
struct ArrangementRow: Encodable { var text, note: String }
struct RefundRow: Encodable { var date, payee, status, amount: String }

struct RevenuesAccountModel: Encodable {
    var id, reference, csrfToken: String
    var notice: String?
    var summary: [SingleViewPanel.Line] = []
    var years: [YearRow] = []
    var instalments: [InstalmentRow] = []
    var instalmentsYear = ""
    var bills: [BillRow] = []
    var payments: [PaymentRow] = []
    var adjustments: [AdjustmentRow] = []
    var recovery: [RecoveryRow] = []
    var arrangements: [ArrangementRow] = []
    var refunds: [RefundRow] = []
    var hasRefunds = false
    var taxTitle = "Council tax", councilTax = true
    var hasYears = false, hasInstalments = false, hasBills = false, hasPayments = false, hasAdjustments = false, hasRecovery = false, hasArrangements = false
    var canAct = false
    var methods: [CasePages.Option] = []
    var amount = "", paymentReference = "", lastDay = "", discountFrom = "", evidence = ""
    var errors: [Pages.FieldError] = []
    var fieldErrors: [String: String] = [:]
    var hasErrors = false
    var amountError: String?, methodError: String?, referenceError: String?, lastDayError: String?, fromError: String?, evidenceError: String?

    init(id: String, reference: String, csrfToken: String, notice: String?) { self.id = id; self.reference = reference; self.csrfToken = csrfToken; self.notice = notice }

    func ready() -> RevenuesAccountModel {
        var m = self
        m.hasYears = !years.isEmpty; m.hasInstalments = !instalments.isEmpty; m.hasBills = !bills.isEmpty; m.hasPayments = !payments.isEmpty
        m.hasAdjustments = !adjustments.isEmpty; m.hasRefunds = !refunds.isEmpty; m.hasRecovery = !recovery.isEmpty; m.hasArrangements = !arrangements.isEmpty; m.hasErrors = !errors.isEmpty
        m.amountError = fieldErrors["amount"]; m.methodError = fieldErrors["method-cash"]; m.referenceError = fieldErrors["reference"]
        m.lastDayError = fieldErrors["last_day"]; m.fromError = fieldErrors["from"]; m.evidenceError = fieldErrors["evidence"]
        return m
    }
}

struct DemandNoticeModel: Encodable {
    var id, accountID, organisation, reference, issued, year, band, area, total: String
    var revised: Bool
    var sequence: Int
    var printOnly: Bool
    var taxTitle = "Council tax", councilTax = true
    var addressLines: [String] = []
    var lines: [NoticeRow] = []
    var bandTotal = ""
    var segments: [SegmentRow] = []
    var instalments: [InstalmentRow] = []
    var hasInstalments = false

    struct NoticeRow: Encodable { var name, amount, change: String }
    struct SegmentRow: Encodable { var period: String; var days: Int; var band, basis: String }

    init(id: String, accountID: String, organisation: String, reference: String, issued: String, year: String, band: String, area: String, total: String,
         revised: Bool, sequence: Int, printOnly: Bool) {
        self.id = id; self.accountID = accountID; self.organisation = organisation; self.reference = reference; self.issued = issued; self.year = year
        self.band = band; self.area = area; self.total = total; self.revised = revised; self.sequence = sequence; self.printOnly = printOnly
    }
}
