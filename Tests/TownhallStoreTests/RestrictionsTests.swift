import Access
import Audit
import Contact
import Foundation
import Partnership
import SQLKit
import Testing
import TownhallKernel
import TownhallTesting

/// Restricted information: who sees that a flag exists, who may read it, and that every read carries a purpose and an audit entry.
@Suite struct RestrictionsTests {
    static func officer(_ s: Scenario, _ username: String, in org: Organisation) async throws -> Actor {
        let staff = try await s.access.createStaff(NewStaff(username: username, displayName: username, email: "\(username)@example.org",
                                                            password: Scenario.password, roles: [.safeguardingOfficer]), organisation: org.id, by: nil)
        return s.access.actor(for: staff, channel: .phone)
    }

    static func auditCount(_ s: Scenario, _ action: String) async throws -> Int {
        try await s.database.read {
            try await $0.raw("SELECT COUNT(*) AS n FROM audit_event WHERE action = \(bind: action) AND entity_type = 'restricted_flag'").first()!.decode(column: "n", as: Int.self)
        }
    }

    @Test func theRuleReadsOnlyWithPermissionAndAgreementAndOtherwiseFollowsDisclosure() throws {
        let holder = OrganisationID(), other = OrganisationID()
        let cp = RestrictedFlag(organisationID: holder, personID: PersonID(), kind: .childProtectionPlan, details: "x", startsOn: try LocalDate(year: 2026, month: 1, day: 1), raisedBy: "o")
        let violent = RestrictedFlag(organisationID: holder, personID: PersonID(), kind: .violentMarker, details: "x", startsOn: try LocalDate(year: 2026, month: 1, day: 1), raisedBy: "o")
        #expect(cp.disclosure == .hidden && violent.disclosure == .existence)
        #expect(RestrictionAccess.of(cp, viewerPermissions: [.safeguardingRead], safeguardingProviders: [holder]) == .readable)
        #expect(RestrictionAccess.of(cp, viewerPermissions: [.registerRead], safeguardingProviders: [holder]) == .hidden)
        #expect(RestrictionAccess.of(cp, viewerPermissions: [.safeguardingRead], safeguardingProviders: [other]) == .hidden)
        #expect(RestrictionAccess.of(violent, viewerPermissions: [.registerRead], safeguardingProviders: [holder]) == .existence)
        #expect(RestrictionAccess.of(violent, viewerPermissions: [.safeguardingRead], safeguardingProviders: [other]) == .existence)
        var shown = cp
        shown.disclosure = .existence
        #expect(RestrictionAccess.of(shown, viewerPermissions: [], safeguardingProviders: []) == .existence)
        #expect(throws: TownhallError.self) { try RestrictedReadPurpose(reason: "curiosity", explanation: "just looking") }
        #expect(throws: TownhallError.self) { try RestrictedReadPurpose(reason: "home_visit", explanation: "hi") }
        #expect(try RestrictedReadPurpose(reason: "home_visit", explanation: "Repairs visit on Tuesday").text == "Planning a home visit: Repairs visit on Tuesday")
    }

