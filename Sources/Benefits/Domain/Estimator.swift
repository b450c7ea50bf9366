import TownhallKernel

/// The eligibility checker's engine: a household and a year's rates in, every benefit's annual amount out, each figure
/// explained. Pure and synchronous; weekly amounts are worked in pence as the regulations do and annualised at 52 weeks.
///
/// Rules followed (the sources cited by the rates files): Housing Benefit (Persons who have attained the qualifying age
/// for state pension credit) Regulations 2006; Council Tax Reduction Schemes (Prescribed Requirements) (England)
/// Regulations 2012 (pension age) and the default scheme (SI 2012/2886) for working age; State Pension Credit Regulations
/// 2002; Universal Credit Regulations 2013. docs/BENEFITS.md lists what is simplified and where PolicyEngine differs.
public struct Estimator: Sendable {
    public let rates: BenefitRates

    public init(rates: BenefitRates) { self.rates = rates }

    public func estimate(_ h: Household) -> Estimate {
        var out = Estimate(fiscalYear: h.fiscalYear, council: h.council)
        let money = Incomes(h, rates)
        let pensionAge = h.adults.allSatisfy { $0.age >= rates.statePensionAge }

        // Carer's Allowance and Child Benefit first: both count in the means tests below.
        let ca = carersAllowance(h, money, &out)
        let cb = childBenefit(h, &out)

        var pc = PCResult()
        if pensionAge {
            pc = pensionCredit(h, money, carers: ca.carers, &out)
        } else {
            out.explanation["pension_credit"] = [ExplanationLine(
                h.adults.contains { $0.age >= rates.statePensionAge }
                    ? "A couple of whom one is under state pension age claims Universal Credit, not Pension Credit."
                    : "Pension Credit is for people over state pension age.")]
        }
        var uc = UCResult()
        if !pensionAge {
            uc = universalCredit(h, money, carersAllowance: ca.annual, childBenefit: cb, &out)
        } else {
            out.explanation["universal_credit"] = [ExplanationLine("Universal Credit is for people under state pension age.")]
        }
        housingBenefit(h, money, pensionAge: pensionAge, pc: pc, carers: ca.carers, &out)
        councilTax(h, money, pensionAge: pensionAge, pc: pc, uc: uc, carers: ca.carers, &out)
        winterFuel(h, &out)
        out.signposts = signposts(h, pensionAge: pensionAge, out)
        return out
    }

    // MARK: Income, tax and national insurance

    /// Each person's income after income tax and national insurance, a year in pence.
    struct Incomes {
        var netEarnings: [String: Int64] = [:]
        var unearned: [String: Int64] = [:]
        /// Universal Credit's view: a self-employed person earning under the minimum income floor is taken to earn it.
        var ucEarnings: [String: Int64] = [:]

        init(_ h: Household, _ r: BenefitRates) {
            // The marriage allowance: a partner with income under the personal allowance transfers a tenth of it to a
            // basic-rate partner, whose tax falls by the basic rate on it. The checker assumes it is claimed.
            var relief: [String: Int64] = [:]
            let adults = h.adults
            if adults.count == 2 {
                let t = r.incomeTax
                let incomes = adults.map { $0.earnings + $0.privatePension + $0.statePension }
                for (giver, taker) in [(0, 1), (1, 0)]
                where incomes[giver] <= t.personalAllowance && incomes[taker] > t.personalAllowance
                    && incomes[taker] <= t.personalAllowance + t.basicRateBand {
                    let transfer = (t.personalAllowance / 10 + 999) / 1000 * 1000   // rounded up to £10
                    relief[adults[taker].id] = transfer * t.basicPercent / 100
                }
            }
            for m in h.members {
                let (earned, other) = Self.net(employment: m.employment, selfEmployment: m.selfEmployment,
                                               pensions: m.privatePension + m.statePension, relief: relief[m.id] ?? 0, r)
                netEarnings[m.id] = earned
                unearned[m.id] = other
                ucEarnings[m.id] = earned
                // The floor: 35 hours at the national living wage, for the gainfully self-employed aged 21 or over.
                let floor = r.minimumWage.hourly21OrOver * r.minimumWage.universalCreditExpectedHours * 52
                if m.selfEmployment > m.employment, m.age >= 21, m.selfEmployment < floor {
                    ucEarnings[m.id] = Self.net(employment: m.employment, selfEmployment: floor,
                                                pensions: m.privatePension + m.statePension, relief: relief[m.id] ?? 0, r).earned
                }
            }
        }

