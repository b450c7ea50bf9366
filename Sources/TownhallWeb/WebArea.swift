import Hummingbird
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// An area's pages: the web half of the module seam (see `AreaModule`). The app lists each area's `WebArea` types beside
/// its module in `TownhallModules`; the web routes build them and ask each for its pages and its links on the desk.
public protocol WebArea: Sendable {
    init(services: ServiceRegistry, kit: PageKit)
    /// Adds the area's pages: `desk` is `/desk` (staff signed in), `web` the site root (citizens, the public).
    func addRoutes(desk: RouterGroup<TownhallContext>, web: RouterGroup<TownhallContext>)
    /// Links on the desk's home page for this member of staff, in the order shown.
    func deskLinks(for actor: Actor) -> [DeskLink]
}

extension WebArea {
    public func deskLinks(for actor: Actor) -> [DeskLink] { [] }
}

/// A link on the desk's home page.
public struct DeskLink: Encodable, Sendable, Equatable {
    public var text: String
    public var href: String
    public init(_ text: String, href: String) { self.text = text; self.href = href }
}

/// What every area's pages share: the templates, the page chrome, the single view's panels and the cookie setting.
public struct PageKit: Sendable {
    let pages: Pages
    let chrome: @Sendable (TownhallContext) async throws -> Chrome
    let panels: SingleViewPanels
    let secureCookies: Bool
}
