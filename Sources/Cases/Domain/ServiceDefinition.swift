import Foundation
import TownhallKernel

public enum ServiceTag {}
public typealias ServiceID = Identifier<ServiceTag>

/// Which tier of local government provides a service (LGSL's "Providing Tier"): in a two-tier area this decides whether
/// the county or the district gets the report.
public enum ProvidingTier: String, Sendable, Codable, CaseIterable {
    case all
    case countyUnitary = "county/unitary"
    case districtUnitary = "district/unitary"

    public init(parsing raw: String, field: String = "providing_tier") throws {
        let t = raw.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "/")
        guard let tier = ProvidingTier(rawValue: t) else {
            throw TownhallError.invalid(field, "The providing tier is all, county/unitary or district/unitary (got \(raw)).", code: "invalid_tier")
        }
        self = tier
    }
}

/// How urgent a case is. Each priority has its own service-level target.
/// A coding key, so `[Priority: X]` is written as a JSON object keyed by priority, as the API takes it (a dictionary
/// keyed by anything else is written as an array of alternating keys and values in hash order).
public enum Priority: String, Sendable, Codable, CodingKeyRepresentable, CaseIterable, Comparable {
    case urgent, high, normal, low
    public var rank: Int { switch self { case .urgent: 1; case .high: 2; case .normal: 3; case .low: 4 } }
    public static func < (l: Priority, r: Priority) -> Bool { l.rank < r.rank }
    public var title: String { rawValue.capitalized }

    public init(parsing raw: String, field: String = "priority") throws {
        guard let p = Priority(rawValue: raw.lowercased()) else {
            throw TownhallError.invalid(field, "Priority is urgent, high, normal or low.", code: "invalid_priority")
        }
        self = p
    }
}

/// A service-level target: so many working hours or working days.
public struct ServiceLevelTarget: Sendable, Codable, Equatable {
    public enum Unit: String, Sendable, Codable { case workingHours = "working_hours", workingDays = "working_days" }
    public var amount: Int
    public var unit: Unit

    public init(amount: Int, unit: Unit) throws {
        guard (1...1000).contains(amount) else {
            throw TownhallError.invalid("sla.amount", "A target is a whole number of working hours or days from 1 to 1000.", code: "invalid_target")
        }
        self.amount = amount; self.unit = unit
    }

    /// Ten working days: the usual target for an enquiry, used when a service sets none.
    public static let fallback = try! ServiceLevelTarget(amount: 10, unit: .workingDays)

    public var label: String { "\(amount) working \(unit == .workingDays ? (amount == 1 ? "day" : "days") : (amount == 1 ? "hour" : "hours"))" }

    /// The due instant for a case received at `start` under `calendar`, before any pause.
    public func due(from start: Int, calendar: WorkingCalendar) -> Int {
        switch unit {
        case .workingHours: calendar.adding(workingSeconds: amount * 3600, to: start)
        case .workingDays: calendar.closeOfWorkingDay(amount, after: start)
        }
    }
}

/// One question on a service's form, with Open311's datatypes.
public struct ServiceAttribute: Sendable, Codable, Equatable {
    public enum Datatype: String, Sendable, Codable, CaseIterable {
        case string, number, datetime, text, singlevaluelist, multivaluelist
        var isList: Bool { self == .singlevaluelist || self == .multivaluelist }
    }
    public struct Value: Sendable, Codable, Equatable {
        public var key: String
        public var name: String
        public init(key: String, name: String) { self.key = key; self.name = name }
    }

    public var code: String
    public var datatype: Datatype
    public var required: Bool
    /// false: text shown to the person reporting, not a question (Open311 `variable`).
    public var variable: Bool
    public var order: Int
    public var description: String
    public var datatypeDescription: String?
    public var values: [Value]

    public init(code: String, datatype: Datatype, required: Bool = false, variable: Bool = true, order: Int, description: String,
                datatypeDescription: String? = nil, values: [Value] = []) {
        self.code = code; self.datatype = datatype; self.required = required; self.variable = variable; self.order = order
        self.description = description; self.datatypeDescription = datatypeDescription; self.values = values
    }
}

/// A service an organisation offers, keyed on its LGSL code: its form, default priority, service levels and whether the
/// public may report it.
public struct ServiceDefinition: Sendable, Codable, Equatable {
    public var id: ServiceID
    public var organisationID: OrganisationID
    /// The LGSL code (as text, so local services outside LGSL can use codes like `524-bulky`).
    public var code: String
    public var name: String
    public var group: String
    public var description: String
    public var keywords: [String]
    public var tier: ProvidingTier
    public var attributes: [ServiceAttribute]
    public var defaultPriority: Priority
    public var targets: [Priority: ServiceLevelTarget]
    public var isPublic: Bool
    public var active: Bool
    public var version: Int

    public init(id: ServiceID = ServiceID(), organisationID: OrganisationID, code: String, name: String, group: String, description: String = "",
                keywords: [String] = [], tier: ProvidingTier = .all, attributes: [ServiceAttribute] = [], defaultPriority: Priority = .normal,
                targets: [Priority: ServiceLevelTarget] = [:], isPublic: Bool = true, active: Bool = true, version: Int = 1) {
        self.id = id; self.organisationID = organisationID; self.code = code; self.name = name; self.group = group; self.description = description
        self.keywords = keywords; self.tier = tier; self.attributes = attributes; self.defaultPriority = defaultPriority; self.targets = targets
        self.isPublic = isPublic; self.active = active; self.version = version
    }

