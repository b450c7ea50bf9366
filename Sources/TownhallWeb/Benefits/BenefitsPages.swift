import Benefits
import Foundation
import Hummingbird
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// The eligibility checker for residents and agents: one page, a GET form (nothing is stored, so nothing to protect
/// and a result can be bookmarked or shared), the answer with its workings below it. Works without JavaScript.
public struct BenefitsPages: WebArea {
    let benefits: Benefits
    let pages: Pages
    let chrome: @Sendable (TownhallContext) async throws -> Chrome

    public init(services: ServiceRegistry, kit: PageKit) {
        benefits = services.require(Benefits.self); pages = kit.pages; chrome = kit.chrome
    }

    public func deskLinks(for actor: Actor) -> [DeskLink] {
        actor.may(.benefitsEstimate) ? [DeskLink("Benefits checker", href: "/benefits/check")] : []
    }

    public func addRoutes(desk: RouterGroup<TownhallContext>, web: RouterGroup<TownhallContext>) {
        web.get("benefits/check") { request, context in
            var model = CheckModel(request: request, years: benefits.rates.yearNames)
            var status = HTTPResponse.Status.ok
            if request.query("check") != nil {
                do {
                    let estimate = try await benefits.estimate(try model.input())
                    model.show(estimate)
                    if context.actor?.may(.benefitsClaim) == true, !model.person.isEmpty, let query = request.uri.query {
                        model.claimHref = "/desk/benefits/claims/new?" + query
                    }
                } catch let e as TownhallError where e.kind == .invalid {
                    model.fail(e)
                    status = .badRequest
                }
            }
            let title = (model.hasErrors ? "Error: " : "") + "Check what help you could get"
            return html(pages.render("benefits-check", model, title: title, hasErrors: model.hasErrors,
                                     chrome: try await chrome(context)), status: status)
        }
    }
}

/// The form's values as typed, the fault if any, and the answer.
struct CheckModel: Encodable {
    struct Option: Encodable { var value: String; var label: String; var selected: Bool }
    struct Row: Encodable { var label: String; var amount: String }
    struct Line: Encodable { var step: String; var amount: String }
    struct Working: Encodable { var title: String; var id: String; var lines: [Line] }

    var years: [Option]
    var council, rent, bedrooms, councilTax, savings: String
    var tenures: [Option]
    var bands: [Option]
    var age, earnings, hours, statePension, privatePension, careHours: String
    var pip: [Option]
    var partner: Bool
    var partnerAge, partnerEarnings, partnerStatePension: String
    var children: String
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    /// Each field's message, if it is the one at fault (the template reads error.age, error.council, …).
    var error: [String: String] = [:]
    var hasResult = false
    var rows: [Row] = []
    var workings: [Working] = []
    var signposts: [String] = []
    var hasSignposts = false
    /// The resident the check is for, when an agent came from their record: the result can become their claim.
    var person = ""
    var claimHref: String?

    init(request: Request, years yearNames: [String]) {
        self.init(values: { request.query($0) }, years: yearNames)
    }

    /// The fields by name, from a query string (the checker) or a posted form (a claim): the same names either way.
    init(values value: (String) -> String?, years yearNames: [String]) {
        func q(_ name: String) -> String { value(name) ?? "" }
        let year = value("year") ?? yearNames.last ?? ""
        years = yearNames.map { Option(value: $0, label: $0.replacingOccurrences(of: "-", with: "/"), selected: $0 == year) }
        council = q("council"); rent = q("rent"); bedrooms = q("bedrooms"); councilTax = q("council_tax")
        savings = q("savings")
        let tenure = value("tenure") ?? "social_rent"
        tenures = [("social_rent", "Rent from the council or a housing association"), ("private_rent", "Rent privately"),
                   ("owner_outright", "Own it outright"), ("owner_mortgage", "Own it with a mortgage")]
            .map { Option(value: $0.0, label: $0.1, selected: $0.0 == tenure) }
        let band = value("band") ?? "B"
        bands = "ABCDEFGH".map { Option(value: String($0), label: "Band \($0)", selected: String($0) == band) }
        age = q("age"); earnings = q("earnings"); hours = q("hours"); statePension = q("state_pension")
        privatePension = q("private_pension"); careHours = q("care_hours")
        let rate = value("pip") ?? "none"
        pip = [("none", "No"), ("standard", "Yes, the standard rate"), ("enhanced", "Yes, the enhanced rate")]
            .map { Option(value: $0.0, label: $0.1, selected: $0.0 == rate) }
        partner = value("partner") == "yes"
        partnerAge = q("partner_age"); partnerEarnings = q("partner_earnings"); partnerStatePension = q("partner_state_pension")
        children = q("children")
        person = q("person")
    }

