import TownhallKernel

/// Council tax valuation bands in England and their fixed ratios to Band D (LGFA 1992 s5(1)), in ninths.
public enum CouncilTaxBand: String, Sendable, CaseIterable, Codable, Comparable, CodingKeyRepresentable {
    case a = "A", b = "B", c = "C", d = "D", e = "E", f = "F", g = "G", h = "H"

    public var ninths: Int64 {
        switch self {
        case .a: 6
        case .b: 7
        case .c: 8
        case .d: 9
        case .e: 11
        case .f: 13
        case .g: 15
        case .h: 18
        }
    }

    /// The band below, for the disabled band reduction; nil for A, which instead pays 5/9 of Band D.
    public var below: CouncilTaxBand? {
        let all = CouncilTaxBand.allCases
        let i = all.firstIndex(of: self)!
        return i == 0 ? nil : all[i - 1]
    }

    public static func parse(_ raw: String, field: String = "band") throws -> CouncilTaxBand {
        guard let band = CouncilTaxBand(rawValue: raw.trimmingCharacters(in: .whitespaces).uppercased()) else {
            throw TownhallError.invalid(field, "\(raw.isEmpty ? "The band" : "Band \(raw)") is not a council tax band in England: use A to H.", code: "invalid_band")
        }
        return band
    }

    public static func < (l: CouncilTaxBand, r: CouncilTaxBand) -> Bool { l.ninths < r.ninths }
}

/// One authority's part of Band D in a charging area: the billing authority, its adult social care precept, the county,
/// police, fire, a combined authority, or the parish.
public struct Preceptor: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case billingAuthority = "billing_authority"
        case adultSocialCare = "adult_social_care"
        case county, police, fire
        case combinedAuthority = "combined_authority"
        case parish
    }

    public var name: String
    public var kind: Kind
    /// This year's Band D amount in pence.
    public var bandD: Int64
    /// Last year's, for the "% change" the demand notice shows.
    public var previousBandD: Int64?

    public init(name: String, kind: Kind, bandD: Int64, previousBandD: Int64? = nil) {
        self.name = name; self.kind = kind; self.bandD = bandD; self.previousBandD = previousBandD
    }
}

/// The council tax set for one financial year in one charging area (a parish, or the unparished area): each preceptor's
/// Band D, and the published band table where the council publishes figures that differ by rounding.
public struct CouncilTaxCharges: Sendable, Codable, Equatable {
    public var year: FinancialYear
    /// The parish or charging-area code; empty for the unparished area.
    public var area: String
    public var preceptors: [Preceptor]
    /// Published band amounts (pence) that override the computed ones.
    public var published: [CouncilTaxBand: Int64]

    public init(year: FinancialYear, area: String = "", preceptors: [Preceptor], published: [CouncilTaxBand: Int64] = [:]) {
        self.year = year; self.area = area; self.preceptors = preceptors; self.published = published
    }

    public var bandD: Int64 { preceptors.reduce(0) { $0 + $1.bandD } }

    /// One preceptor's amount for a number of ninths of Band D, rounded half-up to the penny.
    public static func share(_ bandD: Int64, ninths: Int64) -> Int64 { Money.roundHalfUp(bandD * ninths, 9) }

    /// Each preceptor's amount for a band (the lines of a demand notice).
    public func shares(_ band: CouncilTaxBand) -> [Int64] { preceptors.map { Self.share($0.bandD, ninths: band.ninths) } }

    /// The annual amount for a band: the published figure if there is one, otherwise each component × n/9 rounded
    /// half-up to the penny, then summed (the reference's method).
    public func amount(_ band: CouncilTaxBand) -> Int64 {
        published[band] ?? shares(band).reduce(0, +)
    }

    /// The annual amount for a dwelling with the disabled band reduction: the band below, and for band A, 5/9 of Band D.
    public func reducedAmount(_ band: CouncilTaxBand) -> Int64 {
        if let below = band.below { return amount(below) }
        return preceptors.reduce(0) { $0 + Self.share($1.bandD, ninths: 5) }
    }

