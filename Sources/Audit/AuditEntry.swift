import TownhallKernel

/// One fact in the audit log: who did what to which record, when, through which channel, and — for reads of
/// restricted data — why they said they needed it.
public struct AuditEntry: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable, CaseIterable {
        case create, update, delete, read, merge, close, export, `import`
        case signIn = "sign_in", signInFailed = "sign_in_failed", signOut = "sign_out"
        case restrictedRead = "restricted_read"
    }

    public struct FieldChange: Sendable, Codable, Equatable {
        public var old: String?
        public var new: String?
        public init(old: String?, new: String?) { self.old = old; self.new = new }
    }

    public var id: Identifier<AuditEntry>
    public var organisationID: OrganisationID
    public var actorKind: String
    public var actorID: String?
    public var actorLabel: String
    public var action: Action
    public var entityType: String
    public var entityID: String?
    /// The person the entry is about, when there is one: how a subject-access export finds every entry.
    public var subjectPersonID: PersonID?
    public var changes: [String: FieldChange]
    public var channel: Channel
    public var purpose: String?
    public var requestID: String?
    public var occurredAt: Timestamp

    public init(actor: Actor, action: Action, entityType: String, entityID: String?, subject: PersonID? = nil,
                changes: [String: FieldChange] = [:], purpose: String? = nil, at time: Timestamp = .now) {
        self.id = Identifier()
        self.organisationID = actor.organisationID
        switch actor.principal {
        case .staff(let id, let username): actorKind = "staff"; actorID = id.string; actorLabel = username
        case .apiKey(let id, let name): actorKind = "api_key"; actorID = id.string; actorLabel = name
        case .system(let job): actorKind = "system"; actorID = nil; actorLabel = job
        }
        self.action = action
        self.entityType = entityType
        self.entityID = entityID
        self.subjectPersonID = subject
        self.changes = changes
        self.channel = actor.channel
        self.purpose = purpose
        self.requestID = actor.requestID
        self.occurredAt = time
    }

    /// The field-by-field difference between two snapshots, leaving out fields that did not change.
    public static func diff(_ old: [String: String?], _ new: [String: String?]) -> [String: FieldChange] {
        var changes: [String: FieldChange] = [:]
        for key in Set(old.keys).union(new.keys) {
            let before = old[key] ?? nil, after = new[key] ?? nil
            if before != after { changes[key] = FieldChange(old: before, new: after) }
        }
        return changes
    }
}

/// What an auditor can filter the log by. All filters are optional; results are newest first.
public struct AuditFilter: Sendable {
    public var entityType: String?
    public var entityID: String?
    public var actorID: String?
    public var action: AuditEntry.Action?
    public var subjectPersonID: PersonID?
    public var from: Timestamp?
    public var to: Timestamp?

    public init(entityType: String? = nil, entityID: String? = nil, actorID: String? = nil, action: AuditEntry.Action? = nil,
                subjectPersonID: PersonID? = nil, from: Timestamp? = nil, to: Timestamp? = nil) {
        self.entityType = entityType; self.entityID = entityID; self.actorID = actorID; self.action = action
        self.subjectPersonID = subjectPersonID; self.from = from; self.to = to
    }
}
