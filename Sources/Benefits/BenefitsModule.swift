import Partnership
import Register
import Revenues
import TownhallDatabase
import TownhallKernel

extension Permission {
    /// The eligibility checker: estimates from what a resident says, nothing stored.
    public static let benefitsEstimate = Permission("benefits.estimate")
    /// Reading claims and awards (the single view's benefits panel, the claim pages, NI 181).
    public static let benefitsRead = Permission("benefits.read")
    /// Taking a claim or a change of circumstances from a resident.
    public static let benefitsClaim = Permission("benefits.claim")
    /// Assessing, deciding and notifying claims: the benefits officer's work.
    public static let benefitsAssess = Permission("benefits.assess")
}

extension APIScope {
    /// A council's website or a partner's adviser tool running the eligibility checker.
    public static let benefitsEstimate = APIScope("benefits:estimate")
    /// A back office or adviser tool reading claims.
    public static let benefitsRead = APIScope("benefits:read")
    /// A partner's adviser tool sending claims it took (not deciding them).
    public static let benefitsClaim = APIScope("benefits:claim")
}

/// Housing benefit, council tax reduction and the eligibility checker.
public struct BenefitsModule: AreaModule {
    public static let name = "benefits"
    public static var migrations: [Migration] { Claims.migrations }
    public static let permissions = [
        PermissionGrant(
            .benefitsEstimate, "Run the benefits eligibility checker for a resident.",
            roles: [.agent, .officer, .teamLeader, .manager, .administrator]),
        PermissionGrant(
            .benefitsRead, "Read benefit claims and awards, and the processing times.",
            roles: [.agent, .officer, .teamLeader, .manager, .administrator, .auditor]),
        PermissionGrant(
            .benefitsClaim, "Take a housing benefit and council tax reduction claim, or a change of circumstances.",
            roles: [.agent, .officer, .teamLeader, .manager, .administrator]),
        PermissionGrant(
            .benefitsAssess, "Assess, decide and notify claims; the decision changes the council tax bill.",
            roles: [.officer, .teamLeader, .manager, .administrator]),
    ]
    public static let scopes = [
        ScopeGrant(.benefitsEstimate, "Run the eligibility checker (a website or adviser tool).", permissions: [.benefitsEstimate]),
        ScopeGrant(.benefitsRead, "Read claims and awards (a back office or adviser tool).", permissions: [.registerRead, .benefitsRead]),
        ScopeGrant(.benefitsClaim, "Send claims a partner's adviser took, and read them.",
                   permissions: [.registerRead, .revenuesRead, .benefitsRead, .benefitsClaim]),
    ]

    let claims: Claims

    public init(services: inout ServiceRegistry) {
        let partnership = services.require(Partnership.self), revenues = services.require(Revenues.self)
        // The band's charge where a member council bills through Townhall: its unparished area's charges for the year.
        let benefits = Benefits(bandCharges: { council, year in
            guard let organisation = try await partnership.organisations().first(where: { $0.onsCode == council.gss }) else {
                return nil
            }
            let all = try await revenues.charges(year: year, by: .system(organisation.id, "benefits estimate"))
            guard let charges = all.first(where: { $0.area.isEmpty }) ?? all.first else { return nil }
            return Dictionary(uniqueKeysWithValues: CouncilTaxBand.allCases.map { (Character($0.rawValue), charges.amount($0)) })
        })
        services.add(benefits)
        claims = Claims(database: services.database, benefits: benefits, register: services.require(Register.self), revenues: revenues)
        services.add(claims)
    }

    public var panels: [any SingleViewPanelSource] { [BenefitsPanel(claims: claims)] }
}

/// The single view's benefits panel: the person's claims and awards their organisation may see (the `benefits` category),
/// newest first, with the award and where each claim is.
public struct BenefitsPanel: SingleViewPanelSource {
    let claims: Claims
    public init(claims: Claims) { self.claims = claims }

    public func panel(for subject: SingleViewSubject, by actor: Actor) async throws -> SingleViewPanel? {
        guard actor.may(.benefitsRead), case .person(let person) = subject else { return nil }
        let found = try await claims.list(.init(person: person), limit: 50, by: actor).items.sorted { $0.receivedOn > $1.receivedOn }
        var lines: [SingleViewPanel.Line] = []
        var warning = false
        for c in found.prefix(4) {
            lines.append(.init("\(c.kind.title) \(c.reference)", "\(c.status.title), received \(c.receivedOn)", href: "/desk/benefits/claims/\(c.id)"))
            if let a = c.assessment, c.status != .withdrawn {
                let verb = [.decided, .notified, .suspended].contains(c.status) ? "Award" : "Assessed"
                var parts: [String] = []
                if a.councilTaxReduction > 0 { parts.append("council tax reduction \(Money.format(a.councilTaxReduction)) a year") }
                if a.housingBenefit > 0 { parts.append("housing benefit \(Money.format(a.housingBenefitWeekly)) a week") }
                lines.append(.init(verb, parts.isEmpty ? "nothing due" : parts.joined(separator: "; ") + " from \(c.effectiveFrom)"))
            }
            if c.status == .evidenceRequested || c.status == .suspended { warning = true }
        }
        var links = [SingleViewPanel.Link("Check eligibility", href: "/benefits/check?person=\(person)")]
        if actor.may(.benefitsClaim) { links.insert(.init("Take a claim", href: "/desk/benefits/claims/new?person=\(person)"), at: 0) }
        return SingleViewPanel(key: "benefits", title: "Benefits", tone: warning ? .warning : .normal, lines: lines, links: links,
                               emptyText: "No housing benefit or council tax reduction claim.")
    }
}
