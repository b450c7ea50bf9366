import Foundation
import Hummingbird
import TownhallDatabase
import TownhallHTTP
import Logging
import Revenues
import TownhallKernel

/// Council tax and business rates over JSON: charges, the valuation and rating lists, accounts and their changes,
/// payments, refunds and their BACS files, statements, recovery, reports and billing runs (a run is a background job; its
/// counts are read back while it works).
public struct RevenuesRoutes: APIArea {
    let revenues: Revenues

    public init(services: ServiceRegistry) {
        revenues = services.require(Revenues.self)
    }

    struct ChargesBody: StrictBody {
        static let fields: Set<String> = ["year", "area", "preceptors", "published"]
        static let nested: [String: Set<String>] = ["preceptors": ["name", "kind", "band_d", "previous_band_d"]]
        struct PreceptorBody: Decodable { var name: String; var kind: String; var band_d: Int64; var previous_band_d: Int64? }
        var year: String
        var area: String?
        var preceptors: [PreceptorBody]
        var published: [String: Int64]?

        func charges() throws -> CouncilTaxCharges {
            var published: [CouncilTaxBand: Int64] = [:]
            for (raw, amount) in self.published ?? [:] { published[try CouncilTaxBand.parse(raw, field: "published.\(raw)")] = amount }
            return CouncilTaxCharges(year: try FinancialYear(parsing: year), area: area ?? "", preceptors: try preceptors.enumerated().map { i, p in
                guard let kind = Preceptor.Kind(rawValue: p.kind) else {
                    throw TownhallError.invalid("preceptors[\(i)].kind", "kind is one of \(Preceptor.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                return Preceptor(name: p.name, kind: kind, bandD: p.band_d, previousBandD: p.previous_band_d)
            }, published: published)
        }
    }

    struct BandBody: StrictBody {
        static let fields: Set<String> = ["band", "effective_from", "area"]
        var band: String
        var effective_from: String
        var area: String?
    }

    struct AccountBody: StrictBody {
        static let fields: Set<String> = ["tax", "uprn", "liable_from", "liable_to", "parties", "twelve_instalments", "instalment_day", "e_billing_email"]
        var tax: String?
        static let nested: [String: Set<String>] = ["parties": ["person_id", "name"]]
        struct PartyBody: Decodable { var person_id: String?; var name: String? }
        var uprn: Int64?
        var liable_from: String?
        var liable_to: String?
        var parties: [PartyBody]?
        var twelve_instalments: Bool?
        var instalment_day: Int?
        var e_billing_email: String?
    }

    struct MoveOutBody: StrictBody {
        static let fields: Set<String> = ["last_day", "version"]
        var last_day: String
        var version: Int?
    }

    struct AdjustmentBody: StrictBody {
        static let fields: Set<String> = ["kind", "from", "to", "exemption_class", "percent", "evidence"]
        var kind: String
        var from: String
        var to: String?
        var exemption_class: String?
        var percent: Int?
        var evidence: String?

        func adjustment() throws -> Adjustment {
            guard let kind = Adjustment.Kind(rawValue: kind) else {
                throw TownhallError.invalid("kind", "kind is one of \(Adjustment.Kind.manual.map(\.rawValue).joined(separator: ", ")).")
            }
            let span = DateSpan(from: try LocalDate(parsing: from, field: "from"), to: try to.flatMap { $0.isEmpty ? nil : try LocalDate(parsing: $0, field: "to") })
            return Adjustment(kind: kind, span: span, exemptionClass: exemption_class, percent: percent, evidence: evidence ?? "")
        }
    }

    struct EndBody: StrictBody {
        static let fields: Set<String> = ["last_day"]
        var last_day: String
    }

    struct PaymentBody: StrictBody {
        static let fields: Set<String> = ["amount", "amount_pence", "method", "received_on", "reference", "year"]
        var amount: String?
        var amount_pence: Int64?
        var method: String?
        var received_on: String?
        var reference: String?
        var year: String?
    }

    struct RunBody: StrictBody {
        static let fields: Set<String> = ["year", "issued_on"]
        var year: String
        var issued_on: String?
    }

    struct RunView: Encodable {
        var run: BillingRun
        var summary: String
        var percent_done: Int
        init(_ run: BillingRun) {
            self.run = run; summary = run.summary; percent_done = run.percentDone
        }
    }

    struct SettingsBody: StrictBody {
        static let fields: Set<String> = ["reminder_after_days", "minimum_arrears", "summons_costs", "liability_order_costs", "hearing_after_days", "review_before_issue"]
        var reminder_after_days: Int?
        var minimum_arrears: Int64?
        var summons_costs: Int64?
        var liability_order_costs: Int64?
        var hearing_after_days: Int?
        var review_before_issue: Bool?

        /// Fields left out keep their current value.
        func applied(to s: RecoverySettings) -> RecoverySettings {
            RecoverySettings(reminderAfterDays: reminder_after_days ?? s.reminderAfterDays, minimumArrears: minimum_arrears ?? s.minimumArrears,
                             summonsCosts: summons_costs ?? s.summonsCosts, liabilityOrderCosts: liability_order_costs ?? s.liabilityOrderCosts,
                             hearingAfterDays: hearing_after_days ?? s.hearingAfterDays, reviewBeforeIssue: review_before_issue ?? s.reviewBeforeIssue)
        }
    }

    struct RecoveryRunBody: StrictBody {
        static let fields: Set<String> = ["date"]
        var date: String?
    }

    struct IssueBody: StrictBody {
        static let fields: Set<String> = ["ids", "stage"]
        var ids: [String]?
        var stage: String?
    }

    struct WithholdBody: StrictBody {
        static let fields: Set<String> = ["reason"]
        var reason: String?
    }

    struct ArrangementBody: StrictBody {
        static let fields: Set<String> = ["amount", "frequency", "first_payment_on", "ends_on", "note"]
        var amount: String?
        var frequency: String?
        var first_payment_on: String?
        var ends_on: String?
        var note: String?
    }

    static func stage(_ raw: String?, field: String = "stage") throws -> RecoveryStage? {
        guard let raw, !raw.isEmpty else { return nil }
        guard let stage = RecoveryStage(rawValue: raw) else {
            throw TownhallError.invalid(field, "\(field) is one of \(RecoveryStage.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return stage
    }

    struct RecoveryPage: Encodable {
        var items: [RecoveryAction]
        /// Pass as `after` for the next page; null on the last.
        var next: String?
    }

    struct RatingBody: StrictBody {
        static let fields: Set<String> = ["rateable_value", "effective_from", "description"]
        var rateable_value: Int64?
        var effective_from: String?
        var description: String?
    }

    struct RefundBody: StrictBody {
        static let fields: Set<String> = ["amount", "payee_name", "sort_code", "account_number", "reason"]
        var amount: String?
        var payee_name: String?
        var sort_code: String?
        var account_number: String?
        var reason: String?
    }

    struct BankBody: StrictBody {
        static let fields: Set<String> = ["name", "sort_code", "account_number"]
        var name: String?
        var sort_code: String?
        var account_number: String?
    }

    struct FileBody: StrictBody {
        static let fields: Set<String> = ["processing_date"]
        var processing_date: String?
    }

    /// A refund as the API shows it: the payee's account number masked.
    struct RefundView: Encodable {
        var id: String, account_id: String, amount: Int64, payee_name: String, sort_code: String, account_number: String, reason: String, status: String
        var requested_on: String, file_id: String?
        init(_ r: Refund) {
            id = r.id.string; account_id = r.accountID.string; amount = r.amount; payee_name = r.payee.name; sort_code = r.payee.sortCode
            account_number = r.payee.maskedAccountNumber; reason = r.reason; status = r.status.rawValue; requested_on = r.requestedOn.description; file_id = r.fileID?.string
        }
    }

    struct BankView: Encodable {
        var name: String, sort_code: String, account_number: String
        init(_ b: BankDetails) { name = b.name; sort_code = b.sortCode; account_number = b.maskedAccountNumber }
    }

    struct FileView: Encodable {
        var id: String, count: Int, total: Int64, processing_date: String, created_at: String, download: String
        init(_ f: RefundFile) {
            id = f.id.string; count = f.count; total = f.total; processing_date = f.processingDate.description; created_at = f.createdAt.iso
            download = "/api/v1/revenues/refunds/files/\(f.id)"
        }
    }

    func accountID(_ context: TownhallContext) throws -> RevenuesAccountID {
        try RevenuesAccountID.parse(try context.parameters.require("id"), field: "id")
    }

    public func addRoutes(api group: RouterGroup<TownhallContext>, root: Router<TownhallContext>) {
        group.get("revenues/charges") { request, context in
            let actor = try context.requireActor()
            guard let raw = request.query("year") else { throw TownhallError.missing("year", "Give the financial year, like 2026.") }
            return try JSONResponse.make(["items": try await revenues.charges(year: try FinancialYear(parsing: raw), by: actor)])
        }
        group.put("revenues/charges") { request, context in
            let actor = try context.requireActor()
            let body = try await BodyDecoding.decode(ChargesBody.self, from: request, context: context)
            return try JSONResponse.make(try await revenues.setCharges(try body.charges(), by: actor))
        }
        group.get("revenues/bands/:uprn") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(["items": try await revenues.bands(uprn: try UPRN(parsing: try context.parameters.require("uprn")), by: actor)])
        }
        group.put("revenues/bands/:uprn") { request, context in
            let actor = try context.requireActor()
            let uprn = try UPRN(parsing: try context.parameters.require("uprn"))
            let body = try await BodyDecoding.decode(BandBody.self, from: request, context: context)
            let entry = BandEntry(uprn: uprn, from: try LocalDate(parsing: body.effective_from, field: "effective_from"), band: try CouncilTaxBand.parse(body.band),
                                  area: (body.area ?? "").trimmingCharacters(in: .whitespaces).uppercased())
            try await revenues.setBand(entry, by: actor)
            return try JSONResponse.make(["items": try await revenues.bands(uprn: uprn, by: actor)])
        }
        group.get("revenues/rating-list/:uprn") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(["items": try await revenues.ratings(uprn: try UPRN(parsing: try context.parameters.require("uprn")), by: actor)])
        }
        group.put("revenues/rating-list/:uprn") { request, context in
            let actor = try context.requireActor()
            let uprn = try context.parameters.require("uprn")
            let body = try await BodyDecoding.decode(RatingBody.self, from: request, context: context)
            let entry = try RatingEntry.parse(uprn: uprn, rateableValue: body.rateable_value.map(String.init), from: body.effective_from, description: body.description)
            try await revenues.setRateableValue(entry, by: actor)
            return try JSONResponse.make(["items": try await revenues.ratings(uprn: entry.uprn, by: actor)])
        }
        group.post("imports/rating-list") { request, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(try await revenues.importRatingList(csv: try await BodyDecoding.csv(from: request), by: actor))
        }
        group.post("imports/valuation-list") { request, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(try await revenues.importValuationList(csv: try await BodyDecoding.csv(from: request), by: actor))
        }
        group.post("imports/payments") { request, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(try await revenues.importPayments(csv: try await BodyDecoding.csv(from: request), by: actor))
        }

        group.get("revenues/accounts") { request, context in
            let actor = try context.requireActor()
            if let raw = request.query("person_id") {
                return try JSONResponse.make(["items": try await revenues.accounts(person: try PersonID.parse(raw, field: "person_id"), by: actor)])
            }
            guard let raw = request.query("uprn") else { throw TownhallError.missing("uprn", "Give person_id or uprn.") }
            return try JSONResponse.make(["items": try await revenues.accounts(uprn: try UPRN(parsing: raw), by: actor)])
        }
        group.post("revenues/accounts") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(AccountBody.self, from: request, context: context)
            let input = NewCouncilTaxAccount(uprn: b.uprn, liableFrom: b.liable_from, liableTo: b.liable_to,
                                             parties: (b.parties ?? []).map { .init(personID: $0.person_id, name: $0.name) },
                                             twelveInstalments: b.twelve_instalments, instalmentDay: b.instalment_day, eBillingEmail: b.e_billing_email, tax: b.tax)
            let account = try await revenues.openAccount(input, by: actor)
            return try JSONResponse.make(try await revenues.account(id: account.id, by: actor), status: .created)
        }
        group.get("revenues/accounts/:id") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(try await revenues.account(id: try accountID(context), by: actor))
        }
        group.get("revenues/accounts/:id/statement") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(["items": try await revenues.statement(account: try accountID(context), by: actor)])
        }
        group.post("revenues/accounts/:id/move-out") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(MoveOutBody.self, from: request, context: context)
            return try JSONResponse.make(try await revenues.recordMoveOut(account: try accountID(context), lastDay: try LocalDate(parsing: b.last_day, field: "last_day"),
                                                                        version: b.version, by: actor))
        }
        group.post("revenues/accounts/:id/close") { _, context in
            let actor = try context.requireActor()
            let id = try accountID(context)
            try await revenues.closeAccount(id, by: actor)
            return try JSONResponse.make(try await revenues.account(id: id, by: actor))
        }
        group.post("revenues/accounts/:id/adjustments") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(AdjustmentBody.self, from: request, context: context)
            return try JSONResponse.make(try await revenues.addAdjustment(account: try accountID(context), try b.adjustment(), by: actor), status: .created)
        }
        group.post("revenues/accounts/:id/adjustments/:adjustment/end") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(EndBody.self, from: request, context: context)
            return try JSONResponse.make(try await revenues.endAdjustment(account: try accountID(context), adjustment: try context.parameters.require("adjustment"),
                                                                        lastDay: try LocalDate(parsing: b.last_day, field: "last_day"), by: actor))
        }
        group.post("revenues/accounts/:id/payments") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(PaymentBody.self, from: request, context: context)
            let payment = try await revenues.recordPayment(account: try accountID(context),
                                                           NewPayment(amount: b.amount, amountPence: b.amount_pence, method: b.method, receivedOn: b.received_on,
                                                                      reference: b.reference, year: b.year), by: actor)
            return try JSONResponse.make(payment, status: .created)
        }

        group.post("revenues/accounts/:id/refunds") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(RefundBody.self, from: request, context: context)
            let refund = try await revenues.requestRefund(account: try accountID(context),
                                                          NewRefund(amount: b.amount, payeeName: b.payee_name, sortCode: b.sort_code, accountNumber: b.account_number,
                                                                    reason: b.reason), by: actor)
            return try JSONResponse.make(RefundView(refund), status: .created)
        }
        group.get("revenues/refunds") { request, context in
            let actor = try context.requireActor()
            let status = try request.query("status").flatMap { $0.isEmpty ? nil : $0 }.map { raw in
                guard let s = Refund.Status(rawValue: raw) else { throw TownhallError.invalid("status", "status is pending, paid or cancelled.") }
                return s
            }
            return try JSONResponse.make(["items": try await revenues.refunds(status: status, by: actor).map(RefundView.init)])
        }
        group.post("revenues/refunds/:id/cancel") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(RefundView(try await revenues.cancelRefund(try RefundID.parse(try context.parameters.require("id"), field: "id"), by: actor)))
        }
        group.get("revenues/refunds/bank-account") { _, context in
            let actor = try context.requireActor()
            guard let bank = try await revenues.bankAccount(by: actor) else { throw TownhallError.notFound("The refunds bank account", field: "bank_account") }
            return try JSONResponse.make(BankView(bank))
        }
        group.put("revenues/refunds/bank-account") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(BankBody.self, from: request, context: context)
            return try JSONResponse.make(BankView(try await revenues.setBankAccount(name: b.name, sortCode: b.sort_code, accountNumber: b.account_number, by: actor)))
        }
        group.get("revenues/refunds/files") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(["items": try await revenues.refundFiles(by: actor).map(FileView.init)])
        }
        group.post("revenues/refunds/files") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(FileBody.self, from: request, context: context)
            let day = try b.processing_date.flatMap { $0.isEmpty ? nil : try LocalDate(parsing: $0, field: "processing_date") }
            return try JSONResponse.make(FileView(try await revenues.makeRefundFile(processingDate: day, by: actor)), status: .created)
        }
        group.get("revenues/refunds/files/:id") { _, context in
            let actor = try context.requireActor()
            let file = try await revenues.refundFile(try RefundFileID.parse(try context.parameters.require("id"), field: "id"), by: actor)
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=us-ascii",
                                                   .contentDisposition: "attachment; filename=\"\(file.filename)\""],
                            body: .init(byteBuffer: ByteBuffer(string: file.content)))
        }

        group.post("revenues/accounts/:id/arrangements") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(ArrangementBody.self, from: request, context: context)
            let arrangement = try await revenues.addArrangement(account: try accountID(context),
                                                                NewArrangement(amount: b.amount, frequency: b.frequency, firstPaymentOn: b.first_payment_on,
                                                                               endsOn: b.ends_on, note: b.note), by: actor)
            return try JSONResponse.make(arrangement, status: .created)
        }
        group.post("revenues/accounts/:id/arrangements/:arrangement/cancel") { _, context in
            let actor = try context.requireActor()
            let id = try accountID(context)
            try await revenues.cancelArrangement(account: id, arrangement: try ArrangementID.parse(try context.parameters.require("arrangement"), field: "arrangement"),
                                                 by: actor)
            return try JSONResponse.make(try await revenues.account(id: id, by: actor))
        }

        group.get("revenues/recovery/settings") { _, context in
            try JSONResponse.make(try await revenues.recoverySettings(by: try context.requireActor()))
        }
        group.put("revenues/recovery/settings") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(SettingsBody.self, from: request, context: context)
            return try JSONResponse.make(try await revenues.setRecoverySettings(b.applied(to: try await revenues.recoverySettings(by: actor)), by: actor))
        }
        group.post("revenues/recovery/runs") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(RecoveryRunBody.self, from: request, context: context)
            let day = try b.date.flatMap { $0.isEmpty ? nil : try LocalDate(parsing: $0, field: "date") } ?? .today()
            guard day <= .today() else { throw TownhallError.invalid("date", "Recovery cannot run for a day that has not come yet.", code: "future_date") }
            return try JSONResponse.make(try await revenues.runRecovery(on: day, by: actor))
        }
        group.get("revenues/recovery/actions") { request, context in
            let actor = try context.requireActor()
            let status = try request.query("status").flatMap { raw -> RecoveryAction.Status? in
                guard !raw.isEmpty else { return nil }
                guard let s = RecoveryAction.Status(rawValue: raw) else {
                    throw TownhallError.invalid("status", "status is one of \(RecoveryAction.Status.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                return s
            }
            // The API's one page size rule (1 to 200), with this list's own default.
            let limit = request.query("limit") == nil ? 50 : try request.pageSize().value
            let items = try await revenues.recoveryActions(status: status, stage: try Self.stage(request.query("stage")), after: request.query("after"),
                                                           limit: limit, by: actor)
            return try JSONResponse.make(RecoveryPage(items: items, next: items.count == limit ? items.last?.id.string : nil))
        }
        group.post("revenues/recovery/actions/issue") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(IssueBody.self, from: request, context: context)
            let ids = try b.ids.map { try $0.enumerated().map { try RecoveryActionID.parse($0.element, field: "ids[\($0.offset)]") } }
            return try JSONResponse.make(try await revenues.issueRecovery(ids: ids, stage: try Self.stage(b.stage), by: actor))
        }
        group.post("revenues/recovery/actions/:id/withhold") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(WithholdBody.self, from: request, context: context)
            return try JSONResponse.make(try await revenues.withholdRecovery(try RecoveryActionID.parse(try context.parameters.require("id"), field: "id"),
                                                                            reason: b.reason ?? "", by: actor))
        }

        group.get("revenues/reports/collection") { request, context in
            let actor = try context.requireActor()
            guard let raw = request.query("year"), !raw.isEmpty else { throw TownhallError.missing("year", "Give the financial year, like 2026.") }
            let year = try FinancialYear(parsing: raw)
            let asOf = try request.query("as_of").flatMap { $0.isEmpty ? nil : try LocalDate(parsing: $0, field: "as_of") } ?? .today()
            let tax = try Tax.parse(request.query("tax"))
            let report = try await revenues.collectionReport(year: year, asOf: asOf, tax: tax, by: actor)
            switch request.query("format") ?? "json" {
            case "json": return try JSONResponse.make(report)
            case "csv":
                return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                                       .contentDisposition: "attachment; filename=\"\(report.csvFilename)\""],
                                body: .init(byteBuffer: ByteBuffer(string: report.csv)))
            default: throw TownhallError.invalid("format", "format is json or csv.")
            }
        }

        group.get("revenues/billing-runs") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(["items": try await revenues.billingRuns(by: actor).map(RunView.init)])
        }
        group.get("revenues/billing-runs/:id") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(RunView(try await revenues.billingRun(id: try BillingRunID.parse(try context.parameters.require("id"), field: "id"), by: actor)))
        }
        group.post("revenues/billing-runs") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(RunBody.self, from: request, context: context)
            let issued = try b.issued_on.map { try LocalDate(parsing: $0, field: "issued_on") } ?? .today()
            let (run, charges) = try await revenues.beginBillingRun(year: try FinancialYear(parsing: b.year), issuedOn: issued, by: actor)
            // The run goes on after the response: its progress is in the database (GET the run), and if this node stops,
            // running billing again finishes it without billing anyone twice.
            let revenues = self.revenues, logger = context.logger
            Task.detached {
                do { _ = try await revenues.continueBillingRun(run, charges: charges, by: actor) } catch {
                    logger.error("billing run failed", metadata: ["run": .string(run.id.string), "error": .string(String(describing: error))])
                }
            }
            return try JSONResponse.make(RunView(run), status: .accepted)
        }
    }
}

