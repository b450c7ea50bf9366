import Foundation
import TownhallKernel

/// What the eligibility checker is told about a household: the estimate API's body (docs/BENEFITS.md). Money is pounds a
/// year, as people say it; `validated(rates:)` turns it into a `Household` in pence or names the field at fault.
public struct EstimateInput: Sendable, Codable, Equatable {
    public struct Dwelling: Sendable, Codable, Equatable {
        public var tenure: String
        public var rentPerYear: Double?
        public var bedrooms: Int?
        public var councilTaxBand: String
        public var councilTaxGross: Double?

        public init(tenure: String, rentPerYear: Double? = nil, bedrooms: Int? = nil, councilTaxBand: String,
                    councilTaxGross: Double? = nil) {
            self.tenure = tenure; self.rentPerYear = rentPerYear; self.bedrooms = bedrooms
            self.councilTaxBand = councilTaxBand; self.councilTaxGross = councilTaxGross
        }
    }

    public struct Person: Sendable, Codable, Equatable {
        public var id: String
        public var role: String
        public var age: Int
        public var benefitUnit: Int?
        public var employmentIncome: Double?
        public var selfEmploymentIncome: Double?
        public var privatePension: Double?
        public var statePension: Double?
        public var hoursWorkedPerWeek: Double?
        public var careHoursPerWeek: Double?
        public var lcwra: Bool?
        public var pipDailyLiving: String?
        public var pipMobility: String?
        public var attendanceAllowance: String?
        public var dlaCare: String?
        public var dlaMobility: String?

        public init(id: String, role: String, age: Int, benefitUnit: Int? = nil) {
            self.id = id; self.role = role; self.age = age; self.benefitUnit = benefitUnit
        }
    }

    public var fiscalYear: String
    public var council: String
    public var brma: String?
    public var dwelling: Dwelling
    public var savings: Double?
    public var people: [Person]

    public init(fiscalYear: String, council: String, brma: String? = nil, dwelling: Dwelling, savings: Double? = nil,
                people: [Person]) {
        self.fiscalYear = fiscalYear; self.council = council; self.brma = brma; self.dwelling = dwelling
        self.savings = savings; self.people = people
    }

    /// The body's fields, for the strict unknown-field check and the OpenAPI schema.
    public static let fields: Set<String> = ["fiscal_year", "council", "brma", "dwelling", "savings", "people"]
    public static let dwellingFields: Set<String> = ["tenure", "rent_per_year", "bedrooms", "council_tax_band", "council_tax_gross"]
    public static let personFields: Set<String> = [
        "id", "role", "age", "benefit_unit", "employment_income", "self_employment_income", "private_pension",
        "state_pension", "hours_worked_per_week", "care_hours_per_week", "lcwra", "pip_daily_living", "pip_mobility",
        "attendance_allowance", "dla_care", "dla_mobility",
    ]

    enum CodingKeys: String, CodingKey {
        case fiscalYear = "fiscal_year", council, brma, dwelling, savings, people
    }
}

extension EstimateInput.Dwelling {
    enum CodingKeys: String, CodingKey {
        case tenure, rentPerYear = "rent_per_year", bedrooms, councilTaxBand = "council_tax_band"
        case councilTaxGross = "council_tax_gross"
    }
}

extension EstimateInput.Person {
    enum CodingKeys: String, CodingKey {
        case id, role, age, benefitUnit = "benefit_unit", employmentIncome = "employment_income"
        case selfEmploymentIncome = "self_employment_income", privatePension = "private_pension"
        case statePension = "state_pension", hoursWorkedPerWeek = "hours_worked_per_week"
        case careHoursPerWeek = "care_hours_per_week", lcwra, pipDailyLiving = "pip_daily_living"
        case pipMobility = "pip_mobility", attendanceAllowance = "attendance_allowance", dlaCare = "dla_care"
        case dlaMobility = "dla_mobility"
    }
}

public enum Tenure: String, Sendable, CaseIterable, Codable {
    case socialRent = "social_rent", privateRent = "private_rent", ownerOutright = "owner_outright"
    case ownerMortgage = "owner_mortgage"

    public var rents: Bool { self == .socialRent || self == .privateRent }
}

/// Disability benefits by their rates; each is in payment at that rate or `none`.
public enum PIPRate: String, Sendable, CaseIterable { case none, standard, enhanced }
public enum AttendanceAllowanceRate: String, Sendable, CaseIterable { case none, lower, higher }
public enum DLACareRate: String, Sendable, CaseIterable { case none, lowest, middle, highest }
public enum DLAMobilityRate: String, Sendable, CaseIterable { case none, lower, higher }

/// A validated person, money in pence a year.
public struct Member: Sendable, Equatable {
    public var id: String
    public var isChild: Bool
    public var age: Int
    public var unit: Int
    public var employment: Int64 = 0
    public var selfEmployment: Int64 = 0
    public var privatePension: Int64 = 0
    public var statePension: Int64 = 0
    public var hoursWorked: Double = 0
    public var careHours: Double = 0
    public var lcwra = false
    public var pipDailyLiving = PIPRate.none
    public var pipMobility = PIPRate.none
    public var attendanceAllowance = AttendanceAllowanceRate.none
    public var dlaCare = DLACareRate.none
    public var dlaMobility = DLAMobilityRate.none

