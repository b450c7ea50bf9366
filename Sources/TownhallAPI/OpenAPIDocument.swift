import Contact
import Revenues
import Foundation

/// The OpenAPI 3.1 description of /api/v1, built from one table of operations. A test checks that every route the
/// router serves is in this table and nothing here is missing from the router.
public enum OpenAPIDocument {
    public struct Operation: Sendable {
        public var method: String
        public var path: String
        public var summary: String
        public var tag: String
        public var query: [String] = []
        public var body: String? = nil
        public var response: String? = nil
        public var status: Int = 200
    }

    static let list = ["cursor", "limit"]

    public static let operations: [Operation] = [
        Operation(method: "get", path: "/api/v1/openapi.json", summary: "This document", tag: "meta"),
        Operation(method: "get", path: "/api/v1/me", summary: "Who the caller is: organisation, permissions", tag: "access"),
        Operation(method: "get", path: "/api/v1/organisations", summary: "List organisations on the platform", tag: "partnership", response: "OrganisationList"),
        Operation(method: "post", path: "/api/v1/organisations", summary: "Register an organisation (organisations.manage)", tag: "partnership", body: "NewOrganisation", response: "Organisation", status: 201),
        Operation(method: "get", path: "/api/v1/organisations/{slug}", summary: "One organisation by slug", tag: "partnership", response: "Organisation"),
        Operation(method: "get", path: "/api/v1/agreements", summary: "Data-sharing agreements the caller's organisation is party to", tag: "partnership"),
        Operation(method: "post", path: "/api/v1/agreements", summary: "Share categories of your records with another organisation (agreements.manage)", tag: "partnership", body: "NewAgreement", response: "Agreement", status: 201),
        Operation(method: "post", path: "/api/v1/agreements/{id}/revoke", summary: "Revoke an agreement", tag: "partnership", status: 204),
        Operation(method: "get", path: "/api/v1/staff", summary: "Staff of the caller's organisation (staff.manage)", tag: "access"),
        Operation(method: "post", path: "/api/v1/staff", summary: "Create a staff account (staff.manage)", tag: "access", body: "NewStaff", status: 201),
        Operation(method: "post", path: "/api/v1/api-keys", summary: "Create an API key; the secret is returned once (api_keys.manage)", tag: "access", body: "NewAPIKey", status: 201),
        Operation(method: "get", path: "/api/v1/audit", summary: "Search the audit log, newest first (audit.read)", tag: "audit",
                  query: ["entity_type", "entity_id", "actor_id", "action", "person_id", "from", "to"] + list),
        Operation(method: "get", path: "/api/v1/properties", summary: "Search properties by address text, postcode or UPRN", tag: "register",
                  query: ["q", "postcode", "uprn"] + list, response: "PropertyPage"),
        Operation(method: "post", path: "/api/v1/properties", summary: "Add a property (BS 7666 fields, keyed by UPRN)", tag: "register", body: "PropertyInput", response: "Property", status: 201),
        Operation(method: "get", path: "/api/v1/properties/{id}", summary: "One property", tag: "register", response: "Property"),
        Operation(method: "get", path: "/api/v1/properties/{id}/occupants", summary: "People at a property over time", tag: "register"),
        Operation(method: "get", path: "/api/v1/postcodes/{postcode}", summary: "A postcode from the postcode directory", tag: "register"),
        Operation(method: "get", path: "/api/v1/people", summary: "Search people by name (typo tolerant), postcode, UPRN, phone or email; ranked", tag: "register",
                  query: ["q"] + list, response: "PersonMatchPage"),
        Operation(method: "post", path: "/api/v1/people", summary: "Add a person", tag: "register", body: "PersonInput", response: "PersonRecord", status: 201),
        Operation(method: "get", path: "/api/v1/people/{id}", summary: "A person's record (the read is audited; give ?purpose= for restricted reads)", tag: "register",
                  query: ["purpose"], response: "PersonRecord"),
        Operation(method: "patch", path: "/api/v1/people/{id}", summary: "Change a person's details; send the version you read (409 if stale)", tag: "register", body: "PersonPatch", response: "Person"),
        Operation(method: "post", path: "/api/v1/people/{id}/moves", summary: "Record a move into a property", tag: "register", body: "Move", status: 201),
        Operation(method: "post", path: "/api/v1/people/{id}/contacts", summary: "Add a phone number or email", tag: "register", body: "Contact", status: 201),
        Operation(method: "get", path: "/api/v1/people/{id}/duplicates", summary: "Records that may be the same person", tag: "register"),
        Operation(method: "post", path: "/api/v1/people/{id}/merge", summary: "Merge a duplicate into this record, keeping both histories (register.merge)", tag: "register", body: "Merge", response: "PersonRecord"),
        Operation(method: "get", path: "/api/v1/people/{id}/subject-access", summary: "Everything held on a person, for a subject-access request (subject_access)", tag: "register"),
        Operation(method: "post", path: "/api/v1/households", summary: "Record a household at a property", tag: "register", body: "Household", status: 201),
        Operation(method: "post", path: "/api/v1/imports/properties", summary: "Import properties from CSV (Townhall, libraries or OS Open UPRN layout); reports every rejected row", tag: "imports", body: "csv", response: "ImportReport"),
        Operation(method: "post", path: "/api/v1/imports/postcodes", summary: "Import postcode directory rows (ONSPD layout)", tag: "imports", body: "csv", response: "ImportReport"),
        Operation(method: "get", path: "/api/v1/services", summary: "The service catalogue of your organisation (or ?organisation=slug)", tag: "cases", query: ["organisation"]),
        Operation(method: "post", path: "/api/v1/services", summary: "Add a service: LGSL code, form of typed attributes, targets (cases.manage)", tag: "cases", body: "Service", status: 201),
        Operation(method: "get", path: "/api/v1/services/{code}", summary: "One service and its form", tag: "cases", query: ["organisation"]),
        Operation(method: "put", path: "/api/v1/services/{code}", summary: "Change a service; send the version you read (409 if stale)", tag: "cases", body: "Service"),
        Operation(method: "post", path: "/api/v1/imports/services", summary: "Load an LGSL services CSV (LGSL, Description, Providing Tier) into your catalogue", tag: "imports", body: "csv"),
        Operation(method: "get", path: "/api/v1/routing-rules", summary: "The partnership's routing rules", tag: "cases"),
        Operation(method: "post", path: "/api/v1/routing-rules", summary: "Route a service and/or area (postcode sectors, polygon) to an organisation and team", tag: "cases", body: "RoutingRule", status: 201),
        Operation(method: "delete", path: "/api/v1/routing-rules/{id}", summary: "Remove one of your routing rules", tag: "cases", status: 204),
        Operation(method: "get", path: "/api/v1/calendar", summary: "Your working calendar (days, hours, bank holidays)", tag: "cases"),
        Operation(method: "put", path: "/api/v1/calendar", summary: "Set your working days and hours (cases.manage)", tag: "cases", body: "Calendar"),
        Operation(method: "post", path: "/api/v1/calendar/bank-holidays", summary: "Refresh bank holidays from GOV.UK bank-holidays.json", tag: "cases", body: "BankHolidays"),
        Operation(method: "get", path: "/api/v1/templates", summary: "Your message templates (Notify-style ((placeholders)))", tag: "notifications"),
        Operation(method: "put", path: "/api/v1/templates/{kind}", summary: "Save a template; unknown placeholders are refused", tag: "notifications", body: "Template"),
        Operation(method: "get", path: "/api/v1/cases", summary: "Cases you may see, newest first; filter for team queues", tag: "cases",
                  query: ["status", "service_code", "sla_state", "team_id", "assignee_id", "requester_id", "uprn", "area", "reference", "own"] + list, response: "CasePage"),
        Operation(method: "post", path: "/api/v1/cases", summary: "Log a case; it is routed to the organisation that must act", tag: "cases", body: "NewCase", response: "Case", status: 201),
        Operation(method: "get", path: "/api/v1/cases/{id}", summary: "A case with its timeline, links and attachments", tag: "cases"),
        Operation(method: "post", path: "/api/v1/cases/{id}/status", summary: "Change status (new → acknowledged → in progress ⇄ waiting → resolved → closed; reopen)", tag: "cases", body: "StatusChange", response: "Case"),
        Operation(method: "post", path: "/api/v1/cases/{id}/notes", summary: "Add an internal note or a public update", tag: "cases", body: "Note", status: 201),
        Operation(method: "post", path: "/api/v1/cases/{id}/assignment", summary: "Assign to a team and officer", tag: "cases", body: "Assignment", response: "Case"),
        Operation(method: "post", path: "/api/v1/cases/{id}/transfer", summary: "Transfer to another organisation with a reason", tag: "cases", body: "Transfer", response: "Case"),
        Operation(method: "post", path: "/api/v1/cases/{id}/priority", summary: "Change priority (recomputes the service level)", tag: "cases", body: "PriorityChange", response: "Case"),
        Operation(method: "post", path: "/api/v1/cases/{id}/links", summary: "Link a related case by reference", tag: "cases", body: "Link", status: 204),
        Operation(method: "post", path: "/api/v1/cases/{id}/attachments", summary: "Attach a photo or document (raw body, ≤ 5 MiB, ?filename=)", tag: "cases", query: ["filename"], body: "file", status: 201),
        Operation(method: "get", path: "/api/v1/cases/{id}/attachments/{attachment}", summary: "Download an attachment", tag: "cases"),
        Operation(method: "get", path: "/api/v1/cases/{id}/messages", summary: "Messages queued and sent for a case", tag: "notifications"),
        Operation(method: "get", path: "/api/v1/track/{reference}", summary: "Public progress of a case by reference (no personal data)", tag: "cases"),
        Operation(method: "get", path: "/api/v1/teams", summary: "Your organisation's teams", tag: "access"),
        Operation(method: "get", path: "/api/v1/sla/summary", summary: "Cases due in a month per service and priority: due, met, missed, % met", tag: "cases", query: ["organisation", "month"]),
        Operation(method: "post", path: "/api/v1/sla/recompute", summary: "Recompute service levels from timelines after a calendar or target change (cases.manage)", tag: "cases"),
        Operation(method: "post", path: "/api/v1/contacts", summary: "Log a contact with a customer: channel, reason, service, duration, outcome (contacts.log)", tag: "contact",
                  body: "ContactLog", status: 201),
        Operation(method: "get", path: "/api/v1/contacts", summary: "Recent contacts about a person or property, newest first", tag: "contact", query: ["person_id", "property_id", "limit"]),
        Operation(method: "get", path: "/api/v1/people/{id}/restrictions", summary: "Restricted flags on a person that the caller may know of: readable ones, and others only where their disclosure allows", tag: "restricted"),
        Operation(method: "post", path: "/api/v1/people/{id}/restrictions", summary: "Raise a safeguarding flag on a person (safeguarding.read)", tag: "restricted", body: "RestrictedFlagInput", response: "RestrictedFlag", status: 201),
        Operation(method: "post", path: "/api/v1/people/{id}/restrictions/read", summary: "Read the details of the flags you may read, giving a purpose; each read is audited (safeguarding.read)", tag: "restricted",
                  body: "RestrictedReadPurpose"),
        Operation(method: "post", path: "/api/v1/restrictions/{id}/end", summary: "End a flag your organisation holds, with a reason", tag: "restricted", body: "EndRestriction", response: "RestrictedFlag"),
        Operation(method: "get", path: "/api/v1/triage/flows", summary: "Every partner's active triage flows (?all=true for withdrawn ones too)", tag: "contact", query: ["all"]),
        Operation(method: "put", path: "/api/v1/triage/flows", summary: "Save your organisation's triage flow for a service, checked whole: no loops, every node reachable (cases.manage)",
                  tag: "contact", body: "TriageFlow", response: "TriageFlow"),
        Operation(method: "get", path: "/api/v1/triage/flows/{id}", summary: "One triage flow with its questions and outcomes", tag: "contact", response: "TriageFlow"),
        Operation(method: "post", path: "/api/v1/triage/flows/{id}/runs", summary: "Record a finished triage: the contact, and for referral outcomes the case with the answers attached",
                  tag: "contact", body: "TriageRun", status: 201),
        Operation(method: "get", path: "/api/v1/triage/summary", summary: "Your organisation's triage runs on a day, per flow: outcomes and median time", tag: "contact", query: ["date"]),
        Operation(method: "get", path: "/api/v1/guidance", summary: "Search every partner's call scripts and knowledge articles: every word must match; or all of a service's; or all by title",
                  tag: "guidance", query: ["q", "service_code", "page", "limit"], response: "GuidanceResults"),
        Operation(method: "get", path: "/api/v1/guidance/suggest", summary: "Guidance to suggest while an agent types: for the chosen service, and sharing any word with the text",
                  tag: "guidance", query: ["service_code", "text"]),
        Operation(method: "get", path: "/api/v1/guidance/{id}", summary: "One script or article, its body in markdown", tag: "guidance", response: "GuidanceArticle"),
        Operation(method: "post", path: "/api/v1/guidance", summary: "Write a script or article for your organisation (cases.manage)", tag: "guidance",
                  body: "GuidanceInput", response: "GuidanceArticle", status: 201),
        Operation(method: "put", path: "/api/v1/guidance/{id}", summary: "Change your organisation's script or article; send the version you read (a change made meanwhile is a 409)",
                  tag: "guidance", body: "GuidanceInput", response: "GuidanceArticle"),
        Operation(method: "get", path: "/api/v1/dashboard", summary: "The team leader's figures: a day's contacts by channel and outcome, first-contact resolution, open cases by service level, queues, triage",
                  tag: "contact", query: ["date"]),
        Operation(method: "get", path: "/api/v1/contacts/summary", summary: "Your organisation's contacts on a day by channel and outcome, with the first-contact resolution rate", tag: "contact",
                  query: ["date"]),
        Operation(method: "get", path: "/api/v1/revenues/charges", summary: "A year's council tax charges for each area: every preceptor's Band D, and any published band table", tag: "revenues",
                  query: ["year"]),
        Operation(method: "put", path: "/api/v1/revenues/charges", summary: "Set one area's charges for a year (revenues.manage); refused once the year is billed", tag: "revenues",
                  body: "CouncilTaxCharges"),
        Operation(method: "get", path: "/api/v1/revenues/bands/{uprn}", summary: "A dwelling's council tax bands over time on the valuation list", tag: "revenues"),
        Operation(method: "put", path: "/api/v1/revenues/bands/{uprn}", summary: "Put a dwelling in a band from a date (revenues.manage); its accounts are recalculated", tag: "revenues",
                  body: "BandEntry"),
        Operation(method: "get", path: "/api/v1/revenues/rating-list/{uprn}", summary: "A hereditament's business rates rateable values over time on the rating list", tag: "revenues"),
        Operation(method: "put", path: "/api/v1/revenues/rating-list/{uprn}", summary: "Give a hereditament a rateable value from a date (revenues.manage); its rates accounts are recalculated",
                  tag: "revenues", body: "RatingEntry"),
        Operation(method: "post", path: "/api/v1/imports/rating-list", summary: "Import rateable values (uprn, rateable_value, effective_from, description); reports every rejected row",
                  tag: "imports", body: "csv", response: "ImportReport"),
        Operation(method: "post", path: "/api/v1/imports/valuation-list", summary: "Import council tax bands (uprn, band, effective_from, area); reports every rejected row", tag: "imports",
                  body: "csv", response: "ImportReport"),
        Operation(method: "post", path: "/api/v1/imports/payments", summary: "Import a payment file (account, amount, received_on, method, reference); a reference is taken once per account",
                  tag: "imports", body: "csv", response: "ImportReport"),
        Operation(method: "get", path: "/api/v1/revenues/accounts", summary: "Council tax and business rates accounts a person is liable on, or for a property", tag: "revenues", query: ["person_id", "uprn"]),
        Operation(method: "post", path: "/api/v1/revenues/accounts", summary: "Open a council tax or (tax=business_rates) rates account: the property, the liable people and the day liability starts; billed at once if the year is",
                  tag: "revenues", body: "NewCouncilTaxAccount", response: "CouncilTaxAccountView", status: 201),
        Operation(method: "get", path: "/api/v1/revenues/accounts/{id}", summary: "An account: adjustments, bills with instalments, payments, and each year's position",
                  tag: "revenues", response: "CouncilTaxAccountView"),
        Operation(method: "get", path: "/api/v1/revenues/accounts/{id}/statement", summary: "The account statement: bills, revisions and payments with the running balance", tag: "revenues"),
        Operation(method: "post", path: "/api/v1/revenues/accounts/{id}/move-out", summary: "Record the last day of liability; the account is recalculated and the instalments re-profiled",
                  tag: "revenues", body: "MoveOut", response: "CouncilTaxAccountView"),
        Operation(method: "post", path: "/api/v1/revenues/accounts/{id}/close", summary: "Close an account with a nil balance; it then takes no payments", tag: "revenues",
                  response: "CouncilTaxAccountView"),
        Operation(method: "post", path: "/api/v1/revenues/accounts/{id}/adjustments", summary: "Add a discount, exemption, disabled band reduction or premium from a date, with evidence",
                  tag: "revenues", body: "Adjustment", response: "CouncilTaxAccountView", status: 201),
        Operation(method: "post", path: "/api/v1/revenues/accounts/{id}/adjustments/{adjustment}/end", summary: "End an adjustment on a day", tag: "revenues",
                  body: "EndAdjustment", response: "CouncilTaxAccountView"),
        Operation(method: "post", path: "/api/v1/revenues/accounts/{id}/payments", summary: "Record a payment; it pays the oldest year first unless directed to one", tag: "revenues",
                  body: "NewPayment", status: 201),
        Operation(method: "post", path: "/api/v1/revenues/accounts/{id}/refunds", summary: "Refund all or part of an account's credit to a bank account; it waits for the next BACS file",
                  tag: "revenues", body: "NewRefund", status: 201),
        Operation(method: "get", path: "/api/v1/revenues/refunds", summary: "Refunds, newest first (status=pending, paid or cancelled); account numbers masked", tag: "revenues",
                  query: ["status"]),
        Operation(method: "post", path: "/api/v1/revenues/refunds/{id}/cancel", summary: "Cancel a refund not yet in a BACS file; the credit stays on the account", tag: "revenues"),
        Operation(method: "get", path: "/api/v1/revenues/refunds/bank-account", summary: "The council's bank account refunds are paid from (number masked)", tag: "revenues"),
        Operation(method: "put", path: "/api/v1/revenues/refunds/bank-account", summary: "Set the council's bank account refunds are paid from (revenues.manage)", tag: "revenues",
                  body: "BankAccount"),
        Operation(method: "get", path: "/api/v1/revenues/refunds/files", summary: "BACS refund files made, newest first (revenues.manage)", tag: "revenues"),
        Operation(method: "post", path: "/api/v1/revenues/refunds/files", summary: "Make the BACS Standard 18 file of every pending refund and mark them paid (revenues.manage); each refund is in one file",
                  tag: "revenues", body: "RefundFileInput", status: 201),
        Operation(method: "get", path: "/api/v1/revenues/refunds/files/{id}", summary: "Download a BACS refund file (text, 100-character Standard 18 records)", tag: "revenues"),
        Operation(method: "post", path: "/api/v1/revenues/accounts/{id}/arrangements", summary: "Record an arrangement to pay; recovery waits while it runs",
                  tag: "revenues", body: "NewArrangement", status: 201),
        Operation(method: "post", path: "/api/v1/revenues/accounts/{id}/arrangements/{arrangement}/cancel", summary: "End an arrangement to pay; recovery resumes",
                  tag: "revenues", response: "CouncilTaxAccountView"),
        Operation(method: "get", path: "/api/v1/revenues/recovery/settings", summary: "The council's recovery timetable and court costs", tag: "revenues",
                  response: "RecoverySettings"),
        Operation(method: "put", path: "/api/v1/revenues/recovery/settings", summary: "Change the recovery timetable, costs and review (revenues.manage); fields left out stay",
                  tag: "revenues", body: "RecoverySettings", response: "RecoverySettings"),
        Operation(method: "post", path: "/api/v1/revenues/recovery/runs", summary: "Run the daily recovery job for a day (revenues.manage); proposes each stage once, so reruns add nothing",
                  tag: "revenues", body: "RecoveryRunInput"),
        Operation(method: "get", path: "/api/v1/revenues/recovery/actions", summary: "Recovery stages by status and stage, a page at a time (pass next as after)",
                  tag: "revenues", query: ["status", "stage", "after", "limit"]),
        Operation(method: "post", path: "/api/v1/revenues/recovery/actions/issue", summary: "Issue proposed stages after review (revenues.manage): letters are queued; stages no longer due are withdrawn",
                  tag: "revenues", body: "IssueRecovery"),
        Operation(method: "post", path: "/api/v1/revenues/recovery/actions/{id}/withhold", summary: "Withhold a proposed stage, with the reason", tag: "revenues",
                  body: "Withhold"),
        Operation(method: "get", path: "/api/v1/revenues/reports/collection",
                  summary: "Collection report, council tax (BVPI 9) or tax=business_rates (BVPI 10): the year's net debit and collection rate, arrears by year, bills issued, recovery stages; format=csv for a spreadsheet",
                  tag: "revenues", query: ["year", "as_of", "tax", "format"]),
        Operation(method: "get", path: "/api/v1/revenues/billing-runs", summary: "Recent billing runs with their counts", tag: "revenues"),
        Operation(method: "get", path: "/api/v1/revenues/billing-runs/{id}", summary: "One billing run's live counts and percentage done", tag: "revenues"),
        Operation(method: "post", path: "/api/v1/revenues/billing-runs", summary: "Start the annual billing run (revenues.manage): a background job; safe to start again, nobody is billed twice",
                  tag: "revenues", body: "BillingRunInput", status: 202),
    ]

