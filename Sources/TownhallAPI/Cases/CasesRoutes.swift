import Access
import Cases
import Foundation
import Hummingbird
import TownhallDatabase
import TownhallHTTP
import Partnership
import TownhallKernel

/// /api/v1/cases, /services, /routing-rules, /calendar, /templates, /sla, /track: the case engine over HTTP.
public struct CasesRoutes: APIArea {
    let cases: Cases
    let partnership: Partnership
    let access: Access
    /// Service catalogues, rendered once per change.
    let bodies = RenderedBodies()

    public init(services: ServiceRegistry) {
        cases = services.require(Cases.self); partnership = services.require(Partnership.self); access = services.require(Access.self)
    }

    static func list<T>(_ raw: String?, _ parse: (String) throws -> T) throws -> [T] {
        try (raw ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { try parse($0) }
    }

    func orgID(_ slug: String?) async throws -> OrganisationID? {
        guard let slug, !slug.isEmpty else { return nil }
        return try await partnership.organisation(slug: slug).id
    }

    public func addRoutes(api group: RouterGroup<TownhallContext>, root: Router<TownhallContext>) {
        // Catalogue
        group.get("services") { request, context in
            let actor = try context.requireActor()
            let organisation = try await orgID(request.query("organisation")) ?? actor.organisationID
            let catalogue = try await cases.catalogue(organisation: organisation)
            return try bodies.response(for: request, key: "services/\(organisation)", tag: catalogue.tag, contentType: JSONResponse.contentType) {
                try JSONResponse.bytes(["items": catalogue.services])
            }
        }
        group.post("services") { request, context in
            let actor = try context.requireActor()
            let body = try await BodyDecoding.decode(ServiceBody.self, from: request, context: context)
            return try JSONResponse.make(try await cases.saveService(try body.definition(organisation: actor.organisationID), by: actor), status: .created)
        }
        group.get("services/:code") { request, context in
            let actor = try context.requireActor()
            let organisation = try await orgID(request.query("organisation")) ?? actor.organisationID
            return try JSONResponse.make(try await cases.service(code: try context.parameters.require("code"), organisation: organisation))
        }
        group.put("services/:code") { request, context in
            let actor = try context.requireActor()
            let body = try await BodyDecoding.decode(ServiceBody.self, from: request, context: context)
            guard body.code == (try context.parameters.require("code")) else { throw TownhallError.invalid("code", "The code in the body must match the address.") }
            guard let version = body.version else { throw TownhallError.missing("version") }
            return try JSONResponse.make(try await cases.saveService(try body.definition(organisation: actor.organisationID), expectedVersion: version, by: actor))
        }
        group.post("imports/services") { request, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(try await cases.importLGSL(csv: try await BodyDecoding.csv(from: request), by: actor))
        }

        // Routing rules
        group.get("routing-rules") { _, context in
            _ = try context.requireActor()
            return try JSONResponse.make(["items": try await cases.rules()])
        }
        group.post("routing-rules") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(RuleBody.self, from: request, context: context)
            let rule = RoutingRule(ownerID: actor.organisationID, name: b.name, serviceCode: b.service_code, postcodePrefixes: b.postcode_prefixes ?? [],
                                   polygon: b.polygon, targetID: actor.organisationID, rank: b.rank ?? 100)
            return try JSONResponse.make(try await cases.addRule(rule, targetSlug: b.organisation, teamName: b.team, by: actor), status: .created)
        }
        group.delete("routing-rules/:id") { _, context in
            let actor = try context.requireActor()
            try await cases.removeRule(try context.parameters.id("id"), by: actor)
            return Response(status: .noContent)
        }

        // Calendars
        group.get("calendar") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(CalendarView(try await cases.calendar(organisation: actor.organisationID)))
        }
        group.put("calendar") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(CalendarBody.self, from: request, context: context)
            let calendar = try await cases.setCalendar(workingDays: Set(b.working_days), opensAt: try CalendarBody.minutes(b.opens_at, field: "opens_at"),
                                                       closesAt: try CalendarBody.minutes(b.closes_at, field: "closes_at"), by: actor)
            return try JSONResponse.make(CalendarView(calendar))
        }
        group.post("calendar/bank-holidays") { request, context in
            let actor = try context.requireActor()
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: context.maxUploadSize) } catch {
                throw TownhallError(.payloadTooLarge, code: "body_too_large", message: "The file is larger than 1 MiB.")
            }
            let result = try await cases.loadBankHolidays(json: Data(buffer: buffer), by: actor)
            return try JSONResponse.make(["added": result.added, "total": result.total])
        }

        // Templates
        group.get("templates") { _, context in
            let actor = try context.requireActor()
            var items: [NotificationTemplate] = []
            for kind in NotificationTemplate.Kind.allCases { items.append(try await cases.template(kind, organisation: actor.organisationID)) }
            return try JSONResponse.make(["items": items])
        }
        group.put("templates/:kind") { request, context in
            let actor = try context.requireActor()
            let raw = try context.parameters.require("kind")
            guard let kind = NotificationTemplate.Kind(rawValue: raw) else { throw TownhallError.notFound("Template kind \(raw)", field: "kind") }
            let b = try await BodyDecoding.decode(TemplateBody.self, from: request, context: context)
            return try JSONResponse.make(try await cases.saveTemplate(kind: kind, subject: b.subject, body: b.body, by: actor))
        }

        // Cases
        group.get("cases") { request, context in
            let actor = try context.requireActor()
            var q = Cases.Query()
            q.statuses = try Self.list(request.query("status")) { try CaseStatus(parsing: $0) }
            q.serviceCodes = try Self.list(request.query("service_code")) { $0 }
            q.slaStates = try Self.list(request.query("sla_state")) { raw in
                guard let s = ServiceLevelClock.State(rawValue: raw) else {
                    throw TownhallError.invalid("sla_state", "sla_state is one of: \(ServiceLevelClock.State.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                return s
            }
            q.teamID = try request.query("team_id").map { try TeamID.parse($0, field: "team_id") }
            q.assigneeID = try request.query("assignee_id").map { try StaffID.parse($0, field: "assignee_id") }
            q.requesterID = try request.query("requester_id").map { try PersonID.parse($0, field: "requester_id") }
            q.uprn = try request.query("uprn").map { try UPRN(parsing: $0) }
            q.area = request.query("area")
            q.references = try Self.list(request.query("reference")) { raw in
                guard let r = CaseReference.normalise(raw) else { throw TownhallError.invalid("reference", "A reference looks like TH-26-000123.", code: "invalid_reference") }
                return r
            }
            q.ownOnly = request.query("own") == "true"
            return try JSONResponse.page(try await cases.list(q, after: try request.cursor(), limit: try request.pageSize(), by: actor))
        }
        group.post("cases") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(CaseBody.self, from: request, context: context)
            let sentTo = try await orgID(b.organisation)
            let input = Cases.NewCase(serviceCode: b.service_code, sentTo: sentTo, priority: b.priority, description: b.description,
                                      attributes: (b.attributes ?? [:]).mapValues(\.values),
                                      requesterID: try b.requester_id.map { try PersonID.parse($0, field: "requester_id") },
                                      contact: CaseContact(name: b.name, email: b.email, phone: b.phone), location: try b.location.location(),
                                      channel: try b.channel.map { try CaseChannel(parsing: $0) }, mediaURLs: b.media_urls ?? [])
            return try JSONResponse.make(try await cases.create(input, by: actor), status: .created)
        }
        group.get("cases/:id") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(CaseRecordView(try await cases.record(id: try context.parameters.id("id"), by: actor)))
        }
        group.post("cases/:id/status") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(StatusBody.self, from: request, context: context)
            let resolution = try b.resolution.map { raw in
                guard let r = Resolution(rawValue: raw) else {
                    throw TownhallError.invalid("resolution", "resolution is one of: \(Resolution.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                return r
            }
            return try JSONResponse.make(try await cases.changeStatus(try context.parameters.id("id"), to: try CaseStatus(parsing: b.status), version: b.version,
                                                                      update: b.update, resolution: resolution, duplicateOf: b.duplicate_of, by: actor))
        }
        group.post("cases/:id/notes") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(NoteBody.self, from: request, context: context)
            return try JSONResponse.make(try await cases.addNote(try context.parameters.id("id"), text: b.text, isPublic: b.public ?? false, by: actor), status: .created)
        }
        group.post("cases/:id/assignment") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(AssignmentBody.self, from: request, context: context)
            return try JSONResponse.make(try await cases.assign(try context.parameters.id("id"), teamID: try b.team_id.map { try TeamID.parse($0, field: "team_id") },
                                                                assigneeID: try b.assignee_id.map { try StaffID.parse($0, field: "assignee_id") }, version: b.version, by: actor))
        }
        group.post("cases/:id/transfer") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(TransferBody.self, from: request, context: context)
            return try JSONResponse.make(try await cases.transfer(try context.parameters.id("id"), to: b.organisation, reason: b.reason, version: b.version, by: actor))
        }
        group.post("cases/:id/priority") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(PriorityBody.self, from: request, context: context)
            return try JSONResponse.make(try await cases.setPriority(try context.parameters.id("id"), to: try Priority(parsing: b.priority), version: b.version, by: actor))
        }
        group.post("cases/:id/links") { request, context in
            let actor = try context.requireActor()
            let b = try await BodyDecoding.decode(LinkBody.self, from: request, context: context)
            try await cases.link(try context.parameters.id("id"), to: b.reference, by: actor)
            return Response(status: .noContent)
        }
        group.post("cases/:id/attachments") { request, context in
            let actor = try context.requireActor()
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: CaseAttachment.maximumSize) } catch {
                throw TownhallError(.payloadTooLarge, code: "attachment_too_large", message: "An attachment can be at most 5 MiB.", field: "file")
            }
            let attachment = try await cases.attach(try context.parameters.id("id"), filename: request.query("filename") ?? "attachment",
                                                    contentType: request.headers[.contentType] ?? "", content: Data(buffer: buffer), by: actor)
            return try JSONResponse.make(attachment, status: .created)
        }
        group.get("cases/:id/attachments/:attachment") { _, context in
            let actor = try context.requireActor()
            let (meta, data) = try await cases.attachment(try context.parameters.id("id"), attachmentID: try context.parameters.require("attachment"), by: actor)
            var headers = HTTPFields()
            headers[.contentType] = meta.contentType
            headers[.contentDisposition] = "attachment; filename=\"\(meta.filename.replacingOccurrences(of: "\"", with: ""))\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        group.get("cases/:id/messages") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(["items": try await cases.messages(case: try context.parameters.id("id"), by: actor)])
        }
        group.get("track/:reference") { _, context in
            try JSONResponse.make(try await cases.track(reference: try context.parameters.require("reference")))
        }
        group.get("teams") { _, context in
            let actor = try context.requireActor()
            return try JSONResponse.make(["items": try await access.teams(in: actor.organisationID)])
        }

        // Service levels
        group.get("sla/summary") { request, context in
            let actor = try context.requireActor()
            guard let month = request.query("month") else { throw TownhallError.missing("month") }
            let slug: String
            if let given = request.query("organisation") { slug = given } else { slug = try await partnership.organisation(id: actor.organisationID).slug }
            return try JSONResponse.make(SummaryView(try await cases.serviceLevelSummary(organisation: slug, month: month, by: actor)))
        }
        group.post("sla/recompute") { _, context in
            let actor = try context.requireActor()
            try actor.require(.casesManage)
            return try JSONResponse.make(try await cases.recomputeServiceLevels(organisation: actor.organisationID))
        }
    }
}

