import TownhallHTTP
import Cases
import Foundation
import TownhallKernel

// Request bodies and views of the case API.

/// An answer to a form question: a string, a number, or (for multi-value lists) a list of strings.
struct AnswerValue: Decodable {
    var values: [String]
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { values = [s] }
        else if let n = try? c.decode(Double.self) { values = [n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)] }
        else if let list = try? c.decode([String].self) { values = list }
        else { throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath, debugDescription: "an answer is text, a number or a list of text")) }
    }
}

struct LocationBody: Decodable {
    var uprn: Int64?
    var usrn: Int?
    var lat: Double?
    var long: Double?
    var address: String?
    var postcode: String?

    static let fields: Set<String> = ["uprn", "usrn", "lat", "long", "address", "postcode"]

    func location() throws -> CaseLocation {
        CaseLocation(uprn: try uprn.map { try UPRN($0, field: "location.uprn") }, usrn: usrn, latitude: lat, longitude: long, address: address,
                     postcode: try postcode.flatMap { $0.isEmpty ? nil : try Postcode($0, field: "location.postcode") })
    }
}

struct CaseBody: StrictBody {
    static let nested = ["location": LocationBody.fields]
    static let fields: Set<String> = ["service_code", "organisation", "priority", "description", "attributes", "requester_id", "name", "email", "phone",
                                      "location", "channel", "media_urls"]
    var service_code: String
    var organisation: String?
    var priority: String?
    var description: String?
    var attributes: [String: AnswerValue]?
    var requester_id: String?
    var name: String?
    var email: String?
    var phone: String?
    var location: LocationBody
    var channel: String?
    var media_urls: [String]?
}

struct StatusBody: StrictBody {
    static let fields: Set<String> = ["status", "version", "update", "resolution", "duplicate_of"]
    var status: String
    var version: Int
    var update: String?
    var resolution: String?
    var duplicate_of: String?
}

struct NoteBody: StrictBody {
    static let fields: Set<String> = ["text", "public"]
    var text: String
    var `public`: Bool?
}

struct AssignmentBody: StrictBody {
    static let fields: Set<String> = ["team_id", "assignee_id", "version"]
    var team_id: String?
    var assignee_id: String?
    var version: Int
}

struct TransferBody: StrictBody {
    static let fields: Set<String> = ["organisation", "reason", "version"]
    var organisation: String
    var reason: String
    var version: Int
}

struct PriorityBody: StrictBody {
    static let fields: Set<String> = ["priority", "version"]
    var priority: String
    var version: Int
}

struct LinkBody: StrictBody {
    static let fields: Set<String> = ["reference"]
    var reference: String
}

struct ServiceBody: StrictBody {
    static let fields: Set<String> = ["code", "name", "group", "description", "keywords", "providing_tier", "attributes", "default_priority", "targets", "public", "active", "version"]
    struct Attribute: Decodable {
        var code: String
        var datatype: String
        var required: Bool?
        var variable: Bool?
        var order: Int
        var description: String
        var datatype_description: String?
        var values: [ServiceAttribute.Value]?
    }
    struct Target: Decodable { var amount: Int; var unit: String }
    var code: String
    var name: String
    var group: String?
    var description: String?
    var keywords: [String]?
    var providing_tier: String?
    var attributes: [Attribute]?
    var default_priority: String?
    var targets: [String: Target]?
    var `public`: Bool?
    var active: Bool?
    var version: Int?

