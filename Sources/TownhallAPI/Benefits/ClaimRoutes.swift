import Benefits
import Foundation
import Hummingbird
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// Housing benefit and council tax reduction claims over JSON: take one (the household as the checker takes it), list
/// and read them, move one on a step at a time, and NI 181 by month.
public struct ClaimRoutes: APIArea {
    let claims: Claims

    public init(services: ServiceRegistry) { claims = services.require(Claims.self) }

    struct ClaimBody: Decodable {
        static let fields: Set<String> = ["kind", "person_id", "account_id", "previous_claim_id", "received_on", "effective_from", "note", "household"]
        var kind: String?
        var person_id: String
        var account_id: String?
        var previous_claim_id: String?
        var received_on: String?
        var effective_from: String?
        var note: String?
        var household: EstimateInput
    }

    struct StepBody: Decodable {
        static let fields: Set<String> = ["action", "on", "note", "version", "household"]
        var action: String
        var on: String?
        var note: String?
        var version: Int?
        var household: EstimateInput?
    }

    /// Reads a body whose `household` is an estimate input: unknown fields refused at every depth, by their full path.
    static func decode<T: Decodable>(_ type: T.Type, fields: Set<String>, from data: Data) throws -> T {
        guard !data.isEmpty else { throw TownhallError(.invalid, code: "empty_body", message: "The request needs a JSON object body.") }
        let top = try Benefits.jsonObject(data)
        try Benefits.refuseUnknown(top, fields, at: "")
        if let household = top["household"] as? [String: Any] { try Benefits.checkFields(household, at: "household.") }
        do { return try JSONDecoder().decode(T.self, from: data) } catch let error as DecodingError { throw TownhallError(decoding: error) }
    }

    struct EventView: Encodable {
        var status, on, at, by, note: String
        init(_ e: Claim.Event) { status = e.status.rawValue; on = e.on.description; at = e.at.iso; by = e.by; note = e.note }
    }

    struct AssessmentView: Encodable {
        var fiscal_year: String
        var housing_benefit, housing_benefit_weekly, council_tax_reduction, council_tax_net: Double
        var assessed_on: String
        init(_ a: Claim.Assessment) {
            fiscal_year = a.fiscalYear; housing_benefit = Double(a.housingBenefit) / 100
            housing_benefit_weekly = Double(a.housingBenefitWeekly) / 100; council_tax_reduction = Double(a.councilTaxReduction) / 100
            council_tax_net = Double(a.councilTaxNet) / 100; assessed_on = a.assessedOn.description
        }
    }

    struct ClaimView: Encodable {
        var id, organisation_id, reference, kind, person_id, status, received_on, effective_from: String
        var account_id, previous_claim_id, decided_on, notified_on, award_adjustment_id: String?
        var days_to_decide: Int?
        var version: Int
        var assessment: AssessmentView?
        var actions: [String]
        var household: EstimateInput?
        var events: [EventView]?
        var workings: EstimateBody?

        init(_ c: Claim, full: Bool, workings: Estimate? = nil) {
            id = c.id.string; organisation_id = c.organisationID.string; reference = c.reference; kind = c.kind.rawValue
            person_id = c.personID.string; status = c.status.rawValue; received_on = c.receivedOn.description
            effective_from = c.effectiveFrom.description; account_id = c.accountID?.string; previous_claim_id = c.previousClaimID?.string
            decided_on = c.decidedOn?.description; notified_on = c.notifiedOn?.description; award_adjustment_id = c.awardAdjustmentID
            days_to_decide = c.daysToDecide; version = c.version; assessment = c.assessment.map(AssessmentView.init)
            actions = Claim.Action.available(from: c.status).map(\.rawValue)
            if full { household = c.household; events = c.events.map(EventView.init); self.workings = workings.map(EstimateBody.init) }
        }
    }

    struct MonthView: Encodable {
        var month: String
        var new_claims, changes: Int
        var new_claim_average_days, change_average_days, average_days: Double?
        init(_ m: SpeedOfProcessing.Month) {
            month = m.month; new_claims = m.newClaims; changes = m.changes
            func round(_ x: Double?) -> Double? { x.map { ($0 * 100).rounded() / 100 } }
            new_claim_average_days = round(m.newClaimAverage); change_average_days = round(m.changeAverage); average_days = round(m.average)
        }
    }

