import TownhallKernel

/// Something that changes what a dwelling pays for a while: an exemption, the disabled band reduction, a discount or a
/// premium, or a local reduction. Each has dates and the evidence it was granted on.
public struct Adjustment: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Exempt dwelling (Exempt Dwellings Order 1992): the charge is nil. Needs `exemptionClass`.
        case exemption
        /// Charged at the band below; band A pays 5/9 of Band D.
        case disabledBandReduction = "disabled_band_reduction"
        /// One adult resident who is not disregarded: 25 %.
        case singlePersonDiscount = "single_person_discount"
        /// Every resident disregarded: 50 %.
        case allDisregardedDiscount = "all_disregarded_discount"
        /// An empty dwelling's local discount (s11A): `percent` of 0–100.
        case emptyHomeDiscount = "empty_home_discount"
        /// Long-term empty premium (s11B): `percent` of 100 (1 year), 200 (5 years) or 300 (10 years).
        case emptyHomePremium = "empty_home_premium"
        /// Second homes premium (s11C, from 1 April 2025): `percent` of 1–100.
        case secondHomePremium = "second_home_premium"
        /// A s13A(1)(c) discretionary reduction: `percent` of 1–100, applied after discounts.
        case localReduction = "local_reduction"
        /// Business rates: small business rate relief (one property, or others each under £2,900 RV); the share follows
        /// the rateable value.
        case smallBusinessRateRelief = "small_business_rate_relief"
        /// Business rates: mandatory charitable (or CASC) relief, 80 %. Rules out small business rate relief.
        case charitableRelief = "charitable_relief"
        /// Business rates: retail, hospitality or leisure use (40 % relief in 2025/26; the RHL multipliers from 2026/27).
        case retailHospitalityLeisure = "retail_hospitality_leisure"
        /// Business rates: a s47 discretionary relief, `percent` of 1–100, taken off last.
        case discretionaryRelief = "discretionary_relief"
        /// Business rates: the empty property relief period (3 months after a property empties, 6 for industrial), when
        /// nothing is due.
        case emptyPropertyRelief = "empty_property_relief"
        /// A council tax reduction award (LGFA 1992 s13A(1)(a), the council's scheme): `amount` pence a year, taken off
        /// day by day after every discount, never below nil. Made by a benefits decision, not by hand.
        case councilTaxReduction = "council_tax_reduction"

        /// The kinds an officer adds by hand; council tax reduction comes from a benefits award.
        public static var manual: [Kind] { allCases.filter { $0 != .councilTaxReduction } }

        public var title: String {
            switch self {
            case .exemption: "Exemption"
            case .disabledBandReduction: "Disabled band reduction"
            case .singlePersonDiscount: "Single person discount (25%)"
            case .allDisregardedDiscount: "All residents disregarded (50%)"
            case .emptyHomeDiscount: "Empty home discount"
            case .emptyHomePremium: "Long-term empty premium"
            case .secondHomePremium: "Second homes premium"
            case .localReduction: "Local discretionary reduction"
            case .smallBusinessRateRelief: "Small business rate relief"
            case .charitableRelief: "Mandatory charitable relief (80%)"
            case .retailHospitalityLeisure: "Retail, hospitality and leisure"
            case .discretionaryRelief: "Discretionary relief"
            case .emptyPropertyRelief: "Empty property relief"
            case .councilTaxReduction: "Council tax reduction"
            }
        }

        /// The tax this adjustment belongs to.
        public var tax: Tax {
            switch self {
            case .smallBusinessRateRelief, .charitableRelief, .retailHospitalityLeisure, .discretionaryRelief, .emptyPropertyRelief: .businessRates
            default: .councilTax
            }
        }

        /// Which adjustments describe who lives there: at most one of these applies on any day.
        var isOccupancy: Bool { [.singlePersonDiscount, .allDisregardedDiscount, .emptyHomeDiscount, .emptyHomePremium, .secondHomePremium].contains(self) }
    }

    /// Exempt Dwellings Order 1992 (England) classes in force.
    public static let exemptionClasses: [String: String] = [
        "B": "Unoccupied, owned by a charity", "D": "Unoccupied, liable person detained", "E": "Unoccupied, liable person in hospital or a care home",
        "F": "Unoccupied, liable person has died", "G": "Occupation prohibited by law", "H": "Held for a minister of religion",
        "I": "Unoccupied, person receiving care elsewhere", "J": "Unoccupied, person providing care elsewhere", "K": "Left empty by a student owner",
        "L": "Repossessed", "M": "Halls of residence", "N": "Occupied only by students", "O": "Armed forces accommodation",
        "P": "Visiting forces", "Q": "Trustee in bankruptcy liable", "R": "Empty caravan pitch or boat mooring", "S": "Occupied only by under-18s",
        "T": "Unoccupied annex that cannot be let separately", "U": "Occupied only by severely mentally impaired people",
        "V": "Diplomats", "W": "Annex occupied by a dependent relative",
    ]

    public var kind: Kind
    public var span: DateSpan
    public var exemptionClass: String?
    public var percent: Int?
    /// Pence a year, for a council tax reduction award.
    public var amount: Int64?
    public var evidence: String

    public init(kind: Kind, span: DateSpan, exemptionClass: String? = nil, percent: Int? = nil, amount: Int64? = nil, evidence: String = "") {
        self.kind = kind; self.span = span; self.exemptionClass = exemptionClass; self.percent = percent; self.amount = amount
        self.evidence = evidence
    }

    /// The percentage this adjustment takes off (negative) or adds to (positive) the charge, for the occupancy kinds.
    var occupancyChange: Int {
        switch kind {
        case .singlePersonDiscount: -25
        case .allDisregardedDiscount: -50
        case .emptyHomeDiscount: -(percent ?? 0)
        case .emptyHomePremium, .secondHomePremium: percent ?? 0
        default: 0
        }
    }

    /// Checks the fields this kind needs, and that it does not clash with the account's others (one occupancy status,
    /// one exemption, one disabled reduction and one local reduction on any day).
    public func validated(against others: [Adjustment], tax: Tax = .councilTax) throws -> Adjustment {
        guard kind.tax == tax else {
            let allowed = Kind.allCases.filter { $0.tax == tax }.map(\.rawValue).joined(separator: ", ")
            throw TownhallError.invalid("kind", "\(kind.title) does not apply to \(tax.phrase); use one of \(allowed).", code: "wrong_tax")
        }
        var a = self
        a.span = try span.validated()
        a.evidence = evidence.trimmingCharacters(in: .whitespacesAndNewlines)
        guard a.evidence.count <= 2000 else { throw TownhallError.invalid("evidence", "Keep the evidence note under 2,000 characters.") }
        switch kind {
        case .exemption:
            guard let c = exemptionClass?.trimmingCharacters(in: .whitespaces).uppercased(), Adjustment.exemptionClasses[c] != nil else {
                throw TownhallError.invalid("exemption_class", "Give the exemption class: one of \(Adjustment.exemptionClasses.keys.sorted().joined(separator: ", ")).",
                                            code: "invalid_exemption_class")
            }
            a.exemptionClass = c; a.percent = nil
        case .emptyHomeDiscount, .localReduction, .secondHomePremium, .discretionaryRelief:
            let range = kind == .emptyHomeDiscount ? 0...100 : 1...100
            guard let p = percent, range.contains(p) else {
                throw TownhallError.invalid("percent", "\(kind.title) needs a percentage from \(range.lowerBound) to \(range.upperBound).", code: "invalid_percent")
            }
            a.exemptionClass = nil
        case .emptyHomePremium:
            guard let p = percent, [100, 200, 300].contains(p) else {
                throw TownhallError.invalid("percent", "The long-term empty premium is 100 (empty a year), 200 (five years) or 300 (ten years).", code: "invalid_percent")
            }
            a.exemptionClass = nil
        case .councilTaxReduction:
            guard let amount, amount > 0, amount <= 10_000_000 else {
                throw TownhallError.invalid("amount", "A council tax reduction needs an amount a year above nil.", code: "invalid_amount")
            }
            a.exemptionClass = nil; a.percent = nil
        case .disabledBandReduction, .singlePersonDiscount, .allDisregardedDiscount, .smallBusinessRateRelief, .charitableRelief, .retailHospitalityLeisure,
             .emptyPropertyRelief:
            a.exemptionClass = nil; a.percent = nil
        }
        for other in others where other.span.overlaps(a.span) {
            // Charitable relief and small business rate relief are alternatives.
            let alternatives: Set<Kind> = [.charitableRelief, .smallBusinessRateRelief]
            let clash = (other.kind.isOccupancy && a.kind.isOccupancy) || (!other.kind.isOccupancy && other.kind == a.kind)
                || (alternatives.contains(other.kind) && alternatives.contains(a.kind))
            if clash {
                throw TownhallError.conflict("\(other.kind.title) already applies from \(other.span.from)\(other.span.to.map { " to \($0)" } ?? ""); end it first.",
                                             code: "overlapping_adjustment", field: "from")
            }
        }
        return a
    }
}

