import Benefits
import Foundation
import Hummingbird
import Partnership
import Register
import Revenues
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// Claims on the desk: the work queue, taking a claim with a resident (the checker's questions, filled from a check
/// already made), a claim's page with its steps as buttons, and NI 181 month by month. Every form works without
/// JavaScript; a refused step re-renders the page with the error beside the field.
public struct ClaimPages: WebArea {
    let claims: Claims
    let benefits: Benefits
    let register: Register
    let revenues: Revenues
    let partnership: Partnership
    let pages: Pages
    let chrome: @Sendable (TownhallContext) async throws -> Chrome

    public init(services: ServiceRegistry, kit: PageKit) {
        claims = services.require(Claims.self); benefits = services.require(Benefits.self)
        register = services.require(Register.self); revenues = services.require(Revenues.self)
        partnership = services.require(Partnership.self)
        pages = kit.pages; chrome = kit.chrome
    }

    public func deskLinks(for actor: Actor) -> [DeskLink] {
        actor.may(.benefitsRead) ? [DeskLink("Benefit claims", href: "/desk/benefits/claims")] : []
    }

    public func addRoutes(desk: RouterGroup<TownhallContext>, web: RouterGroup<TownhallContext>) {
        desk.get("benefits/claims") { request, context in
            let actor = try context.requireActor()
            let raw = request.query("status") ?? "open"
            let status = Claim.Status(rawValue: raw)
            let page = try await claims.list(.init(status: status, openOnly: status == nil && raw == "open"), after: request.query("after"),
                                             limit: 50, by: actor)
            let names = try await register.visiblePeople(ids: page.items.map(\.personID), by: actor)
            let today = LocalDate.today()
            var model = ClaimQueueModel(canClaim: actor.may(.benefitsClaim))
            model.statuses = [CasePages.Option(value: "open", label: "Waiting for the team", selected: raw == "open"),
                              CasePages.Option(value: "all", label: "Every claim", selected: raw == "all")]
                + Claim.Status.allCases.map { CasePages.Option(value: $0.rawValue, label: $0.title, selected: $0 == status) }
            model.rows = page.items.map { c in
                ClaimQueueRow(id: c.id.string, reference: c.reference, kind: c.kind.title, name: names[c.personID]?.fullName ?? "Not shared with you",
                         status: c.status.title, received: c.receivedOn.description,
                         days: c.daysToDecide.map { "\($0) to decide" } ?? "\(today.dayNumber - c.receivedOn.dayNumber) waiting")
            }
            model.hasRows = !model.rows.isEmpty
            model.next = page.next.map { "/desk/benefits/claims?status=\(raw.urlQueryEncoded)&after=\($0.urlQueryEncoded)" }
            var c = try await chrome(context)
            c.breadcrumbs = [.init(text: "Staff desk", href: "/desk")]
            return html(pages.render("benefits-claims", model, title: "Benefit claims", chrome: c))
        }
        desk.get("benefits/claims/new") { request, context in
            let actor = try context.requireActor()
            try actor.require(.benefitsClaim)
            return try await newPage(values: { request.query($0) }, context: context)
        }
        desk.post("benefits/claims/new") { request, context in
            let actor = try context.requireActor()
            let form = try await Form.checked(request, context)
            do {
                let household = try CheckModel(values: { form[$0] }, years: benefits.rates.yearNames).input()
                let claim = try await claims.take(.init(personID: form["person"] ?? "", accountID: form["account"].flatMap { $0.isEmpty ? nil : $0 },
                                                        receivedOn: form["received_on"], household: household, note: form["note"]),
                                                  by: actor)
                return Response.redirect(to: "/desk/benefits/claims/\(claim.id)?taken=1", type: .normal)
            } catch let e as TownhallError where e.kind == .invalid || e.kind == .notFound || e.kind == .conflict {
                return try await newPage(values: { form[$0] }, context: context, error: e)
            }
        }
        desk.get("benefits/claims/:id") { request, context in
            try await claimPage(try pageID(context, "id"), context: context, notice: request.query("taken") != nil ? "Claim taken." : nil)
        }
        desk.get("benefits/claims/:id/notice") { request, context in
            html(try await noticePage(try pageID(context, "id"), context: context, printOnly: request.query("print") != nil))
        }
        desk.post("benefits/claims/:id/steps") { request, context in
            let actor = try context.requireActor()
            let id: ClaimID = try pageID(context, "id")
            let form = try await Form.checked(request, context)
            do {
                guard let action = Claim.Action(rawValue: form["action"] ?? "") else {
                    throw TownhallError.invalid("action", "Choose what to do with the claim.")
                }
                _ = try await claims.act(id, action, on: form["on"], note: form["note"], version: form["version"].flatMap { Int($0) }, by: actor)
                return Response.redirect(to: "/desk/benefits/claims/\(id)", type: .normal)
            } catch let e as TownhallError where e.kind == .invalid || e.kind == .conflict {
                return try await claimPage(id, context: context, form: form, error: e)
            }
        }
        desk.get("benefits/speed-of-processing") { request, context in
            let actor = try context.requireActor()
            let today = LocalDate.today()
            let first = request.query("first_month") ?? (today.month >= 4 ? "\(today.year)-04" : "\(today.year - 1)-04")
            let last = request.query("last_month") ?? String(today.description.prefix(7))
            var model = SpeedModel(firstMonth: first, lastMonth: last)
            model.caseload = try await claims.caseload(by: actor).map { .init(status: $0.status.title, newClaims: $0.newClaims, changes: $0.changes) }
            var status = HTTPResponse.Status.ok
            do {
                let report = try await claims.speedOfProcessing(from: first, to: last, by: actor)
                func days(_ x: Double?) -> String { x.map { "\(($0 * 10).rounded() / 10)" } ?? "–" }
                model.rows = (report.months + [report.total]).map { m in
                    SpeedRow(month: m.month == "total" ? "All months" : m.month, newClaims: m.newClaims, newDays: days(m.newClaimAverage),
                             changes: m.changes, changeDays: days(m.changeAverage), days: days(m.average))
                }
                model.chart = BarChart(id: "ni181", title: "Average days to decide, by month",
                                       bars: report.months.map { .init(label: $0.month, value: Int(($0.average ?? 0).rounded())) }).svg
                model.csv = "/api/v1/benefits/reports/speed-of-processing?first_month=\(first.urlQueryEncoded)&last_month=\(last.urlQueryEncoded)&format=csv"
            } catch let e as TownhallError where e.kind == .invalid {
                model.errors = [.init(field: e.field ?? "first_month", message: e.message)]
                model.hasErrors = true
                status = .badRequest
            }
            var c = try await chrome(context)
            c.breadcrumbs = [.init(text: "Staff desk", href: "/desk"), .init(text: "Benefit claims", href: "/desk/benefits/claims")]
            return html(pages.render("benefits-speed", model, title: (model.hasErrors ? "Error: " : "") + "Speed of processing (NI 181)",
                                     hasErrors: model.hasErrors, chrome: c), status: status)
        }
    }

