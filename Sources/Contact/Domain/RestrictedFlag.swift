import Foundation
import TownhallKernel

public enum RestrictedFlagTag {}
public typealias RestrictedFlagID = Identifier<RestrictedFlagTag>

/// The kinds of restricted information a designated officer may record against a person.
public enum RestrictionKind: String, Sendable, Codable, CaseIterable {
    case childProtectionPlan = "child_protection_plan"
    case violentMarker = "violent_marker"
    case vulnerableAdult = "vulnerable_adult"
    case domesticAbuseRisk = "domestic_abuse_risk"

    public var title: String {
        switch self {
        case .childProtectionPlan: "Child-protection plan"
        case .violentMarker: "Violent or aggressive behaviour marker"
        case .vulnerableAdult: "Vulnerable adult"
        case .domesticAbuseRisk: "Domestic abuse risk (MARAC)"
        }
    }

    /// What others see when the flag's own setting does not say. A violent marker protects staff, so its existence is shown
    /// to everyone who can see the person; disclosing a child-protection plan or a MARAC case could itself put someone at risk.
    public var defaultDisclosure: RestrictionDisclosure {
        switch self {
        case .violentMarker, .vulnerableAdult: .existence
        case .childProtectionPlan, .domesticAbuseRisk: .hidden
        }
    }

    /// What an agent who may not read the flag is told to do, when its existence is shown.
    public var advice: String {
        switch self {
        case .violentMarker: "Do not arrange a home visit or meet alone. Ask a designated safeguarding officer before any visit."
        case .vulnerableAdult: "Take extra care to check understanding. A designated safeguarding officer can tell you more."
        case .childProtectionPlan, .domesticAbuseRisk: "Ask a designated safeguarding officer."
        }
    }

    public init(parsing raw: String, field: String = "kind") throws {
        guard let k = RestrictionKind(rawValue: raw.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw TownhallError.invalid(field, "Choose the kind of restriction: \(RestrictionKind.allCases.map(\.rawValue).joined(separator: ", ")).", code: "invalid_kind")
        }
        self = k
    }
}

/// Whether staff who may not read a flag learn that it exists.
public enum RestrictionDisclosure: String, Sendable, Codable, CaseIterable {
    /// They see nothing at all.
    case hidden
    /// They see the kind of flag, who holds it and what to do, never its details.
    case existence

    public init(parsing raw: String, field: String = "disclosure") throws {
        guard let d = RestrictionDisclosure(rawValue: raw.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw TownhallError.invalid(field, "Disclosure is hidden or existence.", code: "invalid_disclosure")
        }
        self = d
    }
}

/// A safeguarding flag: restricted information about a person, readable only by designated officers of the organisation
/// that holds it and of organisations it shares `safeguarding` with, each read for a stated purpose and audited.
public struct RestrictedFlag: Sendable, Codable, Equatable {
    public var id: RestrictedFlagID
    public var organisationID: OrganisationID
    public var personID: PersonID
    public var kind: RestrictionKind
    public var disclosure: RestrictionDisclosure
    /// The restricted details: the plan, the incident, the risk, who to contact.
    public var details: String
    public var startsOn: LocalDate
    public var reviewOn: LocalDate?
    public var endedOn: LocalDate?
    public var endedReason: String?
    public var raisedBy: String
    public var raisedAt: Timestamp

    public init(id: RestrictedFlagID = RestrictedFlagID(), organisationID: OrganisationID, personID: PersonID, kind: RestrictionKind,
                disclosure: RestrictionDisclosure? = nil, details: String, startsOn: LocalDate, reviewOn: LocalDate? = nil, endedOn: LocalDate? = nil,
                endedReason: String? = nil, raisedBy: String, raisedAt: Timestamp = .now) {
        self.id = id; self.organisationID = organisationID; self.personID = personID; self.kind = kind
        self.disclosure = disclosure ?? kind.defaultDisclosure; self.details = details; self.startsOn = startsOn; self.reviewOn = reviewOn
        self.endedOn = endedOn; self.endedReason = endedReason; self.raisedBy = raisedBy; self.raisedAt = raisedAt
    }

    public func validated() throws -> RestrictedFlag {
        var f = self
        f.details = details.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !f.details.isEmpty else { throw TownhallError.missing("details", "Enter the details a designated officer will need.") }
        guard f.details.count <= 4000 else { throw TownhallError.invalid("details", "The details can be at most 4,000 characters.") }
        if let reviewOn, reviewOn < startsOn { throw TownhallError.invalid("review_on", "The review date cannot be before the start date.", code: "invalid_date") }
        return f
    }

    /// In force on a day: started and not yet ended.
    public func active(on day: LocalDate) -> Bool { startsOn <= day && (endedOn.map { day < $0 } ?? true) }
}

/// Why a designated officer is reading restricted information: recorded on the audit entry of every read.
public struct RestrictedReadPurpose: Sendable, Equatable {
    public static let reasons: [(value: String, title: String)] = [
        ("current_contact", "Handling a contact with this person now"),
        ("home_visit", "Planning a home visit"),
        ("safeguarding_enquiry", "Safeguarding enquiry or strategy meeting"),
        ("review", "Reviewing the flag"),
    ]

    public let text: String

    /// A listed reason, with a free-text explanation that every read must give (at least a few words).
    public init(reason: String?, explanation: String?) throws {
        let reason = (reason ?? "").trimmingCharacters(in: .whitespaces)
        guard let title = Self.reasons.first(where: { $0.value == reason })?.title else {
            throw TownhallError.missing("purpose", "Choose why you need to see the restricted information.")
        }
        let explanation = (explanation ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard explanation.count >= 5 else {
            throw TownhallError.missing("explanation", "Say in a few words why you need it, for example the contact or the visit it is for.")
        }
        guard explanation.count <= 500 else { throw TownhallError.invalid("explanation", "The explanation can be at most 500 characters.") }
        text = "\(title): \(explanation)"
    }
}

/// What one viewer is shown of one flag.
public enum RestrictionAccess: Sendable, Equatable {
    /// May read the details, once a purpose is given.
    case readable
    /// Told only that it exists, who holds it and what to do.
    case existence
    /// Told nothing.
    case hidden

    /// The whole rule. `safeguardingProviders` are the organisations whose safeguarding data the viewer's organisation
    /// receives under agreements in force (its own included).
    public static func of(_ flag: RestrictedFlag, viewerPermissions: Set<Permission>, safeguardingProviders: Set<OrganisationID>) -> RestrictionAccess {
        if viewerPermissions.contains(.safeguardingRead), safeguardingProviders.contains(flag.organisationID) { return .readable }
        return flag.disclosure == .existence ? .existence : .hidden
    }
}

/// A flag as the single view lists it, without its details.
public struct RestrictionNotice: Sendable, Codable, Equatable {
    public var id: RestrictedFlagID?
    public var kind: RestrictionKind
    public var heldBy: OrganisationID
    public var readable: Bool
    public var advice: String
    public var reviewOn: LocalDate?

    public init(_ flag: RestrictedFlag, access: RestrictionAccess) {
        id = access == .readable ? flag.id : nil
        kind = flag.kind; heldBy = flag.organisationID; readable = access == .readable; advice = flag.kind.advice
        reviewOn = access == .readable ? flag.reviewOn : nil
    }
}
