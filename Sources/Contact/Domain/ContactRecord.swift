import Foundation
import TownhallKernel

public enum ContactTag {}
public typealias ContactID = Identifier<ContactTag>

/// How a contact ended: the measure of a one-stop shop is how many end at the first point of contact.
public enum ContactOutcome: String, Sendable, Codable, CaseIterable {
    case resolvedFirstContact = "resolved_first_contact"
    case caseCreated = "case_created"
    case transferredToPartner = "transferred_to_partner"
    case signposted
    case callBack = "call_back"

    public var title: String {
        switch self {
        case .resolvedFirstContact: "Resolved at first point of contact"
        case .caseCreated: "Case created"
        case .transferredToPartner: "Transferred to a partner"
        case .signposted: "Signposted elsewhere"
        case .callBack: "Call back arranged"
        }
    }

    public init(parsing raw: String, field: String = "outcome") throws {
        guard let o = ContactOutcome(rawValue: raw.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw TownhallError.invalid(field, "Choose how the contact ended.", code: "invalid_outcome")
        }
        self = o
    }
}

/// The ways a customer reaches the one-stop shop.
public enum ContactChannel: String, Sendable, Codable, CaseIterable {
    case phone, faceToFace = "face_to_face", web, email, letter, mobileWorker = "mobile_worker"

    public var title: String {
        switch self {
        case .phone: "Phone"
        case .faceToFace: "Face to face"
        case .web: "Web"
        case .email: "Email"
        case .letter: "Letter"
        case .mobileWorker: "Mobile worker"
        }
    }

    public init(parsing raw: String, field: String = "channel") throws {
        guard let c = ContactChannel(rawValue: raw.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw TownhallError.invalid(field, "Choose the channel: \(ContactChannel.allCases.map(\.title).joined(separator: ", ")).", code: "invalid_channel")
        }
        self = c
    }
}

/// One interaction with a customer, as an agent records it from the single view.
public struct ContactRecord: Sendable, Codable, Equatable {
    public var id: ContactID
    public var organisationID: OrganisationID
    public var personID: PersonID?
    public var propertyID: PropertyID?
    public var channel: ContactChannel
    public var reason: String
    /// The service it was about (an LGSL or local code), when it was about one.
    public var serviceCode: String?
    public var outcome: ContactOutcome
    public var durationSeconds: Int
    public var notes: String?
    /// The case it led to (outcome `case_created`).
    public var caseID: String?
    /// The partner it was passed to (outcome `transferred_to_partner`).
    public var partnerID: OrganisationID?
    public var agent: String
    public var at: Timestamp

    public init(id: ContactID = ContactID(), organisationID: OrganisationID, personID: PersonID?, propertyID: PropertyID? = nil, channel: ContactChannel,
                reason: String, serviceCode: String? = nil, outcome: ContactOutcome, durationSeconds: Int, notes: String? = nil, caseID: String? = nil,
                partnerID: OrganisationID? = nil, agent: String, at: Timestamp = .now) {
        self.id = id; self.organisationID = organisationID; self.personID = personID; self.propertyID = propertyID; self.channel = channel
        self.reason = reason; self.serviceCode = serviceCode; self.outcome = outcome; self.durationSeconds = durationSeconds; self.notes = notes
        self.caseID = caseID; self.partnerID = partnerID; self.agent = agent; self.at = at
    }

    /// The longest contact we accept: a long face-to-face appointment.
    public static let maximumDuration = 4 * 3600

    /// Checks and tidies what an agent typed; every refusal names its field.
    public func validated() throws -> ContactRecord {
        var c = self
        c.reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !c.reason.isEmpty else { throw TownhallError.missing("reason", "Say what the contact was about.") }
        guard c.reason.count <= 500 else { throw TownhallError.invalid("reason", "The reason can be at most 500 characters.") }
        c.notes = notes?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmptyOrNil
        if let n = c.notes, n.count > 4000 { throw TownhallError.invalid("notes", "Notes can be at most 4,000 characters.") }
        c.serviceCode = serviceCode?.trimmingCharacters(in: .whitespaces).nonEmptyOrNil
        guard (0...Self.maximumDuration).contains(durationSeconds) else {
            throw TownhallError.invalid("duration", "The duration is between 0 and 240 minutes.", code: "invalid_duration")
        }
        guard personID != nil || propertyID != nil else { throw TownhallError.missing("person", "Record a contact against a person or a property.") }
        if outcome == .transferredToPartner, partnerID == nil {
            throw TownhallError.missing("partner", "Choose the partner the contact was passed to.")
        }
        if outcome == .caseCreated, caseID == nil {
            throw TownhallError.missing("case", "A contact that created a case names the case.")
        }
        return c
    }
}

/// Contacts of a day, by channel and outcome: the team leader's first-contact resolution figure.
public struct ContactSummary: Sendable, Codable, Equatable {
    public var total: Int
    public var byChannel: [String: Int]
    public var byOutcome: [String: Int]

    public init(total: Int = 0, byChannel: [String: Int] = [:], byOutcome: [String: Int] = [:]) {
        self.total = total; self.byChannel = byChannel; self.byOutcome = byOutcome
    }

    /// Share resolved at first point of contact, in whole per cent; nil when there were none.
    public var firstContactResolution: Int? {
        guard total > 0 else { return nil }
        return Int((Double(byOutcome[ContactOutcome.resolvedFirstContact.rawValue] ?? 0) * 100 / Double(total)).rounded())
    }
}

extension String {
    var nonEmptyOrNil: String? { isEmpty ? nil : self }
}