    /// The claim form: who (from the single view), which council tax account, when it arrived, and the household.
    func newPage(values: (String) -> String?, context: TownhallContext, error: TownhallError? = nil) async throws -> Response {
        let actor = try context.requireActor()
        guard let raw = values("person"), let id = PersonID(raw), let person = try await register.visiblePerson(id: id, by: actor) else {
            throw TownhallError.notFound("That person")
        }
        var model = NewClaimModel(person: person.id.string, name: person.fullName, csrfToken: context.csrfToken ?? "",
                                  receivedOn: values("received_on") ?? LocalDate.today().description, note: values("note") ?? "",
                                  household: CheckModel(values: values, years: benefits.rates.yearNames))
        let chosen = values("account")
        let accounts = (try? await revenues.accounts(person: id, by: actor)) ?? []
        model.accounts = [CasePages.Option(value: "", label: "None: no council tax account to credit", selected: chosen == "")]
            + accounts.filter { $0.tax == .councilTax && !$0.isClosed && $0.organisationID == actor.organisationID }.enumerated().map { n, a in
                CasePages.Option(value: a.id.string, label: "\(a.reference), liable from \(a.liable.from)", selected: chosen == a.id.string || (chosen == nil && n == 0))
            }
        if let error {
            // The household's errors are named by the engine; the form's own fields keep their names.
            let field = error.field ?? "received_on"
            if ["received_on", "note", "account_id", "person_id"].contains(field) {
                let id = field == "account_id" ? "account" : field
                model.error[id] = error.message
                model.errors = [.init(field: id, message: error.message)]
            } else {
                var e = error
                e.field = field.hasPrefix("household.") ? String(field.dropFirst("household.".count)) : field
                model.household.fail(e)
                model.errors = model.household.errors
            }
            model.hasErrors = true
        }
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk"), .init(text: person.fullName, href: "/desk/people/\(person.id)")]
        return html(pages.render("benefits-claim-new", model, title: (model.hasErrors ? "Error: " : "") + "Take a benefits claim",
                                 hasErrors: model.hasErrors, chrome: c), status: error == nil ? .ok : .badRequest)
    }

