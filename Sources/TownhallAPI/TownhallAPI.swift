import Access
import Cases
import Contact
import Hummingbird
import Partnership
import Register
import Revenues

/// The JSON API under /api/v1. Call `addRoutes` on the application's router.
public struct TownhallAPIRoutes: Sendable {
    public let partnership: Partnership
    public let access: Access
    public let register: Register
    public let cases: Cases
    public let contacts: Contacts
    public let restrictions: Restrictions
    public let triage: Triage
    public let guidance: Guidance
    public let revenues: Revenues
    public let publicURL: String

    public init(partnership: Partnership, access: Access, register: Register, cases: Cases, contacts: Contacts, restrictions: Restrictions,
                triage: Triage, guidance: Guidance, revenues: Revenues, publicURL: String = "http://localhost:8080") {
        self.guidance = guidance
        self.revenues = revenues
        self.contacts = contacts
        self.restrictions = restrictions
        self.triage = triage
        self.publicURL = publicURL
        self.partnership = partnership
        self.access = access
        self.register = register
        self.cases = cases
    }

    public func addRoutes(to router: Router<TownhallContext>) {
        let group = router.group("api/v1")
            .add(middleware: APIErrorMiddleware())
            .add(middleware: Authenticator(access: access))
            .add(middleware: APICSRFGuard())
        group.get("openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.json)))
        }
        AdminRoutes(partnership: partnership, access: access).add(to: group)
        RegisterRoutes(register: register).add(to: group)
        CasesRoutes(cases: cases, partnership: partnership, access: access).add(to: group)
        ContactRoutes(contacts: contacts).add(to: group)
        RestrictionRoutes(restrictions: restrictions).add(to: group)
        TriageRoutes(triage: triage).add(to: group)
        GuidanceRoutes(guidance: guidance).add(to: group)
        RevenuesRoutes(revenues: revenues).add(to: group)
        DashboardRoutes(contacts: contacts, cases: cases, triage: triage).add(to: group)
        Open311Routes(cases: cases, partnership: partnership, access: access, publicURL: publicURL).addRoutes(to: router)
    }
}