        /// Income tax on all income, shared between earnings and the rest in proportion (as PolicyEngine attributes
        /// it), and national insurance on earnings: classes 1 and 4.
        static func net(employment: Int64, selfEmployment: Int64, pensions: Int64, relief: Int64 = 0, _ r: BenefitRates)
            -> (earned: Int64, other: Int64) {
            let t = r.incomeTax, ni = r.nationalInsurance
            let earnings = employment + selfEmployment
            let total = earnings + pensions
            // The personal allowance tapers by £1 for every £2 over £100,000.
            let allowance = max(0, t.personalAllowance - max(0, total - 10_000_000) / 2)
            let taxable = max(0, total - allowance)
            let basic = min(taxable, t.basicRateBand)
            let higher = min(max(0, taxable - t.basicRateBand), t.higherRateBand - t.basicRateBand)
            let additional = max(0, taxable - t.higherRateBand)
            let tax = max(0, (basic * t.basicPercent + higher * t.higherPercent + additional * t.additionalPercent) / 100 - relief)
            let class1 = band(employment, ni.primaryThreshold, ni.upperEarningsLimit, ni.class1MainPercent, ni.class1UpperPercent)
            let class4 = band(selfEmployment, ni.class4Lower, ni.class4Upper, ni.class4MainPercent, ni.class4UpperPercent)
            let taxOnEarnings = total == 0 ? 0 : tax * earnings / total
            return (max(0, earnings - taxOnEarnings - class1 - class4), max(0, pensions - (tax - taxOnEarnings)))
        }

        static func band(_ x: Int64, _ lower: Int64, _ upper: Int64, _ main: Int64, _ over: Int64) -> Int64 {
            (min(max(0, x - lower), upper - lower) * main + max(0, x - upper) * over) / 100
        }

        func earnings(_ ms: [Member]) -> Int64 { ms.reduce(0) { $0 + (netEarnings[$1.id] ?? 0) } }
        func ucEarned(_ ms: [Member]) -> Int64 { ms.reduce(0) { $0 + (ucEarnings[$1.id] ?? 0) } }
        func other(_ ms: [Member]) -> Int64 { ms.reduce(0) { $0 + (unearned[$1.id] ?? 0) } }
    }

    static func weekly(_ annual: Int64) -> Int64 { Money.roundHalfUp(annual, 52) }
    static func monthly(_ annual: Int64) -> Int64 { Money.roundHalfUp(annual, 12) }

    /// Tariff income from capital: `amount` for each step, or part of one, over the threshold.
    static func tariff(_ capital: Int64, _ t: BenefitRates.Tariff, amount: Int64 = 100) -> Int64 {
        guard capital > t.threshold else { return 0 }
        let steps = (capital - t.threshold + t.step - 1) / t.step
        return steps * (t.amount ?? amount)
    }

    func birthYear(_ m: Member) -> Int { (Int(rates.fiscalYear.prefix(4)) ?? 2025) - m.age }

    // MARK: Carer's Allowance and Child Benefit

    struct CAResult { var annual: Int64 = 0; var carers: Set<String> = [] }

    func carersAllowance(_ h: Household, _ money: Incomes, _ out: inout Estimate) -> CAResult {
        let c = rates.carersAllowance
        var result = CAResult()
        var lines: [ExplanationLine] = []
        for m in h.adults where m.careHours >= c.hours {
            result.carers.insert(m.id)
            let weeklyEarnings = Self.weekly(money.netEarnings[m.id] ?? 0)
            if weeklyEarnings > c.earningsLimit {
                lines.append(ExplanationLine("\(m.id) earns more than the limit for Carer's Allowance", c.earningsLimit))
                continue
            }
            // State Pension overlaps: Carer's Allowance is paid only above it.
            let pension = Self.weekly(m.statePension)
            let weekly = max(0, c.rate - pension)
            if pension > 0 { lines.append(ExplanationLine("\(m.id): State Pension overlaps Carer's Allowance", pension)) }
            lines.append(ExplanationLine("\(m.id) cares for \(Int(m.careHours)) hours a week: Carer's Allowance", weekly))
            result.annual += weekly * 52
        }
        if lines.isEmpty { lines.append(ExplanationLine("Nobody cares for someone 35 hours a week or more.")) }
        out.carersAllowance = result.annual
        out.explanation["carers_allowance"] = lines
        return result
    }

    func childBenefit(_ h: Household, _ out: inout Estimate) -> Int64 {
        let kids = h.children.count
        guard kids > 0 else {
            out.explanation["child_benefit"] = [ExplanationLine("No children in the family.")]
            return 0
        }
        let c = rates.childBenefit
        let weekly = c.eldest + Int64(kids - 1) * c.additional
        out.childBenefit = weekly * 52
        out.explanation["child_benefit"] = [
            ExplanationLine("Eldest child", c.eldest),
            ExplanationLine("\(kids - 1) more child\(kids - 1 == 1 ? "" : "ren")", Int64(kids - 1) * c.additional),
            ExplanationLine("Child Benefit for the year (52 weeks)", out.childBenefit, per: .year),
        ]
        return out.childBenefit
    }

    // MARK: Pension Credit

    struct PCResult { var guarantee: Int64 = 0; var savings: Int64 = 0; var eligible = false }