    public func validated() throws -> CouncilTaxCharges {
        var c = self
        c.area = area.trimmingCharacters(in: .whitespaces).uppercased()
        guard c.area.count <= 40, c.area.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw TownhallError.invalid("area", "The charging area must be a short code of letters, digits and hyphens (or empty for the unparished area).")
        }
        guard !preceptors.isEmpty else { throw TownhallError.missing("preceptors", "Give each authority's Band D amount.") }
        var names = Set<String>()
        for (i, p) in preceptors.enumerated() {
            let name = p.name.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.count <= 120 else { throw TownhallError.invalid("preceptors[\(i)].name", "Each authority needs a name of up to 120 characters.") }
            guard names.insert(name.lowercased()).inserted else {
                throw TownhallError.invalid("preceptors[\(i)].name", "\(name) is listed twice.", code: "duplicate_preceptor")
            }
            guard p.bandD >= 0, p.bandD < 100_000_00 else {
                throw TownhallError.invalid("preceptors[\(i)].band_d", "A Band D amount must be between £0 and £100,000.", code: "invalid_amount")
            }
            if let prev = p.previousBandD, prev < 0 || prev >= 100_000_00 {
                throw TownhallError.invalid("preceptors[\(i)].previous_band_d", "A Band D amount must be between £0 and £100,000.", code: "invalid_amount")
            }
            c.preceptors[i].name = name
        }
        guard c.bandD > 0 else { throw TownhallError.invalid("preceptors", "Band D adds up to nothing.", code: "invalid_amount") }
        for (band, amount) in published where amount <= 0 || abs(amount - c.shares(band).reduce(0, +)) > Int64(preceptors.count) {
            // A published table differs from the computed one by at most a penny per component; more is a typing error.
            throw TownhallError.invalid("published.\(band.rawValue)", "The published Band \(band.rawValue) amount \(Money.format(amount)) is more than rounding away from \(Money.format(c.shares(band).reduce(0, +))).",
                                        code: "published_mismatch")
        }
        return c
    }

    /// The demand notice's lines for a band, each with last year's amount and % change. Adult social care is one line with
    /// the general element of the authority that levies it (Council Tax (Demand Notices) (England) (Amendment) Regulations
    /// 2025): the county in a two-tier area, the billing authority in a single-tier one. Every other preceptor keeps its own.
    public func noticeLines(_ band: CouncilTaxBand) -> [NoticeLine] {
        let levier: Preceptor.Kind = preceptors.contains { $0.kind == .county } ? .county : .billingAuthority
        var lines: [NoticeLine] = []
        var levierLine: Int?
        var socialCare: NoticeLine?
        for p in preceptors {
            let line = NoticeLine(name: p.name, amount: Self.share(p.bandD, ninths: band.ninths),
                                  previous: p.previousBandD.map { Self.share($0, ninths: band.ninths) })
            if p.kind == .adultSocialCare {
                if socialCare == nil { socialCare = line } else { socialCare?.absorb(line) }
                continue
            }
            if p.kind == levier && levierLine == nil { levierLine = lines.count }
            lines.append(line)
        }
        if let socialCare {
            // Charges with no levying authority listed still print the precept, on a line of its own.
            if let i = levierLine { lines[i].absorb(socialCare) } else { lines.append(socialCare) }
        }
        return lines
    }
}

public struct NoticeLine: Sendable, Codable, Hashable {
    public var name: String
    public var amount: Int64
    public var previous: Int64?

    /// The % change on last year to one decimal place, as notices print it.
    public var percentChange: String? {
        guard let previous, previous > 0 else { return nil }
        let tenths = Money.roundHalfUp((amount - previous) * 1000, previous)
        let sign = tenths < 0 ? "-" : ""
        return "\(sign)\(abs(tenths) / 10).\(abs(tenths) % 10)%"
    }

    public init(name: String, amount: Int64, previous: Int64?) { self.name = name; self.amount = amount; self.previous = previous }

    /// Adds another line's amounts to this one (last year's only when both have one).
    mutating func absorb(_ other: NoticeLine) {
        amount += other.amount
        previous = previous.flatMap { mine in other.previous.map { mine + $0 } }
    }
}
