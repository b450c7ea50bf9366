import Contact
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Testing
import TownhallKernel
import TownhallTesting
@testable import TownhallWeb

/// Agent guidance over the real router: the JSON API, the desk's pages, suggestions, and markdown that cannot inject.
@Suite struct GuidancePagesTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test func markdownRendersButNeverCarriesScriptOrUnsafeLinks() {
        let html = GuidanceMarkdown.html("""
            ## What to ask <b>now</b>
            Say **hello** & <script>alert(1)</script> then <img src=x onerror=alert(1)>.

            - [GOV.UK](https://www.gov.uk/report-flytipping)
            - [bad](javascript:alert(1))
            - [quote](/desk/guidance "x\\" onmouseover=\\"y")
            - ![pic](https://example.com/a.png)

            `a & b`
            """)
        #expect(html.contains("<h2>What to ask &lt;b&gt;now&lt;/b&gt;</h2>"))
        #expect(html.contains("<strong>hello</strong> &amp; &lt;script&gt;"))
        #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("onmouseover=\""))
        #expect(html.contains("<a class=\"th-link\" href=\"https://www.gov.uk/report-flytipping\" rel=\"noreferrer noopener\">GOV.UK</a>"))
        #expect(!html.contains("javascript:") && html.contains("<li>bad</li>"))
        #expect(html.contains("<a class=\"th-link\" href=\"/desk/guidance\">quote</a>"))
        #expect(html.contains("<li>pic</li>"))
        #expect(html.contains("<code>a &amp; b</code>"))
        #expect(html.contains("<ul class=\"th-list th-list--bullet\">"))
    }

    @Test func theAPIWritesSearchesAndRefusesBadInputWithoutChangingAnything() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            let admin = try await s.access.createAPIKey(organisation: s.burnley.id, name: "admin", scopes: [.admin], by: nil).1
            let body = ###"{"kind": "script", "title": "Fly-tipping: what to ask", "service_codes": ["587"], "keywords": ["sofa"], "body": "## What to ask\n1. Where?"}"###
            // A reader may not write; unknown fields and bad kinds are refused by name.
            #expect(try await h.call(.post, "/api/v1/guidance", key: h.burnleyReader, json: body).status == .forbidden)
            let unknown = try await h.call(.post, "/api/v1/guidance", key: admin, json: #"{"title": "t", "body": "b", "colour": "red"}"#)
            #expect(unknown.status == .badRequest && unknown.error["field"] == "colour")
            let kind = try await h.call(.post, "/api/v1/guidance", key: admin, json: #"{"kind": "poem", "title": "t", "body": "b"}"#)
            #expect(kind.status == .badRequest && kind.error["field"] == "kind")
            let empty = try await h.call(.post, "/api/v1/guidance", key: admin, json: #"{"title": "t", "body": "  "}"#)
            #expect(empty.status == .badRequest && empty.error["field"] == "body")
            #expect(try await h.count("guidance_article") == 0)

            let created = try await h.call(.post, "/api/v1/guidance", key: admin, json: body)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["version"] as? Int == 1)
            let found = try await h.call(.get, "/api/v1/guidance?q=sofa", key: h.burnleyReader)
            #expect((found.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            #expect(found.json["total"] as? Int == 1)
            let suggested = try await h.call(.get, "/api/v1/guidance/suggest?service_code=587&text=", key: h.burnleyReader)
            #expect((suggested.json["items"] as? [[String: Any]])?.count == 1)
            #expect(try await h.call(.get, "/api/v1/guidance?page=0", key: h.burnleyReader).status == .badRequest)
            #expect(try await h.call(.get, "/api/v1/guidance/not-an-id", key: h.burnleyReader).status == .badRequest)

            // An update needs the version read; a stale one is a 409 and changes nothing.
            let noVersion = try await h.call(.put, "/api/v1/guidance/\(id)", key: admin, json: #"{"title": "New", "body": "b"}"#)
            #expect(noVersion.status == .badRequest && noVersion.error["field"] == "version")
            let updated = try await h.call(.put, "/api/v1/guidance/\(id)", key: admin, json: #"{"kind": "script", "title": "New title", "body": "b", "version": 1}"#)
            #expect(updated.status == .ok && updated.json["version"] as? Int == 2)
            let stale = try await h.call(.put, "/api/v1/guidance/\(id)", key: admin, json: #"{"title": "Lost", "body": "b", "version": 1}"#)
            #expect(stale.status == .conflict && stale.error["code"] == "stale_version")
            #expect(try await h.call(.get, "/api/v1/guidance/\(id)", key: h.burnleyReader).json["title"] as? String == "New title")
        }
    }

    @Test func aManagerWritesGuidanceOnTheDeskAndAnAgentFindsAndReadsIt() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            // The administrator (cases.manage) writes it through the form.
            let adminCookie = try #require(WebTests.cookie(try await WebTests().signIn(h, username: "b.admin"), "townhall_session"))
            let blank = try await h.call(.get, "/desk/guidance/new", headers: [.cookie: adminCookie])
            #expect(blank.status == .ok)
            let token = try #require(WebTests.formToken(blank.text))
            let missing = try await h.call(.post, "/desk/guidance/new", body: ByteBuffer(string: "csrf_token=\(token)&kind=script&title=&body=x"),
                                           headers: Self.form.merging([.cookie: adminCookie]))
            #expect(missing.status == .badRequest)
            #expect(missing.text.contains("href=\"#title\""))
            #expect(try await h.count("guidance_article") == 0)
            let text = "## What to ask\n1. Where is it?\n\n<script>alert(1)</script>"
            let saved = try await h.call(.post, "/desk/guidance/new",
                                         body: ByteBuffer(string: "csrf_token=\(token)&kind=script&title=Fly-tipping%3A+what+to+ask&service_codes=587&keywords=sofa%2C+mattress&active=yes&body=\(text.urlQueryEncoded.replacingOccurrences(of: "&", with: "%26"))"),
                                         headers: Self.form.merging([.cookie: adminCookie]))
            #expect(saved.status == .seeOther)
            let location = try #require(saved.headers[.location])
            let page = try await h.call(.get, location, headers: [.cookie: adminCookie])
            #expect(page.text.contains("Guidance saved"))
            #expect(page.text.contains("<h2>What to ask</h2>"))
            #expect(page.text.contains("&lt;script&gt;") && !page.text.contains("<script>alert"))
            #expect(page.text.contains("Fly-tipping (587)"))
            #expect(page.text.contains("/edit\">Change this guidance"))

            // An agent finds it by a word, reads it, and cannot change it.
            let agentCookie = try #require(WebTests.cookie(try await WebTests().signIn(h), "townhall_session"))
            let list = try await h.call(.get, "/desk/guidance?q=mattress", headers: [.cookie: agentCookie])
            #expect(list.text.contains("Fly-tipping: what to ask"))
            #expect(!list.text.contains("Write guidance"))
            let read = try await h.call(.get, location.replacingOccurrences(of: "?saved=1", with: ""), headers: [.cookie: agentCookie])
            #expect(read.status == .ok && !read.text.contains("Change this guidance"))
            let id = String(location.dropFirst("/desk/guidance/".count).prefix { $0 != "?" })
            #expect(try await h.call(.get, "/desk/guidance/\(id)/edit", headers: [.cookie: agentCookie]).status == .forbidden)
            // Suggestions for the contact log as the agent types.
            let suggest = try await h.call(.get, "/desk/guidance/suggest?service_code=&text=old+mattress", headers: [.cookie: agentCookie])
            #expect((suggest.json["items"] as? [[String: Any]])?.first?["href"] as? String == "/desk/guidance/\(id)")
            let person = try await s.person("Mary", "Ashworth", by: s.burnleyAgent)
            let single = try await h.call(.get, "/desk/people/\(person.id)", headers: [.cookie: agentCookie])
            #expect(single.text.contains("id=\"guidance-hints\"") && single.text.contains("Find guidance"))

            // A change from a form opened before another change is refused with the newer text kept.
            let edit = try await h.call(.get, "/desk/guidance/\(id)/edit", headers: [.cookie: adminCookie])
            let editToken = try #require(WebTests.formToken(edit.text))
            let change = "csrf_token=\(editToken)&kind=article&title=Renamed&body=b&active=yes&version="
            #expect(try await h.call(.post, "/desk/guidance/\(id)/edit", body: ByteBuffer(string: change + "1"), headers: Self.form.merging([.cookie: adminCookie])).status == .seeOther)
            let stale = try await h.call(.post, "/desk/guidance/\(id)/edit", body: ByteBuffer(string: change.replacingOccurrences(of: "Renamed", with: "Lost") + "1"),
                                         headers: Self.form.merging([.cookie: adminCookie]))
            #expect(stale.status == .conflict && stale.text.contains("Someone else changed this guidance"))
            #expect(try await s.services.guidance.article(try #require(GuidanceID(id)), by: s.actor(s.burnleyAgent)).title == "Renamed")
        }
    }
}
