import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Testing
import TownhallApp
import TownhallTesting

@Suite struct WebTests {
    /// Extracts name=value of a Set-Cookie header for `name`.
    static func cookie(_ response: TestResponse, _ name: String) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix("\(name)=") }.map { String($0.split(separator: ";")[0]) }
    }
    static func formToken(_ html: String) -> String? {
        guard let r = html.range(of: "name=\"csrf_token\" value=\"") else { return nil }
        return String(html[r.upperBound...].prefix { $0 != "\"" })
    }

    func signIn(_ h: HTTPHarness, username: String = "b.agent", password: String = Scenario.password) async throws -> TestResponse {
        let page = try await h.call(.get, "/sign-in")
        let formCookie = try #require(Self.cookie(page, "townhall_form"))
        let token = try #require(Self.formToken(page.text))
        let body = "csrf_token=\(token)&next=%2Fdesk&username=\(username)&password=\(password.replacingOccurrences(of: " ", with: "+"))"
        return try await h.call(.post, "/sign-in", body: ByteBuffer(string: body),
                                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: formCookie])
    }

    @Test func deskRequiresSignInAndRemembersWhereYouWereGoing() async throws {
        try await HTTPHarness.run { h in
            let r = try await h.call(.get, "/desk?q=smith")
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/sign-in?next=/desk%3Fq%3Dsmith")
        }
    }

    @Test func signInSetsAHardenedSessionCookieAndShowsTheDesk() async throws {
        try await HTTPHarness.run { h in
            let r = try await signIn(h)
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/desk")
            let setCookie = try #require(r.headers[values: .setCookie].first { $0.hasPrefix("townhall_session=") })
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.lowercased().contains("samesite=lax"))
            let session = try #require(Self.cookie(r, "townhall_session"))
            let desk = try await h.call(.get, "/desk", headers: [.cookie: session])
            #expect(desk.status == .ok)
            #expect(desk.text.contains("Find a person or property"))
            #expect(desk.text.contains("Signed in as B.Agent"))
            #expect(desk.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
        }
    }

    @Test func wrongPasswordShowsAnErrorSummaryAndNoSession() async throws {
        try await HTTPHarness.run { h in
            let r = try await signIn(h, password: "not the password")
            #expect(r.status == .unauthorized)
            #expect(r.text.contains("There is a problem"))
            #expect(r.text.contains("<title>Error: Sign in"))
            #expect(Self.cookie(r, "townhall_session") == nil)
        }
    }

    @Test func signInWithoutTheFormTokenIsRefused() async throws {
        try await HTTPHarness.run { h in
            let r = try await h.call(.post, "/sign-in", body: ByteBuffer(string: "username=b.agent&password=\(Scenario.password)"),
                                     headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(r.status == .forbidden)
            #expect(Self.cookie(r, "townhall_session") == nil)
        }
    }

    @Test func searchAndPersonPagesEscapeWhatTheyShow() async throws {
        try await HTTPHarness.run { h in
            let s = h.scenario
            try await s.property(100_012_536_898, "1", "Grimshaw Street", postcode: "BB11 2BD", in: s.burnleyAgent)
            let p = try await s.person("Amira", "O'Brien", born: "1980-05-01", uprn: 100_012_536_898, by: s.burnleyAgent)
            let session = try #require(Self.cookie(try await signIn(h), "townhall_session"))
            let results = try await h.call(.get, "/desk?q=obrien", headers: [.cookie: session])
            #expect(results.text.contains("/desk/people/\(p.id)"))
            #expect(results.text.contains("Amira O&#39;Brien") || results.text.contains("Amira O&#x27;Brien"))
            let injected = try await h.call(.get, "/desk?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", headers: [.cookie: session])
            #expect(!injected.text.contains("<script>alert(1)"))
            let page = try await h.call(.get, "/desk/people/\(p.id)", headers: [.cookie: session])
            #expect(page.status == .ok)
            #expect(page.text.contains("1 Grimshaw Street"))
            let missing = try await h.call(.get, "/desk/people/not-an-id", headers: [.cookie: session])
            #expect(missing.status == .notFound)
            #expect(missing.text.contains("Page not found"))
        }
    }

    @Test func apiWritesWithASessionCookieNeedTheCSRFToken() async throws {
        try await HTTPHarness.run { h in
            let session = try #require(Self.cookie(try await signIn(h), "townhall_session"))
            let forged = try await h.call(.post, "/api/v1/people", json: "{\"given_name\": \"A\", \"family_name\": \"B\"}", headers: [.cookie: session])
            #expect(forged.status == .forbidden)
            let desk = try await h.call(.get, "/desk", headers: [.cookie: session])
            let token = try #require(Self.formToken(desk.text))
            let allowed = try await h.call(.post, "/api/v1/people", json: "{\"given_name\": \"A\", \"family_name\": \"B\"}",
                                           headers: [.cookie: session, HTTPField.Name("X-CSRF-Token")!: token])
            #expect(allowed.status == .created)
        }
    }

    @Test func signOutEndsTheSession() async throws {
        try await HTTPHarness.run { h in
            let session = try #require(Self.cookie(try await signIn(h), "townhall_session"))
            let desk = try await h.call(.get, "/desk", headers: [.cookie: session])
            let token = try #require(Self.formToken(desk.text))
            let out = try await h.call(.post, "/sign-out", body: ByteBuffer(string: "csrf_token=\(token)"),
                                       headers: [.cookie: session, .contentType: "application/x-www-form-urlencoded"])
            #expect(out.status == .seeOther)
            #expect(try await h.call(.get, "/desk", headers: [.cookie: session]).status == .seeOther)
        }
    }
}
