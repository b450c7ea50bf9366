import Access
import Audit
import Benefits
import Cases
import Citizens
import Contact
import Partnership
import Register
import Revenues
import TownhallAPI
import TownhallDatabase
import TownhallHTTP
import TownhallWeb

/// One installed area: its domain module and, where it has them, its API routes and desk pages.
public struct Area: Sendable {
    public let module: any AreaModule.Type
    public let api: [any APIArea.Type]
    public let web: [any WebArea.Type]

    public init(_ module: any AreaModule.Type, api: [any APIArea.Type] = [], web: [any WebArea.Type] = []) {
        self.module = module; self.api = api; self.web = web
    }
}

/// The one list of areas. Order matters: each area is built from the services of those above it, its migrations run
/// after theirs, and its single-view panels and desk links come after theirs. Adding an area is one line here
/// (see docs/ADDING-A-MODULE.md).
public enum TownhallModules {
    public static let areas: [Area] = [
        Area(AuditModule.self),
        Area(PartnershipModule.self),
        Area(AccessModule.self, api: [AdminRoutes.self]),
        Area(RegisterModule.self, api: [RegisterRoutes.self]),
        Area(CasesModule.self, api: [CasesRoutes.self, Open311Routes.self], web: [CasePages.self, ReportPages.self]),
        Area(
            ContactModule.self,
            api: [ContactRoutes.self, RestrictionRoutes.self, TriageRoutes.self, GuidanceRoutes.self, DashboardRoutes.self],
            web: [SingleViewPages.self, FirstContactPages.self, DashboardPages.self, GuidancePages.self, RestrictedPages.self]),
        Area(CitizensModule.self, web: [AccountPages.self]),
        Area(RevenuesModule.self, api: [RevenuesRoutes.self], web: [RevenuesPages.self, RevenuesOfficePages.self]),
        Area(BenefitsModule.self, api: [BenefitsRoutes.self, ClaimRoutes.self], web: [BenefitsPages.self, ClaimPages.self]),
    ]
}