    func pensionCredit(_ h: Household, _ money: Incomes, carers: Set<String>, _ out: inout Estimate) -> PCResult {
        let p = rates.pensionCredit
        var lines: [ExplanationLine] = []
        var guarantee = h.isCouple ? p.guaranteeCouple : p.guaranteeSingle
        lines.append(ExplanationLine("Standard minimum guarantee (\(h.isCouple ? "couple" : "single"))", guarantee))
        if severeDisability(h, carers: carers) {
            let add = p.severeDisability * Int64(h.adults.count)
            guarantee += add
            lines.append(ExplanationLine("Severe disability addition", add))
        }
        for m in h.adults where carers.contains(m.id) {
            guarantee += p.carer
            lines.append(ExplanationLine("Carer addition (\(m.id))", p.carer))
        }
        for (i, child) in h.children.sorted(by: { $0.age > $1.age }).enumerated() {
            let add = (i == 0 && birthYear(child) < 2017) ? p.childFirstBefore2017 : p.child
            guarantee += add
            lines.append(ExplanationLine("Child addition (\(child.id))", add))
            if child.getsHighestCare {
                guarantee += p.severelyDisabledChild
                lines.append(ExplanationLine("Severely disabled child addition (\(child.id))", p.severelyDisabledChild))
            } else if child.getsAnyDisabilityBenefit {
                guarantee += p.disabledChild
                lines.append(ExplanationLine("Disabled child addition (\(child.id))", p.disabledChild))
            }
        }
        let earnings = Self.weekly(money.earnings(h.adults))
        let disregard = min(earnings, h.isCouple ? p.earningsDisregardCouple : p.earningsDisregardSingle)
        let pensions = Self.weekly(money.other(h.adults))
        let ca = Self.weekly(out.carersAllowance)
        let tariffIncome = Self.tariff(h.savings, p.tariff)
        let income = earnings - disregard + pensions + ca + tariffIncome
        if earnings > 0 { lines.append(ExplanationLine("Earnings after tax, less \(Money(pence: disregard)) disregarded", earnings - disregard)) }
        if pensions > 0 { lines.append(ExplanationLine("Pensions after tax", pensions)) }
        if ca > 0 { lines.append(ExplanationLine("Carer's Allowance", ca)) }
        if tariffIncome > 0 { lines.append(ExplanationLine("Income assumed from savings over \(Money(pence: p.tariff.threshold))", tariffIncome)) }
        lines.append(ExplanationLine("Income", income))
        let gc = max(0, guarantee - income)
        lines.append(ExplanationLine("Guarantee Credit: minimum guarantee less income", gc))
        // Savings Credit only for those who reached state pension age before 6 April 2016.
        var sc: Int64 = 0
        if h.adults.contains(where: { birthYear($0) < 1951 }) {
            let threshold = h.isCouple ? p.savingsThresholdCouple : p.savingsThresholdSingle
            // The maximum is the phase-in rate on the band between the threshold and the standard guarantee.
            let standard = h.isCouple ? p.guaranteeCouple : p.guaranteeSingle
            let maximum = Money.roundHalfUp((standard - threshold) * p.savingsPhaseInPercent, 100)
            let qualifying = income - ca
            let phaseIn = min(maximum, Money.roundHalfUp(max(0, qualifying - threshold) * p.savingsPhaseInPercent, 100))
            let phaseOut = Money.roundHalfUp(max(0, income - guarantee) * p.savingsPhaseOutPercent, 100)
            sc = max(0, phaseIn - phaseOut)
            lines.append(ExplanationLine("Savings Credit: \(p.savingsPhaseInPercent)% of income over \(Money(pence: threshold)) "
                                         + "(at most \(Money(pence: maximum))), less \(p.savingsPhaseOutPercent)% of income over the guarantee", sc))
        } else {
            lines.append(ExplanationLine("No Savings Credit: it is only for people who reached state pension age before April 2016."))
        }
        out.pensionCredit = (gc + sc) * 52
        out.eligiblePensionCredit = gc + sc > 0
        lines.append(ExplanationLine("Pension Credit for the year (52 weeks)", out.pensionCredit, per: .year))
        out.explanation["pension_credit"] = lines
        return PCResult(guarantee: gc, savings: sc, eligible: gc + sc > 0)
    }

    /// The severe disability premium (and Pension Credit's addition): a qualifying disability benefit for each adult of
    /// the family, nobody else over 18 living there, and nobody paid Carer's Allowance for caring for them.
    func severeDisability(_ h: Household, carers: Set<String>) -> Bool {
        h.adults.allSatisfy(\.getsQualifyingDisabilityBenefit) && h.nonDependants.allSatisfy { $0.age < 18 }
            && carers.isEmpty
    }

    // MARK: Universal Credit

    struct UCResult { var monthly: Int64 = 0; var housing: Int64 = 0; var eligible = false; var maximum: Int64 = 0; var earned: Int64 = 0; var unearned: Int64 = 0 }

