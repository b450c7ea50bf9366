import Cases
import Citizens
import Foundation
import SQLKit
import Testing
import TownhallKernel
import TownhallTesting

/// Citizen accounts: registration queues a confirmation link in the outbox; the link confirms only with the password
/// chosen with it; sign-in, throttling, sessions; and "my requests" across the partnership.
@Suite struct CitizensTests {
    static let password = "kettle harbour violet"

    /// The link in the newest confirmation message queued for an address.
    static func link(_ s: Scenario, to email: String) async throws -> String? {
        try await s.database.read { db in
            try await db.raw("SELECT body FROM notification WHERE kind = 'account_verification' AND recipient = \(bind: email) ORDER BY created_at DESC, id DESC")
                .first().map { try $0.string("body") }
        }.flatMap { body in body.firstMatch(of: /token=([A-Za-z0-9_-]+)/).map { String($0.1) } }
    }

    func count(_ s: Scenario, _ sql: String) async throws -> Int {
        try await s.database.read { try await $0.raw(SQLQueryString(sql)).first()!.int("n") }
    }

    @Test func registrationIsCheckedFieldByField() throws {
        func refusal(_ name: String, _ email: String, _ password: String) -> String? {
            do { _ = try NewCitizenAccount(name: name, email: email, password: password).validated(); return nil }
            catch let e as TownhallError { return e.field } catch { return "\(error)" }
        }
        #expect(refusal("Ann Clegg", "Ann@Example.com ", Self.password) == nil)
        #expect(try NewCitizenAccount(name: " Ann ", email: "Ann@Example.com", password: Self.password).validated().email == "ann@example.com")
        #expect(refusal(" ", "ann@example.com", Self.password) == "name")
        #expect(refusal("Ann", "ann@", Self.password) == "email")
        #expect(refusal("Ann", "", Self.password) == "email")
        #expect(refusal("Ann", "ann@example.com", "short") == "password")
        #expect(refusal("Ann", "ann@example.com", "password123") == "password")
        #expect(refusal("Ann", "ann@example.com", String(repeating: "x", count: 129)) == "password")
        let throttle = CitizenSignInThrottle()
        let now = Timestamp.now
        #expect(throttle.isLocked(failures: 5, lastFailure: now.adding(seconds: -60), now: now))
        #expect(!throttle.isLocked(failures: 5, lastFailure: now.adding(seconds: -16 * 60), now: now))
        #expect(throttle.failuresAfterOneMore(failures: 4, lastFailure: now.adding(seconds: -16 * 60), now: now) == 1)
    }

    @Test func aLinkConfirmsTheAccountOnlyWithThePasswordChosenWithIt() async throws {
        try await Scenario.run { s in
            let citizens = s.services.citizens
            try await citizens.register(NewCitizenAccount(name: "Ann Clegg", email: "ann@example.com", password: Self.password))
            let link = try #require(try await Self.link(s, to: "ann@example.com"))
            // Not confirmed yet: signing in is refused, and so is the link with another password.
            await #expect(throws: TownhallError.self) { try await citizens.signIn(email: "ann@example.com", password: Self.password) }
            await #expect(throws: TownhallError.self) { try await citizens.confirm(token: link, password: "somebody else's words") }
            // Someone else asks for an account with Ann's address and their own password: the link sent for that is of
            // no use without their password, and Ann's own link still works with hers.
            try await citizens.register(NewCitizenAccount(name: "Mallory", email: "ann@example.com", password: "mallory knows this one"))
            let signedIn = try await citizens.confirm(token: link, password: Self.password)
            #expect(signedIn.account.isVerified && signedIn.account.name == "Ann Clegg")
            // The link works once.
            await #expect(throws: TownhallError.self) { try await citizens.confirm(token: link, password: Self.password) }
            #expect(try await citizens.session(token: signedIn.token)?.account.email == "ann@example.com")
            // Ann's password is hers: Mallory's cannot sign in, and Mallory's link can no longer confirm anything.
            await #expect(throws: TownhallError.self) { try await citizens.signIn(email: "ann@example.com", password: "mallory knows this one") }
            let again = try await citizens.signIn(email: "ANN@example.com", password: Self.password)
            #expect(again.account.id == signedIn.account.id)
            // A confirmed address asking again changes nothing and sends nothing.
            let messages = try await count(s, "SELECT COUNT(*) AS n FROM notification WHERE recipient = 'ann@example.com'")
            try await citizens.register(NewCitizenAccount(name: "Ann", email: "ann@example.com", password: "a brand new password"))
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM notification WHERE recipient = 'ann@example.com'") == messages)
            #expect(try await count(s, "SELECT COUNT(*) AS n FROM citizen_account") == 1)
            // Signing out ends the session.
            try await citizens.signOut(token: again.token)
            #expect(try await citizens.session(token: again.token) == nil)
            // The confirmation message is the standard template, from the portal's host organisation.
            let body = try await s.database.read { try await $0.raw("SELECT subject, body FROM notification WHERE recipient = 'ann@example.com' ORDER BY created_at LIMIT 1").first()! }
            #expect(try body.string("subject") == "Confirm your email address")
            #expect(try body.string("body").contains("Hello Ann Clegg"))
        }
    }

