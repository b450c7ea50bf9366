import Hummingbird
import TownhallDatabase

/// An area's JSON API: the HTTP half of the module seam (see `AreaModule`). The app lists each area's `APIArea` types
/// beside its module in `TownhallModules`; the API builds them from the services and asks each for its routes.
public protocol APIArea: Sendable {
    init(services: ServiceRegistry)
    /// Adds the area's routes. `api` is `/api/v1` (authenticated, errors as JSON); `root` is the router itself, for an
    /// area that speaks another protocol at a path of its own (Open311 at `/open311/v2`).
    func addRoutes(api: RouterGroup<TownhallContext>, root: Router<TownhallContext>)
}