// What this area adds to the OpenAPI document.
extension CasesRoutes {
    public var operations: [APIOperation] {
        [
        APIOperation(method: "get", path: "/api/v1/services", summary: "The service catalogue of your organisation (or ?organisation=slug)", tag: "cases", query: ["organisation"]),
        APIOperation(method: "post", path: "/api/v1/services", summary: "Add a service: LGSL code, form of typed attributes, targets (cases.manage)", tag: "cases", body: "Service", status: 201),
        APIOperation(method: "get", path: "/api/v1/services/{code}", summary: "One service and its form", tag: "cases", query: ["organisation"]),
        APIOperation(method: "put", path: "/api/v1/services/{code}", summary: "Change a service; send the version you read (409 if stale)", tag: "cases", body: "Service"),
        APIOperation(method: "post", path: "/api/v1/imports/services", summary: "Load an LGSL services CSV (LGSL, Description, Providing Tier) into your catalogue", tag: "imports", body: "csv"),
        APIOperation(method: "get", path: "/api/v1/routing-rules", summary: "The partnership's routing rules", tag: "cases"),
        APIOperation(method: "post", path: "/api/v1/routing-rules", summary: "Route a service and/or area (postcode sectors, polygon) to an organisation and team", tag: "cases", body: "RoutingRule", status: 201),
        APIOperation(method: "delete", path: "/api/v1/routing-rules/{id}", summary: "Remove one of your routing rules", tag: "cases", status: 204),
        APIOperation(method: "get", path: "/api/v1/calendar", summary: "Your working calendar (days, hours, bank holidays)", tag: "cases"),
        APIOperation(method: "put", path: "/api/v1/calendar", summary: "Set your working days and hours (cases.manage)", tag: "cases", body: "Calendar"),
        APIOperation(method: "post", path: "/api/v1/calendar/bank-holidays", summary: "Refresh bank holidays from GOV.UK bank-holidays.json", tag: "cases", body: "BankHolidays"),
        APIOperation(method: "get", path: "/api/v1/templates", summary: "Your message templates (Notify-style ((placeholders)))", tag: "notifications"),
        APIOperation(method: "put", path: "/api/v1/templates/{kind}", summary: "Save a template; unknown placeholders are refused", tag: "notifications", body: "Template"),
        APIOperation(method: "get", path: "/api/v1/cases", summary: "Cases you may see, newest first; filter for team queues", tag: "cases",
                  query: ["status", "service_code", "sla_state", "team_id", "assignee_id", "requester_id", "uprn", "area", "reference", "own"] + list, response: "CasePage"),
        APIOperation(method: "post", path: "/api/v1/cases", summary: "Log a case; it is routed to the organisation that must act", tag: "cases", body: "NewCase", response: "Case", status: 201),
        APIOperation(method: "get", path: "/api/v1/cases/{id}", summary: "A case with its timeline, links and attachments", tag: "cases"),
        APIOperation(method: "post", path: "/api/v1/cases/{id}/status", summary: "Change status (new → acknowledged → in progress ⇄ waiting → resolved → closed; reopen)", tag: "cases", body: "StatusChange", response: "Case"),
        APIOperation(method: "post", path: "/api/v1/cases/{id}/notes", summary: "Add an internal note or a public update", tag: "cases", body: "Note", status: 201),
        APIOperation(method: "post", path: "/api/v1/cases/{id}/assignment", summary: "Assign to a team and officer", tag: "cases", body: "Assignment", response: "Case"),
        APIOperation(method: "post", path: "/api/v1/cases/{id}/transfer", summary: "Transfer to another organisation with a reason", tag: "cases", body: "Transfer", response: "Case"),
        APIOperation(method: "post", path: "/api/v1/cases/{id}/priority", summary: "Change priority (recomputes the service level)", tag: "cases", body: "PriorityChange", response: "Case"),
        APIOperation(method: "post", path: "/api/v1/cases/{id}/links", summary: "Link a related case by reference", tag: "cases", body: "Link", status: 204),
        APIOperation(method: "post", path: "/api/v1/cases/{id}/attachments", summary: "Attach a photo or document (raw body, ≤ 5 MiB, ?filename=)", tag: "cases", query: ["filename"], body: "file", status: 201),
        APIOperation(method: "get", path: "/api/v1/cases/{id}/attachments/{attachment}", summary: "Download an attachment", tag: "cases"),
        APIOperation(method: "get", path: "/api/v1/cases/{id}/messages", summary: "Messages queued and sent for a case", tag: "notifications"),
        APIOperation(method: "get", path: "/api/v1/track/{reference}", summary: "Public progress of a case by reference (no personal data)", tag: "cases"),
        APIOperation(method: "get", path: "/api/v1/teams", summary: "Your organisation's teams", tag: "access"),
        APIOperation(method: "get", path: "/api/v1/sla/summary", summary: "Cases due in a month per service and priority: due, met, missed, % met", tag: "cases", query: ["organisation", "month"]),
        APIOperation(method: "post", path: "/api/v1/sla/recompute", summary: "Recompute service levels from timelines after a calendar or target change (cases.manage)", tag: "cases"),
        ]
    }