    func claimPage(_ id: ClaimID, context: TownhallContext, notice: String? = nil, form: [String: String] = [:],
                   error: TownhallError? = nil) async throws -> Response {
        let actor = try context.requireActor()
        let claim = try await claims.claim(id, by: actor)
        let person = try await register.visiblePerson(id: claim.personID, by: actor)
        var model = ClaimModel(id: claim.id.string, reference: claim.reference, kind: claim.kind.title, status: claim.status.title,
                               personName: person?.fullName ?? "Not shared with you", personID: person.map { _ in claim.personID.string },
                               csrfToken: context.csrfToken ?? "", version: claim.version, notice: notice)
        model.facts = [("Received", claim.receivedOn.description), ("Takes effect", claim.effectiveFrom.description),
                       ("Decided", claim.decidedOn.map { "\($0) (\(claim.daysToDecide ?? 0) days after it was received)" } ?? "Not yet"),
                       ("Notified", claim.notifiedOn?.description ?? "Not yet")].map { ClaimModel.Fact(key: $0.0, value: $0.1) }
        if let a = claim.assessment {
            model.facts.append(.init(key: "Council tax reduction", value: "\(Money.format(a.councilTaxReduction)) a year (\(a.fiscalYear))"))
            model.facts.append(.init(key: "Housing benefit", value: "\(Money.format(a.housingBenefitWeekly)) a week"))
            model.facts.append(.init(key: "Council tax left to pay", value: "\(Money.format(a.councilTaxNet)) a year"))
        }
        model.accountHref = claim.accountID.map { "/desk/revenues/accounts/\($0)" }
        model.noticeHref = [.decided, .notified, .suspended].contains(claim.status) ? "/desk/benefits/claims/\(claim.id)/notice" : nil
        if actor.may(.benefitsAssess) && claim.organisationID == actor.organisationID {
            model.actions = Claim.Action.available(from: claim.status).map { .init(value: $0.rawValue, label: $0.title, selected: form["action"] == $0.rawValue) }
        }
        model.hasActions = !model.actions.isEmpty
        model.on = form["on"] ?? ""; model.note = form["note"] ?? ""
        if let error {
            let field = ["on", "note", "action"].contains(error.field ?? "") ? error.field! : "action"
            model.error[field] = error.message
            model.errors = [.init(field: field, message: error.message)]
            model.hasErrors = true
        }
        model.events = claim.events.map { .init(status: $0.status.title, on: $0.on.description, by: $0.by, note: $0.note) }
        if let estimate = try? await claims.workings(claim) {
            var check = CheckModel(values: { _ in nil }, years: [])
            check.show(estimate)
            model.workings = check.workings
        }
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk"), .init(text: "Benefit claims", href: "/desk/benefits/claims")]
        return html(pages.render("benefits-claim", model, title: (model.hasErrors ? "Error: " : "") + "Claim \(claim.reference)",
                                 hasErrors: model.hasErrors, chrome: c), status: error == nil ? .ok : .badRequest)
    }
}

