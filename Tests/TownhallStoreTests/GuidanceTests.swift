import Contact
import Foundation
import SQLKit
import Testing
import TownhallKernel
import TownhallTesting

/// Agent guidance: what an article must be, how search and suggestions find and rank it, and who may change it.
@Suite struct GuidanceTests {
    static let flyTipping = Guidance.Draft(kind: .script, title: "Fly-tipping: what to ask", summary: "Take a report quickly.", serviceCodes: ["587"],
                                           keywords: ["rubbish", "Mattress", "sofa", "sofa"], body: "## What to ask\n1. Where is it?\n2. What has been dumped?")
    static let bulky = Guidance.Draft(kind: .article, title: "Bulky waste collections", serviceCodes: [], keywords: ["furniture", "fridge"],
                                      body: "We collect up to five large items, such as a sofa or a wardrobe, for £25.")

    func refusal(_ draft: Guidance.Draft) -> String? {
        do {
            _ = try GuidanceArticle(organisationID: OrganisationID(), kind: draft.kind, title: draft.title, summary: draft.summary, serviceCodes: draft.serviceCodes,
                                    keywords: draft.keywords, body: draft.body).validated()
            return nil
        } catch let e as TownhallError { return e.field } catch { return "\(error)" }
    }

    @Test func anArticleIsCheckedAndEachRefusalNamesTheField() throws {
        #expect(refusal(Self.flyTipping) == nil)
        var d = Self.flyTipping
        d.title = "  "; #expect(refusal(d) == "title")
        d = Self.flyTipping; d.title = String(repeating: "x", count: 151); #expect(refusal(d) == "title")
        d = Self.flyTipping; d.body = "\n"; #expect(refusal(d) == "body")
        d = Self.flyTipping; d.body = String(repeating: "x", count: GuidanceArticle.maximumBody + 1); #expect(refusal(d) == "body")
        d = Self.flyTipping; d.serviceCodes = ["587; DROP TABLE"]; #expect(refusal(d) == "service_codes")
        d = Self.flyTipping; d.keywords = (0...30).map { "word\($0)" }; #expect(refusal(d) == "keywords")
        // Keywords are lower-cased and de-duplicated in the order given.
        let ok = try GuidanceArticle(organisationID: OrganisationID(), kind: .script, title: " T ", keywords: ["Sofa", "sofa", " bags "], body: "b").validated()
        #expect(ok.keywords == ["sofa", "bags"] && ok.title == "T")
        #expect(GuidanceArticle.split("sofa, mattress,\nfridge,,") == ["sofa", "mattress", "fridge"])
    }

    @Test func rankingPrefersTheServiceThenTitleWordsThenBodyWords() {
        let viewer = OrganisationID(), other = OrganisationID()
        let script = GuidanceArticle(organisationID: other, kind: .script, title: "Fly-tipping: what to ask", serviceCodes: ["587"], keywords: ["mattress"], body: "Ask where.")
        let bulky = GuidanceArticle(organisationID: viewer, kind: .article, title: "Bulky waste", keywords: ["sofa"], body: "A mattress counts as one item.")
        #expect(GuidanceRanking.terms("I want to report THE dumped mattress, the mattress!") == ["want", "report", "dumped", "mattress"])
        // "mattress" is a keyword of the script (title tier) but only in the body of the bulky article.
        let byWord = GuidanceRanking.rank([bulky, script], terms: ["mattress"], serviceCode: nil, viewer: viewer)
        #expect(byWord.map(\.0.title) == ["Fly-tipping: what to ask", "Bulky waste"])
        // A chosen service outweighs words; a prefix counts ("matt" while the agent is still typing).
        #expect(GuidanceRanking.rank([bulky, script], terms: ["sofa"], serviceCode: "587", viewer: viewer).first?.0.title == "Fly-tipping: what to ask")
        #expect(GuidanceRanking.score(bulky, terms: ["matt"], serviceCode: nil, viewer: viewer) > 0)
        #expect(GuidanceRanking.score(bulky, terms: ["council"], serviceCode: nil, viewer: viewer) == 0)
    }

