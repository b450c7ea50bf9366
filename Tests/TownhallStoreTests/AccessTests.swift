import Foundation
import Testing
import Access
import TownhallKernel
import TownhallTesting

@Suite struct AccessTests {
    @Test func signInCreatesASessionWhoseTokenIsNotStored() async throws {
        try await Scenario.run { s in
            let signedIn = try await s.access.signIn(username: "B.Agent", password: Scenario.password, remoteAddress: "127.0.0.1")
            #expect(signedIn.staff.id == s.burnleyAgent.id)
            let session = try #require(try await s.access.session(token: signedIn.token))
            #expect(session.staff.username == "b.agent")
            let stored = try await s.database.read { try await $0.raw("SELECT id FROM staff_session").all().map { try $0.string("id") } }
            #expect(!stored.contains(signedIn.token))
            try await s.access.signOut(token: signedIn.token)
            #expect(try await s.access.session(token: signedIn.token) == nil)
        }
    }

    @Test func repeatedFailuresLockTheUsername() async throws {
        try await Scenario.run { s in
            for _ in 0..<5 {
                await #expect(throws: TownhallError.self) { try await s.access.signIn(username: "b.agent", password: "wrong password!", remoteAddress: nil) }
            }
            do {
                _ = try await s.access.signIn(username: "b.agent", password: Scenario.password, remoteAddress: nil)
                Issue.record("signed in while locked")
            } catch let e as TownhallError {
                #expect(e.kind == .tooManyRequests)
            }
            // another user is unaffected
            _ = try await s.access.signIn(username: "b.admin", password: Scenario.password, remoteAddress: nil)
        }
    }

    @Test func unknownUsersGetTheSameAnswerAsWrongPasswords() async throws {
        try await Scenario.run { s in
            var messages: [String] = []
            for username in ["nobody", "b.agent"] {
                do { _ = try await s.access.signIn(username: username, password: "not the password", remoteAddress: nil) } catch let e as TownhallError { messages.append(e.message) }
            }
            #expect(messages.count == 2 && messages[0] == messages[1])
        }
    }

    @Test func apiKeysAreHashedScopedAndTenantBound() async throws {
        try await Scenario.run { s in
            let (key, secret) = try await s.access.createAPIKey(organisation: s.burnley.id, name: "CRM sync", scopes: [.registerRead], by: s.actor(s.burnleyAdmin))
            let found = try #require(try await s.access.apiKey(secret: secret))
            #expect(found.id == key.id && found.organisationID == s.burnley.id)
            #expect(s.access.actor(for: found).permissions == [.registerRead])
            #expect(try await s.access.apiKey(secret: secret + "x") == nil)
            #expect(try await s.access.apiKey(secret: "th_\(key.prefix)_guess") == nil)
            let stored = try await s.database.read { try await $0.raw("SELECT secret_hash FROM api_key").first()!.string("secret_hash") }
            #expect(!stored.contains(secret) && stored.count == 64)
            // an administrator cannot mint keys for another organisation
            await #expect(throws: TownhallError.self) {
                try await s.access.createAPIKey(organisation: s.pendle.id, name: "x", scopes: [.admin], by: s.actor(s.burnleyAdmin))
            }
        }
    }

    @Test func staffValidation() async throws {
        try await Scenario.run { s in
            let admin = s.actor(s.burnleyAdmin)
            for bad in [NewStaff(username: "x", displayName: "X", email: "x@example.org", password: "long enough password", roles: [.agent]),
                        NewStaff(username: "new.user", displayName: "New", email: "nope", password: "long enough password", roles: [.agent]),
                        NewStaff(username: "new.user", displayName: "New", email: "n@example.org", password: "short", roles: [.agent]),
                        NewStaff(username: "new.user", displayName: "New", email: "n@example.org", password: "long enough password", roles: [])] {
                await #expect(throws: TownhallError.self) { try await s.access.createStaff(bad, organisation: s.burnley.id, by: admin) }
            }
            await #expect(throws: TownhallError.self) {
                try await s.access.createStaff(NewStaff(username: "b.agent", displayName: "Dup", email: "d@example.org", password: "long enough password", roles: [.agent]),
                                               organisation: s.burnley.id, by: admin)
            }
            await #expect(throws: TownhallError.self) {
                try await s.access.createStaff(NewStaff(username: "new.user", displayName: "New", email: "n@example.org", password: "long enough password", roles: [.agent]),
                                               organisation: s.burnley.id, by: s.actor(s.burnleyAgent))
            }
        }
    }
}
