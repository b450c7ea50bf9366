import TownhallKernel

/// Where a case is in its life. The clock runs in the open states, pauses while waiting on the customer or a third
/// party, and stops at resolution.
public enum CaseStatus: String, Sendable, Codable, CaseIterable {
    case new, acknowledged
    case inProgress = "in_progress"
    case waitingOnCustomer = "waiting_on_customer"
    case waitingOnThirdParty = "waiting_on_third_party"
    case resolved, closed

    public var title: String {
        switch self {
        case .new: "New"
        case .acknowledged: "Acknowledged"
        case .inProgress: "In progress"
        case .waitingOnCustomer: "Waiting on customer"
        case .waitingOnThirdParty: "Waiting on third party"
        case .resolved: "Resolved"
        case .closed: "Closed"
        }
    }

    public var isOpen: Bool { self != .resolved && self != .closed }
    public var pausesClock: Bool { self == .waitingOnCustomer || self == .waitingOnThirdParty }

    /// The statuses a case may move to from this one. Reopening (resolved/closed → in progress) is a transition like any other.
    public var next: Set<CaseStatus> {
        switch self {
        case .new: [.acknowledged, .inProgress, .waitingOnCustomer, .waitingOnThirdParty, .resolved]
        case .acknowledged: [.inProgress, .waitingOnCustomer, .waitingOnThirdParty, .resolved]
        case .inProgress: [.waitingOnCustomer, .waitingOnThirdParty, .resolved]
        case .waitingOnCustomer, .waitingOnThirdParty: [.inProgress, .resolved]
        case .resolved: [.closed, .inProgress]
        case .closed: [.inProgress]
        }
    }

    public func check(_ to: CaseStatus) throws {
        guard next.contains(to) else {
            throw TownhallError(.conflict, code: "invalid_transition",
                                message: "A case that is \(title.lowercased()) cannot become \(to.title.lowercased()). It can become: \(next.map(\.title).sorted().joined(separator: ", ").lowercased()).",
                                field: "status")
        }
    }

    public init(parsing raw: String, field: String = "status") throws {
        guard let s = CaseStatus(rawValue: raw.lowercased()) else {
            throw TownhallError.invalid(field, "Status is one of: \(CaseStatus.allCases.map(\.rawValue).joined(separator: ", ")).", code: "invalid_status")
        }
        self = s
    }

    /// Open311's two statuses.
    public var open311: String { isOpen ? "open" : "closed" }
}

/// Why a case was resolved. Also FixMyStreet's extended statuses, so two-way clients see the same outcome.
public enum Resolution: String, Sendable, Codable, CaseIterable {
    case fixed, duplicate
    case notOurResponsibility = "not_councils_responsibility"
    case noFurtherAction = "no_further_action"
    case answered
    case withdrawn

    public var title: String {
        switch self {
        case .fixed: "Fixed"
        case .duplicate: "Duplicate of another report"
        case .notOurResponsibility: "Not our responsibility"
        case .noFurtherAction: "No further action"
        case .answered: "Answered"
        case .withdrawn: "Withdrawn"
        }
    }
}

/// How a case arrived.
public enum CaseChannel: String, Sendable, Codable, CaseIterable {
    case phone, faceToFace = "face_to_face", web, eForm = "e_form", email, mobileWorker = "mobile_worker", partner, open311

    public init(parsing raw: String, field: String = "channel") throws {
        guard let c = CaseChannel(rawValue: raw.lowercased()) else {
            throw TownhallError.invalid(field, "Channel is one of: \(CaseChannel.allCases.map(\.rawValue).joined(separator: ", ")).", code: "invalid_channel")
        }
        self = c
    }

    public init(_ channel: Channel) {
        switch channel {
        case .phone: self = .phone
        case .faceToFace: self = .faceToFace
        case .web: self = .web
        case .eForm: self = .eForm
        case .email: self = .email
        case .mobileWorker: self = .mobileWorker
        case .partner: self = .partner
        case .open311: self = .open311
        case .api, .system: self = .partner
        }
    }
}