    func universalCredit(_ h: Household, _ money: Incomes, carersAllowance: Int64, childBenefit: Int64,
                         _ out: inout Estimate) -> UCResult {
        let u = rates.universalCredit
        var lines: [ExplanationLine] = []
        guard h.savings <= u.capitalLimit else {
            out.explanation["universal_credit"] = [ExplanationLine("Savings over \(Money(pence: u.capitalLimit)): no Universal Credit.")]
            return UCResult()
        }
        let young = h.adults.allSatisfy { $0.age < 25 }
        var maximum = h.isCouple ? (young ? u.standardCoupleUnder25 : u.standardCouple25OrOver)
            : (young ? u.standardSingleUnder25 : u.standardSingle25OrOver)
        lines.append(ExplanationLine("Standard allowance (\(h.isCouple ? "couple" : "single"), \(young ? "under 25" : "25 or over"))",
                                     maximum, per: .month))
        var counted = 0
        for child in h.children.sorted(by: { $0.age > $1.age }) {
            let before2017 = birthYear(child) < 2017
            if u.twoChildLimit && counted >= 2 && !before2017 {
                lines.append(ExplanationLine("No child element for \(child.id): the two-child limit"))
                continue
            }
            let amount = counted == 0 && before2017 ? u.childFirstBefore2017 : u.child
            counted += 1
            maximum += amount
            lines.append(ExplanationLine("Child element (\(child.id))", amount, per: .month))
            if child.getsHighestCare {
                maximum += u.severelyDisabledChild
                lines.append(ExplanationLine("Disabled child element, higher rate (\(child.id))", u.severelyDisabledChild, per: .month))
            } else if child.getsAnyDisabilityBenefit {
                maximum += u.disabledChild
                lines.append(ExplanationLine("Disabled child element, lower rate (\(child.id))", u.disabledChild, per: .month))
            }
        }
        let lcwra = h.adults.contains(where: \.lcwra)
        if lcwra {
            maximum += u.lcwra
            lines.append(ExplanationLine("Limited capability for work and work-related activity element", u.lcwra, per: .month))
        }
        if let carer = h.adults.first(where: { $0.careHours >= rates.carersAllowance.hours && !$0.lcwra }) {
            maximum += u.carer
            lines.append(ExplanationLine("Carer element (\(carer.id))", u.carer, per: .month))
        }
        var housing: Int64 = 0
        if h.tenure.rents {
            let rent = Self.monthly(h.rent)
            let rooms = bedroomsNeeded(h)
            if h.tenure == .privateRent, let brma = h.brma,
               let lha = rates.lhaRate(brma: brma, category: lhaCategory(h, rooms: rooms, pensionAge: false)) {
                housing = min(rent, lha.ucMonthly)
                lines.append(ExplanationLine("Housing element: rent, at most the local housing allowance for \(rooms) "
                                             + "bedroom\(rooms == 1 ? "" : "s") in \(brma)", housing, per: .month))
            } else {
                housing = rent
                if h.tenure == .socialRent, let have = h.bedrooms, have > rooms {
                    let cut = have - rooms == 1 ? 14 : 25
                    housing -= Money.roundHalfUp(rent * Int64(cut), 100)
                    lines.append(ExplanationLine("Housing element: rent less \(cut)% for \(have - rooms) spare bedroom"
                                                 + "\(have - rooms == 1 ? "" : "s")", housing, per: .month))
                } else {
                    lines.append(ExplanationLine("Housing element: rent", housing, per: .month))
                }
            }
            // Housing cost contributions from non-dependants aged 21 or over, unless the family is exempt.
            let exempt = h.adults.contains { $0.getsQualifyingDisabilityBenefit } || !h.adults.filter { $0.careHours >= 35 }.isEmpty
            let contributors = exempt ? 0 : h.nonDependants.filter { $0.age >= 21 && !$0.getsQualifyingDisabilityBenefit }.count
            if contributors > 0 {
                let deduction = min(housing, Int64(contributors) * u.nonDependantDeduction)
                housing -= deduction
                lines.append(ExplanationLine("Less housing cost contributions from \(contributors) non-dependant"
                                             + "\(contributors == 1 ? "" : "s")", deduction, per: .month))
            }
            maximum += housing
        }
        lines.append(ExplanationLine("Maximum Universal Credit", maximum, per: .month))
        let earned = Self.monthly(money.ucEarned(h.adults))
        if money.ucEarned(h.adults) > money.earnings(h.adults) {
            lines.append(ExplanationLine("Self-employed: earnings taken at the minimum income floor "
                                         + "(\(rates.minimumWage.universalCreditExpectedHours) hours at the national living wage)"))
        }
        let allowance = (!h.children.isEmpty || lcwra) ? (housing > 0 ? u.workAllowanceWithHousing : u.workAllowanceWithoutHousing) : 0
        let taper = Money.roundHalfUp(max(0, earned - allowance) * u.taperPercent, 100)
        let unearned = Self.monthly(money.other(h.adults) + carersAllowance)
        let tariffIncome = Self.tariff(h.savings, u.tariff)
        if earned > 0 {
            lines.append(ExplanationLine("Earnings after tax and national insurance", earned, per: .month))
            if allowance > 0 { lines.append(ExplanationLine("Work allowance", allowance, per: .month)) }
            lines.append(ExplanationLine("Less \(u.taperPercent)% of earnings over the work allowance", taper, per: .month))
        }
        if unearned > 0 { lines.append(ExplanationLine("Less unearned income (pensions, Carer's Allowance)", unearned, per: .month)) }
        if tariffIncome > 0 { lines.append(ExplanationLine("Less income assumed from savings over \(Money(pence: u.tariff.threshold))", tariffIncome, per: .month)) }
        var monthly = max(0, maximum - taper - unearned - tariffIncome)
        let eligible = monthly > 0
        // The benefit cap: on Universal Credit with Child Benefit and Carer's Allowance, unless an exemption applies.
        let cap = rates.benefitCap
        // The earnings exemption: 16 hours a week at the national living wage, a month, whole pounds (UC Regs reg 82).
        let threshold = rates.minimumWage.hourly21OrOver * cap.earningsExemptionHours * 52 / 12 / 100 * 100
        let exempt = earned >= threshold || lcwra || h.adults.contains { $0.getsAnyDisabilityBenefit }
            || h.children.contains { $0.getsAnyDisabilityBenefit } || h.adults.contains { $0.careHours >= 35 }
        let family = h.isCouple || !h.children.isEmpty
        let limit = h.council.isLondon ? (family ? cap.familyLondon : cap.singleLondon) : (family ? cap.family : cap.single)
        if !exempt && monthly > 0 {
            let total = monthly * 12 + childBenefit + carersAllowance
            let over = min(monthly * 12, max(0, total - limit))
            if over > 0 {
                out.benefitCapReduction = over
                monthly -= Money.roundHalfUp(over, 12)
                out.explanation["benefit_cap_reduction"] = [
                    ExplanationLine("Benefits in the year", total, per: .year),
                    ExplanationLine("Benefit cap (\(family ? "family" : "single")\(h.council.isLondon ? ", London" : ""))", limit, per: .year),
                    ExplanationLine("Universal Credit is reduced by the excess", over, per: .year),
                ]
            }
        }
        if out.benefitCapReduction == 0 {
            out.explanation["benefit_cap_reduction"] = [ExplanationLine(
                exempt ? "The benefit cap does not apply (earnings, disability, caring or limited capability for work)."
                    : "Benefits are under the cap of \(Money(pence: limit)) a year.")]
        }
        out.universalCredit = max(0, monthly) * 12
        out.eligibleUniversalCredit = eligible
        lines.append(ExplanationLine("Universal Credit for the year (12 months)", out.universalCredit, per: .year))
        out.explanation["universal_credit"] = lines
        return UCResult(monthly: max(0, monthly), housing: housing, eligible: eligible, maximum: maximum, earned: earned,
                        unearned: unearned)
    }

