import Foundation
import TownhallKernel

/// A message template in GOV.UK Notify's style: `((placeholder))` fields filled from the event that sends it. Every
/// placeholder must be one the template's kind supplies, checked when the template is saved, so a send never fails
/// (or goes out with a hole in it) because of a typo.
public struct NotificationTemplate: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case caseAcknowledgement = "case_acknowledgement"
        case caseStatusUpdate = "case_status_update"
        case casePublicUpdate = "case_public_update"
        case slaBreachAlert = "sla_breach_alert"
        case slaWarningAlert = "sla_warning_alert"
        /// The link that confirms a citizen's email address for their portal account.
        case accountVerification = "account_verification"
        /// Council tax or business rates (`((tax))`): a demand notice sent by email to a taxpayer who opted in to e-billing.
        case councilTaxBill = "council_tax_bill"
        /// Council tax and business rates recovery letters, one kind per stage so each can be worded as the council's own.
        case councilTaxReminder = "council_tax_reminder"
        case councilTaxSecondReminder = "council_tax_second_reminder"
        case councilTaxInstalmentsLost = "council_tax_instalments_lost"
        case councilTaxFinalNotice = "council_tax_final_notice"
        case councilTaxSummons = "council_tax_summons"
        case councilTaxLiabilityOrder = "council_tax_liability_order"

        /// The placeholders this kind of message can fill.
        public var placeholders: Set<String> {
            let common: Set<String> = ["reference", "service_name", "organisation_name", "status", "track_url", "address", "name"]
            switch self {
            case .caseAcknowledgement: return common.union(["due_date"])
            case .caseStatusUpdate: return common.union(["previous_status", "update"])
            case .casePublicUpdate: return common.union(["update"])
            case .slaBreachAlert, .slaWarningAlert: return common.union(["due_date", "team_name", "priority"])
            case .accountVerification: return ["name", "verify_url", "organisation_name", "expires"]
            case .councilTaxBill: return Self.revenues.union(["total", "instalments", "charges", "band"])
            case .councilTaxReminder, .councilTaxSecondReminder, .councilTaxInstalmentsLost, .councilTaxFinalNotice, .councilTaxSummons, .councilTaxLiabilityOrder:
                return Self.revenues.union(["amount", "costs", "due_date"])
            }
        }

        static let revenues: Set<String> = ["name", "account_reference", "address", "organisation_name", "year", "date", "balance", "tax"]

        /// Who receives it: the customer, or staff (team leader, assignee).
        public var toStaff: Bool { self == .slaBreachAlert || self == .slaWarningAlert }
    }

    public var organisationID: OrganisationID
    public var kind: Kind
    public var subject: String
    public var body: String
    public var version: Int

    public init(organisationID: OrganisationID, kind: Kind, subject: String, body: String, version: Int = 1) {
        self.organisationID = organisationID; self.kind = kind; self.subject = subject; self.body = body; self.version = version
    }

    /// The `((name))` fields used in a text. `((name??text))` optional-text syntax from Notify counts as `name`.
    public static func placeholders(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while var open = rest.range(of: "(("), let close = rest[open.upperBound...].range(of: "))") {
            // "(((name))" is a literal bracket before a placeholder.
            while rest[open.upperBound...].first == "(" { open = rest.index(after: open.lowerBound)..<rest.index(after: open.upperBound) }
            var name = String(rest[open.upperBound..<close.lowerBound])
            if let q = name.range(of: "??") { name = String(name[..<q.lowerBound]) }
            found.append(name.trimmingCharacters(in: .whitespaces).lowercased())
            rest = rest[close.upperBound...]
        }
        return found
    }

    public func validated() throws -> NotificationTemplate {
        var copy = self
        copy.subject = subject.trimmingCharacters(in: .whitespacesAndNewlines)
        copy.body = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !copy.subject.isEmpty else { throw TownhallError.missing("subject") }
        guard !copy.body.isEmpty else { throw TownhallError.missing("body") }
        guard copy.body.count <= 10_000 else { throw TownhallError.invalid("body", "A template can be at most 10,000 characters.") }
        for (field, text) in [("subject", copy.subject), ("body", copy.body)] {
            if let unknown = NotificationTemplate.placeholders(in: text).first(where: { !kind.placeholders.contains($0) }) {
                throw TownhallError.invalid(field, "((\(unknown))) is not a placeholder this message can fill. It can use: \(kind.placeholders.sorted().map { "((\($0)))" }.joined(separator: ", ")).",
                                            code: "unknown_placeholder")
            }
        }
        return copy
    }

    /// Fills the placeholders. A value the event lacks renders empty; `((name??text))` shows `text` only when `name` has a value.
    public func render(_ values: [String: String]) -> (subject: String, body: String) {
        (NotificationTemplate.fill(subject, values), NotificationTemplate.fill(body, values))
    }

    // The standard library's searches (`firstRange(of:)`), not Foundation's `range(of:)`, which bridged every message
    // through NSString: a new case's acknowledgement is filled inside the writer's transaction.
    static func fill(_ text: String, _ values: [String: String]) -> String {
        func key(_ s: Substring) -> String {   // trimmed of spaces and tabs (Foundation's `.whitespaces`), lower-cased
            var t = s
            while let c = t.first, c.isWhitespace && !c.isNewline { t.removeFirst() }
            while let c = t.last, c.isWhitespace && !c.isNewline { t.removeLast() }
            return t.lowercased()
        }
        var out = ""
        var rest = Substring(text)
        while var open = rest.firstRange(of: "(("), let close = rest[open.upperBound...].firstRange(of: "))") {
            while rest[open.upperBound...].first == "(" { open = rest.index(after: open.lowerBound)..<rest.index(after: open.upperBound) }
            out += rest[..<open.lowerBound]
            let inner = rest[open.upperBound..<close.lowerBound]
            if let q = inner.firstRange(of: "??") {
                if let v = values[key(inner[..<q.lowerBound])], !v.isEmpty { out += inner[q.upperBound...] }
            } else {
                out += values[key(inner)] ?? ""
            }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// Sensible wording for each kind, used until an organisation saves its own.
    public static func standard(_ kind: Kind, organisation: OrganisationID) -> NotificationTemplate {
        switch kind {
        case .caseAcknowledgement:
            NotificationTemplate(organisationID: organisation, kind: kind, subject: "We have your report ((reference))",
                                 body: "Hello ((name)),\n\nThank you for reporting ((service_name)) at ((address)). Your reference is ((reference)). We aim to deal with it by ((due_date)).\n\nTrack it at ((track_url))\n\n((organisation_name))")
        case .caseStatusUpdate:
            NotificationTemplate(organisationID: organisation, kind: kind, subject: "Your report ((reference)) is now ((status))",
                                 body: "Your report ((reference)) about ((service_name)) has changed from ((previous_status)) to ((status)).\n\n((update))\n\nTrack it at ((track_url))\n\n((organisation_name))")
        case .casePublicUpdate:
            NotificationTemplate(organisationID: organisation, kind: kind, subject: "An update on your report ((reference))",
                                 body: "((update))\n\nTrack it at ((track_url))\n\n((organisation_name))")
        case .slaBreachAlert:
            NotificationTemplate(organisationID: organisation, kind: kind, subject: "Overdue: ((reference)) ((service_name))",
                                 body: "Case ((reference)) (((service_name)), ((priority)) priority, team ((team_name))) passed its service level at ((due_date)). It is ((status)).")
        case .slaWarningAlert:
            NotificationTemplate(organisationID: organisation, kind: kind, subject: "Due soon: ((reference)) ((service_name))",
                                 body: "Case ((reference)) (((service_name)), ((priority)) priority, team ((team_name))) is due by ((due_date)). It is ((status)).")
        case .councilTaxBill:
            NotificationTemplate(organisationID: organisation, kind: kind, subject: "Your ((tax)) bill for ((year)), account ((account_reference))",
                                 body: "((date))\n\nDear ((name)),\n\nDemand notice for ((tax)), ((year)): ((address)), band ((band)).\n\n((charges))\n\nAmount due for the year: ((total))\n\nInstalments:\n((instalments))\n\n((organisation_name))")
        case .councilTaxReminder, .councilTaxSecondReminder:
            NotificationTemplate(organisationID: organisation, kind: kind, subject: "Reminder: ((tax)), account ((account_reference))",
                                 body: "((date))\n\nDear ((name)),\n\nYour ((tax)) for ((address)), ((year)): you have missed an instalment. Please pay ((amount)) by ((due_date)).\n\nIf you do not, you lose the right to pay by instalments and the whole balance (((balance))) becomes due 7 days later.\n\nIf you cannot pay, contact us now to agree an arrangement.\n\n((organisation_name))")
        case .councilTaxInstalmentsLost:
            NotificationTemplate(organisationID: organisation, kind: kind, subject: "You have lost the right to pay by instalments, account ((account_reference))",
                                 body: "((date))\n\nDear ((name)),\n\nYour ((tax)) for ((address)), ((year)): the reminder was not paid, so the whole balance of ((amount)) is due by ((due_date)). If it is not paid we will apply to the magistrates' court for a liability order.\n\n((organisation_name))")
        case .councilTaxFinalNotice:
            NotificationTemplate(organisationID: organisation, kind: kind, subject: "Final notice: ((tax)), account ((account_reference))",
                                 body: "((date))\n\nDear ((name)),\n\nYour ((tax)) for ((address)), ((year)): you have missed another instalment after a second reminder, so the whole balance is now due. Pay ((amount)) by ((due_date)), or we will apply for a liability order for that amount.\n\n((organisation_name))")
        case .councilTaxSummons:
            NotificationTemplate(organisationID: organisation, kind: kind, subject: "Summons: ((tax)), account ((account_reference))",
                                 body: "((date))\n\nDear ((name)),\n\nYou are summoned to the magistrates' court on ((due_date)) for a liability order for ((amount)) ((tax)) for ((address)), ((year)), and ((costs)) costs. Paying ((balance)) before the hearing ends the case.\n\n((organisation_name))")
        case .councilTaxLiabilityOrder:
            NotificationTemplate(organisationID: organisation, kind: kind, subject: "Liability order granted, account ((account_reference))",
                                 body: "((date))\n\nDear ((name)),\n\nThe court granted a liability order for ((amount)) ((tax)) for ((address)), ((year)), with ((costs)) further costs. You now owe ((balance)). Contact us at once to agree payment, or we may take money from your wages or benefits or pass the debt to enforcement agents.\n\n((organisation_name))")
        case .accountVerification:
            NotificationTemplate(organisationID: organisation, kind: kind, subject: "Confirm your email address",
                                 body: "Hello ((name)),\n\nTo finish setting up your account, open this link:\n\n((verify_url))\n\nThe link works until ((expires)). If you did not ask for an account, ignore this email.\n\n((organisation_name))")
        }
    }
}
