import Audit
import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import SQLKit
import TownhallDatabase
import TownhallKernel

extension Cases {
    // MARK: Templates

    /// The organisation's template of a kind, or the standard wording when it has not saved one.
    public func template(_ kind: NotificationTemplate.Kind, organisation: OrganisationID) async throws -> NotificationTemplate {
        try await database.read { try await Cases.template(kind, organisation: organisation, on: $0) }
    }

    static func template(_ kind: NotificationTemplate.Kind, organisation: OrganisationID, on db: any SQLDatabase) async throws -> NotificationTemplate {
        try await CasesStore.template(organisation: organisation, kind: kind, on: db) ?? .standard(kind, organisation: organisation)
    }

    /// Saves a template after checking every `((placeholder))` is one its kind can fill.
    public func saveTemplate(kind: NotificationTemplate.Kind, subject: String, body: String, by actor: Actor) async throws -> NotificationTemplate {
        defer { reference.clear() }
        try actor.require(.casesManage)
        let template = try NotificationTemplate(organisationID: actor.organisationID, kind: kind, subject: subject, body: body).validated()
        try await database.transaction { db in
            try await CasesStore.save(template, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .update, entityType: "notification_template", entityID: kind.rawValue,
                                                 changes: ["subject": .init(old: nil, new: template.subject)]), on: db)
        }
        return try await self.template(kind, organisation: actor.organisationID)
    }

    func values(for c: Case, organisationName: String) -> [String: String] {
        Cases.values(for: c, organisationName: organisationName, trackURL: trackURL)
    }

    /// What a message about a case can say: every placeholder a case template may use.
    static func values(for c: Case, organisationName: String, trackURL: String) -> [String: String] {
        ["reference": c.reference, "service_name": c.serviceName, "organisation_name": organisationName, "status": c.status.title.lowercased(),
         "track_url": "\(trackURL)?reference=\(c.reference)", "address": c.location.address ?? c.location.postcode?.value ?? "the location you gave",
         "name": c.contact.name ?? "customer", "priority": c.priority.rawValue, "due_date": Cases.displayDate(c.dueAt)]
    }

    /// Queues a message to the customer who raised the case, if they gave an email address. Inside the caller's transaction:
    /// the message exists if and only if the change that caused it does.
    func notifyCustomer(_ c: Case, kind: NotificationTemplate.Kind, eventKey: String, values extra: [String: String], organisationName: String,
                        at time: Timestamp, on db: any SQLDatabase) async throws {
        guard let message = try await Cases.customerMessage(c, kind: kind, eventKey: eventKey, values: extra, organisationName: organisationName, at: time,
                                                            trackURL: trackURL, reference: reference, on: db) else { return }
        try await CasesStore.enqueue([message], on: db)
    }

    /// The customer's message about a case, from the organisation's template (kept briefly in memory); nil when they gave
    /// no email address.
    static func customerMessage(_ c: Case, kind: NotificationTemplate.Kind, eventKey: String, values extra: [String: String], organisationName: String,
                                at time: Timestamp, trackURL: String, reference: ShortLivedCache<ReferenceKey>, on db: any SQLDatabase) async throws -> OutgoingMessage? {
        guard let email = c.contact.email else { return nil }
        let template = try await reference.value(.template(c.organisationID, kind)) { try await Cases.template(kind, organisation: c.organisationID, on: db) }
        let rendered = template.render(values(for: c, organisationName: organisationName, trackURL: trackURL).merging(extra) { _, new in new })
        return OutgoingMessage(id: UUID.timeOrdered().lowercasedString, organisationID: c.organisationID, eventKey: eventKey, kind: kind, caseID: c.id,
                               recipient: email, subject: rendered.subject, body: rendered.body, status: "pending", attempts: 0, createdAt: time, lastError: nil)
    }

    /// Queues a message that is not about a case (a portal account's email confirmation, a council tax letter) from the
    /// organisation's template, inside the caller's transaction; `eventKey` makes a second queueing of the same event a no-op.
    /// A recipient `post:` followed by the address lines (one per line) is a letter for the post.
    public static func queueMessage(_ kind: NotificationTemplate.Kind, to recipient: String, values: [String: String], organisation: OrganisationID,
                                    eventKey: String, at time: Timestamp = .now, on db: any SQLDatabase) async throws {
        try await queueMessages(kind, [(recipient, values, eventKey)], organisation: organisation, at: time, on: db)
    }

    /// The same for many messages of one kind (a batch of bills or letters): the template is read once and the messages
    /// written in one statement per 500.
    public static func queueMessages(_ kind: NotificationTemplate.Kind, _ messages: [(recipient: String, values: [String: String], eventKey: String)],
                                     organisation: OrganisationID, at time: Timestamp = .now, on db: any SQLDatabase) async throws {
        guard !messages.isEmpty else { return }
        let template = try await Cases.template(kind, organisation: organisation, on: db)
        let outgoing = messages.map { m in
            let rendered = template.render(m.values)
            return OutgoingMessage(id: UUID.timeOrdered().lowercasedString, organisationID: organisation, eventKey: m.eventKey, kind: kind, caseID: nil,
                                   recipient: m.recipient, subject: rendered.subject, body: rendered.body, status: "pending", attempts: 0, createdAt: time, lastError: nil)
        }
        for start in stride(from: 0, to: outgoing.count, by: 500) {
            try await CasesStore.enqueue(Array(outgoing[start..<min(start + 500, outgoing.count)]), on: db)
        }
    }

    /// Queues an alert to the leaders of the case's team (or the organisation's managers); returns who was alerted.
    @discardableResult
    func alertStaff(_ c: Case, kind: NotificationTemplate.Kind, eventKey: String, at time: Timestamp, on db: any SQLDatabase) async throws -> [String] {
        var teamName = "none"
        var recipients: [(String, String)] = []
        if let teamID = c.teamID, let team = try await access.team(id: teamID) {
            teamName = team.name
            recipients = try await access.leaders(of: teamID).map { ($0.displayName, $0.email) }
        }
        if recipients.isEmpty { recipients = try await access.managers(of: c.organisationID).map { ($0.displayName, $0.email) } }
        let organisation = try await partnership.organisation(id: c.organisationID)
        let template = try await Cases.template(kind, organisation: c.organisationID, on: db)
        var v = values(for: c, organisationName: organisation.name)
        v["team_name"] = teamName
        let rendered = template.render(v)
        try await CasesStore.enqueue(recipients.map { _, email in
            OutgoingMessage(id: UUID.timeOrdered().lowercasedString, organisationID: c.organisationID, eventKey: "\(eventKey)/\(email)", kind: kind, caseID: c.id,
                            recipient: email, subject: rendered.subject, body: rendered.body, status: "pending", attempts: 0, createdAt: time, lastError: nil)
        }, on: db)
        return recipients.map(\.0)
    }

    /// Messages queued for a case (or for the organisation), newest first.
    public func messages(case id: CaseID?, by actor: Actor, limit: Int = 100) async throws -> [OutgoingMessage] {
        try actor.require(.casesRead)
        if let id { _ = try await record(id: id, by: actor) }
        return try await database.read { try await CasesStore.messages(case: id, organisation: actor.organisationID, limit: limit, on: $0) }
    }

    public struct DeliveryResult: Sendable, Equatable {
        public init() {}
        public var sent = 0
        public var retrying = 0
        public var failed = 0
    }

    /// Sends what is due in the outbox. Each message is leased before sending so no other worker sends it meanwhile, and
    /// marked sent straight after; failures are retried with backoff and given up after `RetryPolicy.maximumAttempts`.
    @discardableResult
    public func deliverMessages(with sender: any MessageSender, now: Timestamp = .now, limit: Int = 100, logger: Logger? = nil) async throws -> DeliveryResult {
        let engine = database.engine
        let leased = try await database.transaction { try await CasesStore.lease(now: now, lease: 300, limit: limit, engine: engine, on: $0) }
        var result = DeliveryResult()
        for message in leased {
            do {
                let reference = try await sender.send(message)
                try await database.transaction { try await CasesStore.markSent(id: message.id, reference: reference, at: .now, on: $0) }
                result.sent += 1
            } catch {
                let permanent: Bool
                let text: String
                switch error {
                case SendFailure.permanent(let t): permanent = true; text = t
                case SendFailure.temporary(let t): permanent = false; text = t
                default: permanent = false; text = String(describing: error)
                }
                let attempt = message.attempts + 1
                let giveUp = permanent || attempt >= RetryPolicy.maximumAttempts
                let retryAt = giveUp ? nil : now.adding(seconds: RetryPolicy.delay(afterAttempt: attempt))
                try await database.transaction { try await CasesStore.markFailed(id: message.id, error: String(text.prefix(500)), retryAt: retryAt, on: $0) }
                logger?.warning("message not sent", metadata: ["message": .string(message.id), "attempt": .stringConvertible(attempt), "error": .string(text)])
                if giveUp { result.failed += 1 } else { result.retrying += 1 }
            }
        }
        return result
    }
}

