import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// Recovery's SQL: each council's settings, the stages proposed and issued, arrangements to pay, and the daily runs.
extension RevenuesStore {
    // MARK: Settings

    static func recoverySettings(organisation: OrganisationID, on db: any SQLDatabase) async throws -> RecoverySettings {
        guard let row = try await db.raw("SELECT * FROM revenues_recovery_settings WHERE organisation_id = \(bind: organisation.string)").first() else { return .standard }
        return RecoverySettings(reminderAfterDays: try row.int("reminder_after_days"), minimumArrears: try row.int64("minimum_arrears"),
                                summonsCosts: try row.int64("summons_costs"), liabilityOrderCosts: try row.int64("liability_order_costs"),
                                hearingAfterDays: try row.int("hearing_after_days"), reviewBeforeIssue: try row.flag("review_before_issue"))
    }

    static func saveRecoverySettings(_ s: RecoverySettings, organisation: OrganisationID, at: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO revenues_recovery_settings (organisation_id, reminder_after_days, minimum_arrears, summons_costs, liability_order_costs, hearing_after_days,
                review_before_issue, updated_at)
            VALUES (\(bind: organisation.string), \(bind: s.reminderAfterDays), \(bind: s.minimumArrears), \(bind: s.summonsCosts), \(bind: s.liabilityOrderCosts),
                \(bind: s.hearingAfterDays), \(bind: s.reviewBeforeIssue ? 1 : 0), \(bind: at.iso))
            ON CONFLICT (organisation_id) DO UPDATE SET reminder_after_days = excluded.reminder_after_days, minimum_arrears = excluded.minimum_arrears,
                summons_costs = excluded.summons_costs, liability_order_costs = excluded.liability_order_costs, hearing_after_days = excluded.hearing_after_days,
                review_before_issue = excluded.review_before_issue, updated_at = excluded.updated_at
            """).run()
    }

    // MARK: Actions

    /// Inserts proposed stages; one already taken for its account, year and stage is skipped (another node got there first).
    static func insertActions(_ actions: [RecoveryAction], on db: any SQLDatabase) async throws {
        guard !actions.isEmpty else { return }
        var q: SQLQueryString = """
            INSERT INTO revenues_recovery_action (id, organisation_id, account_id, year, stage, status, proposed_on, issued_on, amount, costs, due_on, reason, created_at) VALUES
            """
        for (i, a) in actions.enumerated() {
            q += "\(unsafeRaw: i == 0 ? "" : ", ")"
            q += """
                (\(bind: a.id.string), \(bind: a.organisationID.string), \(bind: a.accountID.string), \(bind: a.year.startYear), \(bind: a.stage.rawValue),
                \(bind: a.status.rawValue), \(bind: a.proposedOn.description), \(bind: a.issuedOn?.description), \(bind: a.amount), \(bind: a.costs),
                \(bind: a.dueOn?.description), \(bind: a.reason), \(bind: a.createdAt.iso))
                """
        }
        q += " ON CONFLICT (account_id, year, stage) DO NOTHING"
        try await db.raw(q).run()
    }

    /// Issues or withholds a proposed stage; false when it is no longer proposed (someone else reviewed it).
    static func updateAction(_ a: RecoveryAction, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            UPDATE revenues_recovery_action SET status = \(bind: a.status.rawValue), issued_on = \(bind: a.issuedOn?.description), amount = \(bind: a.amount),
                costs = \(bind: a.costs), due_on = \(bind: a.dueOn?.description), reason = \(bind: a.reason)
            WHERE id = \(bind: a.id.string) AND status = 'proposed' RETURNING id
            """).first() != nil
    }

    static func deleteProposed(_ id: RecoveryActionID, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("DELETE FROM revenues_recovery_action WHERE id = \(bind: id.string) AND status = 'proposed' RETURNING id").first() != nil
    }

    static func actions(accounts ids: [RevenuesAccountID], on db: any SQLDatabase) async throws -> [RevenuesAccountID: [RecoveryAction]] {
        var result: [RevenuesAccountID: [RecoveryAction]] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 1000) {
            for a in try await actions(where: "r.account_id IN (\(binds: ids[chunk..<min(chunk + 1000, ids.count)].map(\.string)))", limit: nil, on: db) {
                result[a.accountID, default: []].append(a)
            }
        }
        return result
    }

    /// Stages in an organisation, by status and stage, a page at a time in (proposed_on, id) order.
    static func actions(organisation: OrganisationID, status: RecoveryAction.Status?, stage: RecoveryStage?, ids: [RecoveryActionID]?,
                        after: String?, limit: Int, on db: any SQLDatabase) async throws -> [RecoveryAction] {
        var condition: SQLQueryString = "r.organisation_id = \(bind: organisation.string)"
        if let status { condition += " AND r.status = \(bind: status.rawValue)" }
        if let stage { condition += " AND r.stage = \(bind: stage.rawValue)" }
        if let ids { condition += " AND r.id IN (\(binds: ids.isEmpty ? [""] : ids.map(\.string)))" }
        if let after { condition += " AND r.id > \(bind: after)" }
        return try await actions(where: condition, order: "r.id", limit: limit, on: db)
    }

    /// Counts of stages by stage and status (the recovery report).
    static func actionCounts(organisation: OrganisationID, year: FinancialYear?, tax: Tax? = nil, on db: any SQLDatabase) async throws -> [(RecoveryStage, RecoveryAction.Status, Int)] {
        var q: SQLQueryString = """
            SELECT r.stage, r.status, COUNT(*) AS n FROM revenues_recovery_action r JOIN revenues_account a ON a.id = r.account_id
            WHERE r.organisation_id = \(bind: organisation.string)
            """
        if let year { q += " AND r.year = \(bind: year.startYear)" }
        if let tax { q += " AND a.tax = \(bind: tax.rawValue)" }
        q += " GROUP BY r.stage, r.status"
        return try await db.raw(q).all().compactMap { row in
            guard let stage = RecoveryStage(rawValue: try row.string("stage")), let status = RecoveryAction.Status(rawValue: try row.string("status")) else { return nil }
            return (stage, status, try row.int("n"))
        }
    }

    static func actions(where condition: SQLQueryString, order: String = "r.year, r.created_at, r.id", limit: Int?, on db: any SQLDatabase) async throws -> [RecoveryAction] {
        var q: SQLQueryString = """
            SELECT r.*, a.reference FROM revenues_recovery_action r JOIN revenues_account a ON a.id = r.account_id WHERE \(condition) ORDER BY \(unsafeRaw: order)
            """
        if let limit { q += " LIMIT \(literal: limit)" }
        return try await db.raw(q).all().map { row in
            RecoveryAction(id: try row.id("id"), organisationID: try row.id("organisation_id"), accountID: try row.id("account_id"),
                           accountReference: try row.string("reference"), year: FinancialYear(uncheckedStart: try row.int("year")),
                           stage: RecoveryStage(rawValue: try row.string("stage")) ?? .reminder,
                           status: RecoveryAction.Status(rawValue: try row.string("status")) ?? .withheld,
                           proposedOn: try LocalDate(parsing: try row.string("proposed_on"), field: "proposed_on"), issuedOn: try row.optionalDate("issued_on"),
                           amount: try row.int64("amount"), costs: try row.int64("costs"), dueOn: try row.optionalDate("due_on"), reason: try row.optionalString("reason"),
                           createdAt: try row.timestamp("created_at"))
        }
    }

    // MARK: Arrangements

    static func insertArrangement(_ a: Arrangement, on db: any SQLDatabase) async throws {
        try await Database.insertRows(db, into: "revenues_arrangement",
                                      columns: ["id", "account_id", "amount", "frequency", "first_payment_on", "ends_on", "note", "created_at"],
                                      rows: [[a.id.string, a.accountID.string, a.amount, a.frequency.rawValue, a.firstPaymentOn.description, a.endsOn?.description,
                                              a.note, a.createdAt.iso]])
    }

    static func cancelArrangement(id: ArrangementID, account: RevenuesAccountID, on day: LocalDate, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            UPDATE revenues_arrangement SET cancelled_on = \(bind: day.description)
            WHERE id = \(bind: id.string) AND account_id = \(bind: account.string) AND cancelled_on IS NULL RETURNING id
            """).first() != nil
    }

    static func arrangements(accounts ids: [RevenuesAccountID], on db: any SQLDatabase) async throws -> [RevenuesAccountID: [Arrangement]] {
        var result: [RevenuesAccountID: [Arrangement]] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 1000) {
            for row in try await db.raw("""
                SELECT * FROM revenues_arrangement WHERE account_id IN (\(binds: ids[chunk..<min(chunk + 1000, ids.count)].map(\.string))) ORDER BY created_at, id
                """).all() {
                let a = Arrangement(id: try row.id("id"), accountID: try row.id("account_id"), amount: try row.int64("amount"),
                                    frequency: Arrangement.Frequency(rawValue: try row.string("frequency")) ?? .monthly,
                                    firstPaymentOn: try LocalDate(parsing: try row.string("first_payment_on"), field: "first_payment_on"),
                                    endsOn: try row.optionalDate("ends_on"), note: try row.string("note"), cancelledOn: try row.optionalDate("cancelled_on"),
                                    createdAt: try row.timestamp("created_at"))
                result[a.accountID, default: []].append(a)
            }
        }
        return result
    }

    // MARK: The daily job

    /// Open accounts with at least one bill, in id order after `after`: what the recovery job walks.
    static func billedAccounts(organisation: OrganisationID, after: String, limit: Int, on db: any SQLDatabase) async throws -> [CouncilTaxAccount] {
        try await accounts(where: """
            a.organisation_id = \(bind: organisation.string) AND a.closed_at IS NULL AND a.id > \(bind: after)
            AND EXISTS (SELECT 1 FROM revenues_bill b WHERE b.account_id = a.id)
            """, order: "a.id", limit: limit, on: db)
    }

    /// Accounts (open or closed) with at least one bill, in id order after `after`: what the collection report walks.
    static func billedAccountIDs(organisation: OrganisationID, tax: Tax, after: String, limit: Int, on db: any SQLDatabase) async throws -> [RevenuesAccountID] {
        try await db.raw("""
            SELECT DISTINCT b.account_id FROM revenues_bill b JOIN revenues_account a ON a.id = b.account_id
            WHERE b.organisation_id = \(bind: organisation.string) AND a.tax = \(bind: tax.rawValue) AND b.account_id > \(bind: after)
            ORDER BY b.account_id LIMIT \(literal: limit)
            """).all().map { try $0.id("account_id") }
    }

    /// Annual and revised bills issued, by year.
    static func billCounts(organisation: OrganisationID, tax: Tax, on db: any SQLDatabase) async throws -> [CollectionReport.BillsLine] {
        try await db.raw("""
            SELECT b.year, SUM(CASE WHEN b.sequence = 1 THEN 1 ELSE 0 END) AS annual, SUM(CASE WHEN b.sequence > 1 THEN 1 ELSE 0 END) AS revised
            FROM revenues_bill b JOIN revenues_account a ON a.id = b.account_id
            WHERE b.organisation_id = \(bind: organisation.string) AND a.tax = \(bind: tax.rawValue) GROUP BY b.year ORDER BY b.year DESC
            """).all().map { .init(year: FinancialYear(uncheckedStart: try $0.int("year")), annual: try $0.int("annual"), revised: try $0.int("revised")) }
    }

    /// Records that the job ran today (or adds to today's counts when it runs again).
    static func recordRecoveryRun(organisation: OrganisationID, on day: LocalDate, accounts: Int, proposed: Int, issued: Int, at: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO revenues_recovery_run (organisation_id, run_on, accounts, proposed, issued, started_at, finished_at)
            VALUES (\(bind: organisation.string), \(bind: day.description), \(bind: accounts), \(bind: proposed), \(bind: issued), \(bind: at.iso), \(bind: Timestamp.now.iso))
            ON CONFLICT (organisation_id, run_on) DO UPDATE SET accounts = excluded.accounts, proposed = revenues_recovery_run.proposed + excluded.proposed,
                issued = revenues_recovery_run.issued + excluded.issued, finished_at = excluded.finished_at
            """).run()
    }

    static func ranRecovery(organisation: OrganisationID, on day: LocalDate, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("SELECT 1 AS x FROM revenues_recovery_run WHERE organisation_id = \(bind: organisation.string) AND run_on = \(bind: day.description)").first() != nil
    }

    /// Organisations with council tax bills: the ones the scheduler runs recovery for.
    static func billingOrganisations(on db: any SQLDatabase) async throws -> [OrganisationID] {
        try await db.raw("SELECT DISTINCT organisation_id FROM revenues_billing_run ORDER BY organisation_id").all().map { try $0.id("organisation_id") }
    }
}
