import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// All of the revenues area's SQL: the valuation list, charges, accounts, adjustments, bills, instalments, payments and
/// billing runs. Money is BIGINT pence; years are the starting calendar year.
enum RevenuesStore {
    static let migrations: [Migration] = [
        Migration("revenues.0001_council_tax", [
            """
            CREATE TABLE revenues_valuation (
                organisation_id TEXT NOT NULL, list TEXT NOT NULL, uprn BIGINT NOT NULL, effective_from TEXT NOT NULL,
                band TEXT, rateable_value BIGINT, area TEXT NOT NULL DEFAULT '', description TEXT, created_at TEXT NOT NULL,
                PRIMARY KEY (organisation_id, list, uprn, effective_from)
            )
            """,
            """
            CREATE TABLE revenues_charge (
                organisation_id TEXT NOT NULL, year INTEGER NOT NULL, area TEXT NOT NULL, position INTEGER NOT NULL,
                name TEXT NOT NULL, kind TEXT NOT NULL, band_d BIGINT NOT NULL, previous_band_d BIGINT,
                PRIMARY KEY (organisation_id, year, area, position)
            )
            """,
            """
            CREATE TABLE revenues_charge_published (
                organisation_id TEXT NOT NULL, year INTEGER NOT NULL, area TEXT NOT NULL, band TEXT NOT NULL, amount BIGINT NOT NULL,
                PRIMARY KEY (organisation_id, year, area, band)
            )
            """,
            "CREATE TABLE revenues_sequence (organisation_id TEXT NOT NULL, name TEXT NOT NULL, value BIGINT NOT NULL, PRIMARY KEY (organisation_id, name))",
            """
            CREATE TABLE revenues_account (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, reference TEXT NOT NULL, uprn BIGINT NOT NULL, property_id TEXT,
                liable_from TEXT NOT NULL, liable_to TEXT, twelve_instalments INTEGER NOT NULL DEFAULT 0, instalment_day INTEGER NOT NULL DEFAULT 1,
                e_billing_email TEXT, closed_at TEXT, created_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1,
                UNIQUE (organisation_id, reference)
            )
            """,
            "CREATE INDEX revenues_account_uprn ON revenues_account (organisation_id, uprn)",
            """
            CREATE TABLE revenues_liable (
                account_id TEXT NOT NULL REFERENCES revenues_account (id), position INTEGER NOT NULL, person_id TEXT, name TEXT NOT NULL,
                PRIMARY KEY (account_id, position)
            )
            """,
            "CREATE INDEX revenues_liable_person ON revenues_liable (person_id)",
            """
            CREATE TABLE revenues_adjustment (
                id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES revenues_account (id), kind TEXT NOT NULL, exemption_class TEXT,
                percent INTEGER, starts_on TEXT NOT NULL, ends_on TEXT, evidence TEXT NOT NULL, created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX revenues_adjustment_account ON revenues_adjustment (account_id)",
            """
            CREATE TABLE revenues_bill (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, account_id TEXT NOT NULL REFERENCES revenues_account (id),
                year INTEGER NOT NULL, sequence INTEGER NOT NULL, issued_on TEXT NOT NULL, total BIGINT NOT NULL, band TEXT, area TEXT NOT NULL,
                detail TEXT NOT NULL, run_id TEXT, created_at TEXT NOT NULL,
                UNIQUE (account_id, year, sequence)
            )
            """,
            "CREATE INDEX revenues_bill_year ON revenues_bill (organisation_id, year)",
            """
            CREATE TABLE revenues_instalment (
                bill_id TEXT NOT NULL REFERENCES revenues_bill (id), number INTEGER NOT NULL, due_on TEXT NOT NULL, amount BIGINT NOT NULL,
                PRIMARY KEY (bill_id, number)
            )
            """,
            """
            CREATE TABLE revenues_payment (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, account_id TEXT NOT NULL REFERENCES revenues_account (id),
                amount BIGINT NOT NULL, received_on TEXT NOT NULL, method TEXT NOT NULL, reference TEXT, directed_year INTEGER, created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX revenues_payment_account ON revenues_payment (account_id)",
            // A bank's or card processor's reference is taken once per account: re-importing a payment file adds nothing.
            "CREATE UNIQUE INDEX revenues_payment_reference ON revenues_payment (account_id, method, reference) WHERE reference IS NOT NULL",
            """
            CREATE TABLE revenues_billing_run (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, year INTEGER NOT NULL, issued_on TEXT NOT NULL, status TEXT NOT NULL,
                accounts INTEGER NOT NULL, created INTEGER NOT NULL DEFAULT 0, already_billed INTEGER NOT NULL DEFAULT 0,
                not_billed INTEGER NOT NULL DEFAULT 0, started_at TEXT NOT NULL, finished_at TEXT, message TEXT
            )
            """,
            "CREATE INDEX revenues_billing_run_year ON revenues_billing_run (organisation_id, year)",
        ]),
        Migration("revenues.0002_recovery", [
            """
            CREATE TABLE revenues_recovery_settings (
                organisation_id TEXT PRIMARY KEY, reminder_after_days INTEGER NOT NULL, minimum_arrears BIGINT NOT NULL, summons_costs BIGINT NOT NULL,
                liability_order_costs BIGINT NOT NULL, hearing_after_days INTEGER NOT NULL, review_before_issue INTEGER NOT NULL, updated_at TEXT NOT NULL
            )
            """,
            // One of each stage per account and year: the daily job can run any number of times and propose each once.
            """
            CREATE TABLE revenues_recovery_action (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, account_id TEXT NOT NULL REFERENCES revenues_account (id), year INTEGER NOT NULL,
                stage TEXT NOT NULL, status TEXT NOT NULL, proposed_on TEXT NOT NULL, issued_on TEXT, amount BIGINT NOT NULL, costs BIGINT NOT NULL,
                due_on TEXT, reason TEXT, created_at TEXT NOT NULL,
                UNIQUE (account_id, year, stage)
            )
            """,
            "CREATE INDEX revenues_recovery_action_status ON revenues_recovery_action (organisation_id, status, stage)",
            """
            CREATE TABLE revenues_arrangement (
                id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES revenues_account (id), amount BIGINT NOT NULL, frequency TEXT NOT NULL,
                first_payment_on TEXT NOT NULL, ends_on TEXT, note TEXT NOT NULL, cancelled_on TEXT, created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX revenues_arrangement_account ON revenues_arrangement (account_id)",
            // A row per organisation per day the job ran, with its counts.
            """
            CREATE TABLE revenues_recovery_run (
                organisation_id TEXT NOT NULL, run_on TEXT NOT NULL, accounts INTEGER NOT NULL DEFAULT 0, proposed INTEGER NOT NULL DEFAULT 0,
                issued INTEGER NOT NULL DEFAULT 0, started_at TEXT NOT NULL, finished_at TEXT, PRIMARY KEY (organisation_id, run_on)
            )
            """,
        ]),
        Migration("revenues.0003_business_rates_and_refunds", [
            "ALTER TABLE revenues_account ADD COLUMN tax TEXT NOT NULL DEFAULT 'council_tax'",
            "CREATE INDEX revenues_account_tax ON revenues_account (organisation_id, tax)",
            """
            CREATE TABLE revenues_refund (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, account_id TEXT NOT NULL REFERENCES revenues_account (id), amount BIGINT NOT NULL,
                payee_name TEXT NOT NULL, sort_code TEXT NOT NULL, account_number TEXT NOT NULL, reason TEXT NOT NULL, status TEXT NOT NULL,
                requested_on TEXT NOT NULL, file_id TEXT, created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX revenues_refund_account ON revenues_refund (account_id)",
            "CREATE INDEX revenues_refund_status ON revenues_refund (organisation_id, status)",
            """
            CREATE TABLE revenues_refund_file (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, count INTEGER NOT NULL, total BIGINT NOT NULL, processing_date TEXT NOT NULL,
                content TEXT NOT NULL, created_at TEXT NOT NULL
            )
            """,
            // The council's own account, which BACS files are paid from.
            """
            CREATE TABLE revenues_bank_account (
                organisation_id TEXT PRIMARY KEY, name TEXT NOT NULL, sort_code TEXT NOT NULL, account_number TEXT NOT NULL, updated_at TEXT NOT NULL
            )
            """,
        ]),
        // The billing run, the recovery job and the collection report walk an organisation's accounts in id order, a batch
        // at a time from the last id. Without these, SQLite read every one of the organisation's entries in another index
        // and sorted them for each batch: quadratic in the number of accounts.
        Migration("revenues.0004_walk_indexes", [
            "CREATE INDEX revenues_account_walk ON revenues_account (organisation_id, id)",
            "CREATE INDEX revenues_bill_walk ON revenues_bill (organisation_id, account_id)",
        ]),
        // A council tax reduction award is an amount a year, not a percentage.
        Migration("revenues.0005_adjustment_amount", ["ALTER TABLE revenues_adjustment ADD COLUMN amount BIGINT"]),
    ]

    // MARK: Valuation list

    typealias ValuationRow = BandEntry

    /// Inserts or replaces list entries (keyed by UPRN and effective date); returns how many were new.
    static func upsertBands(_ rows: [ValuationRow], organisation: OrganisationID, at: Timestamp, on db: any SQLDatabase) async throws -> Int {
        guard !rows.isEmpty else { return 0 }
        let existing = Set(try await bandRows(uprns: rows.map(\.uprn), organisation: organisation, on: db).flatMap { uprn, list in list.map { "\(uprn.value)/\($0.from)" } })
        for chunk in stride(from: 0, to: rows.count, by: 500) {
            var q: SQLQueryString = "INSERT INTO revenues_valuation (organisation_id, list, uprn, effective_from, band, area, created_at) VALUES "
            for (i, r) in rows[chunk..<min(chunk + 500, rows.count)].enumerated() {
                q += "\(unsafeRaw: i == 0 ? "" : ", ")(\(bind: organisation.string), 'council_tax', \(bind: r.uprn.value), \(bind: r.from.description), \(bind: r.band.rawValue), \(bind: r.area), \(bind: at.iso))"
            }
            q += " ON CONFLICT (organisation_id, list, uprn, effective_from) DO UPDATE SET band = excluded.band, area = excluded.area"
            try await db.raw(q).run()
        }
        return rows.filter { !existing.contains("\($0.uprn.value)/\($0.from)") }.count
    }

    static func bandRows(uprns: [UPRN], organisation: OrganisationID, on db: any SQLDatabase) async throws -> [UPRN: [ValuationRow]] {
        var result: [UPRN: [ValuationRow]] = [:]
        let unique = Array(Set(uprns.map(\.value)))
        for chunk in stride(from: 0, to: unique.count, by: 1000) {
            let rows = try await db.raw("""
                SELECT uprn, effective_from, band, area FROM revenues_valuation
                WHERE organisation_id = \(bind: organisation.string) AND list = 'council_tax' AND uprn IN (\(binds: Array(unique[chunk..<min(chunk + 1000, unique.count)])))
                """).all()
            for row in rows {
                let uprn = try UPRN(try row.int64("uprn"))
                guard let band = CouncilTaxBand(rawValue: try row.optionalString("band") ?? "") else { continue }
                result[uprn, default: []].append(ValuationRow(uprn: uprn, from: try LocalDate(parsing: try row.string("effective_from"), field: "effective_from"),
                                                              band: band, area: try row.string("area")))
            }
        }
        for key in result.keys { result[key]!.sort { $0.from < $1.from } }
        return result
    }

    /// Inserts or replaces rating list entries (keyed by UPRN and effective date); returns how many were new.
    static func upsertRatings(_ rows: [RatingEntry], organisation: OrganisationID, at: Timestamp, on db: any SQLDatabase) async throws -> Int {
        guard !rows.isEmpty else { return 0 }
        let existing = Set(try await ratingRows(uprns: rows.map(\.uprn), organisation: organisation, on: db).flatMap { uprn, list in list.map { "\(uprn.value)/\($0.from)" } })
        for chunk in stride(from: 0, to: rows.count, by: 500) {
            var q: SQLQueryString = "INSERT INTO revenues_valuation (organisation_id, list, uprn, effective_from, rateable_value, description, created_at) VALUES "
            for (i, r) in rows[chunk..<min(chunk + 500, rows.count)].enumerated() {
                q += "\(unsafeRaw: i == 0 ? "" : ", ")(\(bind: organisation.string), 'business_rates', \(bind: r.uprn.value), \(bind: r.from.description), \(bind: r.rateableValue), \(bind: r.description), \(bind: at.iso))"
            }
            q += " ON CONFLICT (organisation_id, list, uprn, effective_from) DO UPDATE SET rateable_value = excluded.rateable_value, description = excluded.description"
            try await db.raw(q).run()
        }
        return rows.filter { !existing.contains("\($0.uprn.value)/\($0.from)") }.count
    }

    static func ratingRows(uprns: [UPRN], organisation: OrganisationID, on db: any SQLDatabase) async throws -> [UPRN: [RatingEntry]] {
        var result: [UPRN: [RatingEntry]] = [:]
        let unique = Array(Set(uprns.map(\.value)))
        for chunk in stride(from: 0, to: unique.count, by: 1000) {
            for row in try await db.raw("""
                SELECT uprn, effective_from, rateable_value, description FROM revenues_valuation
                WHERE organisation_id = \(bind: organisation.string) AND list = 'business_rates' AND uprn IN (\(binds: Array(unique[chunk..<min(chunk + 1000, unique.count)])))
                """).all() {
                let uprn = try UPRN(try row.int64("uprn"))
                result[uprn, default: []].append(RatingEntry(uprn: uprn, from: try LocalDate(parsing: try row.string("effective_from"), field: "effective_from"),
                                                             rateableValue: try row.optionalInt64("rateable_value") ?? 0, description: try row.optionalString("description") ?? ""))
            }
        }
        for key in result.keys { result[key]!.sort { $0.from < $1.from } }
        return result
    }

    // MARK: Charges

    static func replaceCharges(_ c: CouncilTaxCharges, organisation: OrganisationID, on db: any SQLDatabase) async throws {
        let key: SQLQueryString = "organisation_id = \(bind: organisation.string) AND year = \(bind: c.year.startYear) AND area = \(bind: c.area)"
        try await db.raw("DELETE FROM revenues_charge WHERE \(key)").run()
        try await db.raw("DELETE FROM revenues_charge_published WHERE \(key)").run()
        try await Database.insertRows(db, into: "revenues_charge", columns: ["organisation_id", "year", "area", "position", "name", "kind", "band_d", "previous_band_d"],
                                      rows: c.preceptors.enumerated().map { [organisation.string, c.year.startYear, c.area, $0.offset, $0.element.name, $0.element.kind.rawValue,
                                                                             $0.element.bandD, $0.element.previousBandD] })
        try await Database.insertRows(db, into: "revenues_charge_published", columns: ["organisation_id", "year", "area", "band", "amount"],
                                      rows: c.published.sorted { $0.key < $1.key }.map { [organisation.string, c.year.startYear, c.area, $0.key.rawValue, $0.value] })
    }

    /// Every area's charges for a year.
    static func charges(year: FinancialYear, organisation: OrganisationID, on db: any SQLDatabase) async throws -> [String: CouncilTaxCharges] {
        var result: [String: CouncilTaxCharges] = [:]
        for row in try await db.raw("""
            SELECT area, name, kind, band_d, previous_band_d FROM revenues_charge
            WHERE organisation_id = \(bind: organisation.string) AND year = \(bind: year.startYear) ORDER BY area, position
            """).all() {
            let area = try row.string("area")
            let p = Preceptor(name: try row.string("name"), kind: Preceptor.Kind(rawValue: try row.string("kind")) ?? .billingAuthority,
                              bandD: try row.int64("band_d"), previousBandD: try row.optionalInt64("previous_band_d"))
            result[area, default: CouncilTaxCharges(year: year, area: area, preceptors: [])].preceptors.append(p)
        }
        for row in try await db.raw("""
            SELECT area, band, amount FROM revenues_charge_published WHERE organisation_id = \(bind: organisation.string) AND year = \(bind: year.startYear)
            """).all() {
            if let band = CouncilTaxBand(rawValue: try row.string("band")) { result[try row.string("area")]?.published[band] = try row.int64("amount") }
        }
        return result
    }

    /// The years the organisation has run billing for.
    static func billedYears(organisation: OrganisationID, on db: any SQLDatabase) async throws -> [FinancialYear] {
        try await db.raw("SELECT DISTINCT year FROM revenues_billing_run WHERE organisation_id = \(bind: organisation.string)").all()
            .map { FinancialYear(uncheckedStart: try $0.int("year")) }
    }

    static func hasBills(year: FinancialYear, organisation: OrganisationID, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("SELECT 1 AS x FROM revenues_bill WHERE organisation_id = \(bind: organisation.string) AND year = \(bind: year.startYear) LIMIT 1").first() != nil
    }

    // MARK: Accounts

    static func nextReference(organisation: OrganisationID, tax: Tax = .councilTax, on db: any SQLDatabase) async throws -> String {
        try await nextReferences(1, organisation: organisation, tax: tax, on: db)[0]
    }

    /// Reserves `count` account numbers at once (bulk loads). Each tax has its own sequence and prefix.
    static func nextReferences(_ count: Int, organisation: OrganisationID, tax: Tax = .councilTax, on db: any SQLDatabase) async throws -> [String] {
        let name = tax == .councilTax ? "account" : "account_\(tax.rawValue)"
        let last = try await db.raw("""
            INSERT INTO revenues_sequence (organisation_id, name, value) VALUES (\(bind: organisation.string), \(bind: name), \(bind: count))
            ON CONFLICT (organisation_id, name) DO UPDATE SET value = revenues_sequence.value + \(bind: count) RETURNING value
            """).first()!.int64("value")
        return (0..<Int64(count)).map { tax.referencePrefix + Digits.padded(last - Int64(count) + 1 + $0, width: 8) }
    }

    static func insert(_ a: CouncilTaxAccount, on db: any SQLDatabase) async throws {
        try await insert([a], on: db)
    }

    static func insert(_ accounts: [CouncilTaxAccount], on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "revenues_account",
                                      columns: ["id", "organisation_id", "tax", "reference", "uprn", "property_id", "liable_from", "liable_to", "twelve_instalments",
                                                "instalment_day", "e_billing_email", "created_at"],
                                      rows: accounts.map { a in [a.id.string, a.organisationID.string, a.tax.rawValue, a.reference, a.uprn.value, a.propertyID?.string,
                                                                 a.liable.from.description, a.liable.to?.description, a.twelveInstalments ? 1 : 0, a.instalmentDay, a.eBillingEmail,
                                                                 a.createdAt.iso] })
        try await Database.insertRows(db, into: "revenues_liable", columns: ["account_id", "position", "person_id", "name"],
                                      rows: accounts.flatMap { a in a.parties.enumerated().map { [a.id.string, $0.offset, $0.element.personID?.string, $0.element.name] } })
    }

    /// Accounts for the same property and tax whose liability overlaps `span` (other than `except`).
    static func overlapping(uprn: UPRN, span: DateSpan, tax: Tax, organisation: OrganisationID, except: RevenuesAccountID? = nil, on db: any SQLDatabase) async throws -> [CouncilTaxAccount] {
        try await accounts(where: "a.organisation_id = \(bind: organisation.string) AND a.uprn = \(bind: uprn.value) AND a.tax = \(bind: tax.rawValue)", on: db)
            .filter { $0.id != except && $0.liable.overlaps(span) }
    }

    static func account(id: RevenuesAccountID, organisations: Set<OrganisationID>, on db: any SQLDatabase) async throws -> CouncilTaxAccount? {
        try await accounts(where: "a.id = \(bind: id.string) AND a.organisation_id IN (\(binds: organisations.map(\.string)))", on: db).first
    }

    static func accounts(person: PersonID, organisations: Set<OrganisationID>, on db: any SQLDatabase) async throws -> [CouncilTaxAccount] {
        try await accounts(where: """
            a.id IN (SELECT account_id FROM revenues_liable WHERE person_id = \(bind: person.string)) AND a.organisation_id IN (\(binds: organisations.map(\.string)))
            """, on: db)
    }

    static func accounts(uprns: [UPRN], organisation: OrganisationID, on db: any SQLDatabase) async throws -> [CouncilTaxAccount] {
        guard !uprns.isEmpty else { return [] }
        return try await accounts(where: "a.organisation_id = \(bind: organisation.string) AND a.uprn IN (\(binds: uprns.map(\.value)))", on: db)
    }

    static func existingAccounts(_ ids: [RevenuesAccountID], on db: any SQLDatabase) async throws -> Set<RevenuesAccountID> {
        guard !ids.isEmpty else { return [] }
        return Set(try await db.raw("SELECT id FROM revenues_account WHERE id IN (\(binds: ids.map(\.string)))").all().map { try $0.id("id") })
    }

    /// Account ids and states by reference, for a payment file.
    static func accounts(references: [String], organisation: OrganisationID, on db: any SQLDatabase) async throws -> [String: (RevenuesAccountID, Bool)] {
        guard !references.isEmpty else { return [:] }
        var result: [String: (RevenuesAccountID, Bool)] = [:]
        for row in try await db.raw("""
            SELECT id, reference, closed_at FROM revenues_account WHERE organisation_id = \(bind: organisation.string) AND reference IN (\(binds: references))
            """).all() {
            result[try row.string("reference")] = (try row.id("id"), try row.optionalString("closed_at") != nil)
        }
        return result
    }

    static func accounts(uprn: UPRN, organisations: Set<OrganisationID>, on db: any SQLDatabase) async throws -> [CouncilTaxAccount] {
        try await accounts(where: "a.uprn = \(bind: uprn.value) AND a.organisation_id IN (\(binds: organisations.map(\.string)))", on: db)
    }

    /// Accounts liable at some point in a year, in id order after `after`, a page at a time (the billing run's walk).
    static func accountsLiable(in year: FinancialYear, organisation: OrganisationID, after: String, limit: Int, on db: any SQLDatabase) async throws -> [CouncilTaxAccount] {
        try await accounts(where: "\(liable(in: year, organisation: organisation)) AND a.id > \(bind: after)", order: "a.id", limit: limit, on: db)
    }

    /// Liable accounts by id (an account closed or no longer liable in the year is left out).
    static func accountsLiable(ids: [RevenuesAccountID], in year: FinancialYear, organisation: OrganisationID, on db: any SQLDatabase) async throws -> [CouncilTaxAccount] {
        guard !ids.isEmpty else { return [] }
        return try await accounts(where: "\(liable(in: year, organisation: organisation)) AND a.id IN (\(binds: ids.map(\.string)))", order: "a.id", on: db)
    }

    /// The versions of those of these accounts still liable in the year.
    static func liableVersions(accounts ids: [RevenuesAccountID], in year: FinancialYear, organisation: OrganisationID, on db: any SQLDatabase) async throws -> [RevenuesAccountID: Int] {
        guard !ids.isEmpty else { return [:] }
        var result: [RevenuesAccountID: Int] = [:]
        for row in try await db.raw("SELECT a.id, a.version FROM revenues_account a WHERE \(liable(in: year, organisation: organisation)) AND a.id IN (\(binds: ids.map(\.string)))").all() {
            result[try row.id("id")] = try row.int("version")
        }
        return result
    }

    static func countLiable(in year: FinancialYear, organisation: OrganisationID, on db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM revenues_account a WHERE \(liable(in: year, organisation: organisation))").first()!.int("n")
    }

    /// Open accounts (alias `a`) liable on some day of the year: what a billing run bills.
    static func liable(in year: FinancialYear, organisation: OrganisationID) -> SQLQueryString {
        """
        a.organisation_id = \(bind: organisation.string) AND a.closed_at IS NULL
        AND a.liable_from <= \(bind: year.end.description) AND (a.liable_to IS NULL OR a.liable_to >= \(bind: year.start.description))
        """
    }

    static func accounts(where condition: SQLQueryString, order: String = "a.liable_from DESC, a.id", limit: Int? = nil, on db: any SQLDatabase) async throws -> [CouncilTaxAccount] {
        var q: SQLQueryString = "SELECT a.* FROM revenues_account a WHERE \(condition) ORDER BY \(unsafeRaw: order)"
        if let limit { q += " LIMIT \(unsafeRaw: String(limit))" }
        var accounts = try await db.raw(q).all().map(decodeAccount)
        guard !accounts.isEmpty else { return [] }
        var parties: [String: [LiableParty]] = [:]
        for chunk in stride(from: 0, to: accounts.count, by: 1000) {
            let ids = accounts[chunk..<min(chunk + 1000, accounts.count)].map(\.id.string)
            for row in try await db.raw("SELECT account_id, person_id, name FROM revenues_liable WHERE account_id IN (\(binds: ids)) ORDER BY account_id, position").all() {
                parties[try row.string("account_id"), default: []].append(LiableParty(personID: try row.optionalID("person_id"), name: try row.string("name")))
            }
        }
        for i in accounts.indices { accounts[i].parties = parties[accounts[i].id.string] ?? [] }
        return accounts
    }

    static func decodeAccount(_ row: any SQLRow) throws -> CouncilTaxAccount {
        CouncilTaxAccount(id: try row.id("id"), organisationID: try row.id("organisation_id"), tax: Tax(rawValue: try row.string("tax")) ?? .councilTax,
                          reference: try row.string("reference"),
                          uprn: try UPRN(try row.int64("uprn")), propertyID: try row.optionalID("property_id"),
                          liable: DateSpan(from: try LocalDate(parsing: try row.string("liable_from"), field: "liable_from"), to: try row.optionalDate("liable_to")),
                          parties: [], twelveInstalments: try row.flag("twelve_instalments"), instalmentDay: try row.int("instalment_day"),
                          eBillingEmail: try row.optionalString("e_billing_email"), closedAt: try row.optionalTimestamp("closed_at"),
                          createdAt: try row.timestamp("created_at"), version: try row.int("version"))
    }

    /// Changes the liability end (a move-out) or closes the account; false when the version was stale.
    static func update(_ a: CouncilTaxAccount, expectedVersion: Int, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            UPDATE revenues_account SET liable_to = \(bind: a.liable.to?.description), closed_at = \(bind: a.closedAt?.iso),
                twelve_instalments = \(bind: a.twelveInstalments ? 1 : 0), instalment_day = \(bind: a.instalmentDay), e_billing_email = \(bind: a.eBillingEmail),
                version = version + 1
            WHERE id = \(bind: a.id.string) AND version = \(bind: expectedVersion) RETURNING id
            """).first() != nil
    }

    // MARK: Adjustments

    static func insertAdjustment(_ a: AccountAdjustment, account: RevenuesAccountID, on db: any SQLDatabase) async throws {
        let x = a.adjustment
        try await Database.insertRows(db, into: "revenues_adjustment",
                                      columns: ["id", "account_id", "kind", "exemption_class", "percent", "amount", "starts_on", "ends_on", "evidence",
                                                "created_at"],
                                      rows: [[a.id, account.string, x.kind.rawValue, x.exemptionClass, x.percent, x.amount, x.span.from.description,
                                              x.span.to?.description, x.evidence, a.createdAt.iso]])
    }

    static func endAdjustment(id: String, account: RevenuesAccountID, on day: LocalDate, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            UPDATE revenues_adjustment SET ends_on = \(bind: day.description) WHERE id = \(bind: id) AND account_id = \(bind: account.string) RETURNING id
            """).first() != nil
    }