/// Writes messages to the log: the default, so a fresh install sends nothing anywhere by surprise.
public struct LogSender: MessageSender {
    public let name = "log"
    let logger: Logger
    public init(logger: Logger) { self.logger = logger }
    public func send(_ message: OutgoingMessage) async throws -> String? {
        logger.info("message", metadata: ["to": .string(message.recipient), "subject": .string(message.subject), "kind": .string(message.kind.rawValue)])
        return nil
    }
}

/// Appends each message as one JSON line to a file, for a mail relay or a test to pick up.
public struct FileSender: MessageSender {
    public let name = "file"
    public let path: String
    public init(path: String) { self.path = path }

    public func send(_ message: OutgoingMessage) async throws -> String? {
        let line: [String: String] = ["id": message.id, "to": message.recipient, "subject": message.subject, "body": message.body,
                                      "kind": message.kind.rawValue, "event_key": message.eventKey]
        var data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        data.append(0x0A)
        let url = URL(fileURLWithPath: path)
        if !FileManager.default.fileExists(atPath: path) {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw SendFailure.temporary("cannot create \(path)") }
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
        return nil
    }
}

/// GOV.UK Notify: each message goes through one Notify email template whose subject and body are `((subject))` and
/// `((body))`, so wording stays in Townhall's templates. Authenticates with a JWT signed by the API key's secret
/// (https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header).
public struct NotifySender: MessageSender {
    public let name = "notify"
    let serviceID: String
    let secret: String
    let templateID: String
    /// A Notify letter template (`((subject))`, `((body))`) for messages to a postal address; letters fail without one.
    let letterTemplateID: String?
    let baseURL: URL

