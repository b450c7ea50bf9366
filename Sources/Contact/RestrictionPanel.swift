import Partnership
import TownhallKernel

/// The single view's restricted-information panel: one line per flag the viewer may know of, and the way in for officers.
public struct RestrictionPanel: SingleViewPanelSource {
    let restrictions: Restrictions
    let partnership: Partnership

    public init(restrictions: Restrictions, partnership: Partnership) { self.restrictions = restrictions; self.partnership = partnership }

    public func panel(for subject: SingleViewSubject, by actor: Actor) async throws -> SingleViewPanel? {
        guard case .person(let id) = subject else { return nil }
        let notices = try await restrictions.notices(person: id, by: actor)
        let officer = actor.may(.safeguardingRead)
        guard !notices.isEmpty || officer else { return nil }
        let names = try await partnership.organisations().namesByID
        let lines = notices.map { n in
            SingleViewPanel.Line(
                n.kind.title,
                n.readable
                    ? "Held by \(names[n.heldBy] ?? "a partner"). You may read it, giving your purpose."
                    : "Held by \(names[n.heldBy] ?? "a partner"). \(n.advice)")
        }
        var links: [SingleViewPanel.Link] = []
        if notices.contains(where: \.readable) {
            links.append(.init("View restricted information", href: "/desk/people/\(id)/restricted"))
        } else if officer {
            links.append(.init("Add a restricted flag", href: "/desk/people/\(id)/restricted"))
        }
        return SingleViewPanel(
            key: "restricted", title: "Restricted information", tone: notices.isEmpty ? .normal : .warning, lines: lines, links: links,
            emptyText: "No restricted information is held that you may see.")
    }
}