    /// The form as the estimate body; a number that is not one is refused here, naming the form's field.
    func input() throws -> EstimateInput {
        func money(_ text: String, _ field: String) throws -> Double? {
            let t = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "£", with: "")
                .trimmingCharacters(in: .whitespaces)
            if t.isEmpty { return nil }
            guard let v = Double(t), v >= 0 else {
                throw TownhallError.invalid(field, "Enter an amount in pounds, like 5200 or 5,200.50.", code: "invalid_amount")
            }
            return v
        }
        func whole(_ text: String, _ field: String, _ what: String) throws -> Int? {
            let t = text.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { return nil }
            guard let v = Int(t) else { throw TownhallError.invalid(field, "Enter \(what) as a whole number.", code: "invalid_number") }
            return v
        }
        guard let you = try whole(age, "age", "your age") else { throw TownhallError.missing("age", "Enter your age.") }
        var me = EstimateInput.Person(id: "you", role: "adult", age: you)
        me.employmentIncome = try money(earnings, "earnings")
        me.hoursWorkedPerWeek = try money(hours, "hours")
        me.statePension = try money(statePension, "state_pension")
        me.privatePension = try money(privatePension, "private_pension")
        me.careHoursPerWeek = try money(careHours, "care_hours")
        me.pipDailyLiving = pip.first(where: \.selected)?.value
        var people = [me]
        if partner {
            guard let a = try whole(partnerAge, "partner_age", "your partner's age") else {
                throw TownhallError.missing("partner_age", "Enter your partner's age.")
            }
            var p = EstimateInput.Person(id: "partner", role: "adult", age: a)
            p.employmentIncome = try money(partnerEarnings, "partner_earnings")
            p.statePension = try money(partnerStatePension, "partner_state_pension")
            people.append(p)
        }
        for (i, part) in children.split(separator: ",").enumerated() {
            guard let a = Int(part.trimmingCharacters(in: .whitespaces)), (0...19).contains(a) else {
                throw TownhallError.invalid("children", "Give each child's age from 0 to 19, separated by commas, like 4, 9.",
                                            code: "invalid_number")
            }
            people.append(EstimateInput.Person(id: "child \(i + 1)", role: "child", age: a))
        }
        guard !council.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw TownhallError.missing("council", "Enter your council, like Manchester.")
        }
        let tax = try money(councilTax, "council_tax")
        let tenure = tenures.first(where: \.selected)?.value ?? "social_rent"
        return EstimateInput(
            fiscalYear: years.first(where: \.selected)?.value ?? "", council: council,
            brma: nil,
            dwelling: .init(tenure: tenure, rentPerYear: tenure.hasSuffix("rent") ? try money(rent, "rent") : nil,
                            bedrooms: try whole(bedrooms, "bedrooms", "the number of bedrooms"),
                            councilTaxBand: bands.first(where: \.selected)?.value ?? "B", councilTaxGross: tax),
            savings: try money(savings, "savings"), people: people)
    }

    /// The engine names the body's fields; the page names its own.
    static let formField: [String: String] = [
        "fiscal_year": "year", "council": "council", "dwelling.rent_per_year": "rent", "dwelling.bedrooms": "bedrooms",
        "dwelling.council_tax_gross": "council_tax", "dwelling.council_tax_band": "band", "dwelling.tenure": "tenure",
        "savings": "savings", "people[0].age": "age", "people[0].employment_income": "earnings",
        "people[0].hours_worked_per_week": "hours", "people[0].state_pension": "state_pension",
        "people[0].private_pension": "private_pension", "people[0].care_hours_per_week": "care_hours",
        "people[1].age": "partner_age", "people[1].employment_income": "partner_earnings",
        "people[1].state_pension": "partner_state_pension",
    ]

    mutating func fail(_ e: TownhallError) {
        let raw = e.field ?? "council"
        // The form's own checks name its fields already; the engine's are mapped.
        let own = Set(Self.formField.values).union(["children"])
        let field = own.contains(raw) ? raw : Self.formField[raw] ?? (raw.hasPrefix("people") ? "children" : "council")
        error[field] = e.message
        errors = [Pages.FieldError(field: field, message: e.message)]
        hasErrors = true
    }

    mutating func show(_ e: Estimate) {
        hasResult = true
        let titles: [(String, String)] = [
            ("council_tax_reduction", "Council Tax Reduction"), ("housing_benefit", "Housing Benefit"),
            ("universal_credit", "Universal Credit"), ("pension_credit", "Pension Credit"),
            ("child_benefit", "Child Benefit"), ("carers_allowance", "Carer's Allowance"),
            ("winter_fuel_payment", "Winter Fuel Payment"), ("benefit_cap_reduction", "Benefit cap reduction"),
            ("council_tax_net", "Council tax left to pay"),
        ]
        let amounts = Dictionary(uniqueKeysWithValues: e.amounts)
        rows = titles.map { Row(label: $0.1, amount: Money(pence: amounts[$0.0] ?? 0).description + " a year") }
        workings = titles.compactMap { key, title in
            guard let lines = e.explanation[key] else { return nil }
            return Working(title: title, id: key.replacingOccurrences(of: "_", with: "-"), lines: lines.map { l in
                Line(step: l.step, amount: l.amount.map { Money(pence: $0).description + (l.period == .none ? "" : " a \(l.period.rawValue)") } ?? "")
            })
        }
        signposts = e.signposts
        hasSignposts = !signposts.isEmpty
    }
}
