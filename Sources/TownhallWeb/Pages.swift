import Foundation
import Mustache
import TownhallHTTP
import TownhallKernel

/// Loads the templates once and renders a page body inside the layout.
struct Pages: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        let directory = Bundle.module.resourceURL!.appendingPathComponent("Templates")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for file in files where file.hasSuffix(".mustache") {
            let text = (try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)) ?? ""
            // A template that does not parse is a programming error caught by the page tests.
            try! library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        self.library = library
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
    /// reflection), and the template reads them through `MustacheParent`, so swift-mustache never falls back to `Mirror`.
    func render(_ model: some Encodable, withTemplate template: String) -> String {
        // A view model holds strings, numbers, flags and lists; encoding one cannot fail.
        let value = (try? Self.encoder.encode(model)) ?? .object([])
        return library.render(TemplateValue.any(value) ?? TemplateValue(fields: []), withTemplate: template) ?? ""
    }

    static let encoder = BodyEncoder(keys: .asDeclared)
}

/// An object of a view model as the template engine sees it: its fields by name.
struct TemplateValue: MustacheParent {
    let fields: [BodyValue.Field]

    func child(named name: String) -> Any? {
        for field in fields where field.key == name { return Self.any(field.value) }
        return nil
    }

    /// What Mustache expects of each kind of value: strings and numbers print, flags and lists drive sections, and an
    /// absent or null value is "not here", so the lookup climbs to the enclosing object as it did for a nil property.
    static func any(_ value: BodyValue) -> Any? {
        switch value {
        case .null: nil
        case .bool(let b): b
        case .int(let i): Int(i)
        case .double(let d): d
        case .string(let s): s
        case .array(let items): items.compactMap { any($0) }
        case .object(let fields): TemplateValue(fields: fields)
        }
    }
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
