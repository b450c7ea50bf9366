import Foundation
import Hummingbird
import Revenues
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// The revenues back office on the desk: the recovery review queue (issue the selected stages, or withhold one with a
/// reason), refunds waiting to be paid and the BACS files that paid them, and the collection report (BVPI 9 and 10) with
/// its CSV. Each page does what its API route does, through the same `Revenues` calls.
public struct RevenuesOfficePages: WebArea {
    let revenues: Revenues
    let pages: Pages
    let chrome: @Sendable (TownhallContext) async throws -> Chrome

    public init(services: ServiceRegistry, kit: PageKit) {
        revenues = services.require(Revenues.self); pages = kit.pages; chrome = kit.chrome
    }

    public func deskLinks(for actor: Actor) -> [DeskLink] {
        !actor.may(.revenuesRead) ? [] : [DeskLink("Recovery to review", href: "/desk/revenues/recovery"), DeskLink("Refunds", href: "/desk/revenues/refunds"),
                                        DeskLink("Collection report", href: "/desk/revenues/collection")]
    }

    public func addRoutes(desk: RouterGroup<TownhallContext>, web: RouterGroup<TownhallContext>) {
        desk.get("revenues/recovery") { request, context in
            try await recoveryPage(request, context: context)
        }
        desk.post("revenues/recovery/issue") { request, context in
            let actor = try context.requireActor()
            let fields = try await Form.checkedFields(request, context)
            let ids = try (fields["ids"] ?? []).map { try RecoveryActionID.parse($0, field: "ids") }
            do {
                guard !ids.isEmpty else { throw TownhallError.missing("ids", "Select the stages to issue.") }
                let result = try await revenues.issueRecovery(ids: ids, stage: nil, by: actor)
                return Response.redirect(to: "/desk/revenues/recovery?issued=\(result.issued.count)&withdrawn=\(result.withdrawn.count)", type: .normal)
            } catch let e as TownhallError where e.kind == .invalid || e.kind == .conflict {
                return try await recoveryPage(request, context: context, error: e)
            }
        }
        desk.get("revenues/recovery/:id/withhold") { _, context in
            try await withholdPage(try pageID(context, "id"), context: context)
        }
        desk.post("revenues/recovery/:id/withhold") { request, context in
            let actor = try context.requireActor()
            let id: RecoveryActionID = try pageID(context, "id")
            let form = try await Form.checked(request, context)
            do {
                _ = try await revenues.withholdRecovery(id, reason: form["reason"] ?? "", by: actor)
                return Response.redirect(to: "/desk/revenues/recovery?withheld=1", type: .normal)
            } catch let e as TownhallError where e.kind == .invalid || e.kind == .conflict {
                return try await withholdPage(id, context: context, reason: form["reason"] ?? "", error: e)
            }
        }

        desk.get("revenues/refunds") { request, context in
            try await refundsPage(context: context, notice: request.query("done") == "file" ? "BACS file made; its refunds are paid" : nil)
        }
        desk.post("revenues/refunds/files") { request, context in
            let actor = try context.requireActor()
            let form = try await Form.checked(request, context)
            do {
                let day = try form["processing_date"].flatMap { $0.isEmpty ? nil : try LocalDate(parsing: $0, field: "processing_date") }
                _ = try await revenues.makeRefundFile(processingDate: day, by: actor)
                return Response.redirect(to: "/desk/revenues/refunds?done=file", type: .normal)
            } catch let e as TownhallError where e.kind == .invalid || e.kind == .conflict {
                return try await refundsPage(context: context, processingDate: form["processing_date"] ?? "", error: e)
            }
        }
        desk.get("revenues/refunds/files/:id") { _, context in
            let file = try await revenues.refundFile(try pageID(context, "id"), by: try context.requireActor())
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=us-ascii", .cacheControl: "no-store",
                                                   .contentDisposition: "attachment; filename=\"\(file.filename)\""],
                            body: .init(byteBuffer: ByteBuffer(string: file.content)))
        }

        desk.get("revenues/collection") { request, context in
            try await collectionPage(request, context: context)
        }
    }

    // MARK: Recovery review

    func recoveryPage(_ request: Request, context: TownhallContext, error: TownhallError? = nil) async throws -> Response {
        let actor = try context.requireActor()
        let stage = request.query("stage").flatMap { RecoveryStage(rawValue: $0) }
        let after = request.query("after").flatMap { RecoveryActionID($0) }
        let limit = 50
        let actions = try await revenues.recoveryActions(status: .proposed, stage: stage, after: after?.string, limit: limit, by: actor)
        var m = RecoveryReviewModel(csrfToken: context.csrfToken ?? "")
        m.canManage = actor.may(.revenuesManage)
        m.stages = [CasePages.Option(value: "", label: "Every stage", selected: stage == nil)]
            + RecoveryStage.allCases.map { CasePages.Option(value: $0.rawValue, label: $0.title, selected: $0 == stage) }
        m.rows = actions.map { a in
            .init(id: a.id.string, accountID: a.accountID.string, reference: a.accountReference, year: a.year.description, stage: a.stage.title,
                  proposed: a.proposedOn.description, amount: Money.format(a.amount), costs: a.costs == 0 ? "–" : Money.format(a.costs), due: a.dueOn?.description ?? "–")
        }
        if actions.count == limit, let last = actions.last {
            m.next = "/desk/revenues/recovery?" + (stage.map { "stage=\($0.rawValue)&" } ?? "") + "after=\(last.id)"
        }
        if let issued = request.query("issued").flatMap(Int.init) {
            let withdrawn = request.query("withdrawn").flatMap(Int.init) ?? 0
            m.notice = "\(issued) issued" + (withdrawn > 0 ? "; \(withdrawn) withdrawn, no longer due" : "")
        } else if request.query("withheld") != nil {
            m.notice = "Stage withheld"
        }
        if let error { m.errors = [.init(field: "ids", message: error.message)] }
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk")]
        let ready = m.ready()
        return html(pages.render("revenues-recovery", ready, title: (error == nil ? "" : "Error: ") + "Recovery to review", hasErrors: ready.hasErrors, chrome: c),
                    status: error == nil ? .ok : .badRequest)
    }

    func withholdPage(_ id: RecoveryActionID, context: TownhallContext, reason: String = "", error: TownhallError? = nil) async throws -> Response {
        let actor = try context.requireActor()
        let a = try await revenues.recoveryAction(id, by: actor)
        var m = WithholdModel(id: a.id.string, csrfToken: context.csrfToken ?? "", reason: reason, proposed: a.status == .proposed)
        m.summary = [.init("Account", a.accountReference), .init("Year", a.year.description), .init("Stage", a.stage.title),
                     .init("Proposed on", a.proposedOn.description), .init("Amount", Money.format(a.amount)),
                     .init("Status", a.status.rawValue.capitalizedFirst + (a.reason.map { ": \($0)" } ?? ""))]
        if let error {
            m.errors = [.init(field: "reason", message: error.message)]
            m.hasErrors = true
            m.reasonError = error.message
        }
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk"), .init(text: "Recovery to review", href: "/desk/revenues/recovery")]
        return html(pages.render("revenues-withhold", m, title: (error == nil ? "" : "Error: ") + "Withhold a \(a.stage.title.lowercased())", hasErrors: error != nil, chrome: c),
                    status: error == nil ? .ok : .badRequest)
    }

    // MARK: Refunds

    func refundsPage(context: TownhallContext, notice: String? = nil, processingDate: String = "", error: TownhallError? = nil) async throws -> Response {
        let actor = try context.requireActor()
        var m = RefundsModel(csrfToken: context.csrfToken ?? "", notice: notice, processingDate: processingDate)
        m.refunds = try await revenues.refunds(status: .pending, by: actor).map { r in
            .init(accountID: r.accountID.string, date: r.requestedOn.description, payee: "\(r.payee.name), \(r.payee.sortCode) \(r.payee.maskedAccountNumber)",
                  reason: r.reason, amount: Money.format(r.amount))
        }
        m.canManage = actor.may(.revenuesManage)
        if m.canManage {
            m.bank = try await revenues.bankAccount(by: actor).map { "\($0.name), \($0.sortCode) \($0.maskedAccountNumber)" }
            m.files = try await revenues.refundFiles(by: actor).map { f in
                .init(id: f.id.string, processing: f.processingDate.description, count: f.count, total: Money.format(f.total))
            }
        }
        if let error {
            let field = error.field == "processing_date" ? "processing_date" : "make-file"
            m.errors = [.init(field: field, message: error.message)]
            m.dateError = error.message
        }
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk")]
        let ready = m.ready()
        return html(pages.render("revenues-refunds", ready, title: (error == nil ? "" : "Error: ") + "Refunds", hasErrors: ready.hasErrors, chrome: c),
                    status: error == nil ? .ok : .badRequest)
    }

    // MARK: Collection report

    func collectionPage(_ request: Request, context: TownhallContext) async throws -> Response {
        let actor = try context.requireActor()
        let today = LocalDate.today()
        var m = CollectionModel()
        var errors: [Pages.FieldError] = []
        func field<T>(_ name: String, _ parse: (String) throws -> T, default fallback: T) -> T {
            guard let raw = request.query(name), !raw.isEmpty else { return fallback }
            do { return try parse(raw) } catch let e as TownhallError {
                errors.append(.init(field: name, message: e.message))
                return fallback
            } catch { return fallback }
        }
        let year = field("year", { try FinancialYear(parsing: $0) }, default: FinancialYear(containing: today))
        let asOf = field("as_of", { try LocalDate(parsing: $0, field: "as_of") }, default: today)
        let tax = field("tax", { try Tax.parse($0) }, default: Tax.councilTax)
        m.year = request.query("year") ?? year.startYear.description
        m.asOf = request.query("as_of") ?? asOf.description
        m.taxes = Tax.allCases.map { CasePages.Option(value: $0.rawValue, label: $0.title, selected: $0 == tax) }
        if errors.isEmpty {
            let report = try await revenues.collectionReport(year: year, asOf: asOf, tax: tax, by: actor)
            if request.query("format") == "csv" {
                return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                                       .contentDisposition: "attachment; filename=\"\(report.csvFilename)\""],
                                body: .init(byteBuffer: ByteBuffer(string: report.csv)))
            }
            m.report = CollectionModel.Figures(
                heading: "\(tax.title) collected for \(year) by \(asOf)", measure: tax == .councilTax ? "BVPI 9" : "BVPI 10", rate: report.collectionRate + "%",
                netDebit: Money.format(report.netDebit), collected: Money.format(report.collected),
                years: report.years.reversed().map { .init(year: $0.year.description, debit: Money.format($0.debit), paid: Money.format($0.paid),
                                                           outstanding: Money.format($0.outstanding), accounts: $0.accounts) },
                bills: report.bills.reversed().map { .init(year: $0.year.description, annual: $0.annual, revised: $0.revised) },
                recovery: report.recovery.map { .init(stage: $0.stage.title, proposed: $0.proposed, issued: $0.issued, withheld: $0.withheld) },
                csv: "/desk/revenues/collection?year=\(year.startYear)&as_of=\(asOf)&tax=\(tax.rawValue)&format=csv")
        }
        m.errors = errors
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk")]
        let ready = m.ready()
        return html(pages.render("revenues-collection", ready, title: (errors.isEmpty ? "" : "Error: ") + "Collection report", hasErrors: ready.hasErrors, chrome: c),
                    status: errors.isEmpty ? .ok : .badRequest)
    }
}