    public func addRoutes(api group: RouterGroup<TownhallContext>, root: Router<TownhallContext>) {
        group.post("benefits/claims") { request, context in
            let actor = try context.requireActor()
            let body = try Self.decode(ClaimBody.self, fields: ClaimBody.fields, from: try await BodyDecoding.json(from: request, context: context))
            let claim = try await claims.take(Claims.NewClaim(kind: body.kind, personID: body.person_id, accountID: body.account_id,
                                                              previousClaimID: body.previous_claim_id, receivedOn: body.received_on,
                                                              effectiveFrom: body.effective_from, household: body.household, note: body.note),
                                              by: actor)
            return try JSONResponse.make(ClaimView(claim, full: true), status: .created)
        }
        group.get("benefits/claims") { request, context in
            let actor = try context.requireActor()
            let status = try request.query("status").map { raw in
                guard let s = Claim.Status(rawValue: raw) else {
                    throw TownhallError.invalid("status", "status is one of \(Claim.Status.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                return s
            }
            let person = try request.query("person_id").map { try PersonID.parse($0, field: "person_id") }
            let open: Bool
            switch request.query("open") {
            case nil, "false": open = false
            case "true": open = true
            default: throw TownhallError.invalid("open", "open is true or false.")
            }
            let limit = try PageSize(request.query("limit")).value
            let page = try await claims.list(.init(status: status, person: person, openOnly: open), after: request.query("after"), limit: limit, by: actor)
            return try JSONResponse.make(ClaimPage(items: page.items.map { ClaimView($0, full: false) }, next: page.next))
        }
        group.get("benefits/claims/:id") { _, context in
            let actor = try context.requireActor()
            let claim = try await claims.claim(try ClaimID.parse(try context.parameters.require("id"), field: "id"), by: actor)
            return try JSONResponse.make(ClaimView(claim, full: true, workings: try? await claims.workings(claim)))
        }
        group.post("benefits/claims/:id/steps") { request, context in
            let actor = try context.requireActor()
            let id = try ClaimID.parse(try context.parameters.require("id"), field: "id")
            let body = try Self.decode(StepBody.self, fields: StepBody.fields, from: try await BodyDecoding.json(from: request, context: context))
            guard let action = Claim.Action(rawValue: body.action) else {
                throw TownhallError.invalid("action", "action is one of \(Claim.Action.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            let claim = try await claims.act(id, action, on: body.on, note: body.note, household: body.household, version: body.version, by: actor)
            return try JSONResponse.make(ClaimView(claim, full: true, workings: try? await claims.workings(claim)))
        }
        group.get("benefits/reports/caseload") { _, context in
            let rows = try await claims.caseload(by: try context.requireActor())
            return try JSONResponse.make(["items": rows.map { CaseloadRow(status: $0.status.rawValue, new_claims: $0.newClaims, changes: $0.changes) }])
        }
        group.get("benefits/reports/speed-of-processing") { request, context in
            let actor = try context.requireActor()
            let today = LocalDate.today()
            let defaultFirst = today.month >= 4 ? "\(today.year)-04" : "\(today.year - 1)-04"
            let thisMonth = "\(today.year)-\(today.month < 10 ? "0" : "")\(today.month)"
            let report = try await claims.speedOfProcessing(from: request.query("first_month") ?? defaultFirst,
                                                           to: request.query("last_month") ?? thisMonth, by: actor)
            switch request.query("format") ?? "json" {
            case "json":
                return try JSONResponse.make(SpeedView(months: report.months.map(MonthView.init), total: MonthView(report.total)))
            case "csv":
                var csv = "month,new_claims,new_claim_average_days,changes,change_average_days,average_days\n"
                for m in report.months + [report.total] {
                    let v = MonthView(m)
                    func f(_ x: Double?) -> String { x.map { String($0) } ?? "" }
                    csv += "\(v.month),\(v.new_claims),\(f(v.new_claim_average_days)),\(v.changes),\(f(v.change_average_days)),\(f(v.average_days))\n"
                }
                return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                                       .contentDisposition: "attachment; filename=\"ni181.csv\""],
                                body: .init(byteBuffer: ByteBuffer(string: csv)))
            default: throw TownhallError.invalid("format", "format is json or csv.")
            }
        }
    }

    struct CaseloadRow: Encodable { var status: String; var new_claims, changes: Int }
    struct ClaimPage: Encodable { var items: [ClaimView]; var next: String? }
    struct SpeedView: Encodable { var months: [MonthView]; var total: MonthView }
}

extension ClaimRoutes {
    public var operations: [APIOperation] {
        [
            APIOperation(method: "post", path: "/api/v1/benefits/claims",
                         summary: "Take a housing benefit and council tax reduction claim, or a change of circumstances (benefits.claim)",
                         tag: "benefits", body: "NewClaim", response: "Claim", status: 201),
            APIOperation(method: "get", path: "/api/v1/benefits/claims", summary: "Claims oldest received first: the work queue",
                         tag: "benefits", query: ["status", "person_id", "open", "after", "limit"], response: "ClaimPage"),
            APIOperation(method: "get", path: "/api/v1/benefits/claims/{id}", summary: "One claim with its household, steps and workings",
                         tag: "benefits", response: "Claim"),
            APIOperation(method: "post", path: "/api/v1/benefits/claims/{id}/steps",
                         summary: "Move a claim on: request evidence, assess, decide (the council tax bill changes), notify, suspend, resume, withdraw (benefits.assess)",
                         tag: "benefits", body: "ClaimStep", response: "Claim"),
            APIOperation(method: "get", path: "/api/v1/benefits/reports/caseload",
                         summary: "The caseload: claims and changes in each status", tag: "benefits", response: "Caseload"),
            APIOperation(method: "get", path: "/api/v1/benefits/reports/speed-of-processing",
                         summary: "NI 181: average days from receipt to decision of new claims and changes, by month of decision (JSON or CSV)",
                         tag: "benefits", query: ["first_month", "last_month", "format"], response: "SpeedOfProcessing"),
        ]
    }

    public var schemas: [String: Any] {
        let date: [String: Any] = ["type": "string", "format": "date"]
        let month: [String: Any] = ["type": "object", "properties": [
            "month": s, "new_claims": ["type": "integer"], "changes": ["type": "integer"],
            "new_claim_average_days": ["type": ["number", "null"]], "change_average_days": ["type": ["number", "null"]],
            "average_days": ["type": ["number", "null"]]]]
        let claim = obj([
            "id": s, "organisation_id": s, "reference": s, "kind": ["type": "string", "enum": Claim.Kind.allCases.map(\.rawValue)],
            "person_id": s, "status": ["type": "string", "enum": Claim.Status.allCases.map(\.rawValue)], "received_on": s,
            "effective_from": s, "account_id": optS, "previous_claim_id": optS, "decided_on": optS, "notified_on": optS,
            "award_adjustment_id": optS, "days_to_decide": ["type": ["integer", "null"]], "version": ["type": "integer"],
            "assessment": ["type": ["object", "null"]], "actions": array(["type": "string", "enum": Claim.Action.allCases.map(\.rawValue)]),
            "household": ["$ref": "#/components/schemas/EstimateInput"], "events": array(obj(["status": s, "on": s, "at": s, "by": s, "note": s])),
            "workings": ["$ref": "#/components/schemas/Estimate"],
        ])
        return [
            "NewClaim": obj([
                "kind": ["type": "string", "enum": Claim.Kind.allCases.map(\.rawValue)],
                "person_id": s, "account_id": s, "previous_claim_id": s,
                "received_on": date.merging(["description": "The day the claim reached the council; today when left out."]) { $1 },
                "effective_from": date, "note": ["type": "string", "maxLength": 2000],
                "household": ["$ref": "#/components/schemas/EstimateInput"],
            ], required: ["person_id", "household"]),
            "ClaimStep": obj([
                "action": ["type": "string", "enum": Claim.Action.allCases.map(\.rawValue)],
                "on": date.merging(["description": "The day of the step; today when left out."]) { $1 },
                "note": ["type": "string", "maxLength": 2000], "version": ["type": "integer", "minimum": 1],
                "household": ["$ref": "#/components/schemas/EstimateInput"],
            ], required: ["action"]).merging([
                // Only an assessment takes a corrected household.
                "if": ["properties": ["action": ["not": ["const": "assess"]]]],
                "then": ["properties": ["household": ["type": "null"]]],
            ]) { $1 },
            "Claim": claim,
            "ClaimPage": obj(["items": array(claim), "next": optS]),
            "Caseload": obj(["items": array(obj([
                "status": ["type": "string", "enum": Claim.Status.allCases.map(\.rawValue)],
                "new_claims": ["type": "integer", "minimum": 0], "changes": ["type": "integer", "minimum": 0]]))]),
            "SpeedOfProcessing": obj(["months": array(month), "total": month]),
        ]
    }
}
