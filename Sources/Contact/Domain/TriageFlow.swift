import Foundation
import TownhallKernel

public enum TriageFlowTag {}
public typealias TriageFlowID = Identifier<TriageFlowTag>
public enum TriageRunTag {}
public typealias TriageRunID = Identifier<TriageRunTag>

/// How a triage ends, and so how the contact is recorded.
public enum TriageOutcomeKind: String, Sendable, Codable, CaseIterable {
    /// Information and advice given now: resolved at the first point of contact.
    case advice
    /// Sent elsewhere (999, a charity, another agency).
    case signpost
    /// A case booked for a quick assessment (for example simple equipment within 48 hours).
    case bookAssessment = "book_assessment"
    /// A referral to a professional, with the answers attached.
    case referral

    public var contactOutcome: ContactOutcome {
        switch self {
        case .advice: .resolvedFirstContact
        case .signpost: .signposted
        case .bookAssessment, .referral: .caseCreated
        }
    }

    public var createsCase: Bool { contactOutcome == .caseCreated }
}

/// A decision tree an agent follows at first contact: questions with answers that lead to further questions or to an
/// outcome. Defined as JSON per service by the organisation that provides it, and checked whole before it is saved.
public struct TriageFlow: Sendable, Codable, Equatable {
    public struct Answer: Sendable, Codable, Equatable {
        public var label: String
        public var next: String
        public init(label: String, next: String) { self.label = label; self.next = next }
    }

    public struct Node: Sendable, Codable, Equatable {
        public var id: String
        /// A question node has the question, optional help ("what to ask") and its answers.
        public var question: String?
        public var help: String?
        public var answers: [Answer]?
        /// An outcome node has its kind, a title, what to say, and for case outcomes the service and priority of the case.
        public var outcome: TriageOutcomeKind?
        public var title: String?
        public var script: String?
        public var serviceCode: String?
        public var priority: String?

        enum CodingKeys: String, CodingKey {
            case id, question, help, answers, outcome, title, script, serviceCode = "service_code", priority
        }

        public init(id: String, question: String? = nil, help: String? = nil, answers: [Answer]? = nil, outcome: TriageOutcomeKind? = nil,
                    title: String? = nil, script: String? = nil, serviceCode: String? = nil, priority: String? = nil) {
            self.id = id; self.question = question; self.help = help; self.answers = answers; self.outcome = outcome; self.title = title
            self.script = script; self.serviceCode = serviceCode; self.priority = priority
        }

        public var isOutcome: Bool { outcome != nil }
    }

    public var id: TriageFlowID
    public var organisationID: OrganisationID
    public var serviceCode: String
    public var name: String
    public var summary: String?
    public var start: String
    public var nodes: [Node]
    public var active: Bool

    public init(id: TriageFlowID = TriageFlowID(), organisationID: OrganisationID, serviceCode: String, name: String, summary: String? = nil,
                start: String, nodes: [Node], active: Bool = true) {
        self.id = id; self.organisationID = organisationID; self.serviceCode = serviceCode; self.name = name; self.summary = summary
        self.start = start; self.nodes = nodes; self.active = active
    }

    public func node(_ id: String) -> Node? { nodes.first { $0.id == id } }

    public static let maximumNodes = 200