    @Test func flagsAreHiddenFromAgentsAndReadByDesignatedOfficersWithAPurposeAndAnAuditEntry() async throws {
        try await Scenario.run { s in
            let restrictions = s.services.restrictions
            let burnleyOfficer = try await Self.officer(s, "b.safeguarding", in: s.burnley)
            let policeOfficer = try await Self.officer(s, "police.safeguarding", in: s.police)
            let child = try await s.person("Kai", "Hartley", born: "2015-03-02", by: s.burnleyAgent)
            let cp = try await restrictions.raise(.init(kind: "child_protection_plan", details: "On a child-protection plan since March.\nSocial worker: J. Ahmed, 01772 000000.",
                                                        reviewOn: "2099-05-31"), person: child.id, by: burnleyOfficer)
            let violent = try await restrictions.raise(.init(kind: "violent_marker", details: "Threatened a housing officer with a knife, 2025."), person: child.id, by: burnleyOfficer)

            // The agent is told only that the violent marker exists, never its details, and cannot read either flag.
            let agentSees = try await restrictions.notices(person: child.id, by: s.actor(s.burnleyAgent))
            #expect(agentSees.map(\.kind) == [.violentMarker])
            #expect(agentSees.allSatisfy { !$0.readable && $0.id == nil })
            await #expect(throws: TownhallError.self) {
                try await restrictions.read(person: child.id, purpose: try RestrictedReadPurpose(reason: "current_contact", explanation: "On the phone now"), by: s.actor(s.burnleyAgent))
            }

            // The designated officer sees both as readable, and reading writes one audit entry per flag, with the purpose.
            #expect(try await restrictions.notices(person: child.id, by: burnleyOfficer).map { $0.readable } == [true, true])
            #expect(try await Self.auditCount(s, "restricted_read") == 0)
            let read = try await restrictions.read(person: child.id, purpose: try RestrictedReadPurpose(reason: "home_visit", explanation: "Repairs visit on Tuesday"), by: burnleyOfficer)
            #expect(Set(read.map(\.id)) == [cp.id, violent.id])
            #expect(read.first { $0.id == cp.id }?.details.contains("Social worker: J. Ahmed") == true)
            let entries = try await AuditLog.search(s.database, actor: s.actor(s.burnleyAuditor), filter: AuditFilter(action: .restrictedRead, subjectPersonID: child.id),
                                                    after: nil, limit: PageSize(value: 10)).items
            #expect(entries.count == 2)
            #expect(entries.allSatisfy { $0.purpose == "Planning a home visit: Repairs visit on Tuesday" && $0.actorLabel == "b.safeguarding" })

            // The police see the person under the contact-details agreement: the existence of the violent marker only,
            // even for their own designated officer, until Burnley shares safeguarding data with them.
            #expect(try await restrictions.notices(person: child.id, by: policeOfficer).map(\.kind) == [.violentMarker])
            #expect(try await restrictions.notices(person: child.id, by: policeOfficer).allSatisfy { !$0.readable })
            await #expect(throws: TownhallError.self) {
                try await restrictions.read(person: child.id, purpose: try RestrictedReadPurpose(reason: "safeguarding_enquiry", explanation: "Strategy meeting"), by: policeOfficer)
            }
            _ = try await s.partnership.createAgreement(provider: s.burnley.id, recipientSlug: "lancashire-police", categories: [.safeguarding],
                                                        legalBasis: "Children Act 2004, section 11; Working Together to Safeguard Children 2023",
                                                        startsOn: try LocalDate(year: 2020, month: 1, day: 1), expiresOn: try LocalDate(year: 2099, month: 1, day: 1),
                                                        by: s.access.actor(for: s.burnleyAdmin, channel: .web))
            #expect(try await restrictions.read(person: child.id, purpose: try RestrictedReadPurpose(reason: "safeguarding_enquiry", explanation: "Strategy meeting"),
                                                by: policeOfficer).count == 2)
            #expect(try await Self.auditCount(s, "restricted_read") == 4)

            // Pendle cannot see the person at all, so learns nothing about the flags either.
            await #expect(throws: TownhallError.notFound("Person \(child.id)", field: "person")) {
                try await restrictions.notices(person: child.id, by: s.actor(s.pendleAgent))
            }

            // Ending: only the holder ends a flag, once; an ended flag is no longer shown.
            await #expect(throws: TownhallError.self) { try await restrictions.end(violent.id, reason: "Reviewed", by: policeOfficer) }
            _ = try await restrictions.end(violent.id, reason: "Reviewed at panel: no longer a risk", by: burnleyOfficer)
            await #expect(throws: TownhallError.conflict("This flag has already ended.", code: "already_ended")) {
                try await restrictions.end(violent.id, reason: "Again", by: burnleyOfficer)
            }
            #expect(try await restrictions.notices(person: child.id, by: s.actor(s.burnleyAgent)).isEmpty)
            #expect(try await restrictions.notices(person: child.id, by: burnleyOfficer).map(\.kind) == [.childProtectionPlan])
        }
    }

    @Test func badInputIsRefusedAndWritesNothing() async throws {
        try await Scenario.run { s in
            let restrictions = s.services.restrictions
            let officer = try await Self.officer(s, "b.safeguarding", in: s.burnley)
            let person = try await s.person("Kai", "Hartley", by: s.burnleyAgent)
            let pendlePerson = try await s.person("Jo", "Pendle", by: s.pendleAgent)
            func refused(_ input: Restrictions.NewFlag, on id: PersonID, by actor: Actor, field: String?) async {
                do {
                    _ = try await restrictions.raise(input, person: id, by: actor)
                    Issue.record("accepted \(input)")
                } catch let e as TownhallError { #expect(e.field == field, "\(e)") } catch { Issue.record("\(error)") }
            }
            await refused(.init(kind: "nosy_neighbour", details: "x"), on: person.id, by: officer, field: "kind")
            await refused(.init(kind: "violent_marker", details: "   "), on: person.id, by: officer, field: "details")
            await refused(.init(kind: "violent_marker", disclosure: "everyone", details: "x"), on: person.id, by: officer, field: "disclosure")
            await refused(.init(kind: "violent_marker", details: "x", startsOn: "2026-06-01", reviewOn: "2026-05-01"), on: person.id, by: officer, field: "review_on")
            await refused(.init(kind: "violent_marker", details: "x", reviewOn: "31/05/2027"), on: person.id, by: officer, field: "review_on")
            await refused(.init(kind: "violent_marker", details: "x"), on: pendlePerson.id, by: officer, field: "person")
            await refused(.init(kind: "violent_marker", details: "x"), on: person.id, by: s.actor(s.burnleyAgent), field: nil)
            let rows = try await s.database.read { try await $0.raw("SELECT COUNT(*) AS n FROM restricted_flag").first()!.decode(column: "n", as: Int.self) }
            #expect(rows == 0)
            #expect(try await Self.auditCount(s, "create") == 0)
        }
    }
}
