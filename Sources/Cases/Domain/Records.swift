import Foundation
import TownhallKernel

/// A file attached to a case (a photo of the fly-tipping, a letter).
public struct CaseAttachment: Sendable, Codable, Equatable {
    public var id: String
    public var filename: String
    public var contentType: String
    public var size: Int
    public var createdAt: Timestamp
    /// Sent with the report itself (a citizen's photo): shown on Open311 and the public track page. Staff attachments are not.
    public var isPublic: Bool

    public init(id: String, filename: String, contentType: String, size: Int, createdAt: Timestamp, isPublic: Bool = false) {
        self.id = id; self.filename = filename; self.contentType = contentType; self.size = size; self.createdAt = createdAt; self.isPublic = isPublic
    }

    /// What may be attached: photos and documents, at most 5 MiB each, and at most `maximumPerReport` with a new report.
    public static let maximumSize = 5 * 1024 * 1024
    public static let maximumPerReport = 3
    public static let allowedTypes: Set<String> = ["image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "text/plain"]
}

/// A file on its way in, checked before anything is written: its type, its size and a safe name.
public struct NewAttachment: Sendable, Equatable {
    public var filename: String
    public var contentType: String
    public var content: Data
    /// The form field it came in (`photo1`, `media`, `file`), named in errors.
    public var field: String

    public init(filename: String, contentType: String, content: Data, field: String = "file") {
        self.filename = filename; self.contentType = contentType; self.content = content; self.field = field
    }

    /// Whether the first bytes are the signature of the declared type (text has none to check).
    static func contentMatches(_ type: String, _ data: Data) -> Bool {
        let content = [UInt8](data.prefix(16))
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool { content.count >= offset + prefix.count && Array(content[offset..<offset + prefix.count]) == prefix }
        switch type {
        case "image/jpeg": return starts([0xFF, 0xD8, 0xFF])
        case "image/png": return starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        case "image/gif": return starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8))
        case "image/webp": return starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8)
        case "application/pdf": return starts(Array("%PDF-".utf8))
        default: return true
        }
    }

    /// The same file with its media type normalised and its name stripped of any path.
    public func validated() throws -> NewAttachment {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard CaseAttachment.allowedTypes.contains(type) else {
            throw TownhallError(.unsupportedMedia, code: "unsupported_media_type",
                                message: "Attach a photo (JPEG, PNG, GIF, WebP), a PDF or a text file.", field: field)
        }
        guard content.count <= CaseAttachment.maximumSize else {
            throw TownhallError(.payloadTooLarge, code: "attachment_too_large", message: "An attachment can be at most 5 MiB.", field: field)
        }
        guard !content.isEmpty else { throw TownhallError.invalid(field, "The file is empty.", code: "empty_file") }
        // Photos are served to the public: the bytes must be what the type says, not a page or script in disguise.
        guard NewAttachment.contentMatches(type, content) else {
            throw TownhallError(.unsupportedMedia, code: "content_type_mismatch",
                                message: "The file is not a \(type.split(separator: "/").last.map { $0.uppercased() } ?? "file"). Attach a photo (JPEG, PNG, GIF, WebP) or a PDF.",
                                field: field)
        }
        let name = String(filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "attachment")
            .filter { $0 != "\"" && !($0.asciiValue.map { $0 < 32 } ?? false) }.trimmingCharacters(in: .whitespaces)
        guard name.count <= 200 else { throw TownhallError.invalid(field, "A file name can be at most 200 characters.") }
        return NewAttachment(filename: name.isEmpty ? "attachment" : name, contentType: type, content: content, field: field)
    }
}

/// One line of the monthly service-level summary.
public struct ServiceLevelSummaryRow: Sendable, Codable, Equatable {
    public var serviceCode: String
    public var serviceName: String
    public var priority: Priority
    public var due: Int
    public var met: Int
    public var missed: Int
    /// Met as a share of those decided (met or missed), to one decimal place; nil when none are decided yet.
    public var percentMet: Double? {
        let decided = met + missed
        return decided == 0 ? nil : (Double(met) * 1000 / Double(decided)).rounded() / 10
    }
}

/// A message in the outbox.
public struct OutgoingMessage: Sendable, Codable, Equatable {
    public var id: String
    public var organisationID: OrganisationID
    /// What caused it, e.g. `case/<id>/event/<id>/ack`: the outbox holds at most one message per key, so one event is never sent twice.
    public var eventKey: String
    public var kind: NotificationTemplate.Kind
    public var caseID: CaseID?
    public var recipient: String
    public var subject: String
    public var body: String
    public var status: String
    public var attempts: Int
    public var createdAt: Timestamp
    public var lastError: String?
}

/// Delivers one message. Implementations: the log sender (default), a file sender (one JSON line per message), and
/// GOV.UK Notify. A thrown error means "try again later"; `SendFailure.permanent` means "do not".
public protocol MessageSender: Sendable {
    var name: String { get }
    /// Returns the sender's reference for the message (Notify's notification id), if it gives one.
    func send(_ message: OutgoingMessage) async throws -> String?
}

public enum SendFailure: Error, Sendable {
    case permanent(String)
    case temporary(String)
}

/// Retry timing for failed sends: 1, 2, 4 … minutes, capped at an hour, giving up after `maximumAttempts`.
public enum RetryPolicy {
    public static let maximumAttempts = 8
    public static func delay(afterAttempt attempt: Int) -> Double { min(3600, 60 * pow(2, Double(max(0, attempt - 1)))) }
}