    @Test func wrongPasswordsLockSignInForAWhile() async throws {
        try await Scenario.run { s in
            let citizens = s.services.citizens
            try await citizens.register(NewCitizenAccount(name: "Ann", email: "ann@example.com", password: Self.password))
            _ = try await citizens.confirm(token: try #require(try await Self.link(s, to: "ann@example.com")), password: Self.password)
            let now = Timestamp.now
            for _ in 0..<5 {
                await #expect(throws: TownhallError.self) { try await citizens.signIn(email: "ann@example.com", password: "wrong guess here", now: now) }
            }
            do {
                _ = try await citizens.signIn(email: "ann@example.com", password: Self.password, now: now)
                Issue.record("a locked account signed in")
            } catch let e as TownhallError { #expect(e.kind == .tooManyRequests) }
            // After the window, the right password works and the count starts again.
            _ = try await citizens.signIn(email: "ann@example.com", password: Self.password, now: now.adding(seconds: 16 * 60))
            #expect(try await count(s, "SELECT failed_attempts AS n FROM citizen_account") == 0)
        }
    }

    @Test func myRequestsAreTheCasesReportedWithTheConfirmedAddressAcrossPartners() async throws {
        try await Scenario.run { s in
            let citizens = s.services.citizens
            let agent = s.actor(s.burnleyAgent)
            func report(_ code: String, email: String) async throws -> Case {
                try await s.cases.create(Cases.NewCase(serviceCode: code, attributes: code == "587" ? ["waste_type": ["household"], "quantity": ["bag"]] : ["fault": ["out"]],
                                                       contact: CaseContact(name: "Ann", email: email), location: CaseLocation(postcode: try Postcode("BB11 2BD"))),
                                         by: agent)
            }
            let flyTipping = try await report("587", email: "Ann@Example.com")   // Burnley's
            let light = try await report("564", email: "ann@example.com")        // re-routed to the county
            _ = try await report("587", email: "someone@example.com")
            try await citizens.register(NewCitizenAccount(name: "Ann", email: "ann@example.com", password: Self.password))
            let signedIn = try await citizens.confirm(token: try #require(try await Self.link(s, to: "ann@example.com")), password: Self.password)
            let mine = try await citizens.requests(of: signedIn.account)
            #expect(Set(mine.map(\.reference)) == [flyTipping.reference, light.reference])
            #expect(Set(mine.map(\.organisationName)) == ["Burnley Borough Council", "Lancashire County Council"])
            // An unconfirmed account sees nothing.
            var unconfirmed = signedIn.account
            unconfirmed.verifiedAt = nil
            await #expect(throws: TownhallError.self) { try await citizens.requests(of: unconfirmed) }
        }
    }
}