    @Test func searchAndSuggestionsFindEveryPartnersGuidance() async throws {
        try await Scenario.run { s in
            let guidance = s.services.guidance
            let script = try await guidance.create(Self.flyTipping, by: s.actor(s.burnleyAdmin))
            let bulky = try await guidance.create(Self.bulky, by: s.actor(s.burnleyAdmin))
            let lights = try await guidance.create(.init(kind: .script, title: "Street lights", serviceCodes: ["564"], keywords: ["lamp"], body: "Ask for the column number."),
                                                   by: .system(s.lancashire.id, "test"))
            // An agent of another council reads them all.
            let pendle = s.actor(s.pendleAgent)
            #expect(try await guidance.search("", by: pendle).items.map(\.title) == ["Bulky waste collections", "Fly-tipping: what to ask", "Street lights"])
            // Every word must match, as a word or the start of one; body words count.
            #expect(try await guidance.search("sofa wardrobe", by: pendle).items.map(\.id) == [bulky.id])
            #expect(try await guidance.search("column numb", by: pendle).items.map(\.id) == [lights.id])
            #expect(try await guidance.search("sofa zebra", by: pendle).items.isEmpty)
            #expect(try await guidance.search("", serviceCode: "587", by: pendle).items.map(\.id) == [script.id])
            await #expect(throws: TownhallError.self) { try await guidance.search(String(repeating: "a", count: 201), by: pendle) }
            // Paging.
            let first = try await guidance.search("", page: 1, pageSize: 2, by: pendle)
            #expect(first.items.count == 2 && first.hasNext)
            #expect(try await guidance.search("", page: 1, pageSize: 1, by: pendle).total == 3)   // every article counts, not just the next page
            #expect(try await guidance.search("", page: 2, pageSize: 2, by: pendle).items.map(\.id) == [lights.id])

            // Suggestions: the chosen service first, then a word of the title or keywords (a word still being typed counts).
            let agent = s.actor(s.burnleyAgent)
            #expect(try await guidance.suggest(serviceCode: nil, text: "caller has an old wardrobe and a fridg", by: agent).map(\.id) == [bulky.id])
            #expect(try await guidance.suggest(serviceCode: "587", text: "sofa", by: agent).map(\.id) == [script.id])
            // One word deep in the text is not enough; two are.
            #expect(try await guidance.suggest(serviceCode: nil, text: "items", by: agent).isEmpty)
            #expect(try await guidance.suggest(serviceCode: nil, text: "large items", by: agent).map(\.id) == [bulky.id])
            #expect(try await guidance.suggest(serviceCode: nil, text: "the and of", by: agent).isEmpty)

            // Withdrawn guidance leaves search and suggestions but can still be read by its id.
            var withdrawn = Self.bulky
            withdrawn.active = false
            _ = try await guidance.update(bulky.id, withdrawn, version: bulky.version, by: s.actor(s.burnleyAdmin))
            #expect(try await guidance.search("wardrobe", by: pendle).items.isEmpty)
            #expect(try await guidance.suggest(serviceCode: nil, text: "fridge", by: agent).isEmpty)
            #expect(try await guidance.article(bulky.id, by: pendle).active == false)
        }
    }

    @Test func onlyTheWritingOrganisationsManagersChangeItAndStaleEditsAreRefused() async throws {
        try await Scenario.run { s in
            let guidance = s.services.guidance
            // Agents cannot write guidance; nothing is stored.
            await #expect(throws: TownhallError.self) { try await guidance.create(Self.flyTipping, by: s.actor(s.burnleyAgent)) }
            #expect(try await count(s, "guidance_article") == 0)
            let article = try await guidance.create(Self.flyTipping, by: s.actor(s.burnleyAdmin))
            var changed = Self.flyTipping
            changed.title = "Fly-tipping: call script"
            changed.serviceCodes = ["587", "584"]
            // Another council's administrator may not change it.
            let pendleAdmin = Actor(organisationID: s.pendle.id, principal: .system("pendle admin"), permissions: [.registerRead, .casesManage], channel: .web)
            await #expect(throws: TownhallError.self) { try await guidance.update(article.id, changed, version: 1, by: pendleAdmin) }
            let updated = try await guidance.update(article.id, changed, version: 1, by: s.actor(s.burnleyAdmin))
            #expect(updated.version == 2 && updated.serviceCodes == ["587", "584"])
            #expect(try await guidance.search("", serviceCode: "584", by: s.actor(s.burnleyAgent)).items.map(\.id) == [article.id])
            // Someone who opened version 1 cannot overwrite version 2.
            changed.title = "Lost update"
            do {
                _ = try await guidance.update(article.id, changed, version: 1, by: s.actor(s.burnleyAdmin))
                Issue.record("a stale version was accepted")
            } catch let e as TownhallError {
                #expect(e.kind == .conflict && e.code == "stale_version")
            }
            #expect(try await guidance.article(article.id, by: s.actor(s.burnleyAgent)).title == "Fly-tipping: call script")
            // A refused change leaves the article as it was.
            changed.body = ""
            await #expect(throws: TownhallError.self) { try await guidance.update(article.id, changed, version: 2, by: s.actor(s.burnleyAdmin)) }
            #expect(try await guidance.article(article.id, by: s.actor(s.burnleyAgent)).version == 2)
            // Each change is audited.
            let audited = try await s.database.read {
                try await $0.raw("SELECT COUNT(*) AS n FROM audit_event WHERE entity_type = 'guidance_article' AND entity_id = \(bind: article.id.string)").first()!.int("n")
            }
            #expect(audited == 2)
        }
    }

    func count(_ s: Scenario, _ table: String) async throws -> Int {
        try await s.database.read { try await $0.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()!.int("n") }
    }
}