// What this area adds to the OpenAPI document.
extension RevenuesRoutes {
    public var operations: [APIOperation] {
        [
        APIOperation(method: "get", path: "/api/v1/revenues/charges", summary: "A year's council tax charges for each area: every preceptor's Band D, and any published band table", tag: "revenues",
                  query: ["year"]),
        APIOperation(method: "put", path: "/api/v1/revenues/charges", summary: "Set one area's charges for a year (revenues.manage); refused once the year is billed", tag: "revenues",
                  body: "CouncilTaxCharges"),
        APIOperation(method: "get", path: "/api/v1/revenues/bands/{uprn}", summary: "A dwelling's council tax bands over time on the valuation list", tag: "revenues"),
        APIOperation(method: "put", path: "/api/v1/revenues/bands/{uprn}", summary: "Put a dwelling in a band from a date (revenues.manage); its accounts are recalculated", tag: "revenues",
                  body: "BandEntry"),
        APIOperation(method: "get", path: "/api/v1/revenues/rating-list/{uprn}", summary: "A hereditament's business rates rateable values over time on the rating list", tag: "revenues"),
        APIOperation(method: "put", path: "/api/v1/revenues/rating-list/{uprn}", summary: "Give a hereditament a rateable value from a date (revenues.manage); its rates accounts are recalculated",
                  tag: "revenues", body: "RatingEntry"),
        APIOperation(method: "post", path: "/api/v1/imports/rating-list", summary: "Import rateable values (uprn, rateable_value, effective_from, description); reports every rejected row",
                  tag: "imports", body: "csv", response: "ImportReport"),
        APIOperation(method: "post", path: "/api/v1/imports/valuation-list", summary: "Import council tax bands (uprn, band, effective_from, area); reports every rejected row", tag: "imports",
                  body: "csv", response: "ImportReport"),
        APIOperation(method: "post", path: "/api/v1/imports/payments", summary: "Import a payment file (account, amount, received_on, method, reference); a reference is taken once per account",
                  tag: "imports", body: "csv", response: "ImportReport"),
        APIOperation(method: "get", path: "/api/v1/revenues/accounts", summary: "Council tax and business rates accounts a person is liable on, or for a property", tag: "revenues", query: ["person_id", "uprn"]),
        APIOperation(method: "post", path: "/api/v1/revenues/accounts", summary: "Open a council tax or (tax=business_rates) rates account: the property, the liable people and the day liability starts; billed at once if the year is",
                  tag: "revenues", body: "NewCouncilTaxAccount", response: "CouncilTaxAccountView", status: 201),
        APIOperation(method: "get", path: "/api/v1/revenues/accounts/{id}", summary: "An account: adjustments, bills with instalments, payments, and each year's position",
                  tag: "revenues", response: "CouncilTaxAccountView"),
        APIOperation(method: "get", path: "/api/v1/revenues/accounts/{id}/statement", summary: "The account statement: bills, revisions and payments with the running balance", tag: "revenues"),
        APIOperation(method: "post", path: "/api/v1/revenues/accounts/{id}/move-out", summary: "Record the last day of liability; the account is recalculated and the instalments re-profiled",
                  tag: "revenues", body: "MoveOut", response: "CouncilTaxAccountView"),
        APIOperation(method: "post", path: "/api/v1/revenues/accounts/{id}/close", summary: "Close an account with a nil balance; it then takes no payments", tag: "revenues",
                  response: "CouncilTaxAccountView"),
        APIOperation(method: "post", path: "/api/v1/revenues/accounts/{id}/adjustments", summary: "Add a discount, exemption, disabled band reduction or premium from a date, with evidence",
                  tag: "revenues", body: "Adjustment", response: "CouncilTaxAccountView", status: 201),
        APIOperation(method: "post", path: "/api/v1/revenues/accounts/{id}/adjustments/{adjustment}/end", summary: "End an adjustment on a day", tag: "revenues",
                  body: "EndAdjustment", response: "CouncilTaxAccountView"),
        APIOperation(method: "post", path: "/api/v1/revenues/accounts/{id}/payments", summary: "Record a payment; it pays the oldest year first unless directed to one", tag: "revenues",
                  body: "NewPayment", status: 201),
        APIOperation(method: "post", path: "/api/v1/revenues/accounts/{id}/refunds", summary: "Refund all or part of an account's credit to a bank account; it waits for the next BACS file",
                  tag: "revenues", body: "NewRefund", status: 201),
        APIOperation(method: "get", path: "/api/v1/revenues/refunds", summary: "Refunds, newest first (status=pending, paid or cancelled); account numbers masked", tag: "revenues",
                  query: ["status"]),
        APIOperation(method: "post", path: "/api/v1/revenues/refunds/{id}/cancel", summary: "Cancel a refund not yet in a BACS file; the credit stays on the account", tag: "revenues"),
        APIOperation(method: "get", path: "/api/v1/revenues/refunds/bank-account", summary: "The council's bank account refunds are paid from (number masked)", tag: "revenues"),
        APIOperation(method: "put", path: "/api/v1/revenues/refunds/bank-account", summary: "Set the council's bank account refunds are paid from (revenues.manage)", tag: "revenues",
                  body: "BankAccount"),
        APIOperation(method: "get", path: "/api/v1/revenues/refunds/files", summary: "BACS refund files made, newest first (revenues.manage)", tag: "revenues"),
        APIOperation(method: "post", path: "/api/v1/revenues/refunds/files", summary: "Make the BACS Standard 18 file of every pending refund and mark them paid (revenues.manage); each refund is in one file",
                  tag: "revenues", body: "RefundFileInput", status: 201),
        APIOperation(method: "get", path: "/api/v1/revenues/refunds/files/{id}", summary: "Download a BACS refund file (text, 100-character Standard 18 records)", tag: "revenues"),
        APIOperation(method: "post", path: "/api/v1/revenues/accounts/{id}/arrangements", summary: "Record an arrangement to pay; recovery waits while it runs",
                  tag: "revenues", body: "NewArrangement", status: 201),
        APIOperation(method: "post", path: "/api/v1/revenues/accounts/{id}/arrangements/{arrangement}/cancel", summary: "End an arrangement to pay; recovery resumes",
                  tag: "revenues", response: "CouncilTaxAccountView"),
        APIOperation(method: "get", path: "/api/v1/revenues/recovery/settings", summary: "The council's recovery timetable and court costs", tag: "revenues",
                  response: "RecoverySettings"),
        APIOperation(method: "put", path: "/api/v1/revenues/recovery/settings", summary: "Change the recovery timetable, costs and review (revenues.manage); fields left out stay",
                  tag: "revenues", body: "RecoverySettings", response: "RecoverySettings"),
        APIOperation(method: "post", path: "/api/v1/revenues/recovery/runs", summary: "Run the daily recovery job for a day (revenues.manage); proposes each stage once, so reruns add nothing",
                  tag: "revenues", body: "RecoveryRunInput"),
        APIOperation(method: "get", path: "/api/v1/revenues/recovery/actions", summary: "Recovery stages by status and stage, a page at a time (pass next as after)",
                  tag: "revenues", query: ["status", "stage", "after", "limit"]),
        APIOperation(method: "post", path: "/api/v1/revenues/recovery/actions/issue", summary: "Issue proposed stages after review (revenues.manage): letters are queued; stages no longer due are withdrawn",
                  tag: "revenues", body: "IssueRecovery"),
        APIOperation(method: "post", path: "/api/v1/revenues/recovery/actions/{id}/withhold", summary: "Withhold a proposed stage, with the reason", tag: "revenues",
                  body: "Withhold"),
        APIOperation(method: "get", path: "/api/v1/revenues/reports/collection",
                  summary: "Collection report, council tax (BVPI 9) or tax=business_rates (BVPI 10): the year's net debit and collection rate, arrears by year, bills issued, recovery stages; format=csv for a spreadsheet",
                  tag: "revenues", query: ["year", "as_of", "tax", "format"]),
        APIOperation(method: "get", path: "/api/v1/revenues/billing-runs", summary: "Recent billing runs with their counts", tag: "revenues"),
        APIOperation(method: "get", path: "/api/v1/revenues/billing-runs/{id}", summary: "One billing run's live counts and percentage done", tag: "revenues"),
        APIOperation(method: "post", path: "/api/v1/revenues/billing-runs", summary: "Start the annual billing run (revenues.manage): a background job; safe to start again, nobody is billed twice",
                  tag: "revenues", body: "BillingRunInput", status: 202),
        ]
    }