    func definition(organisation: OrganisationID) throws -> ServiceDefinition {
        var attrs: [ServiceAttribute] = []
        for (i, a) in (attributes ?? []).enumerated() {
            guard let type = ServiceAttribute.Datatype(rawValue: a.datatype) else {
                throw TownhallError.invalid("attributes[\(i)].datatype", "datatype is one of: \(ServiceAttribute.Datatype.allCases.map(\.rawValue).joined(separator: ", ")).", code: "invalid_attribute")
            }
            attrs.append(ServiceAttribute(code: a.code, datatype: type, required: a.required ?? false, variable: a.variable ?? true, order: a.order,
                                          description: a.description, datatypeDescription: a.datatype_description, values: a.values ?? []))
        }
        var byPriority: [Priority: ServiceLevelTarget] = [:]
        for (k, t) in targets ?? [:] {
            let p = try Priority(parsing: k, field: "targets")
            guard let unit = ServiceLevelTarget.Unit(rawValue: t.unit) else {
                throw TownhallError.invalid("targets.\(k).unit", "unit is working_hours or working_days.", code: "invalid_target")
            }
            byPriority[p] = try ServiceLevelTarget(amount: t.amount, unit: unit)
        }
        return ServiceDefinition(organisationID: organisation, code: code, name: name, group: group ?? "Council services", description: description ?? "",
                                 keywords: keywords ?? [], tier: try providing_tier.map { try ProvidingTier(parsing: $0) } ?? .all, attributes: attrs,
                                 defaultPriority: try default_priority.map { try Priority(parsing: $0, field: "default_priority") } ?? .normal,
                                 targets: byPriority, isPublic: `public` ?? true, active: active ?? true)
    }
}

struct RuleBody: StrictBody {
    static let fields: Set<String> = ["name", "service_code", "postcode_prefixes", "polygon", "organisation", "team", "rank"]
    var name: String
    var service_code: String?
    var postcode_prefixes: [String]?
    var polygon: [[Double]]?
    var organisation: String
    var team: String?
    var rank: Int?
}

struct CalendarBody: StrictBody {
    static let fields: Set<String> = ["working_days", "opens_at", "closes_at"]
    var working_days: [Int]
    var opens_at: String
    var closes_at: String

    static func minutes(_ text: String, field: String) throws -> Int {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440 else {
            throw TownhallError.invalid(field, "\(field) is a time written as HH:MM, like 09:00.", code: "invalid_time")
        }
        return h * 60 + m
    }
}

struct TemplateBody: StrictBody {
    static let fields: Set<String> = ["subject", "body"]
    var subject: String
    var body: String
}

/// A case with its timeline, links and attachments.
struct CaseRecordView: Encodable {
    var `case`: Case
    var events: [CaseEvent]
    var links: [Link]
    var attachments: [CaseAttachment]
    var canChange: Bool
    struct Link: Encodable { var kind: String; var caseId: String; var reference: String }

    init(_ r: Cases.CaseRecord) {
        `case` = r.case; events = r.events; attachments = r.attachments; canChange = r.canChange
        links = r.links.map { Link(kind: $0.kind, caseId: $0.other.string, reference: $0.reference) }
    }
}

struct CalendarView: Encodable {
    var workingDays: [Int]
    var opensAt: String
    var closesAt: String
    var bankHolidays: Int
    init(_ c: WorkingCalendar) {
        workingDays = c.workingDays.sorted()
        opensAt = Digits.padded(c.opensAt / 60, width: 2) + ":" + Digits.padded(c.opensAt % 60, width: 2)
        closesAt = Digits.padded(c.closesAt / 60, width: 2) + ":" + Digits.padded(c.closesAt % 60, width: 2)
        bankHolidays = c.holidays.count
    }
}

struct SummaryView: Encodable {
    var organisation: String
    var month: String
    var rows: [Row]
    struct Row: Encodable { var serviceCode: String; var serviceName: String; var priority: String; var due: Int; var met: Int; var missed: Int; var percentMet: Double? }
    var totals: Row

    init(_ s: (organisation: String, month: String, rows: [ServiceLevelSummaryRow])) {
        organisation = s.organisation; month = s.month
        rows = s.rows.map { Row(serviceCode: $0.serviceCode, serviceName: $0.serviceName, priority: $0.priority.rawValue, due: $0.due, met: $0.met, missed: $0.missed, percentMet: $0.percentMet) }
        let met = s.rows.reduce(0) { $0 + $1.met }, missed = s.rows.reduce(0) { $0 + $1.missed }
        totals = Row(serviceCode: "", serviceName: "All services", priority: "", due: s.rows.reduce(0) { $0 + $1.due }, met: met, missed: missed,
                     percentMet: met + missed == 0 ? nil : (Double(met) * 1000 / Double(met + missed)).rounded() / 10)
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(organisation, forKey: .organisation); try c.encode(month, forKey: .month); try c.encode(rows, forKey: .rows); try c.encode(totals, forKey: .totals)
    }
    enum CodingKeys: String, CodingKey { case organisation, month, rows, totals }
}
