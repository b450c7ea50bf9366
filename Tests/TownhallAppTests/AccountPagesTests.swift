import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing
import TownhallKernel
import TownhallTesting

/// The citizen account pages over the real router: create, confirm from the emailed link, "your requests", reporting
/// while signed in, sign out; and forms that refuse without changing anything.
@Suite struct AccountPagesTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// A page's form token and the cookie that must come back with it.
    static func formToken(_ r: TestResponse) throws -> (token: String, cookie: String) {
        let token = try #require(ReportPagesTests.token(r.text))
        return (token, "townhall_account_form=\(token)")
    }

    /// The token in the confirmation link queued in the outbox for an address.
    static func confirmationToken(_ h: HTTPHarness, to email: String) async throws -> String? {
        let body = try await h.scenario.database.read { db in
            try await db.raw("SELECT body FROM notification WHERE kind = 'account_verification' AND recipient = \(bind: email)").first().map { try $0.string("body") }
        }
        return body?.firstMatch(of: /\/account\/confirm\?token=([A-Za-z0-9_-]+)/).map { String($0.1) }
    }

    @Test func aCitizenCreatesAnAccountConfirmsItAndFollowsTheirReports() async throws {
        try await HTTPHarness.run { h in
            #expect(try await h.call(.get, "/account").headers[.location] == "/account/sign-in")
            let create = try await h.call(.get, "/account/create")
            let (token, cookie) = try Self.formToken(create)
            func post(_ path: String, _ body: String, cookie: String) async throws -> TestResponse {
                try await h.call(.post, path, body: ByteBuffer(string: body), headers: Self.form.merging([.cookie: cookie]))
            }
            // Refusals name the field and write nothing.
            let weak = try await post("/account/create", "csrf_token=\(token)&name=Ann+Clegg&email=ann%40example.com&password=short", cookie: cookie)
            #expect(weak.status == .badRequest && weak.text.contains("href=\"#password\"") && weak.text.contains("value=\"ann@example.com\""))
            #expect(try await post("/account/create", "csrf_token=\(token)&name=Ann&email=ann%40example.com&password=kettle+harbour+violet", cookie: "x=y").status == .forbidden)
            #expect(try await h.count("citizen_account") == 0)

            let created = try await post("/account/create", "csrf_token=\(token)&name=Ann+Clegg&email=ann%40example.com&password=kettle+harbour+violet", cookie: cookie)
            #expect(created.status == .ok && created.text.contains("Check your email"))
            let link = try #require(try await Self.confirmationToken(h, to: "ann@example.com"))
            #expect(try await h.call(.get, "/account/confirm?token=nonsense").status == .badRequest)
            let confirm = try await h.call(.get, "/account/confirm?token=\(link)")
            #expect(confirm.status == .ok)
            let (confirmToken, confirmCookie) = try Self.formToken(confirm)
            let wrong = try await post("/account/confirm", "csrf_token=\(confirmToken)&token=\(link)&password=not+my+words+at+all", cookie: confirmCookie)
            #expect(wrong.status == .badRequest && wrong.text.contains("not the password you chose"))
            let confirmed = try await post("/account/confirm", "csrf_token=\(confirmToken)&token=\(link)&password=kettle+harbour+violet", cookie: confirmCookie)
            #expect(confirmed.status == .seeOther && confirmed.headers[.location] == "/account?confirmed=1")
            let session = try #require(WebTests.cookie(confirmed, "townhall_citizen"))
            let account = try await h.call(.get, "/account?confirmed=1", headers: [.cookie: session])
            #expect(account.text.contains("Your account is ready") && account.text.contains("You have not reported anything"))

            // Reporting while signed in: no contact fields to fill, and the report is theirs.
            let details = try await h.call(.get, "/report/details?service=587", headers: [.cookie: session])
            #expect(details.text.contains("You are signed in as Ann Clegg") && !details.text.contains("id=\"email\""))
            let reportToken = try #require(ReportPagesTests.token(details.text))
            let fields = "csrf_token=\(reportToken)&service=587&postcode=BB11+2BD&attribute%5Bwaste_type%5D=household&attribute%5Bquantity%5D=bag&email=someone%40else.com"
            let check = try await h.call(.post, "/report/details", body: ByteBuffer(string: fields),
                                         headers: Self.form.merging([.cookie: "\(session); townhall_report=\(reportToken)"]))
            #expect(check.status == .ok && check.text.contains("Ann Clegg, ann@example.com (your account)"))
            let hidden = ReportPagesTests.hiddenFields(check.text)
            let (body, headers) = CasesAPITests.multipart(hidden, files: [])
            let sent = try await h.call(.post, "/report/send", body: body, headers: headers.merging([.cookie: "\(session); townhall_report=\(reportToken)"]))
            #expect(sent.status == .seeOther)
            let reference = String(try #require(sent.headers[.location]).dropFirst("/report/done?reference=".count))
            let record = try await h.scenario.cases.record(reference: reference, by: h.scenario.actor(h.scenario.burnleyAgent))
            #expect(record.case.contact.email == "ann@example.com" && record.case.contact.name == "Ann Clegg")
            // A public update from the council shows under "your requests".
            _ = try await h.scenario.cases.addNote(record.case.id, text: "Our crew will clear it tomorrow.", isPublic: true, by: h.scenario.actor(h.scenario.burnleyAgent))
            let mine = try await h.call(.get, "/account", headers: [.cookie: session])
            #expect(mine.text.contains(reference) && mine.text.contains("Our crew will clear it tomorrow.") && mine.text.contains("Burnley Borough Council"))

            // Signing out needs the session's token, and ends the session.
            let signOutToken = try #require(mine.text.firstMatch(of: /action="\/account\/sign-out"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"/)?.1)
            #expect(try await h.call(.post, "/account/sign-out", body: ByteBuffer(string: "csrf_token=wrong"), headers: Self.form.merging([.cookie: session])).status == .forbidden)
            let out = try await h.call(.post, "/account/sign-out", body: ByteBuffer(string: "csrf_token=\(signOutToken)"), headers: Self.form.merging([.cookie: session]))
            #expect(out.status == .seeOther)
            #expect(try await h.call(.get, "/account", headers: [.cookie: session]).headers[.location] == "/account/sign-in")

            // Signing in again; a wrong password says so without saying whether the address has an account.
            let signIn = try await h.call(.get, "/account/sign-in")
            let (signInToken, signInCookie) = try Self.formToken(signIn)
            let bad = try await post("/account/sign-in", "csrf_token=\(signInToken)&email=ann%40example.com&password=nope+nope+nope", cookie: signInCookie)
            let unknown = try await post("/account/sign-in", "csrf_token=\(signInToken)&email=nobody%40example.com&password=nope+nope+nope", cookie: signInCookie)
            #expect(bad.status == .unauthorized && unknown.status == .unauthorized)
            #expect(bad.text.contains("The email address or password is not right") && unknown.text.contains("The email address or password is not right"))
            let good = try await post("/account/sign-in", "csrf_token=\(signInToken)&email=ann%40example.com&password=kettle+harbour+violet", cookie: signInCookie)
            #expect(good.status == .seeOther && WebTests.cookie(good, "townhall_citizen") != nil)
        }
    }
}