    /// Bedrooms under the size criteria: one for the claimant (and partner), one for each other adult, one for each two
    /// children (the checker does not know children's sexes, so pairs share whatever their age).
    func bedroomsNeeded(_ h: Household) -> Int {
        1 + h.nonDependants.count + (h.children.count + 1) / 2
    }

    /// A (shared) for a single person under 35 with nobody else, then B–E for one to four bedrooms.
    func lhaCategory(_ h: Household, rooms: Int, pensionAge: Bool) -> Character {
        if !pensionAge, !h.isCouple, h.children.isEmpty, h.nonDependants.isEmpty, h.adults[0].age < 35 { return "A" }
        return ["B", "C", "D", "E"][min(max(rooms, 1), 4) - 1]
    }

    // MARK: The legacy means test (Housing Benefit, council tax reduction)

    struct MeansTest {
        var applicable: Int64 = 0
        var income: Int64 = 0
        var lines: [ExplanationLine] = []
        var excess: Int64 { max(0, income - applicable) }
    }

    func meansTest(_ h: Household, _ money: Incomes, pensionAge: Bool, pc: PCResult, carers: Set<String>,
                   universalCredit: Int64 = 0, scheme: BenefitRates.CTRScheme? = nil, out: Estimate) -> MeansTest {
        let l = rates.legacy
        let a = l.personalAllowance
        var t = MeansTest()
        if pensionAge {
            // A lower rate for those who reached state pension age from 1 April 2021.
            let recent = h.adults.allSatisfy { birthYear($0) + rates.statePensionAge >= 2021 }
            t.applicable = h.isCouple ? (recent ? a.pensionCouple : a.pensionCoupleBeforeCutoff)
                : (recent ? a.pensionSingle : a.pensionSingleBeforeCutoff)
            t.lines.append(ExplanationLine("Personal allowance (\(h.isCouple ? "couple" : "single"), pension age)", t.applicable))
        } else {
            let loneParent = !h.isCouple && !h.children.isEmpty
            t.applicable = h.isCouple ? a.couple : (h.adults[0].age >= 25 || loneParent ? a.single25OrOver : a.singleUnder25)
            t.lines.append(ExplanationLine("Personal allowance (\(h.isCouple ? "couple" : loneParent ? "lone parent" : "single"))",
                                           t.applicable))
        }
        for child in h.children {
            t.applicable += l.childAllowance
            t.lines.append(ExplanationLine("Allowance for \(child.id)", l.childAllowance))
            if child.getsAnyDisabilityBenefit {
                t.applicable += l.premiums.disabledChild
                t.lines.append(ExplanationLine("Disabled child premium (\(child.id))", l.premiums.disabledChild))
                if child.getsHighestCare {
                    t.applicable += l.premiums.enhancedDisabledChild
                    t.lines.append(ExplanationLine("Enhanced disabled child premium (\(child.id))", l.premiums.enhancedDisabledChild))
                }
            }
        }
        let p = l.premiums
        var special = false
        if !pensionAge, h.adults.contains(where: { $0.getsAnyDisabilityBenefit || $0.lcwra }) {
            let amount = h.isCouple ? p.disabilityCouple : p.disabilitySingle
            t.applicable += amount; special = true
            t.lines.append(ExplanationLine("Disability premium", amount))
            if h.adults.contains(where: \.getsHighestCare) || h.adults.contains(where: \.lcwra) {
                let e = h.isCouple ? p.enhancedDisabilityCouple : p.enhancedDisabilitySingle
                t.applicable += e
                t.lines.append(ExplanationLine("Enhanced disability premium", e))
            }
        }
        if severeDisability(h, carers: carers) {
            let amount = h.isCouple ? p.severeDisabilityCouple : p.severeDisabilitySingle
            t.applicable += amount; special = true
            t.lines.append(ExplanationLine("Severe disability premium", amount))
        }
        for m in h.adults where carers.contains(m.id) {
            t.applicable += p.carer; special = true
            t.lines.append(ExplanationLine("Carer premium (\(m.id))", p.carer))
        }
        t.lines.append(ExplanationLine("Applicable amount", t.applicable))

        let d = l.earningsDisregard
        let earnings = Self.weekly(money.earnings(h.adults))
        if earnings > 0 {
            var disregard = special ? d.special : (h.isCouple ? d.couple : (h.children.isEmpty ? d.single : d.loneParent))
            if h.children.isEmpty == false && !h.isCouple { disregard = max(disregard, d.loneParent) }
            let hours = h.adults.reduce(0.0) { $0 + $1.hoursWorked }
            let fullTime = hours >= 30 || (hours >= l.remunerativeWorkHours && (!h.children.isEmpty || special))
            if fullTime { disregard += d.additionalWorker }
            let counted = max(0, earnings - disregard)
            t.income += counted
            t.lines.append(ExplanationLine("Earnings after tax and national insurance, less \(Money(pence: min(disregard, earnings))) disregarded",
                                           counted))
        }
        let pensions = Self.weekly(money.other(h.adults))
        if pensions > 0 { t.income += pensions; t.lines.append(ExplanationLine("Pensions after tax", pensions)) }
        let ca = Self.weekly(out.carersAllowance)
        if ca > 0 { t.income += ca; t.lines.append(ExplanationLine("Carer's Allowance", ca)) }
        if pc.savings > 0 { t.income += pc.savings; t.lines.append(ExplanationLine("Pension Credit (Savings Credit)", pc.savings)) }
        if universalCredit > 0 {
            let uc = Self.weekly(universalCredit)
            t.income += uc; t.lines.append(ExplanationLine("Universal Credit", uc))
        }
        // A working-age scheme sets its own tariff (or none); on Universal Credit, capital is already in the award.
        let tariff: BenefitRates.Tariff? = pensionAge ? l.tariffPension : (scheme.map { $0.tariff } ?? l.tariffWorkingAge)
        let tariffIncome = (universalCredit > 0 ? nil : tariff).map { Self.tariff(h.savings, $0) } ?? 0
        if tariffIncome > 0 {
            t.income += tariffIncome
            t.lines.append(ExplanationLine("Income assumed from savings", tariffIncome))
        }
        t.lines.append(ExplanationLine("Income", t.income))
        return t
    }