    static func obj(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        var o: [String: Any] = ["type": "object", "properties": properties]
        if !required.isEmpty { o["required"] = required }
        return o
    }
    // Immutable after initialisation; [String: Any] is only not Sendable because of Any.
    nonisolated(unsafe) static let s: [String: Any] = ["type": "string"]
    nonisolated(unsafe) static let optS: [String: Any] = ["type": ["string", "null"]]
    nonisolated(unsafe) static let int: [String: Any] = ["type": "integer"]
    nonisolated(unsafe) static let num: [String: Any] = ["type": ["number", "null"]]
    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func array(_ item: [String: Any]) -> [String: Any] { ["type": "array", "items": item] }

    nonisolated(unsafe) static let schemas: [String: Any] = [
        "Error": obj(["error": obj(["code": s, "message": s, "field": s], required: ["code", "message"])], required: ["error"]),
        "Organisation": obj(["id": s, "slug": s, "name": s, "kind": s, "ons_code": optS, "custodian_code": ["type": ["integer", "null"]], "parent_id": optS, "version": int]),
        "OrganisationList": obj(["items": array(ref("Organisation"))]),
        "NewOrganisation": obj(["slug": s, "name": s, "kind": s, "ons_code": s, "custodian_code": int, "parent": s], required: ["slug", "name", "kind"]),
        "Agreement": obj(["id": s, "provider_id": s, "recipient_id": s, "categories": array(s), "legal_basis": s, "starts_on": s, "expires_on": s, "revoked_at": optS]),
        "NewAgreement": obj(["recipient": s, "categories": array(["type": "string", "enum": ["contact_details", "properties", "cases", "revenues", "benefits", "social_care", "safeguarding"]]),
                             "legal_basis": s, "starts_on": ["type": "string", "format": "date"], "expires_on": ["type": "string", "format": "date"]],
                            required: ["recipient", "categories", "legal_basis", "starts_on", "expires_on"]),
        "NewStaff": obj(["username": s, "display_name": s, "email": s, "password": ["type": "string", "minLength": 12], "roles": array(s), "team": s],
                        required: ["username", "display_name", "email", "password", "roles"]),
        "NewAPIKey": obj(["name": s, "scopes": array(["type": "string", "enum": ["register:read", "register:write", "audit:read", "cases:read", "cases:write", "open311", "admin"]])], required: ["name", "scopes"]),
        "PropertyInput": obj(["uprn": ["type": "integer", "minimum": 1, "maximum": 999_999_999_999], "parent_uprn": int, "usrn": int, "saon": s, "paon": s, "name": s,
                              "street": s, "locality": s, "town": s, "administrative_area": s, "postcode": s, "latitude": num, "longitude": num,
                              "easting": num, "northing": num, "council_tax_band": s, "rateable_value": int], required: ["uprn"]),
        "Property": obj(["id": s, "organisation_id": s, "uprn": int, "postcode": optS, "address": s, "address_lines": array(s), "version": int]),
        "PropertyPage": obj(["items": array(ref("Property")), "next_cursor": optS]),
        "Person": obj(["id": s, "organisation_id": s, "title": optS, "given_name": s, "family_name": s, "date_of_birth": optS,
                       "preferred_channel": optS, "preferred_language": optS, "merged_into": optS, "version": int]),
        "PersonInput": obj(["title": s, "given_name": s, "family_name": s, "date_of_birth": ["type": "string", "format": "date"],
                            "preferred_channel": s, "preferred_language": s,
                            "contacts": array(obj(["kind": ["type": "string", "enum": ["phone", "mobile", "email"]], "value": s, "preferred": ["type": "boolean"]], required: ["kind", "value"])),
                            "uprn": int, "moved_in": ["type": "string", "format": "date"]], required: ["given_name", "family_name"]),
        "PersonPatch": obj(["version": int, "title": s, "given_name": s, "family_name": s, "date_of_birth": s, "preferred_channel": s, "preferred_language": s], required: ["version"]),
        "PersonRecord": obj(["person": ref("Person"), "contacts": array(obj([:])), "residences": array(obj([:])), "households": array(obj([:])), "current_address": optS]),
        "PersonMatchPage": obj(["items": array(obj(["person": ref("Person"), "score": ["type": "number"], "current_address": optS])), "next_cursor": optS]),
        "Move": obj(["uprn": int, "from": s, "to": s], required: ["uprn", "from"]),
        "Contact": obj(["kind": s, "value": s], required: ["kind", "value"]),
        "Merge": obj(["duplicate_id": s], required: ["duplicate_id"]),
        "Household": obj(["uprn": int, "name": s, "members": array(obj(["person_id": s, "relationship": s], required: ["person_id"]))], required: ["uprn", "name", "members"]),
        "Case": obj(["id": s, "reference": s, "organisation_id": s, "service_code": s, "service_name": s, "status": s, "resolution": optS, "priority": s,
                     "channel": s, "location": obj([:]), "attributes": obj([:]), "due_at": optS, "sla_state": s, "version": int]),
        "CasePage": obj(["items": array(ref("Case")), "next_cursor": optS]),
        "NewCase": obj(["service_code": s, "organisation": s, "priority": ["type": "string", "enum": ["urgent", "high", "normal", "low"]], "description": s,
                        "attributes": obj([:]), "requester_id": s, "name": s, "email": s, "phone": s,
                        "location": obj(["uprn": int, "usrn": int, "lat": num, "long": num, "address": s, "postcode": s]), "channel": s, "media_urls": array(s)],
                       required: ["service_code", "location"]),
        "ContactLog": obj(["person_id": s, "property_id": s, "channel": ["type": "string", "enum": ContactChannel.allCases.map(\.rawValue)], "reason": s,
                           "service_code": s, "outcome": ["type": "string", "enum": ContactOutcome.allCases.map(\.rawValue)], "minutes": num, "notes": s,
                           "case_id": s, "partner_id": s], required: ["channel", "reason", "outcome"]),
        "RestrictedFlagInput": obj(["kind": ["type": "string", "enum": RestrictionKind.allCases.map(\.rawValue)],
                                    "disclosure": ["type": "string", "enum": RestrictionDisclosure.allCases.map(\.rawValue)], "details": s,
                                    "starts_on": ["type": "string", "format": "date"], "review_on": ["type": "string", "format": "date"]], required: ["kind", "details"]),
        "RestrictedFlag": obj(["id": s, "organisation_id": s, "person_id": s, "kind": s, "disclosure": s, "details": s, "starts_on": s, "review_on": optS,
                               "ended_on": optS, "ended_reason": optS, "raised_by": s, "raised_at": s]),
        "RestrictedReadPurpose": obj(["purpose": ["type": "string", "enum": RestrictedReadPurpose.reasons.map(\.value)], "explanation": s], required: ["purpose", "explanation"]),
        "EndRestriction": obj(["reason": s], required: ["reason"]),
        "GuidanceInput": obj(["kind": ["type": "string", "enum": ["script", "article"]], "title": ["type": "string", "maxLength": 150], "summary": s,
                              "service_codes": array(s), "keywords": array(s), "body": ["type": "string", "description": "Markdown", "maxLength": 50_000],
                              "active": ["type": "boolean"], "version": int], required: ["title", "body"]),
        "GuidanceArticle": obj(["id": s, "organisation_id": s, "kind": s, "title": s, "summary": optS, "service_codes": array(s), "keywords": array(s),
                                "body": s, "active": ["type": "boolean"], "updated_at": s, "updated_by": s, "version": int]),
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
        "Adjustment": obj(["kind": ["type": "string", "enum": Adjustment.Kind.allCases.map(\.rawValue)], "from": s, "to": optS, "exemption_class": optS,
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
        "GuidanceResults": obj(["items": array(ref("GuidanceArticle")), "total": int, "page": int, "page_size": int, "next_page": ["type": ["integer", "null"]]]),
        "TriageFlow": obj(["service_code": s, "name": s, "summary": s, "start": s, "active": ["type": "boolean"],
                           "nodes": array(obj(["id": s, "question": s, "help": s, "answers": array(obj(["label": s, "next": s], required: ["label", "next"])),
                                               "outcome": ["type": "string", "enum": TriageOutcomeKind.allCases.map(\.rawValue)], "title": s, "script": s,
                                               "service_code": s, "priority": s], required: ["id"]))], required: ["service_code", "name", "start", "nodes"]),
        "TriageRun": obj(["person_id": s, "answers": array(int), "started_at": s, "channel": s, "notes": s], required: ["person_id", "answers"]),
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
        "ImportReport": obj(["format": s, "rows_read": int, "created": int, "updated": int,
                             "rejected": array(obj(["line": int, "field": optS, "reason": s]))]),
    ]

    public static let json: Data = {
        var paths: [String: [String: Any]] = [:]
        for op in operations {
            var operation: [String: Any] = ["summary": op.summary, "tags": [op.tag], "operationId": "\(op.method)\(op.path.replacingOccurrences(of: "/", with: "_"))"]
            var parameters: [[String: Any]] = op.path.split(separator: "/").filter { $0.hasPrefix("{") }.map {
                ["name": String($0.dropFirst().dropLast()), "in": "path", "required": true, "schema": s]
            }
            parameters += op.query.map { ["name": $0, "in": "query", "required": false, "schema": s] }
            if !parameters.isEmpty { operation["parameters"] = parameters }
            if let body = op.body {
                operation["requestBody"] = body == "csv" ? ["required": true, "content": ["text/csv": ["schema": s]]]
                    : body == "file" ? ["required": true, "content": ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]]
                    : ["required": true, "content": ["application/json": ["schema": ref(body)]]]
            }
            var responses: [String: Any] = [
                "4XX": ["description": "The request was refused; nothing changed", "content": ["application/json": ["schema": ref("Error")]]],
            ]
            var ok: [String: Any] = ["description": "Success"]
            if let response = op.response { ok["content"] = ["application/json": ["schema": ref(response)]] }
            responses[String(op.status)] = ok
            operation["responses"] = responses
            if op.path != "/api/v1/openapi.json" && !op.path.hasPrefix("/api/v1/track/") { operation["security"] = [["bearer": []], ["session": []]] }
            paths[op.path, default: [:]][op.method] = operation
        }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": ["title": "Townhall API", "version": "1", "description": "The people-and-property register, partnership and access API of Townhall. Errors are {\"error\": {\"code\", \"message\", \"field\"}} with a 4xx status."],
            "servers": [["url": "/"]],
            "paths": paths,
            "components": [
                "schemas": schemas,
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "An API key from `townhall apikey create`"],
                    "session": ["type": "apiKey", "in": "cookie", "name": "townhall_session"],
                ],
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])) ?? Data()
    }()
}
