import Foundation
import Revenues
import TownhallKernel

public enum ClaimTag {}
public typealias ClaimID = Identifier<ClaimTag>

/// A claim for housing benefit and council tax reduction, or a change of circumstances to one: the household as the
/// checker takes it, and every step dated so NI 181 (days from receipt to decision) is counted, not estimated.
public struct Claim: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case newClaim = "new_claim"
        case change = "change_of_circumstances"

        public var title: String { self == .newClaim ? "New claim" : "Change of circumstances" }
    }

    public enum Status: String, Sendable, CaseIterable, Codable {
        case received
        case evidenceRequested = "evidence_requested"
        case assessed, decided, notified, suspended, withdrawn

        public var title: String {
            switch self {
            case .received: "Received"
            case .evidenceRequested: "Evidence requested"
            case .assessed: "Assessed"
            case .decided: "Decided"
            case .notified: "Notified"
            case .suspended: "Suspended"
            case .withdrawn: "Withdrawn"
            }
        }

        /// Still with the benefits team: counted in the backlog.
        public var isOpen: Bool { [.received, .evidenceRequested, .assessed].contains(self) }
    }

    /// What an officer does to a claim. Each moves it to one status from the statuses listed in `next(from:)`.
    public enum Action: String, Sendable, CaseIterable, Codable {
        case requestEvidence = "request_evidence"
        case assess, decide, notify, suspend, resume, withdraw

        public var title: String {
            switch self {
            case .requestEvidence: "Request evidence"
            case .assess: "Assess"
            case .decide: "Decide"
            case .notify: "Record the notice sent"
            case .suspend: "Suspend"
            case .resume: "Resume"
            case .withdraw: "Withdraw"
            }
        }

        var from: Set<Status> {
            switch self {
            case .requestEvidence: [.received, .assessed]
            case .assess: [.received, .evidenceRequested, .assessed]
            case .decide: [.assessed]
            case .notify: [.decided]
            case .suspend: [.notified]
            case .resume: [.suspended]
            case .withdraw: [.received, .evidenceRequested, .assessed]
            }
        }

        var to: Status {
            switch self {
            case .requestEvidence: .evidenceRequested
            case .assess: .assessed
            case .decide: .decided
            case .notify: .notified
            case .suspend: .suspended
            case .resume: .notified
            case .withdraw: .withdrawn
            }
        }

        /// The status this action leads to from `status`, or a 409 saying what can be done instead.
        public func next(from status: Status) throws -> Status {
            guard from.contains(status) else {
                let allowed = Action.allCases.filter { $0.from.contains(status) }.map(\.rawValue)
                throw TownhallError.conflict(
                    "A claim that is \(status.title.lowercased()) cannot be \(rawValue == "notify" ? "notified" : "given “\(title.lowercased())”")"
                        + (allowed.isEmpty ? "; nothing more can be done to it." : "; it can be: \(allowed.joined(separator: ", "))."),
                    code: "invalid_transition", field: "action")
            }
            return to
        }

        /// The actions open to a claim in `status`, in the order an officer meets them.
        public static func available(from status: Status) -> [Action] { allCases.filter { $0.from.contains(status) } }
    }

    /// One dated step in the claim's life.
    public struct Event: Sendable, Equatable, Codable {
        public var status: Status
        /// The day it happened (an officer may record a step done on paper on an earlier day).
        public var on: LocalDate
        public var at: Timestamp
        public var by: String
        public var note: String
    }

    /// What the engine worked out at the last assessment, in pence a year.
    public struct Assessment: Sendable, Equatable, Codable {
        public var fiscalYear: String
        public var housingBenefit: Int64
        public var councilTaxReduction: Int64
        public var councilTaxNet: Int64
        public var assessedOn: LocalDate

        public var housingBenefitWeekly: Int64 { Money.roundHalfUp(housingBenefit, 52) }
    }

    public var id: ClaimID
    public var organisationID: OrganisationID
    /// Shown to the claimant and staff: HB followed by eight digits.
    public var reference: String
    public var kind: Kind
    public var personID: PersonID
    /// The council tax account a reduction is credited to.
    public var accountID: RevenuesAccountID?
    /// For a change: the claim whose award it changes.
    public var previousClaimID: ClaimID?
    public var status: Status
    public var household: EstimateInput
    /// The day the claim or change reached the council: NI 181's clock starts here.
    public var receivedOn: LocalDate
    /// The day the award (or change) takes effect.
    public var effectiveFrom: LocalDate
    public var decidedOn: LocalDate?
    public var notifiedOn: LocalDate?
    public var assessment: Assessment?
    /// The council tax account's reduction this claim put there, ended by the next change.
    public var awardAdjustmentID: String?
    public var events: [Event]
    public var createdAt: Timestamp
    public var version: Int

    /// NI 181's measure for this claim: calendar days from receipt to decision (a decision on the day of receipt is 0).
    public var daysToDecide: Int? { decidedOn.map { $0.dayNumber - receivedOn.dayNumber } }
}

/// NI 181 for a run of months: the average calendar days from receipt to decision of the new claims and the changes
/// decided in each month, and both together (the indicator itself).
public struct SpeedOfProcessing: Sendable, Equatable {
    public struct Month: Sendable, Equatable {
        public var month: String
        public var newClaims: Int
        public var newClaimDays: Int
        public var changes: Int
        public var changeDays: Int

        public var newClaimAverage: Double? { newClaims == 0 ? nil : Double(newClaimDays) / Double(newClaims) }
        public var changeAverage: Double? { changes == 0 ? nil : Double(changeDays) / Double(changes) }
        /// NI 181: every item decided in the month, new claims and changes alike.
        public var average: Double? { newClaims + changes == 0 ? nil : Double(newClaimDays + changeDays) / Double(newClaims + changes) }
    }

    public var months: [Month]
    public var total: Month

    /// Groups decided claims by the month of decision, over every month from `first` to `last` ("2026-04"), empty ones
    /// included so a chart has no gaps.
    public static func of(_ decided: [(kind: Claim.Kind, received: LocalDate, decided: LocalDate)], from first: LocalDate,
                          to last: LocalDate) -> SpeedOfProcessing {
        var byMonth: [String: Month] = [:]
        var names: [String] = []
        var y = first.year, m = first.month
        while y < last.year || (y == last.year && m <= last.month) {
            let name = "\(y)-\(m < 10 ? "0" : "")\(m)"
            names.append(name)
            byMonth[name] = Month(month: name, newClaims: 0, newClaimDays: 0, changes: 0, changeDays: 0)
            m += 1
            if m > 12 { m = 1; y += 1 }
        }
        var total = Month(month: "total", newClaims: 0, newClaimDays: 0, changes: 0, changeDays: 0)
        for item in decided {
            let name = "\(item.decided.year)-\(item.decided.month < 10 ? "0" : "")\(item.decided.month)"
            guard var month = byMonth[name] else { continue }
            let days = item.decided.dayNumber - item.received.dayNumber
            switch item.kind {
            case .newClaim: month.newClaims += 1; month.newClaimDays += days; total.newClaims += 1; total.newClaimDays += days
            case .change: month.changes += 1; month.changeDays += days; total.changes += 1; total.changeDays += days
            }
            byMonth[name] = month
        }
        return SpeedOfProcessing(months: names.compactMap { byMonth[$0] }, total: total)
    }
}