    /// `apiKey` is Notify's key as issued: `{name}-{service id}-{secret}`.
    public init(apiKey: String, templateID: String, letterTemplateID: String? = nil, baseURL: URL = URL(string: "https://api.notifications.service.gov.uk")!) throws {
        let parts = apiKey.split(separator: "-").map(String.init)
        guard parts.count >= 11 else { throw TownhallError.invalid("notify_api_key", "A Notify API key is {name}-{service id}-{secret id}.") }
        serviceID = parts[(parts.count - 10)..<(parts.count - 5)].joined(separator: "-")
        secret = parts[(parts.count - 5)...].joined(separator: "-")
        self.templateID = templateID
        self.letterTemplateID = letterTemplateID
        self.baseURL = baseURL
    }

    /// The bearer token for a request made at `issuedAt`.
    func token(issuedAt: Date = Date()) -> String {
        func b64(_ d: Data) -> String { d.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "") }
        let header = b64(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let claims = b64(Data("{\"iss\":\"\(serviceID)\",\"iat\":\(Int(issuedAt.timeIntervalSince1970))}".utf8))
        let signature = HMAC<SHA256>.authenticationCode(for: Data("\(header).\(claims)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "\(header).\(claims).\(b64(Data(signature)))"
    }

    func request(for message: OutgoingMessage) throws -> URLRequest {
        let letter = message.recipient.hasPrefix("post:")
        var request = URLRequest(url: baseURL.appendingPathComponent(letter ? "v2/notifications/letter" : "v2/notifications/email"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(token())", forHTTPHeaderField: "Authorization")
        var personalisation = ["subject": message.subject, "body": message.body]
        var body: [String: Any] = ["reference": message.eventKey]
        if letter {
            // Notify takes up to seven address lines, the last a postcode; the name is the first.
            guard let letterTemplateID else { throw SendFailure.permanent("Letters need TOWNHALL_NOTIFY_LETTER_TEMPLATE_ID.") }
            let lines = message.recipient.dropFirst("post:".count).split(separator: "\n").map(String.init)
            guard lines.count >= 3 else { throw SendFailure.permanent("A letter needs at least three address lines.") }
            for (i, line) in (lines.count > 7 ? Array(lines.prefix(6)) + [lines.last!] : lines).enumerated() { personalisation["address_line_\(i + 1)"] = line }
            body["template_id"] = letterTemplateID
        } else {
            body["email_address"] = message.recipient
            body["template_id"] = templateID
        }
        body["personalisation"] = personalisation
        request.httpBody = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        return request
    }

    public func send(_ message: OutgoingMessage) async throws -> String? {
        let (data, response) = try await URLSession.shared.data(for: try request(for: message))
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        switch status {
        case 200..<300:
            return (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["id"] as? String
        case 400, 403:
            // Notify's 400s (bad address, unknown template) and 403s (bad key) will not mend themselves.
            throw SendFailure.permanent("Notify answered \(status): \(String(decoding: data.prefix(300), as: UTF8.self))")
        default:
            throw SendFailure.temporary("Notify answered \(status)")
        }
    }
}
