import TownhallKernel

/// National non-domestic rates: the multipliers per year and small business rate relief (England).
public enum BusinessRates {
    /// The multiplier in tenths of a penny per pound of rateable value (49.9p is 499).
    /// - 2025/26: small business 49.9p (RV under £51,000), standard 55.5p.
    /// - 2026/27: small business 43.2p, or 38.2p for retail, hospitality and leisure (RHL); standard (£51,000–£499,999)
    ///   48.0p, or 43.0p RHL; high-value (RV £500,000 or more, all uses) 50.8p.
    public static func multiplier(year: FinancialYear, rateableValue rv: Int64, retailHospitalityLeisure rhl: Bool = false) throws -> Int64 {
        switch year.startYear {
        case 2025: return rv < 51_000 ? 499 : 555
        case 2026:
            if rv >= 500_000 { return 508 }
            if rv < 51_000 { return rhl ? 382 : 432 }
            return rhl ? 430 : 480
        default:
            throw TownhallError.invalid("year", "No business rates multipliers are held for \(year); Townhall has 2025/26 and 2026/27.", code: "no_multiplier")
        }
    }

    /// Small business rate relief as a fraction of 3,000: all of it up to £12,000 RV, tapering linearly to none at
    /// £15,000 ((15,000 − RV) / 3,000), so £13,500 gets 1,500/3,000 = 50 %.
    public static func smallBusinessRelief(rateableValue rv: Int64) -> Int64 {
        if rv <= 12_000 { return 3000 }
        if rv >= 15_000 { return 0 }
        return 15_000 - rv
    }
}

/// Which tax an account is for: council tax on a dwelling, or non-domestic rates on a hereditament. Both share accounts,
/// bills, instalments, payments and recovery; they differ in what the charge is worked out from.
public enum Tax: String, Sendable, Codable, CaseIterable {
    case councilTax = "council_tax"
    case businessRates = "business_rates"

    public var title: String { self == .councilTax ? "Council tax" : "Business rates" }
    /// How letters name it mid-sentence.
    public var phrase: String { self == .councilTax ? "council tax" : "business rates" }
    /// `council_tax` or `business_rates`; empty or absent is council tax.
    public static func parse(_ raw: String?, field: String = "tax") throws -> Tax {
        guard let raw, !raw.isEmpty else { return .councilTax }
        guard let tax = Tax(rawValue: raw) else {
            throw TownhallError.invalid(field, "\(field) is council_tax or business_rates.", code: "invalid_tax")
        }
        return tax
    }

    /// The account number's prefix, and the name of its sequence.
    var referencePrefix: String { self == .councilTax ? "CT" : "BR" }
}

/// A rating list entry: a hereditament's rateable value (whole pounds) from a date, as the Valuation Office Agency lists it.
public struct RatingEntry: Sendable, Codable, Equatable {
    public var uprn: UPRN
    public var from: LocalDate
    public var rateableValue: Int64
    /// The VOA's description, such as "Shop and premises".
    public var description: String
    public init(uprn: UPRN, from: LocalDate, rateableValue: Int64, description: String) {
        self.uprn = uprn; self.from = from; self.rateableValue = rateableValue; self.description = description
    }

    /// Checks one entry as typed or imported. The effective date defaults to 1 April 2023, the current list's start.
    public static func parse(uprn: String?, rateableValue: String?, from: String?, description: String?) throws -> RatingEntry {
        let uprn = try UPRN(parsing: uprn ?? "")
        let raw = (rateableValue ?? "").filter { $0 != "£" && $0 != "," && $0 != " " }
        guard !raw.isEmpty else { throw TownhallError.missing("rateable_value", "Give the rateable value in whole pounds.") }
        guard let rv = Int64(raw) else { throw TownhallError.invalid("rateable_value", "The rateable value \(raw) is not a whole number of pounds.", code: "invalid_amount") }
        guard rv >= 0, rv <= 1_000_000_000 else { throw TownhallError.invalid("rateable_value", "The rateable value must be from £0 to £1,000,000,000.", code: "invalid_amount") }
        let day = try from.flatMap { $0.isEmpty ? nil : try LocalDate(parsing: $0, field: "effective_from") } ?? LocalDate(year: 2023, month: 4, day: 1)
        let text = (description ?? "").trimmingCharacters(in: .whitespaces)
        guard text.count <= 200 else { throw TownhallError.invalid("description", "Keep the description under 200 characters.") }
        return RatingEntry(uprn: uprn, from: day, rateableValue: rv, description: text)
    }
}