    public init(id: String, isChild: Bool, age: Int, unit: Int) {
        self.id = id; self.isChild = isChild; self.age = age; self.unit = unit
    }

    public var earnings: Int64 { employment + selfEmployment }
    /// Attendance Allowance, the middle or highest DLA care rate or PIP daily living: the severe disability premium's
    /// qualifying benefits, and what a carer must be caring for.
    public var getsQualifyingDisabilityBenefit: Bool {
        attendanceAllowance != .none || dlaCare == .middle || dlaCare == .highest || pipDailyLiving != .none
    }
    public var getsAnyDisabilityBenefit: Bool {
        getsQualifyingDisabilityBenefit || dlaCare != .none || dlaMobility != .none || pipMobility != .none
    }
    public var getsHighestCare: Bool { dlaCare == .highest || pipDailyLiving == .enhanced }
}

/// A validated household: one family claiming (unit 0) and the non-dependants who live with it.
public struct Household: Sendable, Equatable {
    public var fiscalYear: String
    public var council: Council
    public var brma: String?
    public var tenure: Tenure
    public var rent: Int64
    public var bedrooms: Int?
    public var band: Character
    /// The council tax for the year before any discount or reduction.
    public var councilTaxGross: Int64
    public var savings: Int64
    public let members: [Member]
    /// The claimant's family (benefit unit 0), its adults and children, and the non-dependants: worked out once.
    public let family: [Member]
    public let adults: [Member]
    public let children: [Member]
    public let nonDependants: [Member]

    public init(fiscalYear: String, council: Council, brma: String? = nil, tenure: Tenure, rent: Int64 = 0,
                bedrooms: Int? = nil, band: Character, councilTaxGross: Int64, savings: Int64 = 0, members: [Member]) {
        self.fiscalYear = fiscalYear; self.council = council; self.brma = brma; self.tenure = tenure; self.rent = rent
        self.bedrooms = bedrooms; self.band = band; self.councilTaxGross = councilTaxGross; self.savings = savings
        self.members = members
        family = members.filter { $0.unit == 0 }
        adults = family.filter { !$0.isChild }
        children = family.filter(\.isChild)
        nonDependants = members.filter { $0.unit != 0 && !$0.isChild }
    }
    public var isCouple: Bool { adults.count == 2 }
}

