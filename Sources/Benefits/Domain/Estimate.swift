import TownhallKernel

/// One step of a calculation, as a notice prints it: "Applicable amount (single, pension age)  £227.10 a week".
public struct ExplanationLine: Sendable, Equatable, Encodable {
    public enum Period: String, Sendable, Encodable { case week, month, year, none }
    public var step: String
    /// Pence; nil for a line that only says something (a rule that applied, a reason for nothing).
    public var amount: Int64?
    public var period: Period

    public init(_ step: String, _ amount: Int64? = nil, per period: Period = .week) {
        self.step = step; self.amount = amount; self.period = amount == nil ? .none : period
    }

    enum CodingKeys: String, CodingKey { case step, amount, period }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(step, forKey: .step)
        if let amount { try c.encode(Double(amount) / 100, forKey: .amount) } else { try c.encodeNil(forKey: .amount) }
        try c.encode(period.rawValue, forKey: .period)
    }
}

/// The checker's answer: annual amounts in pence, each with the lines that made it.
public struct Estimate: Sendable, Equatable {
    public var fiscalYear: String
    public var council: Council
    public var councilTaxNet: Int64 = 0
    public var councilTaxReduction: Int64 = 0
    public var housingBenefit: Int64 = 0
    public var universalCredit: Int64 = 0
    public var pensionCredit: Int64 = 0
    public var childBenefit: Int64 = 0
    public var carersAllowance: Int64 = 0
    public var winterFuelPayment: Int64 = 0
    public var benefitCapReduction: Int64 = 0
    public var eligibleHousingBenefit = false
    public var eligibleUniversalCredit = false
    public var eligiblePensionCredit = false
    /// Lines by output name (`housing_benefit`, …).
    public var explanation: [String: [ExplanationLine]] = [:]
    /// What else to look at, for the signposts the checker does not compute.
    public var signposts: [String] = []

    public init(fiscalYear: String, council: Council) { self.fiscalYear = fiscalYear; self.council = council }

    /// The outputs by their API names, for the body, the CLI and the reference comparison.
    public var amounts: [(String, Int64)] {
        [("council_tax_net", councilTaxNet), ("council_tax_reduction", councilTaxReduction),
         ("housing_benefit", housingBenefit), ("universal_credit", universalCredit), ("pension_credit", pensionCredit),
         ("child_benefit", childBenefit), ("carers_allowance", carersAllowance),
         ("winter_fuel_payment", winterFuelPayment), ("benefit_cap_reduction", benefitCapReduction)]
    }
}

/// The estimate as the API and the CLI write it: pounds with two decimals.
public struct EstimateBody: Sendable, Encodable {
    let estimate: Estimate

    public init(_ estimate: Estimate) { self.estimate = estimate }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(estimate.fiscalYear, forKey: Key("fiscal_year"))
        try c.encode(estimate.council.gss, forKey: Key("council_gss"))
        try c.encode(estimate.council.name, forKey: Key("council_name"))
        for (name, pence) in estimate.amounts { try c.encode(Double(pence) / 100, forKey: Key(name)) }
        try c.encode(estimate.eligibleHousingBenefit, forKey: Key("eligible_housing_benefit"))
        try c.encode(estimate.eligibleUniversalCredit, forKey: Key("eligible_universal_credit"))
        try c.encode(estimate.eligiblePensionCredit, forKey: Key("eligible_pension_credit"))
        var lines = c.nestedContainer(keyedBy: Key.self, forKey: Key("explanation"))
        for (name, list) in estimate.explanation.sorted(by: { $0.key < $1.key }) { try lines.encode(list, forKey: Key(name)) }
        try c.encode(estimate.signposts, forKey: Key("signposts"))
    }
}
