import Foundation
import TownhallKernel

/// One financial year's rates, read from `Resources/rates-YYYY-YY.json` (written by tests/benefits/extract_rates.py from
/// PolicyEngine UK's parameter files, which cite the up-rating orders). Amounts are pence a week unless named monthly or
/// annual; rates are whole percentages.
public struct BenefitRates: Sendable, Decodable {
    public struct Tariff: Sendable, Decodable {
        public var threshold: Int64
        public var step: Int64
        /// Pence of income per step or part of one (£1 a week for the legacy tests, unless given).
        public var amount: Int64?
    }

    public struct Band: Sendable, Decodable {
        public var from: Int64
        public var deduction: Int64
    }

    /// Housing benefit and council tax reduction share these (the legacy means test).
    public struct Legacy: Sendable, Decodable {
        public struct Allowances: Sendable, Decodable {
            public var singleUnder25, single25OrOver, loneParent, loneParentUnder18, couple: Int64
            public var pensionSingle, pensionCouple, pensionSingleBeforeCutoff, pensionCoupleBeforeCutoff: Int64
        }
        public struct Premiums: Sendable, Decodable {
            public var disabledChild, enhancedDisabledChild, disabilitySingle, disabilityCouple: Int64
            public var enhancedDisabilitySingle, enhancedDisabilityCouple, severeDisabilitySingle, severeDisabilityCouple: Int64
            public var carer: Int64
        }
        public struct Disregards: Sendable, Decodable {
            public var single, couple, loneParent, special, additionalWorker: Int64
        }
        public var personalAllowance: Allowances
        public var pensionAllowanceCutoff: String
        public var childAllowance: Int64
        public var premiums: Premiums
        public var earningsDisregard: Disregards
        public var capitalLimit: Int64
        public var tariffPension: Tariff
        public var tariffWorkingAge: Tariff
        public var hbTaperPercent: Int64
        public var ctrTaperPercent: Int64
        public var hbMinimumAward: Int64
        public var remunerativeWorkHours: Double
        public var nonDependantDeductions: [Band]
    }

    public struct PensionCredit: Sendable, Decodable {
        public var guaranteeSingle, guaranteeCouple, severeDisability, carer, child, childFirstBefore2017: Int64
        public var disabledChild, severelyDisabledChild: Int64
        public var savingsThresholdSingle, savingsThresholdCouple: Int64
        public var savingsPhaseInPercent, savingsPhaseOutPercent: Int64
        public var savingsCreditBornBefore: String
        public var earningsDisregardSingle, earningsDisregardCouple: Int64
        public var tariff: Tariff
    }

    /// Monthly amounts.
    public struct UniversalCredit: Sendable, Decodable {
        public var standardSingleUnder25, standardSingle25OrOver, standardCoupleUnder25, standardCouple25OrOver: Int64
        public var child, childFirstBefore2017, disabledChild, severelyDisabledChild, lcwra, carer: Int64
        public var twoChildLimit: Bool
        public var workAllowanceWithHousing, workAllowanceWithoutHousing: Int64
        public var taperPercent: Int64
        public var capitalLimit: Int64
        public var tariff: Tariff
        public var nonDependantDeduction: Int64
    }

    /// A working-age council tax reduction scheme: each council sets its own (LGFA 1992 s13A, Sch 1A). `default` is the
    /// default scheme (SI 2012/2886); others are keyed by the council's GSS code. Either a taper on income over the
    /// applicable amount, or income bands each giving a percentage of the liability (a banded scheme); `maximumPercent`
    /// below 100 is a minimum payment.
    public struct CTRScheme: Sendable, Decodable {
        public struct IncomeBand: Sendable, Decodable { public var from: Int64; public var percent: Int64 }
        public var name: String
        public var maximumPercent: Int64
        public var taperPercent: Int64
        public var incomeBands: [IncomeBand]?
        public var capitalLimit: Int64
        /// Nil: the scheme counts no income from capital under its limit.
        public var tariff: Tariff?
        public var nonDependantDeductions: [Band]
    }

