import Benefits
import Foundation
import Testing
import TownhallKernel

/// The eligibility checker's rules on households worked by hand from the regulations and the 2025/26 and 2026/27 rates.
@Suite struct BenefitsEstimateTests {
    let benefits = Benefits()

    func person(_ id: String, _ age: Int, role: String = "adult", unit: Int = 0,
                _ set: (inout EstimateInput.Person) -> Void = { _ in }) -> EstimateInput.Person {
        var p = EstimateInput.Person(id: id, role: role, age: age, benefitUnit: unit)
        set(&p)
        return p
    }

    func input(_ people: [EstimateInput.Person], tenure: String = "social_rent", rent: Double? = 5200, bedrooms: Int? = nil,
               gross: Double = 1300, savings: Double = 0, year: String = "2025-26", council: String = "Manchester",
               brma: String? = nil) -> EstimateInput {
        EstimateInput(fiscalYear: year, council: council, brma: brma,
                      dwelling: .init(tenure: tenure, rentPerYear: tenure.hasSuffix("rent") ? rent : nil, bedrooms: bedrooms,
                                      councilTaxBand: "B", councilTaxGross: gross),
                      savings: savings, people: people)
    }

    @Test func aPensionerWithNoIncomeIsPassportedByGuaranteeCredit() throws {
        let e = try benefits.estimate(input([person("a1", 70)]))
        // Guarantee Credit is the whole minimum guarantee, £227.10 a week.
        #expect(e.pensionCredit == 22710 * 52)
        // It passports to the maximum: all the rent (£100 a week) and all the council tax after the discount.
        #expect(e.housingBenefit == 10000 * 52)
        #expect(e.councilTaxReduction == 97500)
        #expect(e.councilTaxNet == 0)
        #expect(e.eligibleHousingBenefit && e.eligiblePensionCredit && !e.eligibleUniversalCredit)
        #expect(e.winterFuelPayment == 20000)
    }

    @Test func aPensionerAboveTheApplicableAmountIsTapered() throws {
        // 68 in 2025: reached state pension age in 2023, so the lower (from April 2021) personal allowance, £227.10.
        let e = try benefits.estimate(input([person("a1", 68) { $0.statePension = 13000 }]))
        // Income £250.00 a week less income tax of £86 a year (£1.65 a week): £248.35, £21.25 over the applicable amount.
        #expect(e.pensionCredit == 0)                    // over the guarantee, and too young for Savings Credit
        #expect(e.housingBenefit == (10000 - 1381) * 52) // 65% of £21.25 is £13.8125, to the penny £13.81
        #expect(e.councilTaxReduction == (1875 - 425) * 52) // £975 a year is £18.75 a week; 20% of £21.25 is £4.25
        let lines = try #require(e.explanation["housing_benefit"]).map(\.step)
        #expect(lines.contains("Personal allowance (single, pension age)"))
        #expect(lines.contains("Less 65% of income over the applicable amount"))
    }

    @Test func savingsOverTheLimitStopHousingBenefitButNotPensionCredit() throws {
        let e = try benefits.estimate(input([person("a1", 77) { $0.statePension = 9000 }], savings: 20000))
        // Pension Credit has no capital limit; its Guarantee Credit passports past Housing Benefit's £16,000 limit.
        #expect(e.pensionCredit > 0 && e.housingBenefit == 10000 * 52)
        // Without Guarantee Credit, £20,000 of savings rules Housing Benefit out.
        let richer = try benefits.estimate(input([person("a1", 68) { $0.statePension = 13000 }], savings: 20000))
        #expect(richer.pensionCredit == 0 && richer.housingBenefit == 0)
        // £20,000 is £10,000 over the threshold: 20 steps of £500, £20 a week of income for Pension Credit.
        let pc = try #require(e.explanation["pension_credit"])
        #expect(pc.contains { $0.step.hasPrefix("Income assumed from savings") && $0.amount == 2000 })
    }

    @Test func universalCreditForASingleTenantWithASpareBedroom() throws {
        let e = try benefits.estimate(input([person("a1", 30)], bedrooms: 2))
        // £400.14 standard allowance; rent £433.33 a month less 14% for one spare bedroom (£60.67).
        #expect(e.universalCredit == (40014 + 43333 - 6067) * 12)
        #expect(e.housingBenefit == 0 && !e.eligibleHousingBenefit)
        #expect(e.eligibleUniversalCredit)
    }