    static func adjustments(accounts ids: [RevenuesAccountID], on db: any SQLDatabase) async throws -> [RevenuesAccountID: [AccountAdjustment]] {
        var result: [RevenuesAccountID: [AccountAdjustment]] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 1000) {
            for row in try await db.raw("""
                SELECT * FROM revenues_adjustment WHERE account_id IN (\(binds: ids[chunk..<min(chunk + 1000, ids.count)].map(\.string))) ORDER BY starts_on, id
                """).all() {
                let adjustment = Adjustment(kind: Adjustment.Kind(rawValue: try row.string("kind")) ?? .localReduction,
                                            span: DateSpan(from: try LocalDate(parsing: try row.string("starts_on"), field: "starts_on"), to: try row.optionalDate("ends_on")),
                                            exemptionClass: try row.optionalString("exemption_class"), percent: try row.optionalInt64("percent").map(Int.init),
                                            amount: try row.optionalInt64("amount"), evidence: try row.string("evidence"))
                result[try row.id("account_id"), default: []].append(AccountAdjustment(id: try row.string("id"), adjustment: adjustment, createdAt: try row.timestamp("created_at")))
            }
        }
        return result
    }

    // MARK: Bills

    struct BillDetail: Codable, Hashable { var lines: [NoticeLine]; var segments: [CouncilTaxLiability.Segment]; var rates: [BusinessRatesLiability.Segment]? }

    /// Writes bills and their instalments with multi-row inserts. A bill whose (account, year, sequence) is taken makes the
    /// whole batch fail: the unique key is what makes a billing run idempotent across nodes and restarts.
    static func insertBills(_ bills: [Bill], on db: any SQLDatabase) async throws {
        guard !bills.isEmpty else { return }
        let encoder = JSONEncoder()
        // Most bills of a run say the same (a whole year in one band and area): each distinct detail is encoded once.
        var encoded: [BillDetail: String] = [:]
        var billRows: [[any Encodable & Sendable]] = [], instalmentRows: [[any Encodable & Sendable]] = []
        for b in bills {
            let detail = BillDetail(lines: b.lines, segments: b.segments, rates: b.rates.isEmpty ? nil : b.rates)
            let json: String
            if let known = encoded[detail] { json = known } else {
                json = String(decoding: try encoder.encode(detail), as: UTF8.self)
                encoded[detail] = json
            }
            let id = b.id.string
            billRows.append([id, b.organisationID.string, b.accountID.string, b.year.startYear, b.sequence, b.issuedOn.description, b.total,
                             b.band?.rawValue, b.area, json, b.runID?.string, b.createdAt.iso])
            for i in b.instalments { instalmentRows.append([id, i.number, i.due.description, i.amount]) }
        }
        try await Database.insertRows(db, into: "revenues_bill",
                                      columns: ["id", "organisation_id", "account_id", "year", "sequence", "issued_on", "total", "band", "area", "detail", "run_id", "created_at"],
                                      rows: billRows)
        try await Database.insertRows(db, into: "revenues_instalment", columns: ["bill_id", "number", "due_on", "amount"], rows: instalmentRows)
    }

    /// Which of these accounts already have a bill for the year.
    static func billed(accounts ids: [RevenuesAccountID], year: FinancialYear, on db: any SQLDatabase) async throws -> Set<RevenuesAccountID> {
        guard !ids.isEmpty else { return [] }
        return Set(try await db.raw("""
            SELECT DISTINCT account_id FROM revenues_bill WHERE year = \(bind: year.startYear) AND account_id IN (\(binds: ids.map(\.string)))
            """).all().map { try $0.id("account_id") })
    }

    /// Every bill on an account, oldest first, with instalments.
    static func bills(account: RevenuesAccountID, organisation: OrganisationID, on db: any SQLDatabase) async throws -> [Bill] {
        try await bills(accounts: [account], organisation: organisation, on: db)[account] ?? []
    }

    /// Every bill on these accounts, oldest first, with instalments, in two queries per thousand accounts.
    static func bills(accounts ids: [RevenuesAccountID], organisation: OrganisationID, on db: any SQLDatabase) async throws -> [RevenuesAccountID: [Bill]] {
        let decoder = JSONDecoder()
        var result: [RevenuesAccountID: [Bill]] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 1000) {
            let some = ids[chunk..<min(chunk + 1000, ids.count)].map(\.string)
            var bills = try await db.raw("SELECT * FROM revenues_bill WHERE account_id IN (\(binds: some)) ORDER BY account_id, year, sequence").all().map { row -> Bill in
                let detail = try decoder.decode(BillDetail.self, from: Data(try row.string("detail").utf8))
                return Bill(id: try row.id("id"), organisationID: organisation, accountID: try row.id("account_id"), year: FinancialYear(uncheckedStart: try row.int("year")),
                            sequence: try row.int("sequence"), issuedOn: try LocalDate(parsing: try row.string("issued_on"), field: "issued_on"), total: try row.int64("total"),
                            band: try row.optionalString("band").flatMap(CouncilTaxBand.init(rawValue:)), area: try row.string("area"), lines: detail.lines,
                            segments: detail.segments, rates: detail.rates ?? [], instalments: [], runID: try row.optionalID("run_id"), createdAt: try row.timestamp("created_at"))
            }
            guard !bills.isEmpty else { continue }
            var instalments: [String: [Instalment]] = [:]
            for row in try await db.raw("""
                SELECT i.* FROM revenues_instalment i JOIN revenues_bill b ON b.id = i.bill_id WHERE b.account_id IN (\(binds: some)) ORDER BY i.bill_id, i.number
                """).all() {
                instalments[try row.string("bill_id"), default: []].append(
                    Instalment(number: try row.int("number"), due: try LocalDate(parsing: try row.string("due_on"), field: "due_on"), amount: try row.int64("amount")))
            }
            for i in bills.indices { bills[i].instalments = instalments[bills[i].id.string] ?? [] }
            for b in bills { result[b.accountID, default: []].append(b) }
        }
        return result
    }

    /// A bill by id, within the organisations the reader may see.
    static func bill(id: BillID, organisations: Set<OrganisationID>, on db: any SQLDatabase) async throws -> Bill? {
        guard let row = try await db.raw("""
            SELECT account_id, organisation_id FROM revenues_bill WHERE id = \(bind: id.string) AND organisation_id IN (\(binds: organisations.map(\.string)))
            """).first() else { return nil }
        return try await bills(account: try row.id("account_id"), organisation: try row.id("organisation_id"), on: db).first { $0.id == id }
    }

    // MARK: Payments

    static func insertPayment(_ p: RevenuesPayment, organisation: OrganisationID, on db: any SQLDatabase) async throws {
        try await insertPayments([p], organisation: organisation, on: db)
    }

    /// Payment references already taken on these accounts, as "account/method/reference".
    static func takenReferences(accounts ids: [RevenuesAccountID], on db: any SQLDatabase) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return Set(try await db.raw("""
            SELECT account_id, method, reference FROM revenues_payment WHERE reference IS NOT NULL AND account_id IN (\(binds: Array(Set(ids)).map(\.string)))
            """).all().map { "\(try $0.string("account_id"))/\(try $0.string("method"))/\(try $0.string("reference"))" })
    }

    static func insertPayments(_ payments: [RevenuesPayment], organisation: OrganisationID, on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "revenues_payment",
                                      columns: ["id", "organisation_id", "account_id", "amount", "received_on", "method", "reference", "directed_year", "created_at"],
                                      rows: payments.map { p in [p.id.string, organisation.string, p.accountID.string, p.amount, p.receivedOn.description, p.method.rawValue,
                                                                 p.reference, p.directedTo?.startYear, p.createdAt.iso] })
    }

    static func payments(account: RevenuesAccountID, on db: any SQLDatabase) async throws -> [RevenuesPayment] {
        try await payments(accounts: [account], on: db)[account] ?? []
    }

    /// Each account's payments in the order received.
    static func payments(accounts ids: [RevenuesAccountID], on db: any SQLDatabase) async throws -> [RevenuesAccountID: [RevenuesPayment]] {
        var result: [RevenuesAccountID: [RevenuesPayment]] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 1000) {
            for row in try await db.raw("""
                SELECT * FROM revenues_payment WHERE account_id IN (\(binds: ids[chunk..<min(chunk + 1000, ids.count)].map(\.string))) ORDER BY account_id, received_on, created_at, id
                """).all() {
                let p = RevenuesPayment(id: try row.id("id"), accountID: try row.id("account_id"), amount: try row.int64("amount"),
                                        receivedOn: try LocalDate(parsing: try row.string("received_on"), field: "received_on"),
                                        method: PaymentMethod(rawValue: try row.string("method")) ?? .adjustment, reference: try row.optionalString("reference"),
                                        directedTo: try row.optionalInt64("directed_year").map { FinancialYear(uncheckedStart: Int($0)) }, createdAt: try row.timestamp("created_at"))
                result[p.accountID, default: []].append(p)
            }
        }
        return result
    }

    // MARK: Billing runs

    static func insertRun(_ r: BillingRun, on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "revenues_billing_run",
                                      columns: ["id", "organisation_id", "year", "issued_on", "status", "accounts", "started_at"],
                                      rows: [[r.id.string, r.organisationID.string, r.year.startYear, r.issuedOn.description, r.status.rawValue, r.accounts, r.startedAt.iso]])
    }

    static func updateRun(_ r: BillingRun, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE revenues_billing_run SET status = \(bind: r.status.rawValue), created = \(bind: r.created), already_billed = \(bind: r.alreadyBilled),
                not_billed = \(bind: r.notBilled), finished_at = \(bind: r.finishedAt?.iso), message = \(bind: r.message)
            WHERE id = \(bind: r.id.string)
            """).run()
    }

    static func runs(organisation: OrganisationID, limit: Int, on db: any SQLDatabase) async throws -> [BillingRun] {
        try await db.raw("""
            SELECT * FROM revenues_billing_run WHERE organisation_id = \(bind: organisation.string) ORDER BY started_at DESC, id LIMIT \(unsafeRaw: String(limit))
            """).all().map(decodeRun)
    }

    static func run(id: BillingRunID, organisation: OrganisationID, on db: any SQLDatabase) async throws -> BillingRun? {
        try await db.raw("SELECT * FROM revenues_billing_run WHERE id = \(bind: id.string) AND organisation_id = \(bind: organisation.string)").first().map(decodeRun)
    }

    static func decodeRun(_ row: any SQLRow) throws -> BillingRun {
        BillingRun(id: try row.id("id"), organisationID: try row.id("organisation_id"), year: FinancialYear(uncheckedStart: try row.int("year")),
                   issuedOn: try LocalDate(parsing: try row.string("issued_on"), field: "issued_on"),
                   status: BillingRun.Status(rawValue: try row.string("status")) ?? .failed, accounts: try row.int("accounts"),
                   created: try row.int("created"), alreadyBilled: try row.int("already_billed"), notBilled: try row.int("not_billed"),
                   startedAt: try row.timestamp("started_at"), finishedAt: try row.optionalTimestamp("finished_at"), message: try row.optionalString("message"))
    }
}
