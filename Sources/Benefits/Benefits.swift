import Foundation
import TownhallKernel

/// The benefits area's service. This first part is the eligibility checker: stateless, no database, the same answer for
/// the API, the CLI, the desk and the public page. Claims, awards and notices come next (issue 20).
public struct Benefits: Sendable {
    public let rates: RateBook
    public let councils: CouncilDirectory
    /// Each band's charge for a council and year where Townhall bills it (its revenues): what a resident who leaves
    /// `council_tax_gross` out is charged. Nil where Townhall does not bill for that council.
    public typealias BandCharges = @Sendable (Council, FinancialYear) async throws -> [Character: Int64]?
    let bandCharges: BandCharges?

    public init(rates: RateBook = .bundled, councils: CouncilDirectory = .bundled, bandCharges: BandCharges? = nil) {
        self.rates = rates; self.councils = councils; self.bandCharges = bandCharges
    }

    /// Validates the input (a 400 naming the field at fault) and estimates every benefit for the household.
    public func estimate(_ input: EstimateInput) throws -> Estimate {
        let (household, yearRates) = try input.validated(rates: rates, councils: councils)
        return Estimator(rates: yearRates).estimate(household)
    }

    /// As `estimate`, but a household that leaves `council_tax_gross` out is charged its band's charge for the year,
    /// where Townhall bills council tax for that council.
    public func estimate(_ input: EstimateInput) async throws -> Estimate {
        var charges: [Character: Int64]?
        if input.dwelling.councilTaxGross == nil, let bandCharges, let council = councils.find(input.council),
           let year = try? FinancialYear(parsing: input.fiscalYear, field: "fiscal_year") {
            charges = try await bandCharges(council, year)
        }
        let (household, yearRates) = try input.validated(rates: rates, councils: councils) { _, band, _ in charges?[band] }
        return Estimator(rates: yearRates).estimate(household)
    }

    /// Reads the estimate body from JSON bytes as the API does: unknown fields and wrong types are refused by name.
    public static func decodeInput(_ data: Data) throws -> EstimateInput {
        let top = try jsonObject(data)
        try checkFields(top, at: "")
        do { return try JSONDecoder().decode(EstimateInput.self, from: data) } catch let error as DecodingError {
            throw TownhallError(decoding: error)
        }
    }

    /// The body as a JSON object, or a 400 saying it is not one.
    public static func jsonObject(_ data: Data) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: data), let top = object as? [String: Any] else {
            throw TownhallError(.invalid, code: "malformed_json",
                                message: "The body is not a JSON object. Check for a missing quote, comma or brace.")
        }
        return top
    }

    /// Refuses a field the estimate input does not have, at any depth, named from `prefix` ("household." in a claim).
    public static func checkFields(_ top: [String: Any], at prefix: String) throws {
        try refuseUnknown(top, EstimateInput.fields, at: prefix)
        if let d = top["dwelling"] as? [String: Any] { try refuseUnknown(d, EstimateInput.dwellingFields, at: prefix + "dwelling.") }
        for (i, p) in ((top["people"] as? [Any]) ?? []).enumerated() {
            if let p = p as? [String: Any] { try refuseUnknown(p, EstimateInput.personFields, at: prefix + "people[\(i)].") }
        }
    }

    public static func refuseUnknown(_ object: [String: Any], _ fields: Set<String>, at prefix: String) throws {
        if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw TownhallError(.invalid, code: "unknown_field",
                                message: "\(prefix)\(unknown) is not a field here. Fields are: \(fields.sorted().joined(separator: ", ")).",
                                field: "\(prefix)\(unknown)")
        }
    }
}