struct RecoveryReviewModel: Encodable {
    struct Row: Encodable { var id, accountID, reference, year, stage, proposed, amount, costs, due: String }
    var csrfToken: String
    var notice: String?
    var canManage = false
    var stages: [CasePages.Option] = []
    var rows: [Row] = []
    var hasRows = false
    var next: String?
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var idsError: String?

    init(csrfToken: String) { self.csrfToken = csrfToken }

    func ready() -> RecoveryReviewModel {
        var m = self
        m.hasRows = !rows.isEmpty; m.hasErrors = !errors.isEmpty; m.idsError = errors.first?.message
        return m
    }
}

struct WithholdModel: Encodable {
    var id, csrfToken, reason: String
    var proposed: Bool
    var summary: [SingleViewPanel.Line] = []
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var reasonError: String?
}

struct RefundsModel: Encodable {
    struct Row: Encodable { var accountID, date, payee, reason, amount: String }
    struct File: Encodable { var id, processing: String; var count: Int; var total: String }
    var csrfToken: String
    var notice: String?
    var processingDate: String
    var refunds: [Row] = []
    var files: [File] = []
    var bank: String?
    var canManage = false
    var hasRefunds = false, hasFiles = false
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var dateError: String?

    init(csrfToken: String, notice: String?, processingDate: String) { self.csrfToken = csrfToken; self.notice = notice; self.processingDate = processingDate }

    func ready() -> RefundsModel {
        var m = self
        m.hasRefunds = !refunds.isEmpty; m.hasFiles = !files.isEmpty; m.hasErrors = !errors.isEmpty
        return m
    }
}

struct CollectionModel: Encodable {
    struct Figures: Encodable {
        struct Year: Encodable { var year, debit, paid, outstanding: String; var accounts: Int }
        struct Bills: Encodable { var year: String; var annual, revised: Int }
        struct Stage: Encodable { var stage: String; var proposed, issued, withheld: Int }
        var heading, measure, rate, netDebit, collected: String
        var years: [Year]
        var bills: [Bills]
        var recovery: [Stage]
        var csv: String
        var hasRecovery = false
    }
    var year = "", asOf = ""
    var taxes: [CasePages.Option] = []
    var report: Figures?
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var yearError: String?, asOfError: String?, taxError: String?

    func ready() -> CollectionModel {
        var m = self
        m.hasErrors = !errors.isEmpty
        m.report?.hasRecovery = !(report?.recovery.isEmpty ?? true)
        m.yearError = errors.first { $0.field == "year" }?.message
        m.asOfError = errors.first { $0.field == "as_of" }?.message
        m.taxError = errors.first { $0.field == "tax" }?.message
        return m
    }
}