/// The runs of days in a year's liability over which nothing changes, as (first day, day after the last) day numbers: cut
/// on every date something starts (a list entry, an adjustment) and the day after something ends. Empty when the account
/// is not liable in the year.
enum DayRuns {
    static func of(year: FinancialYear, liable: DateSpan, changes: [LocalDate], adjustments: [Adjustment]) -> [(start: Int, next: Int)] {
        let first = max(year.start, liable.from), last = min(year.end, liable.to ?? year.end)
        guard first <= last else { return [] }
        var cuts = Set([first.dayNumber, last.dayNumber + 1])
        for d in changes { cuts.insert(d.dayNumber) }
        for a in adjustments {
            cuts.insert(a.span.from.dayNumber)
            if let to = a.span.to { cuts.insert(to.dayNumber + 1) }
        }
        let points = cuts.filter { $0 >= first.dayNumber && $0 <= last.dayNumber + 1 }.sorted()
        return zip(points, points.dropFirst()).map { (start: $0, next: $1) }
    }
}

/// A dwelling's band over time, from the valuation list: each entry holds from its date until the next one's.
public struct BandHistory: Sendable, Equatable {
    public var entries: [(from: LocalDate, band: CouncilTaxBand)]
    public init(_ entries: [(from: LocalDate, band: CouncilTaxBand)]) { self.entries = entries.sorted { $0.from < $1.from } }
    public func band(on day: LocalDate) -> CouncilTaxBand? { entries.last { $0.from <= day }?.band }
    public static func == (l: BandHistory, r: BandHistory) -> Bool {
        l.entries.count == r.entries.count && zip(l.entries, r.entries).allSatisfy { $0.from == $1.from && $0.band == $1.band }
    }
}