    /// Deductions for each non-dependant by their gross weekly income; the lowest if they work under 16 hours a week.
    func nonDependantDeductions(_ h: Household, _ lines: inout [ExplanationLine],
                                scale: [BenefitRates.Band]? = nil) -> Int64 {
        let bands = scale ?? rates.legacy.nonDependantDeductions
        // None when the claimant or partner is severely disabled (blind, or on a qualifying disability benefit).
        if h.adults.contains(where: \.getsQualifyingDisabilityBenefit) {
            if !h.nonDependants.isEmpty { lines.append(ExplanationLine("No non-dependant deductions: the claimant gets a disability benefit.")) }
            return 0
        }
        var total: Int64 = 0
        for n in h.nonDependants where n.age >= 18 {
            let gross = Self.weekly(n.earnings + n.privatePension + n.statePension)
            let banded = bands.last(where: { gross >= $0.from })?.deduction ?? bands[0].deduction
            let deduction = n.hoursWorked >= rates.legacy.remunerativeWorkHours ? banded : bands[0].deduction
            total += deduction
            lines.append(ExplanationLine("Non-dependant deduction (\(n.id))", deduction))
        }
        return total
    }

    // MARK: Housing Benefit

    func housingBenefit(_ h: Household, _ money: Incomes, pensionAge: Bool, pc: PCResult, carers: Set<String>,
                        _ out: inout Estimate) {
        let l = rates.legacy
        guard h.tenure.rents else {
            out.explanation["housing_benefit"] = [ExplanationLine("Housing Benefit is help with rent; owners pay none.")]
            return
        }
        guard pensionAge else {
            out.explanation["housing_benefit"] = [ExplanationLine("A working-age household claims help with rent through "
                                                                  + "Universal Credit's housing element, not Housing Benefit.")]
            return
        }
        let passported = pc.guarantee > 0
        guard passported || h.savings <= l.capitalLimit else {
            out.explanation["housing_benefit"] = [ExplanationLine("Savings over \(Money(pence: l.capitalLimit)): no Housing Benefit.")]
            return
        }
        var lines: [ExplanationLine] = []
        var eligibleRent = Self.weekly(h.rent)
        if h.tenure == .privateRent, let brma = h.brma {
            let rooms = bedroomsNeeded(h)
            if let lha = rates.lhaRate(brma: brma, category: lhaCategory(h, rooms: rooms, pensionAge: true)) {
                eligibleRent = min(eligibleRent, lha.weekly)
                lines.append(ExplanationLine("Eligible rent: rent, at most the local housing allowance for \(rooms) "
                                             + "bedroom\(rooms == 1 ? "" : "s") in \(brma)", eligibleRent))
            }
        } else {
            lines.append(ExplanationLine("Eligible rent", eligibleRent))
        }
        let deductions = nonDependantDeductions(h, &lines)
        var weekly: Int64
        if passported {
            weekly = max(0, eligibleRent - deductions)
            lines.append(ExplanationLine("Guarantee Credit: maximum Housing Benefit, eligible rent less deductions", weekly))
        } else {
            let t = meansTest(h, money, pensionAge: true, pc: pc, carers: carers, out: out)
            lines += t.lines
            let taper = Money.roundHalfUp(t.excess * l.hbTaperPercent, 100)
            lines.append(ExplanationLine("Less \(l.hbTaperPercent)% of income over the applicable amount", taper))
            weekly = max(0, eligibleRent - deductions - taper)
        }
        if weekly > 0 && weekly < l.hbMinimumAward {
            lines.append(ExplanationLine("Under the minimum award of \(Money(pence: l.hbMinimumAward)) a week: nothing is paid."))
            weekly = 0
        }
        out.housingBenefit = weekly * 52
        out.eligibleHousingBenefit = weekly > 0
        lines.append(ExplanationLine("Housing Benefit for the year (52 weeks)", out.housingBenefit, per: .year))
        out.explanation["housing_benefit"] = lines
    }