    public var schemas: [String: Any] {
        [
        "Case": obj(["id": s, "reference": s, "organisation_id": s, "service_code": s, "service_name": s, "status": s, "resolution": optS, "priority": s,
                     "channel": s, "location": obj([:]), "attributes": obj([:]), "due_at": optS, "sla_state": s, "version": int]),
        "CasePage": obj(["items": array(ref("Case")), "next_cursor": optS]),
        "NewCase": obj(["service_code": s, "organisation": s, "priority": ["type": "string", "enum": ["urgent", "high", "normal", "low"]], "description": s,
                        "attributes": obj([:]), "requester_id": s, "name": s, "email": s, "phone": s,
                        "location": obj(["uprn": int, "usrn": int, "lat": num, "long": num, "address": s, "postcode": s]), "channel": s, "media_urls": array(s)],
                       required: ["service_code", "location"]),
        "StatusChange": obj(["status": s, "version": int, "update": s, "resolution": s, "duplicate_of": s], required: ["status", "version"]),
        "Note": obj(["text": s, "public": ["type": "boolean"]], required: ["text"]),
        "Assignment": obj(["team_id": s, "assignee_id": s, "version": int], required: ["version"]),
        "Transfer": obj(["organisation": s, "reason": s, "version": int], required: ["organisation", "reason", "version"]),
        "PriorityChange": obj(["priority": s, "version": int], required: ["priority", "version"]),
        "Link": obj(["reference": s], required: ["reference"]),
        "Service": obj(["code": s, "name": s, "group": s, "description": s, "keywords": array(s), "providing_tier": s,
                        "attributes": array(obj(["code": s, "datatype": s, "required": ["type": "boolean"], "order": int, "description": s, "values": array(obj(["key": s, "name": s]))])),
                        "default_priority": s, "targets": obj([:]), "public": ["type": "boolean"], "version": int], required: ["code", "name"]),
        "RoutingRule": obj(["name": s, "service_code": s, "postcode_prefixes": array(s), "polygon": array(array(["type": "number"])), "organisation": s, "team": s, "rank": int],
                           required: ["name", "organisation"]),
        "Calendar": obj(["working_days": array(int), "opens_at": s, "closes_at": s], required: ["working_days", "opens_at", "closes_at"]),
        "BankHolidays": obj([:]),
        "Template": obj(["subject": s, "body": s], required: ["subject", "body"]),
        ]
    }
}