    public var schemas: [String: Any] {
        [
        "CouncilTaxCharges": obj(["year": s, "area": s, "preceptors": array(obj(["name": s, "kind": ["type": "string", "enum": Preceptor.Kind.allCases.map(\.rawValue)],
                                                                                "band_d": ["type": "integer", "description": "pence"], "previous_band_d": int],
                                                                               required: ["name", "kind", "band_d"])),
                                  "published": ["type": "object", "description": "band letter to pence", "additionalProperties": int]], required: ["year", "preceptors"]),
        "BandEntry": obj(["band": ["type": "string", "enum": CouncilTaxBand.allCases.map(\.rawValue)], "effective_from": s, "area": s], required: ["band", "effective_from"]),
        "RatingEntry": obj(["rateable_value": int, "effective_from": s, "description": s], required: ["rateable_value"]),
        "NewRefund": obj(["amount": ["type": "string", "description": "pounds; the whole credit when left out"], "payee_name": s, "sort_code": s,
                          "account_number": s, "reason": s], required: ["payee_name", "sort_code", "account_number"]),
        "BankAccount": obj(["name": s, "sort_code": s, "account_number": s], required: ["name", "sort_code", "account_number"]),
        "RefundFileInput": obj(["processing_date": ["type": "string", "description": "YYYY-MM-DD; today when left out"]]),
        "NewCouncilTaxAccount": obj(["tax": ["type": "string", "enum": Tax.allCases.map(\.rawValue)], "uprn": int, "liable_from": s, "liable_to": optS, "parties": array(obj(["person_id": s, "name": s])),
                                     "twelve_instalments": ["type": "boolean"], "instalment_day": int, "e_billing_email": optS], required: ["uprn", "liable_from", "parties"]),
        "CouncilTaxAccountView": obj(["account": ["type": "object"], "adjustments": array(["type": "object"]), "bills": array(["type": "object"]),
                                      "payments": array(["type": "object"]), "years": array(["type": "object"]), "balance": int, "credit": int]),
        "MoveOut": obj(["last_day": s, "version": int], required: ["last_day"]),
        "Adjustment": obj(["kind": ["type": "string", "enum": Adjustment.Kind.manual.map(\.rawValue)], "from": s, "to": optS, "exemption_class": optS,
                           "percent": int, "evidence": s], required: ["kind", "from"]),
        "EndAdjustment": obj(["last_day": s], required: ["last_day"]),
        "NewPayment": obj(["amount": ["type": "string", "description": "pounds, like 125.50"], "amount_pence": int,
                           "method": ["type": "string", "enum": PaymentMethod.allCases.map(\.rawValue)], "received_on": s, "reference": s, "year": s], required: ["method"]),
        "BillingRunInput": obj(["year": s, "issued_on": s], required: ["year"]),
        "NewArrangement": obj(["amount": ["type": "string", "description": "pounds, like 50.00"], "frequency": ["type": "string", "enum": Arrangement.Frequency.allCases.map(\.rawValue)],
                               "first_payment_on": s, "ends_on": optS, "note": s], required: ["amount", "frequency", "first_payment_on", "note"]),
        "RecoverySettings": obj(["reminder_after_days": int, "minimum_arrears": ["type": "integer", "description": "pence"],
                                 "summons_costs": ["type": "integer", "description": "pence"], "liability_order_costs": ["type": "integer", "description": "pence"],
                                 "hearing_after_days": ["type": "integer", "minimum": 14], "review_before_issue": ["type": "boolean"]]),
        "RecoveryRunInput": obj(["date": ["type": "string", "description": "YYYY-MM-DD; default today"]]),
        "IssueRecovery": obj(["ids": array(s), "stage": ["type": "string", "enum": RecoveryStage.allCases.map(\.rawValue)]]),
        "Withhold": obj(["reason": s], required: ["reason"]),
        ]
    }
}