    /// The target for a priority: its own, else the default priority's, else 10 working days (the usual fallback for enquiries).
    public func target(for priority: Priority) -> ServiceLevelTarget {
        targets[priority] ?? targets[defaultPriority] ?? .fallback
    }

    /// Checks a definition before it is saved: codes, orders and list values must make a usable form.
    public func validated() throws -> ServiceDefinition {
        var copy = self
        copy.code = code.trimmingCharacters(in: .whitespaces)
        copy.name = name.trimmingCharacters(in: .whitespaces)
        guard !copy.code.isEmpty, copy.code.count <= 40, copy.code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) else {
            throw TownhallError.invalid("code", "A service code is its LGSL number (like 529) or up to 40 letters, digits, dots, hyphens and underscores.", code: "invalid_service_code")
        }
        guard !copy.name.isEmpty else { throw TownhallError.missing("name") }
        guard copy.name.count <= 200 else { throw TownhallError.invalid("name", "A service name can be at most 200 characters.") }
        var codes = Set<String>(), orders = Set<Int>()
        for (i, a) in attributes.enumerated() {
            let field = "attributes[\(i)]"
            guard !a.code.isEmpty, a.code.count <= 64, a.code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                throw TownhallError.invalid("\(field).code", "An attribute code is up to 64 letters, digits, hyphens and underscores.", code: "invalid_attribute")
            }
            guard codes.insert(a.code).inserted else { throw TownhallError.invalid("\(field).code", "Attribute code \(a.code) is used twice.", code: "invalid_attribute") }
            guard a.order > 0, orders.insert(a.order).inserted else {
                throw TownhallError.invalid("\(field).order", "Each attribute needs its own order, a positive whole number.", code: "invalid_attribute")
            }
            if a.datatype.isList && a.variable && a.values.isEmpty {
                throw TownhallError.invalid("\(field).values", "A \(a.datatype.rawValue) attribute needs at least one value to choose from.", code: "invalid_attribute")
            }
            if !a.datatype.isList && !a.values.isEmpty {
                throw TownhallError.invalid("\(field).values", "Only list attributes have values.", code: "invalid_attribute")
            }
            if Set(a.values.map(\.key)).count != a.values.count {
                throw TownhallError.invalid("\(field).values", "Each value of \(a.code) needs its own key.", code: "invalid_attribute")
            }
        }
        copy.attributes = attributes.sorted { $0.order < $1.order }
        return copy
    }

    /// Validates the answers given for this service's form: every required attribute answered, every answer of the right
    /// type and from the list where there is one, nothing unknown. Returns the answers in normal form (keys for lists,
    /// numbers as written, datetimes in UTC ISO 8601).
    public func validate(answers: [String: [String]], fieldPrefix: String = "attributes") throws -> [String: [String]] {
        var clean: [String: [String]] = [:]
        let known = Dictionary(uniqueKeysWithValues: attributes.map { ($0.code, $0) })
        if let unknown = answers.keys.sorted().first(where: { known[$0] == nil || known[$0]?.variable == false }) {
            throw TownhallError.invalid("\(fieldPrefix).\(unknown)", "\(unknown) is not a question on the \(name) form.", code: "unknown_attribute")
        }
        for a in attributes where a.variable {
            let field = "\(fieldPrefix).\(a.code)"
            let given = (answers[a.code] ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            if given.isEmpty {
                if a.required { throw TownhallError.invalid(field, "Answer \u{201C}\(a.description)\u{201D}.", code: "missing_attribute") }
                continue
            }
            if a.datatype != .multivaluelist && given.count > 1 {
                throw TownhallError.invalid(field, "\(a.code) takes one answer.", code: "invalid_attribute")
            }
            switch a.datatype {
            case .string:
                guard given[0].count <= 500, !given[0].contains("\n") else { throw TownhallError.invalid(field, "\(a.code) is one line of at most 500 characters.", code: "invalid_attribute") }
            case .text:
                guard given[0].count <= 4000 else { throw TownhallError.invalid(field, "\(a.code) can be at most 4,000 characters.", code: "invalid_attribute") }
            case .number:
                guard let n = Double(given[0]), n.isFinite else { throw TownhallError.invalid(field, "\(a.code) must be a number.", code: "invalid_attribute") }
            case .datetime:
                guard let t = Open311Time.parse(given[0]) else {
                    throw TownhallError.invalid(field, "\(a.code) must be a date and time with a zone, like 2026-11-22T14:30:00Z.", code: "invalid_attribute")
                }
                clean[a.code] = [Timestamp(t).iso]
                continue
            case .singlevaluelist, .multivaluelist:
                let keys = Set(a.values.map(\.key))
                if let bad = given.first(where: { !keys.contains($0) }) {
                    throw TownhallError.invalid(field, "\(bad) is not one of the choices for \(a.code): \(a.values.map(\.key).joined(separator: ", ")).", code: "invalid_attribute")
                }
            }
            clean[a.code] = given
        }
        return clean
    }
}

/// W3C/ISO 8601 date-times as Open311 sends them (a zone is required: Z or ±hh:mm).
public enum Open311Time {
    public static func parse(_ text: String) -> Date? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard t.count >= 20 else { return nil }
        if let d = try? Date(t, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return d }
        return try? Date(t, strategy: Date.ISO8601FormatStyle())
    }

    /// `2026-11-22T14:30:00Z`: whole seconds, UTC, as the spec's examples and most clients expect. The stored form cut
    /// to the second: Foundation's ISO 8601 style cost microseconds a call, several calls a request listed.
    public static func format(_ t: Timestamp) -> String {
        String(Timestamp(seconds: t.seconds).iso.prefix(19)) + "Z"
    }
}
