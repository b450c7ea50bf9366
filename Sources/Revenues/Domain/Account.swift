import TownhallKernel

public enum RevenuesAccountTag {}
public typealias RevenuesAccountID = Identifier<RevenuesAccountTag>
public enum BillTag {}
public typealias BillID = Identifier<BillTag>
public enum PaymentTag {}
public typealias PaymentID = Identifier<PaymentTag>
public enum BillingRunTag {}
public typealias BillingRunID = Identifier<BillingRunTag>

/// A person liable on an account. Joint and several: everyone listed owes the whole charge.
public struct LiableParty: Sendable, Codable, Equatable {
    public var personID: PersonID?
    public var name: String
    public init(personID: PersonID?, name: String) { self.personID = personID; self.name = name }
}

/// A revenues account: who is liable for one dwelling's council tax, or one hereditament's business rates (by UPRN), from
/// the day they became liable (move-in) to the day they stopped (move-out). A move is the end of one account and the start
/// of another; two accounts for the same property and tax never cover the same day.
public struct CouncilTaxAccount: Sendable, Codable, Equatable {
    public var id: RevenuesAccountID
    public var organisationID: OrganisationID
    public var tax: Tax
    /// The account number printed on bills, `CT` (council tax) or `BR` (business rates) and eight digits.
    public var reference: String
    public var uprn: UPRN
    public var propertyID: PropertyID?
    public var liable: DateSpan
    public var parties: [LiableParty]
    /// Twelve monthly instalments on request (reg 21(1A)); ten otherwise.
    public var twelveInstalments: Bool
    /// Day of the month instalments fall due, 1–28.
    public var instalmentDay: Int
    /// Bills go by email through the outbox when set (e-billing opt-in).
    public var eBillingEmail: String?
    /// Closed accounts take no payments and no changes.
    public var closedAt: Timestamp?
    public var createdAt: Timestamp
    public var version: Int

    public var isClosed: Bool { closedAt != nil }
}

/// Input for opening an account.
public struct NewCouncilTaxAccount: Sendable, Codable, Equatable {
    /// `council_tax` (the default) or `business_rates`.
    public var tax: String?
    public var uprn: Int64?
    public var liableFrom: String?
    public var liableTo: String?
    /// People on the register (ids) or names (a landlord not on it).
    public var parties: [Party]
    public var twelveInstalments: Bool?
    public var instalmentDay: Int?
    public var eBillingEmail: String?

    public struct Party: Sendable, Codable, Equatable {
        public var personID: String?
        public var name: String?
        public init(personID: String? = nil, name: String? = nil) { self.personID = personID; self.name = name }
    }

    public init(uprn: Int64?, liableFrom: String?, liableTo: String? = nil, parties: [Party], twelveInstalments: Bool? = nil, instalmentDay: Int? = nil,
                eBillingEmail: String? = nil, tax: String? = nil) {
        self.tax = tax; self.uprn = uprn; self.liableFrom = liableFrom; self.liableTo = liableTo; self.parties = parties
        self.twelveInstalments = twelveInstalments; self.instalmentDay = instalmentDay; self.eBillingEmail = eBillingEmail
    }

    /// The checked parts: the UPRN, the liability period, and the instalment choices. Parties are resolved by the service.
    public func validated() throws -> (tax: Tax, uprn: UPRN, liable: DateSpan, day: Int, email: String?) {
        let tax = try Tax.parse(tax)
        guard let raw = uprn else { throw TownhallError.missing("uprn", "Give the property's UPRN.") }
        let uprn = try UPRN(raw)
        guard let from = liableFrom, !from.isEmpty else { throw TownhallError.missing("liable_from", "Give the date liability starts (the move-in date).") }
        let span = try DateSpan(from: try LocalDate(parsing: from, field: "liable_from"),
                                to: try liableTo.flatMap { $0.isEmpty ? nil : try LocalDate(parsing: $0, field: "liable_to") }).validated(field: "liable_to")
        let day = instalmentDay ?? 1
        guard (1...28).contains(day) else { throw TownhallError.invalid("instalment_day", "The instalment day must be from 1 to 28.") }
        guard !parties.isEmpty, parties.count <= 10 else { throw TownhallError.missing("parties", "Name between one and ten liable people.") }
        let email = try eBillingEmail.flatMap { $0.isEmpty ? nil : try ContactPointRules.email($0, field: "e_billing_email") }
        return (tax, uprn, span, day, email)
    }
}

