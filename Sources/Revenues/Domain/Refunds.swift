import TownhallKernel

public enum RefundTag {}
public typealias RefundID = Identifier<RefundTag>
public enum RefundFileTag {}
public typealias RefundFileID = Identifier<RefundFileTag>

/// Money paid back out of an account's credit by bank transfer. A refund waits (`pending`) until it goes into a BACS file,
/// which is when it is paid; a pending one can be cancelled. Only a credit can be refunded, so refunds come out of the
/// payments that made the credit (the ledger takes them off the latest payments first).
public struct Refund: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable { case pending, paid, cancelled }
    public var id: RefundID
    public var organisationID: OrganisationID
    public var accountID: RevenuesAccountID
    public var amount: Int64
    public var payee: BankDetails
    public var reason: String
    public var status: Status
    public var requestedOn: LocalDate
    public var fileID: RefundFileID?
    public var createdAt: Timestamp

    public init(id: RefundID, organisationID: OrganisationID, accountID: RevenuesAccountID, amount: Int64, payee: BankDetails, reason: String, status: Status,
                requestedOn: LocalDate, fileID: RefundFileID?, createdAt: Timestamp) {
        self.id = id; self.organisationID = organisationID; self.accountID = accountID; self.amount = amount; self.payee = payee; self.reason = reason
        self.status = status; self.requestedOn = requestedOn; self.fileID = fileID; self.createdAt = createdAt
    }
}

/// A UK bank account to pay into: the sort code (six digits) and account number (eight), as BACS needs them.
public struct BankDetails: Sendable, Codable, Equatable {
    public var name: String
    public var sortCode: String
    public var accountNumber: String

    public init(name: String, sortCode: String, accountNumber: String) { self.name = name; self.sortCode = sortCode; self.accountNumber = accountNumber }

    /// Accepts `12-34-56` or `12 34 56`; account numbers of 6 or 7 digits are zero-padded on the left to 8, as banks do.
    public static func validated(name: String?, sortCode: String?, accountNumber: String?, prefix: String = "") throws -> BankDetails {
        let name = (name ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw TownhallError.missing("\(prefix)name", "Enter the name on the bank account.") }
        guard name.count <= 70 else { throw TownhallError.invalid("\(prefix)name", "Keep the account name under 70 characters.") }
        let sort = (sortCode ?? "").filter { $0 != "-" && $0 != " " }
        guard sort.count == 6, sort.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw TownhallError.invalid("\(prefix)sort_code", "Enter a sort code of six digits, like 30-94-57.", code: "invalid_sort_code")
        }
        let number = (accountNumber ?? "").filter { $0 != " " }
        guard (6...8).contains(number.count), number.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw TownhallError.invalid("\(prefix)account_number", "Enter an account number of 6 to 8 digits.", code: "invalid_account_number")
        }
        return BankDetails(name: name, sortCode: sort, accountNumber: String(repeating: "0", count: 8 - number.count) + number)
    }

    /// The account number with all but the last four digits hidden, for lists and audit.
    public var maskedAccountNumber: String { "****" + accountNumber.suffix(4) }

    /// Encoded (the API's JSON) with the account number masked: only the BACS file carries it whole.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(sortCode, forKey: .sortCode)
        try c.encode(maskedAccountNumber, forKey: .accountNumber)
    }
}

/// A BACS file of refunds: made once, from every refund pending at the time, and kept as made.
public struct RefundFile: Sendable, Codable, Equatable {
    public var id: RefundFileID
    public var organisationID: OrganisationID
    public var count: Int
    public var total: Int64
    public var processingDate: LocalDate
    public var content: String
    public var createdAt: Timestamp

    /// What the file is called when downloaded.
    public var filename: String { "refunds-\(processingDate).txt" }
}

/// BACS Standard 18 payment records without the volume and file labels (the "data only" form bureau software adds the
/// labels to). One 100-character record per credit:
/// - 1–6 destination sort code, 7–14 destination account number, 15 account type (`0`), 16–17 transaction code (`99`,
///   a credit);
/// - 18–23 and 24–31 the originator's (the council's) sort code and account number, 32–35 blank;
/// - 36–46 the amount in pence, eleven digits;
/// - 47–64 the originator's name, 65–82 the reference the payee sees, 83–100 the payee's name.
/// Names and references are upper-cased and limited to BACS's character set (A–Z, 0–9, space, `.`, `&`, `/`, `-`).
public enum BACSStandard18 {
    public static func record(to payee: BankDetails, amount: Int64, from originator: BankDetails, reference: String) -> String {
        payee.sortCode + payee.accountNumber + "0" + "99" + originator.sortCode + originator.accountNumber + "    "
            + String(format: "%011lld", amount) + field(originator.name) + field(reference) + field(payee.name)
    }

    public static func file(_ credits: [(payee: BankDetails, amount: Int64, reference: String)], from originator: BankDetails) -> String {
        credits.map { record(to: $0.payee, amount: $0.amount, from: originator, reference: $0.reference) + "\r\n" }.joined()
    }

    /// Eighteen characters: the allowed characters, upper case, padded with spaces or cut.
    static func field(_ text: String) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .&/-")
        let cleaned = String(text.uppercased().map { allowed.contains($0) ? $0 : " " }.prefix(18))
        return cleaned + String(repeating: " ", count: 18 - cleaned.count)
    }
}