    // MARK: Council tax and its reduction

    func councilTax(_ h: Household, _ money: Incomes, pensionAge: Bool, pc: PCResult, uc: UCResult, carers: Set<String>,
                    _ out: inout Estimate) {
        let l = rates.legacy
        var lines: [ExplanationLine] = [ExplanationLine("Council tax for band \(h.band)", h.councilTaxGross, per: .year)]
        var liability = h.councilTaxGross
        if h.members.filter({ $0.age >= 18 }).count == 1 {
            let discount = Money.roundHalfUp(liability * 25, 100)
            liability -= discount
            lines.append(ExplanationLine("Less the single person discount (25%)", discount, per: .year))
        }
        var lineCTR: [ExplanationLine] = []
        let passported = pc.guarantee > 0
        // Pension age: the prescribed scheme. Working age: the council's own scheme (or the default scheme).
        let scheme: BenefitRates.CTRScheme? = pensionAge ? nil : rates.ctrScheme(for: h.council.gss)
        let capitalLimit = scheme?.capitalLimit ?? l.capitalLimit
        var weekly: Int64 = 0
        if !passported && h.savings > capitalLimit {
            lineCTR.append(ExplanationLine("Savings over \(Money(pence: capitalLimit)): no council tax reduction."))
        } else {
            if let scheme { lineCTR.append(ExplanationLine("\(h.council.name): \(scheme.name)")) }
            var maximum = Self.weekly(liability)
            lineCTR.append(ExplanationLine("Council tax after discounts", maximum))
            if let scheme, scheme.maximumPercent < 100 {
                maximum = Money.roundHalfUp(maximum * scheme.maximumPercent, 100)
                lineCTR.append(ExplanationLine("The scheme pays at most \(scheme.maximumPercent)% of it", maximum))
            }
            let deductions = nonDependantDeductions(h, &lineCTR, scale: scheme?.nonDependantDeductions)
            if passported {
                weekly = max(0, maximum - deductions)
                lineCTR.append(ExplanationLine("Guarantee Credit: the maximum reduction", weekly))
            } else {
                var t: MeansTest
                if scheme != nil && uc.monthly > 0 {
                    // On Universal Credit, the schemes take DWP's own figures (default scheme Sch para 37): the
                    // applicable amount is the maximum award, income is earnings and other income as UC assessed
                    // them plus the award itself.
                    t = MeansTest()
                    t.applicable = Self.weekly(uc.maximum * 12)
                    t.income = Self.weekly((uc.earned + uc.unearned + uc.monthly) * 12)
                    t.lines = [ExplanationLine("Applicable amount: the maximum Universal Credit", t.applicable),
                               ExplanationLine("Income: earnings and other income as Universal Credit takes them, "
                                               + "and the award", t.income)]
                } else {
                    t = meansTest(h, money, pensionAge: pensionAge, pc: pc, carers: carers, scheme: scheme, out: out)
                }
                lineCTR += t.lines
                if let bands = scheme?.incomeBands, !bands.isEmpty {
                    // A banded scheme: the band the weekly income falls in gives the share of the liability.
                    let percent = bands.last(where: { t.income >= $0.from })?.percent ?? 0
                    let share = Money.roundHalfUp(maximum * percent, 100)
                    lineCTR.append(ExplanationLine("Income band: \(percent)% of the council tax", share))
                    weekly = max(0, share - deductions)
                } else {
                    let taperPercent = scheme?.taperPercent ?? l.ctrTaperPercent
                    let taper = Money.roundHalfUp(t.excess * taperPercent, 100)
                    lineCTR.append(ExplanationLine("Less \(taperPercent)% of income over the applicable amount", taper))
                    weekly = max(0, maximum - deductions - taper)
                }
            }
        }
        out.councilTaxReduction = min(liability, weekly * 52)
        lineCTR.append(ExplanationLine("Council tax reduction for the year (52 weeks)", out.councilTaxReduction, per: .year))
        out.councilTaxNet = liability - out.councilTaxReduction
        lines.append(ExplanationLine("Less council tax reduction", out.councilTaxReduction, per: .year))
        lines.append(ExplanationLine("Council tax to pay", out.councilTaxNet, per: .year))
        out.explanation["council_tax_reduction"] = lineCTR
        out.explanation["council_tax_net"] = lines
    }