/// An adjustment as held on an account.
public struct AccountAdjustment: Sendable, Codable, Equatable {
    public var id: String
    public var adjustment: Adjustment
    public var createdAt: Timestamp
}

/// A demand notice: the annual bill (sequence 1) or a revised one after a change (2, 3, …). The latest for a year is the
/// account's charge for it, with its instalments.
public struct Bill: Sendable, Codable, Equatable {
    public var id: BillID
    public var organisationID: OrganisationID
    public var accountID: RevenuesAccountID
    public var year: FinancialYear
    public var sequence: Int
    public var issuedOn: LocalDate
    public var total: Int64
    public var band: CouncilTaxBand?
    public var area: String
    /// The preceptors' lines for the band, with last year's amounts.
    public var lines: [NoticeLine]
    public var segments: [CouncilTaxLiability.Segment]
    /// Business rates: the runs of days with their rateable value, multiplier and reliefs (empty on council tax bills).
    public var rates: [BusinessRatesLiability.Segment]
    public var instalments: [Instalment]
    public var runID: BillingRunID?
    public var createdAt: Timestamp

    public init(id: BillID, organisationID: OrganisationID, accountID: RevenuesAccountID, year: FinancialYear, sequence: Int, issuedOn: LocalDate, total: Int64,
                band: CouncilTaxBand?, area: String, lines: [NoticeLine], segments: [CouncilTaxLiability.Segment], rates: [BusinessRatesLiability.Segment] = [],
                instalments: [Instalment], runID: BillingRunID?, createdAt: Timestamp) {
        self.id = id; self.organisationID = organisationID; self.accountID = accountID; self.year = year; self.sequence = sequence; self.issuedOn = issuedOn
        self.total = total; self.band = band; self.area = area; self.lines = lines; self.segments = segments; self.rates = rates; self.instalments = instalments
        self.runID = runID; self.createdAt = createdAt
    }



    /// The bill that stands for each year: the latest issued.
    public static func standing(_ bills: [Bill]) -> [FinancialYear: Bill] {
        var latest: [FinancialYear: Bill] = [:]
        for b in bills where (latest[b.year]?.sequence ?? 0) < b.sequence { latest[b.year] = b }
        return latest
    }
}

public struct RevenuesPayment: Sendable, Codable, Equatable {
    public var id: PaymentID
    public var accountID: RevenuesAccountID
    public var amount: Int64
    public var receivedOn: LocalDate
    public var method: PaymentMethod
    public var reference: String?
    public var directedTo: FinancialYear?
    public var createdAt: Timestamp

    public init(id: PaymentID, accountID: RevenuesAccountID, amount: Int64, receivedOn: LocalDate, method: PaymentMethod, reference: String?,
                directedTo: FinancialYear?, createdAt: Timestamp) {
        self.id = id; self.accountID = accountID; self.amount = amount; self.receivedOn = receivedOn; self.method = method; self.reference = reference
        self.directedTo = directedTo; self.createdAt = createdAt
    }
}

/// Input for recording a payment.
public struct NewPayment: Sendable, Codable, Equatable {
    /// Pounds as text (`125.50`) or pence; one of them.
    public var amount: String?
    public var amountPence: Int64?
    public var method: String?
    public var receivedOn: String?
    public var reference: String?
    public var year: String?

    public init(amount: String? = nil, amountPence: Int64? = nil, method: String?, receivedOn: String? = nil, reference: String? = nil, year: String? = nil) {
        self.amount = amount; self.amountPence = amountPence; self.method = method; self.receivedOn = receivedOn; self.reference = reference; self.year = year
    }

    public func validated(today: LocalDate) throws -> (amount: Int64, method: PaymentMethod, on: LocalDate, reference: String?, year: FinancialYear?) {
        let pence: Int64
        if let p = amountPence { pence = p } else if let a = amount, !a.trimmingCharacters(in: .whitespaces).isEmpty { pence = try Money.parse(a, field: "amount") }
        else { throw TownhallError.missing("amount", "Enter the amount paid.") }
        guard pence > 0 else { throw TownhallError.invalid("amount", "A payment must be more than £0.00; record a refund separately.", code: "negative_amount") }
        guard pence <= 10_000_000_00 else { throw TownhallError.invalid("amount", "A payment cannot be more than £10,000,000.", code: "invalid_amount") }
        guard let raw = method, let method = PaymentMethod(rawValue: raw) else {
            throw TownhallError.invalid("method", "Say how it was paid: \(PaymentMethod.allCases.map(\.rawValue).joined(separator: ", ")).", code: "invalid_method")
        }
        let on = try receivedOn.flatMap { $0.isEmpty ? nil : try LocalDate(parsing: $0, field: "received_on") } ?? today
        guard on <= today else { throw TownhallError.invalid("received_on", "A payment cannot be received in the future.", code: "future_date") }
        let reference = reference?.trimmingCharacters(in: .whitespaces)
        guard (reference?.count ?? 0) <= 60 else { throw TownhallError.invalid("reference", "Keep the payment reference under 60 characters.") }
        let year = try year.flatMap { $0.isEmpty ? nil : try FinancialYear(parsing: $0, field: "year") }
        return (pence, method, on, reference?.isEmpty == true ? nil : reference, year)
    }
}

