import Benefits
import Foundation
import Hummingbird
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// The eligibility checker over JSON: `POST /api/v1/benefits/estimate` takes a household and answers every benefit's
/// annual amount with its explanation. Nothing is stored.
public struct BenefitsRoutes: APIArea {
    let benefits: Benefits

    public init(services: ServiceRegistry) { benefits = services.require(Benefits.self) }

    public func addRoutes(api group: RouterGroup<TownhallContext>, root: Router<TownhallContext>) {
        group.post("benefits/estimate") { request, context in
            try context.requireActor().require(.benefitsEstimate)
            let data = try await BodyDecoding.json(from: request, context: context)
            let estimate = try await benefits.estimate(try Benefits.decodeInput(data))
            return try JSONResponse.make(EstimateBody(estimate))
        }
    }
}

extension BenefitsRoutes {
    public var operations: [APIOperation] {
        [APIOperation(method: "post", path: "/api/v1/benefits/estimate",
                      summary: "Estimate housing benefit, council tax reduction and the national benefits for a household",
                      tag: "benefits", body: "EstimateInput", response: "Estimate")]
    }

    public var schemas: [String: Any] {
        let money: [String: Any] = ["type": "number", "minimum": 0, "maximum": 10_000_000,
                                    "description": "Pounds a year"]
        let hours: [String: Any] = ["type": "number", "minimum": 0, "maximum": 168]
        func choice(_ values: [String]) -> [String: Any] { ["type": "string", "enum": values] }
        let person = obj([
            "id": ["type": "string", "minLength": 1, "maxLength": 40],
            "role": choice(["adult", "child"]),
            "age": ["type": "integer", "minimum": 0, "maximum": 120,
                    "description": "An adult is 16 or over; a child under 20."],
            "benefit_unit": ["type": "integer", "minimum": 0, "maximum": 19,
                             "description": "0 is the claimant's family; 1, 2… are non-dependants."],
            "employment_income": money, "self_employment_income": money, "private_pension": money, "state_pension": money,
            "hours_worked_per_week": hours, "care_hours_per_week": hours, "lcwra": ["type": "boolean"],
            "pip_daily_living": choice(PIPRate.allCases.map(\.rawValue)),
            "pip_mobility": choice(PIPRate.allCases.map(\.rawValue)),
            "attendance_allowance": choice(AttendanceAllowanceRate.allCases.map(\.rawValue)),
            "dla_care": choice(DLACareRate.allCases.map(\.rawValue)),
            "dla_mobility": choice(DLAMobilityRate.allCases.map(\.rawValue)),
        ], required: ["id", "role", "age"])
        let line = obj(["step": s, "amount": num, "period": choice(["week", "month", "year", "none"])])
        var estimate: [String: Any] = [
            "fiscal_year": s, "council_gss": s, "council_name": s,
            "eligible_housing_benefit": ["type": "boolean"], "eligible_universal_credit": ["type": "boolean"],
            "eligible_pension_credit": ["type": "boolean"],
            "explanation": ["type": "object", "additionalProperties": array(line)],
            "signposts": array(s),
        ]
        for name in ["council_tax_net", "council_tax_reduction", "housing_benefit", "universal_credit", "pension_credit",
                     "child_benefit", "carers_allowance", "winter_fuel_payment", "benefit_cap_reduction"] {
            estimate[name] = ["type": "number"]
        }
        return [
            "EstimateInput": obj([
                "fiscal_year": choice(RateBook.bundled.yearNames),
                "council": ["type": "string", "minLength": 1,
                            "description": "A billing authority: GSS code or name, case and punctuation ignored."],
                "brma": ["type": "string", "description": "Broad rental market area, for private tenants."],
                "dwelling": obj([
                    "tenure": choice(Tenure.allCases.map(\.rawValue)),
                    "rent_per_year": money,
                    "bedrooms": ["type": "integer", "minimum": 0, "maximum": 10],
                    "council_tax_band": ["type": "string", "pattern": "^[A-Ha-h]$"],
                    "council_tax_gross": money.merging(["description": "Pounds a year before discounts. Leave it out "
                        + "where Townhall bills council tax for the council: the band's charge for the year is used."]) { $1 },
                ], required: ["tenure", "council_tax_band"]),
                "savings": money,
                "people": ["type": "array", "items": person, "minItems": 1, "maxItems": 20],
            ], required: ["fiscal_year", "council", "dwelling", "people"]),
            "Estimate": obj(estimate),
        ]
    }
}