    /// Every rule a flow must keep, each refusal naming the node at fault: unique ids, a start that exists, questions with at
    /// least two answers that lead somewhere, outcomes fully described, no loops, and every node reachable.
    public func validated() throws -> TriageFlow {
        var f = self
        f.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        f.serviceCode = serviceCode.trimmingCharacters(in: .whitespaces)
        guard !f.name.isEmpty, f.name.count <= 200 else { throw TownhallError.missing("name", "Give the flow a name of at most 200 characters.") }
        guard !f.serviceCode.isEmpty else { throw TownhallError.missing("service_code", "Say which service the flow is for.") }
        guard !nodes.isEmpty, nodes.count <= Self.maximumNodes else {
            throw TownhallError.invalid("nodes", "A flow has between 1 and \(Self.maximumNodes) nodes.", code: "invalid_flow")
        }
        var ids = Set<String>()
        for (i, n) in nodes.enumerated() {
            let field = "nodes[\(i)]"
            guard !n.id.isEmpty, n.id.count <= 64, n.id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw TownhallError.invalid("\(field).id", "Node ids are 1 to 64 letters, digits, - or _.", code: "invalid_flow")
            }
            guard ids.insert(n.id).inserted else { throw TownhallError.invalid("\(field).id", "Node id \(n.id) is used twice.", code: "invalid_flow") }
            if let outcome = n.outcome {
                guard n.question == nil, n.answers == nil else {
                    throw TownhallError.invalid(field, "Node \(n.id) is either a question or an outcome, not both.", code: "invalid_flow")
                }
                guard let title = n.title, !title.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw TownhallError.invalid("\(field).title", "Outcome \(n.id) needs a title.", code: "invalid_flow")
                }
                if outcome.createsCase, (n.serviceCode ?? "").isEmpty {
                    throw TownhallError.invalid("\(field).service_code", "Outcome \(n.id) creates a case, so it names the service.", code: "invalid_flow")
                }
                if let p = n.priority, !p.isEmpty, !["urgent", "high", "normal", "low"].contains(p) {
                    throw TownhallError.invalid("\(field).priority", "Priority is urgent, high, normal or low.", code: "invalid_flow")
                }
            } else {
                guard let q = n.question, !q.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw TownhallError.invalid("\(field).question", "Node \(n.id) needs a question or an outcome.", code: "invalid_flow")
                }
                guard let answers = n.answers, answers.count >= 2, answers.count <= 12 else {
                    throw TownhallError.invalid("\(field).answers", "Question \(n.id) needs between 2 and 12 answers.", code: "invalid_flow")
                }
                for (j, a) in answers.enumerated() where a.label.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw TownhallError.invalid("\(field).answers[\(j)].label", "Every answer of \(n.id) needs a label.", code: "invalid_flow")
                }
            }
        }
        guard ids.contains(start) else { throw TownhallError.invalid("start", "The start node \(start) is not in the flow.", code: "invalid_flow") }
        for (i, n) in nodes.enumerated() {
            for (j, a) in (n.answers ?? []).enumerated() where !ids.contains(a.next) {
                throw TownhallError.invalid("nodes[\(i)].answers[\(j)].next", "Answer \"\(a.label)\" of \(n.id) leads to \(a.next), which is not in the flow.", code: "invalid_flow")
            }
        }
        // No loops (depth-first search with colours), and every node reachable from the start.
        var state: [String: Int] = [:]   // 1 visiting, 2 done
        func visit(_ id: String) throws {
            if state[id] == 2 { return }
            if state[id] == 1 { throw TownhallError.invalid("nodes", "The flow loops back to \(id); a triage must always move on.", code: "invalid_flow") }
            state[id] = 1
            for a in node(id)?.answers ?? [] { try visit(a.next) }
            state[id] = 2
        }
        try visit(start)
        if let unreachable = nodes.first(where: { state[$0.id] == nil }) {
            throw TownhallError.invalid("nodes", "Node \(unreachable.id) cannot be reached from the start.", code: "invalid_flow")
        }
        return f
    }

    /// One question answered on the way.
    public struct Step: Sendable, Equatable {
        public var nodeID: String
        public var question: String
        public var answer: String
    }

    /// Follows the answers given (an answer index per question, in order) from the start. Returns the steps taken and where
    /// they lead: the next question, or the outcome. An answer that does not fit is refused, naming the question.
    public func walk(_ answers: [Int]) throws -> (steps: [Step], at: Node) {
        guard var current = node(start) else { throw TownhallError.invalid("start", "The flow has no start.", code: "invalid_flow") }
        var steps: [Step] = []
        for (i, choice) in answers.enumerated() {
            guard let options = current.answers else {
                throw TownhallError.invalid("answers", "The flow ended after \(i) answers; \(answers.count) were given.", code: "invalid_answers")
            }
            guard options.indices.contains(choice), let next = node(options[choice].next) else {
                throw TownhallError.invalid("answers", "Choose one of the answers to \"\(current.question ?? current.id)\".", code: "invalid_answers")
            }
            steps.append(Step(nodeID: current.id, question: current.question ?? "", answer: options[choice].label))
            current = next
        }
        return (steps, current)
    }

    /// The questions and answers as text, for the contact's notes and the case's description.
    public static func transcript(_ steps: [Step], outcome: Node) -> String {
        (steps.map { "Q: \($0.question)\nA: \($0.answer)" } + ["Outcome: \(outcome.title ?? outcome.id)"]).joined(separator: "\n")
    }
}

/// One run of a flow by an agent: the record behind triage figures (how often each outcome, how long it took).
public struct TriageRun: Sendable, Codable, Equatable {
    public var id: TriageRunID
    public var organisationID: OrganisationID
    public var flowID: TriageFlowID
    public var personID: PersonID
    public var answers: [Int]
    public var outcomeNode: String
    public var outcome: TriageOutcomeKind
    public var startedAt: Timestamp
    public var finishedAt: Timestamp
    public var contactID: ContactID
    public var caseReference: String?
    public var agent: String
}

/// The answers so far as the pages carry them between steps: "0.2.1".
public enum TriagePath {
    public static func parse(_ raw: String?) throws -> [Int] {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return [] }
        let parts = raw.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= TriageFlow.maximumNodes else { throw TownhallError.invalid("answers", "Too many answers.", code: "invalid_answers") }
        return try parts.map {
            guard let n = Int($0), n >= 0 else { throw TownhallError.invalid("answers", "The answers given are not valid; start the triage again.", code: "invalid_answers") }
            return n
        }
    }

    public static func format(_ answers: [Int]) -> String { answers.map(String.init).joined(separator: ".") }
}
