import Cases
import Contact
import Foundation
import SQLKit
import Testing
import TownhallKernel
import TownhallTesting

/// Triage flows: the rules a flow must keep, walking it, and finishing a run as a contact (and a case for referrals).
@Suite struct TriageTests {
    static func flow(_ nodes: [TriageFlow.Node], start: String = "q1") -> TriageFlow {
        TriageFlow(organisationID: OrganisationID(), serviceCode: "209", name: "Test", start: start, nodes: nodes)
    }

    func refusal(_ flow: TriageFlow) -> String? {
        do { _ = try flow.validated(); return nil } catch let e as TownhallError { return e.field } catch { return "\(error)" }
    }

    @Test func aFlowIsCheckedWholeAndEachRefusalNamesTheNode() throws {
        let advice = TriageFlow.Node(id: "advice", outcome: .advice, title: "Advice given")
        let ok = Self.flow([.init(id: "q1", question: "Danger?", answers: [.init(label: "Yes", next: "advice"), .init(label: "No", next: "advice")]), advice])
        #expect(refusal(ok) == nil)
        #expect(try StandardTriageCheck.standard().validated().nodes.count == StandardTriage.nodes.count)
        // A loop back to the start.
        #expect(refusal(Self.flow([.init(id: "q1", question: "A?", answers: [.init(label: "Yes", next: "q2"), .init(label: "No", next: "advice")]),
                                   .init(id: "q2", question: "B?", answers: [.init(label: "Yes", next: "q1"), .init(label: "No", next: "advice")]), advice])) == "nodes")
        // An answer that leads nowhere.
        #expect(refusal(Self.flow([.init(id: "q1", question: "A?", answers: [.init(label: "Yes", next: "gone"), .init(label: "No", next: "advice")]), advice]))
                == "nodes[0].answers[0].next")
        // A node nobody reaches, a question with one answer, an outcome that creates a case without a service, a duplicate id, a missing start.
        #expect(refusal(Self.flow([.init(id: "q1", question: "A?", answers: [.init(label: "Yes", next: "advice"), .init(label: "No", next: "advice")]), advice,
                                   .init(id: "orphan", outcome: .signpost, title: "Elsewhere")])) == "nodes")
        #expect(refusal(Self.flow([.init(id: "q1", question: "A?", answers: [.init(label: "Yes", next: "advice")]), advice])) == "nodes[0].answers")
        #expect(refusal(Self.flow([.init(id: "q1", question: "A?", answers: [.init(label: "Yes", next: "r"), .init(label: "No", next: "r")]),
                                   .init(id: "r", outcome: .referral, title: "Referral")])) == "nodes[1].service_code")
        #expect(refusal(Self.flow([.init(id: "q1", question: "A?", answers: [.init(label: "Yes", next: "advice"), .init(label: "No", next: "advice")]), advice, advice])) == "nodes[2].id")
        #expect(refusal(Self.flow([advice], start: "q1")) == "start")
    }

    @Test func walkingFollowsTheAnswersAndRefusesOnesThatDoNotFit() throws {
        let flow = StandardTriageCheck.standard()
        let (steps, at) = try flow.walk([1, 1, 1, 0])
        #expect(steps.map(\.answer) == ["No", "No", "Moving around the home, bathing or using the toilet safely", "Yes"])
        #expect(at.id == "equipment" && at.outcome == .bookAssessment)
        #expect(try flow.walk([]).at.id == "danger")
        #expect(throws: TownhallError.self) { try flow.walk([7]) }
        #expect(throws: TownhallError.self) { try flow.walk([0, 0]) }   // "Yes" to danger is an outcome: nothing follows
        #expect(try TriagePath.parse("1.1.2") == [1, 1, 2])
        #expect(throws: TownhallError.self) { try TriagePath.parse("1.x") }
    }

    @Test func finishingRecordsTheContactAndForReferralsACaseWithTheAnswers() async throws {
        try await Scenario.run { s in
            let triage = s.services.triage
            let flow = try await triage.save(serviceCode: "209", name: StandardTriage.name, start: "danger", nodes: StandardTriage.nodes, by: .system(s.lancashire.id, "test"))
            try await s.property(100_012_536_898, "1", "Grimshaw Street", postcode: "BB11 2BD", in: s.burnleyAgent)
            let mary = try await s.person("Mary", "Ashworth", born: "1941-02-11", uprn: 100_012_536_898, by: s.burnleyAgent)
            let agent = s.actor(s.burnleyAgent)

            // Not finished: refused, nothing written.
            await #expect(throws: TownhallError.self) {
                try await triage.finish(.init(flowID: flow.id, personID: mary.id, answers: [1, 1], startedAt: nil, channel: "phone"), by: agent)
            }
            #expect(try await count(s, "contact_log") == 0)
            #expect(try await count(s, "triage_run") == 0)

            // Information and advice: resolved at the first point of contact, no case.
            let now = Timestamp.now
            let advice = try await triage.finish(.init(flowID: flow.id, personID: mary.id, answers: [1, 1, 0], startedAt: now.adding(seconds: -240), channel: "phone"),
                                                 by: agent, now: now)
            #expect(advice.contact.outcome == .resolvedFirstContact)
            #expect(advice.contact.durationSeconds == 240)
            #expect(advice.contact.notes?.contains("Q: Is the person in immediate danger?\nA: No") == true)
            #expect(advice.createdCase == nil)

            // Simple equipment: a case for the county's service 178 at her address, with the answers, and the contact names it.
            let equipment = try await triage.finish(.init(flowID: flow.id, personID: mary.id, answers: [1, 1, 1, 0], startedAt: now.adding(seconds: -400),
                                                          channel: "phone", notes: "Daughter will be there"), by: agent, now: now)
            let c = try #require(equipment.createdCase)
            #expect(c.serviceCode == "178")
            #expect(c.organisationID == s.lancashire.id)
            #expect(c.priority == .high)
            #expect(c.requesterID == mary.id)
            #expect(c.description.contains("Would simple equipment solve it, with no other care needs?\nA: Yes"))
            #expect(equipment.contact.outcome == .caseCreated && equipment.contact.caseID == c.id.string)
            #expect(equipment.contact.notes?.hasSuffix("Daughter will be there") == true)

            // The day's figures: two runs, one of each outcome.
            let summary = try await triage.summary(on: LocalDate.today(at: now.date), by: agent)
            #expect(summary.count == 1)
            #expect(summary[0].runs == 2)
            #expect(summary[0].byOutcome == ["advice": 1, "book_assessment": 1])
            #expect(summary[0].medianSeconds == 400)
            #expect(try await s.services.contacts.summary(on: LocalDate.today(at: now.date), by: agent).firstContactResolution == 50)
        }
    }

    @Test func savingAFlowNeedsPermissionAndKnownServices() async throws {
        try await Scenario.run { s in
            await #expect(throws: TownhallError.self) {
                try await s.services.triage.save(serviceCode: "209", name: "x", start: "danger", nodes: StandardTriage.nodes, by: s.actor(s.burnleyAgent))
            }
            var nodes = StandardTriage.nodes
            nodes[nodes.count - 1].serviceCode = "99999"
            await #expect(throws: TownhallError.self) {
                try await s.services.triage.save(serviceCode: "209", name: "x", start: "danger", nodes: nodes, by: .system(s.lancashire.id, "test"))
            }
            let flows = try await count(s, "triage_flow")
            #expect(flows == 0)
        }
    }

    func count(_ s: Scenario, _ table: String) async throws -> Int {
        try await s.database.read { try await $0.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()!.decode(column: "n", as: Int.self) }
    }
}

enum StandardTriageCheck {
    static func standard() -> TriageFlow {
        TriageFlow(organisationID: OrganisationID(), serviceCode: StandardTriage.adultSocialCareService, name: StandardTriage.name, start: "danger", nodes: StandardTriage.nodes)
    }
}
