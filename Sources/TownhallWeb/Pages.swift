import Foundation
import Mustache
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
    struct Layout {
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

    struct Link { var text: String; var href: String }
    struct FieldError { var field: String; var message: String }

    func render(_ template: String, _ model: Any, title: String, hasErrors: Bool = false, chrome: Chrome) -> String {
        let body = library.render(model, withTemplate: template) ?? ""
        let layout = Layout(title: title, body: body, hasErrors: hasErrors, staffName: chrome.staffName, organisationName: chrome.organisationName,
                            csrfToken: chrome.csrfToken, citizenName: chrome.citizenName, citizenCSRF: chrome.citizenCSRF, homeLink: chrome.staffName == nil ? "/" : "/desk", breadcrumbs: chrome.breadcrumbs,
                            hasBreadcrumbs: !chrome.breadcrumbs.isEmpty)
        return library.render(layout, withTemplate: "layout") ?? ""
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