    public struct ChildBenefit: Sendable, Decodable { public var eldest, additional: Int64 }
    /// The national living wage (21 or over) and the hours Universal Credit expects: the self-employed income floor.
    public struct MinimumWage: Sendable, Decodable { public var hourly21OrOver: Int64; public var universalCreditExpectedHours: Int64 }
    public struct CarersAllowance: Sendable, Decodable { public var rate, earningsLimit: Int64; public var hours: Double }
    /// Annual amounts.
    public struct WinterFuel: Sendable, Decodable {
        public var under80, over80, under80Shared, over80SharedWithOver80, over80SharedWithUnder80: Int64
    }
    /// Annual amounts; earnings of `earningsExemptionHours` a week at the national living wage lift the cap.
    public struct BenefitCap: Sendable, Decodable {
        public var single, family, singleLondon, familyLondon, earningsExemptionHours: Int64
    }
    /// Annual amounts.
    public struct IncomeTax: Sendable, Decodable {
        public var personalAllowance, basicRateBand, higherRateBand: Int64
        public var basicPercent, higherPercent, additionalPercent: Int64
    }
    public struct NationalInsurance: Sendable, Decodable {
        public var primaryThreshold, upperEarningsLimit, class1MainPercent, class1UpperPercent: Int64
        public var class4Lower, class4Upper, class4MainPercent, class4UpperPercent: Int64
    }

    public var fiscalYear: String
    public var source: String
    public var statePensionAge: Int
    public var legacy: Legacy
    public var pensionCredit: PensionCredit
    public var universalCredit: UniversalCredit
    public var childBenefit: ChildBenefit
    public var minimumWage: MinimumWage
    public var carersAllowance: CarersAllowance
    public var winterFuel: WinterFuel
    public var benefitCap: BenefitCap
    public var incomeTax: IncomeTax
    public var nationalInsurance: NationalInsurance
    public var councilTaxReductionSchemes: [String: CTRScheme]

    /// The council's working-age scheme, or the default scheme where Townhall holds none for it.
    public func ctrScheme(for gss: String) -> CTRScheme { councilTaxReductionSchemes[gss] ?? councilTaxReductionSchemes["default"]! }

    /// Local housing allowance by broad rental market area and category (A shared, B–E one to four bedrooms).
    public var lha: [String: [Character: LHARate]] = [:]

    enum CodingKeys: String, CodingKey {
        case fiscalYear, source, statePensionAge, legacy, pensionCredit, universalCredit, childBenefit, minimumWage, carersAllowance
        case winterFuel, benefitCap, incomeTax, nationalInsurance, councilTaxReductionSchemes
    }
}

/// A broad rental market area's rates for one category: weekly for housing benefit, monthly for universal credit.
public struct LHARate: Sendable, Equatable {
    public var weekly: Int64
    public var ucMonthly: Int64
}

extension BenefitRates {
    public func lhaRate(brma: String, category: Character) -> LHARate? { lha[brma]?[category] }

    /// Whether Townhall has local housing allowance rates for this area this year.
    public func hasRates(brma: String) -> Bool { lha[brma] != nil }
}

/// The rates of every year Townhall carries, loaded once.
public struct RateBook: Sendable {
    public let years: [String: BenefitRates]

    public init(years: [String: BenefitRates]) { self.years = years }

    /// The years shipped in the target's resources.
    public static let bundled: RateBook = {
        do { return try RateBook.load(bundle: .module) } catch { fatalError("Benefit rates in Resources do not load: \(error)") }
    }()

    static func load(bundle: Bundle) throws -> RateBook {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        var years: [String: BenefitRates] = [:]
        for name in ["rates-2025-26", "rates-2026-27"] {
            let url = bundle.url(forResource: name, withExtension: "json")!
            let rates = try decoder.decode(BenefitRates.self, from: Data(contentsOf: url))
            years[rates.fiscalYear] = rates
        }
        let csv = try String(contentsOf: bundle.url(forResource: "lha-rates", withExtension: "csv")!, encoding: .utf8)
        for line in csv.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count == 5, let start = Int(f[0]), let category = f[2].first else { continue }
            let name = "\(start)-\(Digits.padded((start + 1) % 100, width: 2))"
            guard years[name] != nil else { continue }
            let weekly = (try? Money.parse(String(f[3]), field: "weekly")) ?? 0
            let monthly = (try? Money.parse(String(f[4]), field: "uc_monthly")) ?? 0
            years[name]!.lha[String(f[1]), default: [:]][category] = LHARate(weekly: weekly, ucMonthly: monthly)
        }
        return RateBook(years: years)
    }

    public var yearNames: [String] { years.keys.sorted() }
}