    @Test func theTwoChildLimitEndsIn2026() throws {
        let family = [person("a1", 30)] + (1...3).map { person("c\($0)", $0, role: "child") }
        let before = try benefits.estimate(input(family, bedrooms: 2))
        let after = try benefits.estimate(input(family, bedrooms: 2, year: "2026-27"))
        let lines = try #require(before.explanation["universal_credit"]).map(\.step)
        #expect(lines.contains("No child element for c1: the two-child limit"))
        #expect(!(try #require(after.explanation["universal_credit"])).map(\.step).contains { $0.contains("two-child limit") })
        // Child Benefit: eldest £26.05 and two more at £17.25, a week.
        #expect(before.childBenefit == (2605 + 2 * 1725) * 52)
    }

    @Test func theBenefitCapTakesTheExcessFromUniversalCredit() throws {
        let family = [person("a1", 35), person("a2", 33)] + (1...5).map { person("c\($0)", 2 * $0, role: "child") }
        let e = try benefits.estimate(input(family, tenure: "private_rent", rent: 15600, bedrooms: 4,
                                            brma: "CENTRAL_GREATER_MANCHESTER"))
        #expect(e.benefitCapReduction > 0)
        // What is left is the cap (£22,020 outside London) less Child Benefit, to within the monthly rounding.
        #expect(abs(e.universalCredit + e.childBenefit - 2_202_000) <= 12)
        // Work of 16 hours at the minimum wage lifts the cap.
        var working = family
        working[0].employmentIncome = 12000
        working[0].hoursWorkedPerWeek = 20
        #expect(try benefits.estimate(input(working, tenure: "private_rent", rent: 15600, bedrooms: 4,
                                            brma: "CENTRAL_GREATER_MANCHESTER")).benefitCapReduction == 0)
    }

    @Test func aNonDependantsDeductionFollowsTheirIncomeAndHours() throws {
        let high = try benefits.estimate(input([person("a1", 76), person("n1", 40, unit: 1) {
            $0.employmentIncome = 30000; $0.hoursWorkedPerWeek = 37
        }], rent: 7800))
        let lines = try #require(high.explanation["housing_benefit"])
        // £30,000 a year is £576.92 a week gross: the £463–£577 band, £115.45.
        #expect(lines.contains { $0.step == "Non-dependant deduction (n1)" && $0.amount == 11545 })
        // Guarantee Credit passports the claimant: the rent of £150 a week less the deduction.
        #expect(high.housingBenefit == (15000 - 11545) * 52)
        // Working under 16 hours, the same income takes the lowest deduction, £19.65.
        let low = try benefits.estimate(input([person("a1", 76), person("n1", 40, unit: 1) {
            $0.employmentIncome = 30000; $0.hoursWorkedPerWeek = 10
        }], rent: 7800))
        #expect(low.housingBenefit == (15000 - 1965) * 52)
    }

    @Test func aWorkingAgeClaimFollowsTheCouncilsOwnScheme() throws {
        let household = [person("a1", 50) { $0.employmentIncome = 9000; $0.hoursWorkedPerWeek = 16 }]
        // Newham's scheme has a £6,000 capital limit; the default scheme's is £16,000.
        let newham = try benefits.estimate(input(household, tenure: "owner_outright", savings: 7000, council: "Newham"))
        #expect(newham.councilTaxReduction == 0)
        let lines = try #require(newham.explanation["council_tax_reduction"]).map(\.step)
        #expect(lines.contains("Savings over £6,000.00: no council tax reduction."))
        let manchester = try benefits.estimate(input(household, tenure: "owner_outright", savings: 7000))
        #expect(try #require(manchester.explanation["council_tax_reduction"]).map(\.step)
            .contains { $0.hasSuffix("Default scheme (SI 2012/2886)") })
        // Newham pays at most 70% of the bill: with no savings, the 30% is left to pay whatever the income.
        let poor = try benefits.estimate(input([person("a1", 50)], tenure: "owner_outright", council: "Newham"))
        #expect(poor.councilTaxReduction <= Money.roundHalfUp(97500 / 52 * 70, 100) * 52)
        // Oxford's banded scheme: the band gives the share of the bill.
        let oxford = try benefits.estimate(input(household, tenure: "owner_outright", council: "Oxford"))
        #expect(try #require(oxford.explanation["council_tax_reduction"]).contains { $0.step.hasPrefix("Income band:") })
    }

    @Test func councilsAreFoundByNameOrCode() throws {
        let directory = CouncilDirectory.bundled
        #expect(directory.find("MANCHESTER")?.gss == "E08000003")
        #expect(directory.find("e08000003")?.name == "Manchester City Council")
        #expect(directory.find("Kingston upon Thames")?.isLondon == true)
        #expect(directory.find("KINGSTON_UPON_THAMES")?.isLondon == true)
        #expect(directory.find("Lancashire") == nil)   // a county bills no council tax
        #expect(directory.find("Atlantis") == nil)
    }

    @Test(arguments: [
        (#"{"fiscal_year":"2025-26","council":"Manchester","dwelling":{"tenure":"owner_outright","council_tax_band":"B","council_tax_gross":1000},"people":[{"id":"a","role":"adult","age":40}],"colour":"red"}"#, "colour"),
        (#"{"fiscal_year":"2025-26","council":"Manchester","dwelling":{"tenure":"owner_outright","council_tax_band":"B","council_tax_gross":1000,"garden":true},"people":[{"id":"a","role":"adult","age":40}]}"#, "dwelling.garden"),
        (#"{"fiscal_year":"2025-26","council":"Manchester","dwelling":{"tenure":"owner_outright","council_tax_band":"B","council_tax_gross":1000},"people":[{"id":"a","role":"adult","age":40,"pets":2}]}"#, "people[0].pets"),
        (#"{"fiscal_year":"2025-26","council":"Manchester","dwelling":{"tenure":"owner_outright","council_tax_band":"B","council_tax_gross":1000},"people":[{"id":"a","role":"adult","age":"forty"}]}"#, "people[0].age"),
        (#"{"fiscal_year":"2019-20","council":"Manchester","dwelling":{"tenure":"owner_outright","council_tax_band":"B","council_tax_gross":1000},"people":[{"id":"a","role":"adult","age":40}]}"#, "fiscal_year"),
        (#"{"fiscal_year":"2025-26","council":"Atlantis","dwelling":{"tenure":"owner_outright","council_tax_band":"B","council_tax_gross":1000},"people":[{"id":"a","role":"adult","age":40}]}"#, "council"),
        (#"{"fiscal_year":"2025-26","council":"Manchester","dwelling":{"tenure":"social_rent","council_tax_band":"B","council_tax_gross":1000},"people":[{"id":"a","role":"adult","age":40}]}"#, "dwelling.rent_per_year"),
        (#"{"fiscal_year":"2025-26","council":"Manchester","dwelling":{"tenure":"castle","council_tax_band":"B","council_tax_gross":1000},"people":[{"id":"a","role":"adult","age":40}]}"#, "dwelling.tenure"),
        (#"{"fiscal_year":"2025-26","council":"Manchester","dwelling":{"tenure":"owner_outright","council_tax_band":"J","council_tax_gross":1000},"people":[{"id":"a","role":"adult","age":40}]}"#, "dwelling.council_tax_band"),
        (#"{"fiscal_year":"2025-26","council":"Manchester","dwelling":{"tenure":"owner_outright","council_tax_band":"B","council_tax_gross":-5},"people":[{"id":"a","role":"adult","age":40}]}"#, "dwelling.council_tax_gross"),
        (#"{"fiscal_year":"2025-26","council":"Manchester","dwelling":{"tenure":"owner_outright","council_tax_band":"B","council_tax_gross":1000},"people":[{"id":"a","role":"child","age":40}]}"#, "people[0].age"),
        (#"{"fiscal_year":"2025-26","council":"Manchester","dwelling":{"tenure":"owner_outright","council_tax_band":"B","council_tax_gross":1000},"people":[{"id":"a","role":"adult","age":40,"pip_mobility":"high"}]}"#, "people[0].pip_mobility"),
        (#"{"fiscal_year":"2025-26","council":"Manchester","dwelling":{"tenure":"owner_outright","council_tax_band":"B","council_tax_gross":1000},"people":[{"id":"a","role":"adult","age":40},{"id":"a","role":"adult","age":41}]}"#, "people[1].id"),
        (#"{"fiscal_year":"2025-26","council":"Manchester","dwelling":{"tenure":"owner_outright","council_tax_band":"B","council_tax_gross":1000},"people":[{"id":"c","role":"child","age":4}]}"#, "people"),
        (#"{"fiscal_year":"2025-26","council":"Manchester","dwelling":{"tenure":"owner_outright","council_tax_band":"B","council_tax_gross":1000},"people":[{"id":"a","role":"adult","age":40}],"brma":"NARNIA"}"#, "brma"),
        (#"{"fiscal_year":"2025-26","council":"Manchester","dwelling":{"tenure":"owner_outright","council_tax_band":"B","council_tax_gross":1000}}"#, "people"),
    ])
    func badInputNamesTheField(body: String, field: String) throws {
        let error = #expect(throws: TownhallError.self) {
            _ = try benefits.estimate(try Benefits.decodeInput(Data(body.utf8)))
        }
        #expect(error?.field == field, "\(error?.description ?? "no error")")
        #expect(error?.kind == .invalid)
    }
}