extension EstimateInput {
    /// Checks every value and resolves the council; the first fault is thrown naming its field.
    /// `councilTax` supplies the band's charge when the body leaves `council_tax_gross` out.
    public func validated(rates book: RateBook, councils: CouncilDirectory,
                          councilTax: (Council, Character, String) -> Int64? = { _, _, _ in nil }) throws -> (Household, BenefitRates) {
        guard let rates = book.years[fiscalYear.replacingOccurrences(of: "/", with: "-")] else {
            throw TownhallError.invalid("fiscal_year", "fiscal_year must be one of \(book.yearNames.joined(separator: ", ")).",
                                        code: "invalid_year")
        }
        guard let council = councils.find(council) else {
            throw TownhallError.invalid("council", "\(council) is not a billing authority Townhall knows. Give its name or "
                                        + "GSS code, like MANCHESTER or E08000003.", code: "unknown_council")
        }
        guard let tenure = Tenure(rawValue: dwelling.tenure) else {
            throw Self.choice("dwelling.tenure", Tenure.allCases.map(\.rawValue))
        }
        let bandText = dwelling.councilTaxBand.uppercased()
        guard bandText.count == 1, let band = bandText.first, ("A"..."H").contains(band) else {
            throw TownhallError.invalid("dwelling.council_tax_band", "dwelling.council_tax_band must be a band from A to H.",
                                        code: "invalid_band")
        }
        var rent: Int64 = 0
        if tenure.rents {
            guard let r = dwelling.rentPerYear else {
                throw TownhallError.missing("dwelling.rent_per_year", "A tenant's dwelling needs rent_per_year (pounds a year).")
            }
            rent = try Self.pounds(r, "dwelling.rent_per_year")
        } else if let r = dwelling.rentPerYear, r != 0 {
            throw TownhallError.invalid("dwelling.rent_per_year", "An owner pays no rent; leave rent_per_year out or 0.",
                                        code: "invalid_value")
        }
        if let b = dwelling.bedrooms, !(0...10).contains(b) {
            throw TownhallError.invalid("dwelling.bedrooms", "dwelling.bedrooms must be from 0 to 10.", code: "out_of_range")
        }
        var brmaName: String?
        if let b = brma {
            let name = b.uppercased().replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
            guard rates.hasRates(brma: name) else {
                throw TownhallError.invalid("brma", "\(b) is not a broad rental market area with rates for \(rates.fiscalYear), "
                                            + "like CENTRAL_GREATER_MANCHESTER.", code: "unknown_brma")
            }
            brmaName = name
        }
        let gross: Int64
        if let g = dwelling.councilTaxGross {
            gross = try Self.pounds(g, "dwelling.council_tax_gross")
        } else if let known = councilTax(council, band, rates.fiscalYear) {
            gross = known
        } else {
            throw TownhallError.missing("dwelling.council_tax_gross",
                                        "Townhall has no band \(band) charge for \(council.name) in \(rates.fiscalYear): give "
                                        + "dwelling.council_tax_gross (pounds a year).")
        }
        guard (1...20).contains(people.count) else {
            throw TownhallError.invalid("people", "people must list from 1 to 20 people.", code: "out_of_range")
        }
        var members: [Member] = []
        var ids = Set<String>()
        for (i, p) in people.enumerated() {
            let at = "people[\(i)]"
            guard !p.id.isEmpty, p.id.count <= 40 else {
                throw TownhallError.invalid("\(at).id", "\(at).id must be 1 to 40 characters.", code: "invalid_value")
            }
            guard ids.insert(p.id).inserted else {
                throw TownhallError.invalid("\(at).id", "\(p.id) is used for two people; each id must be different.",
                                            code: "duplicate_id")
            }
            guard p.role == "adult" || p.role == "child" else { throw Self.choice("\(at).role", ["adult", "child"]) }
            guard (0...120).contains(p.age) else {
                throw TownhallError.invalid("\(at).age", "\(at).age must be from 0 to 120.", code: "out_of_range")
            }
            if p.role == "child", p.age > 19 {
                throw TownhallError.invalid("\(at).age", "A child is under 20; someone older is an adult.", code: "out_of_range")
            }
            if p.role == "adult", p.age < 16 {
                throw TownhallError.invalid("\(at).age", "An adult is 16 or over; someone younger is a child.",
                                            code: "out_of_range")
            }
            let unit = p.benefitUnit ?? 0
            guard (0...19).contains(unit) else {
                throw TownhallError.invalid("\(at).benefit_unit", "\(at).benefit_unit must be from 0 to 19.", code: "out_of_range")
            }
            var m = Member(id: p.id, isChild: p.role == "child", age: p.age, unit: unit)
            m.employment = try Self.pounds(p.employmentIncome ?? 0, "\(at).employment_income")
            m.selfEmployment = try Self.pounds(p.selfEmploymentIncome ?? 0, "\(at).self_employment_income")
            m.privatePension = try Self.pounds(p.privatePension ?? 0, "\(at).private_pension")
            m.statePension = try Self.pounds(p.statePension ?? 0, "\(at).state_pension")
            m.hoursWorked = try Self.hours(p.hoursWorkedPerWeek ?? 0, "\(at).hours_worked_per_week")
            m.careHours = try Self.hours(p.careHoursPerWeek ?? 0, "\(at).care_hours_per_week")
            m.lcwra = p.lcwra ?? false
            m.pipDailyLiving = try Self.rate(p.pipDailyLiving, "\(at).pip_daily_living")
            m.pipMobility = try Self.rate(p.pipMobility, "\(at).pip_mobility")
            m.attendanceAllowance = try Self.rate(p.attendanceAllowance, "\(at).attendance_allowance")
            m.dlaCare = try Self.rate(p.dlaCare, "\(at).dla_care")
            m.dlaMobility = try Self.rate(p.dlaMobility, "\(at).dla_mobility")
            members.append(m)
        }
        let claimants = members.filter { $0.unit == 0 && !$0.isChild }
        guard (1...2).contains(claimants.count) else {
            throw TownhallError.invalid("people", "The claimant's family (benefit_unit 0) has one or two adults: the claimant "
                                        + "and a partner. Others who live there are non-dependants (benefit_unit 1, 2…).",
                                        code: "invalid_family")
        }
        let household = Household(
            fiscalYear: rates.fiscalYear, council: council, brma: brmaName, tenure: tenure, rent: rent,
            bedrooms: dwelling.bedrooms, band: band, councilTaxGross: gross,
            savings: try Self.pounds(savings ?? 0, "savings"), members: members)
        return (household, rates)
    }

    static func pounds(_ value: Double, _ field: String) throws -> Int64 {
        guard value.isFinite, value >= 0, value <= 10_000_000 else {
            throw TownhallError.invalid(field, "\(field) must be an amount in pounds a year from 0 to 10,000,000.",
                                        code: "out_of_range")
        }
        return Int64((value * 100).rounded())
    }

    static func hours(_ value: Double, _ field: String) throws -> Double {
        guard value.isFinite, (0...168).contains(value) else {
            throw TownhallError.invalid(field, "\(field) must be hours a week from 0 to 168.", code: "out_of_range")
        }
        return value
    }

    static func rate<R: RawRepresentable & CaseIterable>(_ raw: String?, _ field: String) throws -> R where R.RawValue == String {
        guard let raw else { return R(rawValue: "none")! }
        guard let r = R(rawValue: raw) else { throw choice(field, R.allCases.map(\.rawValue)) }
        return r
    }

    static func choice(_ field: String, _ values: [String]) -> TownhallError {
        TownhallError.invalid(field, "\(field) must be one of \(values.joined(separator: ", ")).", code: "invalid_choice")
    }
}