/// What one council-tax account owes for one financial year: liability is daily (LGFA 1992 s2), so the year is cut into
/// runs of days over which nothing changes, each run is charged at its annual amount × days ÷ days in the year, and the
/// sum is rounded half-up to the penny once, at the end.
public enum CouncilTaxLiability {
    public struct Segment: Sendable, Hashable, Codable {
        public var from: LocalDate
        public var to: LocalDate
        public var band: CouncilTaxBand
        /// The annual amount before discounts (after the disabled band reduction).
        public var gross: Int64
        /// 100 = full charge; 75 with single person discount; 200 with a 100 % premium; 0 when exempt.
        public var percent: Int
        public var localReduction: Int
        /// A council tax reduction award's pence a year over these days, taken off after the percentages.
        public var reduction: Int64?
        public var exemptionClass: String?
        public var days: Int { to.dayNumber - from.dayNumber + 1 }
    }

    public struct Result: Sendable, Equatable {
        public var total: Int64
        public var segments: [Segment]
        /// Days in the liability period the valuation list gives no band for (the account cannot be billed for them).
        public var unbandedDays: Int
    }

    /// - Parameters:
    ///   - liable: the account's liability period (move-in to move-out).
    ///   - charges: the year's charges for the dwelling's area.
    public static func compute(year: FinancialYear, liable: DateSpan, bands: BandHistory, adjustments: [Adjustment], charges: CouncilTaxCharges) -> Result {
        var segments: [Segment] = [], unbanded = 0
        var numerator: Int64 = 0
        for (start, next) in DayRuns.of(year: year, liable: liable, changes: bands.entries.map(\.from), adjustments: adjustments) {
            let day = LocalDate(dayNumber: start)
            guard let band = bands.band(on: day) else { unbanded += next - start; continue }
            let active = adjustments.filter { $0.span.contains(day) }
            let exemption = active.first { $0.kind == .exemption }
            let reduced = active.contains { $0.kind == .disabledBandReduction }
            let gross = reduced ? charges.reducedAmount(band) : charges.amount(band)
            let percent = exemption != nil ? 0 : 100 + (active.first { $0.kind.isOccupancy }?.occupancyChange ?? 0)
            let local = exemption != nil ? 0 : (active.first { $0.kind == .localReduction }?.percent ?? 0)
            let reduction = exemption != nil ? nil : active.first { $0.kind == .councilTaxReduction }?.amount
            let segment = Segment(from: day, to: LocalDate(dayNumber: next - 1), band: band, gross: gross, percent: percent, localReduction: local,
                                  reduction: reduction, exemptionClass: exemption?.exemptionClass)
            // In units of a ten-thousandth of a penny-year: the award comes off the day's charge, which cannot go below nil.
            let charged = gross * Int64(percent) * Int64(100 - local) * Int64(segment.days)
            numerator += max(0, charged - (reduction ?? 0) * 10_000 * Int64(segment.days))
            if let last = segments.last, last.band == band, last.gross == gross, last.percent == percent, last.localReduction == local,
               last.reduction == reduction, last.exemptionClass == segment.exemptionClass, last.to.dayNumber + 1 == start {
                segments[segments.count - 1].to = segment.to
            } else {
                segments.append(segment)
            }
        }
        return Result(total: Money.roundHalfUp(numerator, 10_000 * Int64(year.days)), segments: segments, unbandedDays: unbanded)
    }
}