    // MARK: Winter Fuel Payment

    func winterFuel(_ h: Household, _ out: inout Estimate) {
        let w = rates.winterFuel
        let eligible = h.adults.filter { $0.age >= rates.statePensionAge }
        var annual: Int64 = 0
        switch (eligible.count, eligible.filter { $0.age >= 80 }.count) {
        case (1, 0): annual = w.under80
        case (1, 1): annual = w.over80
        case (2, 0): annual = 2 * w.under80Shared
        case (2, 1): annual = w.over80SharedWithUnder80 + w.under80Shared
        case (2, _): annual = 2 * w.over80SharedWithOver80
        default: annual = 0
        }
        out.winterFuelPayment = annual
        out.explanation["winter_fuel_payment"] = annual > 0
            ? [ExplanationLine("Winter Fuel Payment (recovered through tax where income is over £35,000)", annual, per: .year)]
            : [ExplanationLine("Winter Fuel Payment is for people over state pension age.")]
    }

    func signposts(_ h: Household, pensionAge: Bool, _ e: Estimate) -> [String] {
        var s: [String] = []
        if h.adults.contains(where: { $0.age >= 75 }) && e.eligiblePensionCredit { s.append("Free TV licence (75 or over on Pension Credit)") }
        if e.eligiblePensionCredit || e.eligibleUniversalCredit { s.append("Warm Home Discount") }
        if !h.children.isEmpty && (e.eligibleUniversalCredit || e.eligiblePensionCredit) { s.append("Free school meals") }
        if h.children.contains(where: { $0.age < 4 }) && e.eligibleUniversalCredit { s.append("Healthy Start") }
        if h.children.contains(where: { $0.age >= 2 && $0.age < 5 }) { s.append("Funded childcare for 2 to 4 year olds") }
        if h.adults.contains(where: { $0.age >= 16 && !$0.getsAnyDisabilityBenefit && $0.lcwra }) {
            s.append("Personal Independence Payment")
        }
        if h.adults.contains(where: { $0.age >= rates.statePensionAge && $0.attendanceAllowance == .none }) {
            s.append("Attendance Allowance, if care or supervision is needed")
        }
        if e.housingBenefit > 0 || e.universalCredit > 0 { s.append("Discretionary Housing Payment, if rent is still unaffordable") }
        s.append("Household Support Fund and local welfare assistance")
        return s
    }
}
