/// The single view's extension point. Each module that knows something about a customer or a property (restricted
/// information, council tax, benefit claims, payments, documents) contributes one panel through a `SingleViewPanelSource`;
/// the person and property pages render whatever panels the sources return, in order, without knowing the modules.
public struct SingleViewPanel: Sendable, Codable, Equatable {
    public enum Tone: String, Sendable, Codable { case normal, warning }

    public struct Line: Sendable, Codable, Equatable {
        public var key: String
        public var value: String
        public var href: String?
        public init(_ key: String, _ value: String, href: String? = nil) { self.key = key; self.value = value; self.href = href }
    }

    public struct Link: Sendable, Codable, Equatable {
        public var text: String
        public var href: String
        public init(_ text: String, href: String) { self.text = text; self.href = href }
    }

    /// Stable and unique per source, used as the panel's element id.
    public var key: String
    public var title: String
    public var tone: Tone
    public var lines: [Line]
    public var links: [Link]
    /// Shown when there are no lines.
    public var emptyText: String?

    public init(key: String, title: String, tone: Tone = .normal, lines: [Line] = [], links: [Link] = [], emptyText: String? = nil) {
        self.key = key; self.title = title; self.tone = tone; self.lines = lines; self.links = links; self.emptyText = emptyText
    }
}

/// Whose single view a panel is for.
public enum SingleViewSubject: Sendable, Equatable {
    case person(PersonID)
    case property(PropertyID)
}

/// One module's contribution to the single view.
public protocol SingleViewPanelSource: Sendable {
    /// The panel for this viewer, or nil when there is nothing this viewer may see (or the module has nothing to say).
    func panel(for subject: SingleViewSubject, by actor: Actor) async throws -> SingleViewPanel?
}

/// The registered sources, asked together. One failing source costs its own panel, not the page: the agent is on the phone.
public struct SingleViewPanels: Sendable {
    public let sources: [any SingleViewPanelSource]

    public init(_ sources: [any SingleViewPanelSource]) { self.sources = sources }

    public func panels(for subject: SingleViewSubject, by actor: Actor) async -> [SingleViewPanel] {
        await withTaskGroup(of: (Int, SingleViewPanel?).self) { group in
            for (n, source) in sources.enumerated() {
                group.addTask {
                    do { return (n, try await source.panel(for: subject, by: actor)) } catch {
                        return (n, SingleViewPanel(key: "panel-\(n)", title: "Not available", tone: .warning,
                                                   emptyText: "Part of this record could not be loaded. Try again, or ask IT if it keeps happening."))
                    }
                }
            }
            var results: [(Int, SingleViewPanel)] = []
            for await (n, panel) in group { if let panel { results.append((n, panel)) } }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
