import Benefits
import Foundation
import Testing
import TownhallKernel

/// The checker against PolicyEngine UK on the reference households (tests/benefits/make_reference.py wrote the fixture;
/// PolicyEngine is not needed to run this). Each amount agrees within £5 a year or 1%, whichever is more (weekly and
/// monthly rounding), except the differences listed with their reasons in `benefits-differences.json` — and each of
/// those must still differ, so the list cannot go stale.
@Suite struct BenefitsReferenceTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            var input: Named
            var policyengine: [String: Value]
        }
        struct Named: Decodable {
            var name: String
            var body: EstimateInput
            init(from decoder: any Decoder) throws {
                name = try decoder.container(keyedBy: K.self).decode(String.self, forKey: K(stringValue: "name")!)
                body = try EstimateInput(from: decoder)
            }
        }
        enum Value: Decodable {
            case number(Double), flag(Bool)
            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let b = try? c.decode(Bool.self) { self = .flag(b) } else { self = .number(try c.decode(Double.self)) }
            }
        }
        var policyengineUk: String
        var households: [Case]
        enum CodingKeys: String, CodingKey { case policyengineUk = "policyengine_uk", households }
    }
    struct K: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
    struct Difference: Decodable { var household: String; var output: String; var why: String }

    /// The working-age council tax reduction schemes PolicyEngine models; elsewhere it reports none for working age.
    static let modelledWorkingAgeSchemes: Set<String> = ["E07000178", "E09000033", "E09000025", "E09000024", "E09000021"]

    static func load<T: Decodable>(_ name: String, as: T.Type) throws -> T {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json"))
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    @Test func theCheckerAgreesWithPolicyEngineOrSaysWhyNot() throws {
        let reference = try Self.load("benefits-reference", as: Reference.self)
        let known = try Self.load("benefits-differences", as: [Difference].self)
        var listed: [String: String] = [:]
        for d in known { listed["\(d.household)/\(d.output)"] = d.why }
        #expect(reference.households.count >= 60)
        let benefits = Benefits()
        var compared = 0
        var stillDiffer = Set<String>()
        for c in reference.households {
            let e = try benefits.estimate(c.input.body)
            let ours = Dictionary(uniqueKeysWithValues: e.amounts)
            let pensionAge = c.input.body.people.filter { $0.role == "adult" && ($0.benefitUnit ?? 0) == 0 }
                .allSatisfy { $0.age >= 66 }
            for (name, value) in c.policyengine {
                let key = "\(c.input.name)/\(name)"
                switch value {
                case .number(let theirs):
                    let mine = ours[name == "winter_fuel_allowance" ? "winter_fuel_payment" : name]!
                    if name == "council_tax_reduction" && !pensionAge && !Self.modelledWorkingAgeSchemes.contains(e.council.gss) {
                        continue   // PolicyEngine has no working-age scheme for this council: nothing to compare
                    }
                    let pence = Int64((theirs * 100).rounded())
                    let agrees = abs(mine - pence) <= max(500, abs(pence) / 100)
                    if listed[key] != nil {
                        if !agrees { stillDiffer.insert(key) }
                        continue
                    }
                    compared += 1
                    #expect(agrees, "\(key): Townhall \(Money(pence: mine)), PolicyEngine \(Money(pence: pence))")
                case .flag(let theirs):
                    // Townhall's flag means "an award is due"; PolicyEngine's means the basic conditions are met.
                    // So where Townhall says eligible, PolicyEngine must too.
                    let mine = switch name {
                    case "eligible_housing_benefit": e.eligibleHousingBenefit
                    case "eligible_universal_credit": e.eligibleUniversalCredit
                    default: e.eligiblePensionCredit
                    }
                    if listed[key] != nil {
                        if mine && !theirs { stillDiffer.insert(key) }
                        continue
                    }
                    compared += 1
                    #expect(!mine || theirs, "\(key): Townhall says eligible, PolicyEngine does not")
                }
            }
        }
        #expect(compared >= 500, "only \(compared) comparisons")
        for key in listed.keys.sorted() where !stillDiffer.contains(key) {
            Issue.record("\(key) is listed as a difference but now agrees: take it off benefits-differences.json")
        }
    }
}
