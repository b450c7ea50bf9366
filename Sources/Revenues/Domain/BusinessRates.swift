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

    /// The annual charge in pence: RV × multiplier, less small business rate relief when the ratepayer qualifies, rounded
    /// half-up to the penny once.
    public static func annualCharge(year: FinancialYear, rateableValue rv: Int64, smallBusiness: Bool, retailHospitalityLeisure rhl: Bool = false) throws -> Int64 {
        guard rv >= 0 else { throw TownhallError.invalid("rateable_value", "A rateable value cannot be negative.", code: "invalid_amount") }
        let m = try multiplier(year: year, rateableValue: rv, retailHospitalityLeisure: rhl)
        let relief = smallBusiness ? smallBusinessRelief(rateableValue: rv) : 0
        return Money.roundHalfUp(rv * m * (3000 - relief), 3000 * 10)
    }
}
