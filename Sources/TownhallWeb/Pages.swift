import Foundation
import TownhallHTTP
import TownhallKernel

/// Loads the templates once and renders a page body inside the layout.
struct Pages: Sendable {
    let templates: [String: Template]

    init() {
        var templates: [String: Template] = [:]
        let directory = Bundle.module.resourceURL!.appendingPathComponent("Templates")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for file in files where file.hasSuffix(".mustache") {
            let text = (try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)) ?? ""
            // A template that does not parse is a programming error caught by the page tests.
            do { templates[String(file.dropLast(".mustache".count))] = try Template(text) } catch { fatalError("\(file): \(error)") }
        }
        self.templates = templates
    }

    /// The frame every page shares.
    struct Layout: Encodable {
        var title: String
        var body: String
        var hasErrors: Bool
        var staffName: String?
        var organisationName: String?
        var csrfToken: String?
        var citizenName: String?
        var citizenCSRF: String?
        var homeLink: String
        var breadcrumbs: [Link]
        var hasBreadcrumbs: Bool
    }

    struct Link: Encodable { var text: String; var href: String }
    struct FieldError: Encodable { var field: String; var message: String }

    func render(_ template: String, _ model: some Encodable, title: String, hasErrors: Bool = false, chrome: Chrome) -> String {
        let body = render(model, withTemplate: template)
        let layout = Layout(title: title, body: body, hasErrors: hasErrors, staffName: chrome.staffName, organisationName: chrome.organisationName,
                            csrfToken: chrome.csrfToken, citizenName: chrome.citizenName, citizenCSRF: chrome.citizenCSRF, homeLink: chrome.staffName == nil ? "/" : "/desk", breadcrumbs: chrome.breadcrumbs,
                            hasBreadcrumbs: !chrome.breadcrumbs.isEmpty)
        return render(layout, withTemplate: "layout")
    }

    /// One template over a view model. The model is encoded to plain values first (its synthesised `encode(to:)`, no
    /// reflection) and the compiled template reads those (see `Template`).
    func render(_ model: some Encodable, withTemplate name: String) -> String {
        // A view model holds strings, numbers, flags and lists; encoding one cannot fail.
        var stack = [(try? Self.encoder.encode(model)) ?? .object([])]
        guard let template = templates[name] else { return "" }
        var out: [UInt8] = []
        out.reserveCapacity(16 * 1024)
        template.render(&stack, into: &out) { templates[$0] }
        return String(decoding: out, as: UTF8.self)
    }

    static let encoder = BodyEncoder(keys: .asDeclared)
}

/// What the header and breadcrumbs need to know about the viewer.
struct Chrome: Sendable {
    var staffName: String?
    var organisationName: String?
    var csrfToken: String?
    var breadcrumbs: [Pages.Link] = []
    /// A signed-in citizen (portal pages): their name and the sign-out form's token.
    var citizenName: String?
    var citizenCSRF: String?
}
