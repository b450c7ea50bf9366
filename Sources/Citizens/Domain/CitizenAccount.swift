import Foundation
import TownhallKernel

public enum CitizenTag {}
public typealias CitizenID = Identifier<CitizenTag>

/// A citizen's account on the portal: a name, an email address they have confirmed, and a password. Platform-wide, not
/// owned by one organisation: one account reports to, and follows requests with, every partner.
public struct CitizenAccount: Sendable, Equatable {
    public var id: CitizenID
    public var email: String
    public var name: String
    public var verifiedAt: Timestamp?
    public var createdAt: Timestamp
    public var isVerified: Bool { verifiedAt != nil }

    public init(id: CitizenID = CitizenID(), email: String, name: String, verifiedAt: Timestamp? = nil, createdAt: Timestamp = .now) {
        self.id = id; self.email = email; self.name = name; self.verifiedAt = verifiedAt; self.createdAt = createdAt
    }
}

/// What someone types to make an account, checked field by field in the order the form asks.
public struct NewCitizenAccount: Sendable {
    public var name: String
    public var email: String
    public var password: String
    public init(name: String, email: String, password: String) { self.name = name; self.email = email; self.password = password }

    public static let minimumPassword = 10

    public func validated() throws -> NewCitizenAccount {
        var copy = self
        copy.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !copy.name.isEmpty else { throw TownhallError.missing("name", "Enter your name.") }
        guard copy.name.count <= 100 else { throw TownhallError.invalid("name", "Your name can be at most 100 characters.") }
        guard !email.trimmingCharacters(in: .whitespaces).isEmpty else { throw TownhallError.missing("email", "Enter your email address.") }
        copy.email = try ContactPointRules.email(email, field: "email")
        guard password.count >= NewCitizenAccount.minimumPassword else {
            throw TownhallError.invalid("password", "Your password must be at least \(NewCitizenAccount.minimumPassword) characters. Three random words work well.", code: "weak_password")
        }
        guard password.count <= 128 else { throw TownhallError.invalid("password", "Your password can be at most 128 characters.") }
        guard password.lowercased() != copy.email, !NewCitizenAccount.common.contains(password.lowercased()) else {
            throw TownhallError.invalid("password", "That password is too easy to guess. Three random words work well.", code: "weak_password")
        }
        return copy
    }

    /// The commonest passwords of ten characters or more (NCSC's deny-list advice): refused outright.
    static let common: Set<String> = ["1234567890", "qwertyuiop", "password123", "password12", "1q2w3e4r5t", "0987654321", "iloveyou12",
                                      "passwordpassword", "qwerty1234", "abcdefghij", "1111111111", "0000000000", "football12", "liverpool1"]
}

/// Repeated wrong passwords lock an account's sign-in for a while. Pure: the store keeps the count and the time.
public struct CitizenSignInThrottle: Sendable {
    public var maximumFailures = 5
    public var window: TimeInterval = 15 * 60
    public init() {}

    public func isLocked(failures: Int, lastFailure: Timestamp?, now: Timestamp) -> Bool {
        guard let lastFailure, failures >= maximumFailures else { return false }
        return now.date.timeIntervalSince(lastFailure.date) < window
    }

    /// The count after one more failure: failures older than the window no longer count.
    public func failuresAfterOneMore(failures: Int, lastFailure: Timestamp?, now: Timestamp) -> Int {
        guard let lastFailure, now.date.timeIntervalSince(lastFailure.date) < window else { return 1 }
        return failures + 1
    }
}