/// What a hereditament owes for one financial year: each run of days with the same rateable value and reliefs is charged
/// at its annual net amount × days ÷ days in the year, and the sum is rounded half-up to the penny once (Local Government
/// Finance Act 1988 s43–44, daily). The annual amounts are worked out as bills print them: gross = RV × multiplier, then
/// each relief in turn on what is left, each to the penny.
public enum BusinessRatesLiability {
    public struct Segment: Sendable, Hashable, Codable {
        public var from: LocalDate
        public var to: LocalDate
        public var rateableValue: Int64
        /// Tenths of a penny per pound (499 is 49.9p).
        public var multiplier: Int64
        /// The annual amount before reliefs, in pence.
        public var gross: Int64
        /// Each relief's annual amount in pence, in the order taken off.
        public var reliefs: [Relief]
        public var net: Int64
        public var days: Int { to.dayNumber - from.dayNumber + 1 }
        /// The multiplier as bills print it: "43.2p".
        public var pence: String { "\(multiplier / 10).\(multiplier % 10)p" }
    }

    public struct Relief: Sendable, Hashable, Codable {
        public var kind: Adjustment.Kind
        /// The share taken off, in hundredths of a percent (50 % is 5000), for the notice.
        public var basisPoints: Int64
        public var amount: Int64
        public init(kind: Adjustment.Kind, basisPoints: Int64, amount: Int64) { self.kind = kind; self.basisPoints = basisPoints; self.amount = amount }
        /// The share as bills print it: "50%", "66.67%".
        public var percent: String { String(format: "%g%%", Double(basisPoints) / 100) }
    }

    public struct Result: Sendable, Equatable {
        public var total: Int64
        public var segments: [Segment]
        /// Days the rating list gives no value for.
        public var unlistedDays: Int
    }

    /// The annual amounts for one rateable value and set of reliefs in force:
    /// - empty property relief (the statutory exempt months) takes off everything;
    /// - mandatory charitable relief (80 %) and small business rate relief (by RV, tapering from £12,000 to £15,000) are
    ///   alternatives: a charity cannot also have SBRR, so charitable relief wins;
    /// - 2025/26 retail, hospitality and leisure relief (40 %) is taken off what is left (from 2026/27 RHL has its own,
    ///   lower multipliers instead);
    /// - a discretionary relief (s47) of its percentage comes last.
    public static func annual(year: FinancialYear, rateableValue rv: Int64, adjustments: [Adjustment]) throws -> Segment {
        let kinds = Set(adjustments.map(\.kind))
        let rhl = kinds.contains(.retailHospitalityLeisure)
        let m = try BusinessRates.multiplier(year: year, rateableValue: rv, retailHospitalityLeisure: rhl && year.startYear >= 2026)
        let gross = Money.roundHalfUp(rv * m, 10)
        var left = gross, reliefs: [Relief] = []
        // A share of what is left, as a fraction: SBRR's taper is exact (1 % per £30), not rounded to a percentage.
        func take(_ kind: Adjustment.Kind, _ numerator: Int64, _ denominator: Int64) {
            guard numerator > 0, left > 0 else { return }
            let amount = min(left, Money.roundHalfUp(left * numerator, denominator))
            reliefs.append(Relief(kind: kind, basisPoints: Money.roundHalfUp(numerator * 10_000, denominator), amount: amount))
            left -= amount
        }
        if kinds.contains(.emptyPropertyRelief) { take(.emptyPropertyRelief, 1, 1) }
        if kinds.contains(.charitableRelief) { take(.charitableRelief, 80, 100) }
        else if kinds.contains(.smallBusinessRateRelief) { take(.smallBusinessRateRelief, BusinessRates.smallBusinessRelief(rateableValue: rv), 3000) }
        if rhl && year.startYear == 2025 { take(.retailHospitalityLeisure, 40, 100) }
        if let d = adjustments.first(where: { $0.kind == .discretionaryRelief }), let p = d.percent { take(.discretionaryRelief, Int64(p), 100) }
        return Segment(from: year.start, to: year.end, rateableValue: rv, multiplier: m, gross: gross, reliefs: reliefs, net: left)
    }

    public static func compute(year: FinancialYear, liable: DateSpan, values: [RatingEntry], adjustments: [Adjustment]) throws -> Result {
        let values = values.sorted { $0.from < $1.from }
        var segments: [Segment] = [], unlisted = 0
        var numerator: Int64 = 0
        for (start, next) in DayRuns.of(year: year, liable: liable, changes: values.map(\.from), adjustments: adjustments) {
            let day = LocalDate(dayNumber: start)
            guard let rv = values.last(where: { $0.from <= day })?.rateableValue else { unlisted += next - start; continue }
            var segment = try annual(year: year, rateableValue: rv, adjustments: adjustments.filter { $0.span.contains(day) })
            segment.from = day
            segment.to = LocalDate(dayNumber: next - 1)
            numerator += segment.net * Int64(segment.days)
            if let previous = segments.last, previous.rateableValue == rv, previous.multiplier == segment.multiplier, previous.gross == segment.gross,
               previous.reliefs == segment.reliefs, previous.to.dayNumber + 1 == start {
                segments[segments.count - 1].to = segment.to
            } else {
                segments.append(segment)
            }
        }
        return Result(total: Money.roundHalfUp(numerator, Int64(year.days)), segments: segments, unlistedDays: unlisted)
    }
}