/// A billing run's progress, kept in the database with the bills it wrote, so it is visible from any node.
public struct BillingRun: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case running, finished, failed }
    public var id: BillingRunID
    public var organisationID: OrganisationID
    public var year: FinancialYear
    public var issuedOn: LocalDate
    public var status: Status
    /// Accounts liable in the year, known when the run starts.
    public var accounts: Int
    public var created: Int
    public var alreadyBilled: Int
    public var notBilled: Int
    public var startedAt: Timestamp
    public var finishedAt: Timestamp?
    public var message: String?

    public var done: Int { created + alreadyBilled + notBilled }
    public var percentDone: Int { accounts == 0 ? 100 : min(100, done * 100 / accounts) }
    /// The line operators and scripts check: `billed N accounts: C created, S already billed`.
    public var summary: String { "billed \(created + alreadyBilled) accounts: \(created) created, \(alreadyBilled) already billed" }
}

/// A line of the account statement: bills and revisions as debits, payments as credits, with the running balance.
public struct StatementLine: Sendable, Codable, Equatable {
    public var date: LocalDate
    public var description: String
    public var year: FinancialYear?
    public var debit: Int64
    public var credit: Int64
    public var balance: Int64
}

/// A valuation list entry for a dwelling: its band from a date, and the charging area (parish) it is in.
public struct BandEntry: Sendable, Codable, Equatable {
    public var uprn: UPRN
    public var from: LocalDate
    public var band: CouncilTaxBand
    public var area: String
    public init(uprn: UPRN, from: LocalDate, band: CouncilTaxBand, area: String) { self.uprn = uprn; self.from = from; self.band = band; self.area = area }

    /// Checks one entry as imported. The effective date defaults to 1 April 1993, when council tax began.
    public static func parse(uprn: String?, band: String?, from: String?, area: String?) throws -> BandEntry {
        let uprn = try UPRN(parsing: uprn ?? "")
        let band = try CouncilTaxBand.parse(band ?? "")
        let day = try from.flatMap { $0.isEmpty ? nil : try LocalDate(parsing: $0, field: "effective_from") } ?? LocalDate(year: 1993, month: 4, day: 1)
        let area = (area ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        guard area.count <= 40 else { throw TownhallError.invalid("area", "The charging area code is too long.") }
        return BandEntry(uprn: uprn, from: day, band: band, area: area)
    }
}

/// One year on an account: the charge (latest bill), what has been paid toward it and where the instalments stand.
public struct YearPosition: Sendable, Codable, Equatable {
    public var year: FinancialYear
    public var charge: Int64
    /// Recovery costs issued on the year (summons, liability order).
    public var costs: Int64
    public var paid: Int64
    public var outstanding: Int64
    public var arrears: Int64
    public var nextInstalment: Instalment?
    public var missedInstalments: Int
    /// The furthest recovery stage issued in the year.
    public var recoveryStage: RecoveryStage?
}

/// Everything about an account an officer or agent needs on one page.
public struct AccountView: Sendable, Codable, Equatable {
    public var account: CouncilTaxAccount
    public var adjustments: [AccountAdjustment]
    public var bills: [Bill]
    public var payments: [RevenuesPayment]
    public var recovery: [RecoveryAction]
    public var arrangements: [Arrangement]
    public var refunds: [Refund]
    public var years: [YearPosition]
    /// Everything owed less everything paid; negative is a credit.
    public var balance: Int64
    public var credit: Int64
    /// The bill for each year that stands (the latest issued).
    public var currentBills: [Bill] { Bill.standing(bills).values.sorted { $0.year < $1.year } }
}

/// An account the billing run could not bill, and why.
public struct NotBilled: Sendable, Codable, Equatable, Error {
    public var reference: String
    public var reason: String
}