extension ClaimPages {
    /// The decision notice: what was decided and from when, how it was worked out, and the right to ask again and to
    /// appeal. `printOnly` renders it without the site's header (to print or to make a PDF from).
    func noticePage(_ id: ClaimID, context: TownhallContext, printOnly: Bool) async throws -> String {
        let actor = try context.requireActor()
        let claim = try await claims.claim(id, by: actor)
        guard let decided = claim.decidedOn, let a = claim.assessment, claim.status != .withdrawn else {
            throw TownhallError.notFound("A decision on claim \(claim.reference)")
        }
        let person = try await register.visiblePerson(id: claim.personID, by: actor)
        var property: Property?
        if let id = claim.accountID, let account = try? await revenues.account(id: id, by: actor).account {
            property = try? await register.property(uprn: account.uprn, by: actor)
        }
        let estimate = try? await claims.workings(claim)
        var m = DecisionNoticeModel(id: claim.id.string, reference: claim.reference, printOnly: printOnly,
                                    organisation: (try? await partnership.organisation(id: claim.organisationID).name) ?? "",
                                    decided: decided.description, effective: claim.effectiveFrom.description, year: a.fiscalYear)
        m.addressLines = [person?.fullName ?? ""] + (property?.addressLines ?? [])
        m.rows = [.init(label: "Housing Benefit", amount: a.housingBenefit > 0 ? "\(Money.format(a.housingBenefitWeekly)) a week" : "None"),
                  .init(label: "Council Tax Reduction", amount: a.councilTaxReduction > 0 ? "\(Money.format(a.councilTaxReduction)) a year" : "None"),
                  .init(label: "Council tax left to pay", amount: "\(Money.format(a.councilTaxNet)) a year")]
        if let estimate {
            var check = CheckModel(values: { _ in nil }, years: [])
            check.show(estimate)
            m.workings = check.workings.filter { ["housing-benefit", "council-tax-reduction"].contains($0.id) }
        }
        var c = try await chrome(context)
        c.breadcrumbs = [.init(text: "Staff desk", href: "/desk"), .init(text: "Claim \(claim.reference)", href: "/desk/benefits/claims/\(claim.id)")]
        let title = "Decision notice, claim \(claim.reference)"
        if printOnly { return pages.render(PrintLayout(title: title, body: pages.render(m, withTemplate: "benefits-notice")), withTemplate: "print-layout") }
        return pages.render("benefits-notice", m, title: title, chrome: c)
    }
}

struct DecisionNoticeModel: Encodable {
    var id, reference: String
    var printOnly: Bool
    var organisation, decided, effective, year: String
    var addressLines: [String] = []
    var rows: [CheckModel.Row] = []
    var workings: [CheckModel.Working] = []

    init(id: String, reference: String, printOnly: Bool, organisation: String, decided: String, effective: String, year: String) {
        self.id = id; self.reference = reference; self.printOnly = printOnly; self.organisation = organisation
        self.decided = decided; self.effective = effective; self.year = year
    }
}

struct ClaimQueueRow: Encodable { var id, reference, kind, name, status, received, days: String }

struct ClaimQueueModel: Encodable {
    var canClaim: Bool
    var statuses: [CasePages.Option] = []
    var rows: [ClaimQueueRow] = []
    var hasRows = false
    var next: String?
}

struct NewClaimModel: Encodable {
    var person, name, csrfToken, receivedOn, note: String
    var household: CheckModel
    var accounts: [CasePages.Option] = []
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var error: [String: String] = [:]

    init(person: String, name: String, csrfToken: String, receivedOn: String, note: String, household: CheckModel) {
        self.person = person; self.name = name; self.csrfToken = csrfToken; self.receivedOn = receivedOn; self.note = note
        self.household = household
    }
}

struct ClaimModel: Encodable {
    struct Fact: Encodable { var key, value: String }
    struct Event: Encodable { var status, on, by, note: String }
    var id, reference, kind, status, personName: String
    var personID: String?
    var csrfToken: String
    var version: Int
    var notice: String?
    var facts: [Fact] = []
    var accountHref: String?
    var noticeHref: String?
    var actions: [CasePages.Option] = []
    var hasActions = false
    var on = "", note = ""
    var events: [Event] = []
    var workings: [CheckModel.Working] = []
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var error: [String: String] = [:]
}

struct SpeedRow: Encodable { var month: String; var newClaims: Int; var newDays: String; var changes: Int; var changeDays: String; var days: String }

struct CaseloadRow: Encodable { var status: String; var newClaims, changes: Int }

struct SpeedModel: Encodable {
    var firstMonth, lastMonth: String
    var caseload: [CaseloadRow] = []
    var rows: [SpeedRow] = []
    var chart = ""
    var csv = ""
    var errors: [Pages.FieldError] = []
    var hasErrors = false
}
