import Foundation
import Ink
import TownhallKernel

/// Guidance markdown to HTML, with Ink. Authors are staff, but what they write is shown to every agent in the
/// partnership, so it is treated as untrusted: raw HTML is escaped before parsing (Ink would pass it through), links keep
/// only safe schemes with their address re-escaped, and images become their description.
enum GuidanceMarkdown {
    static func html(_ markdown: String) -> String {
        var parser = MarkdownParser()
        parser.addModifier(Modifier(target: .links) { html, markdown in link(html: html, markdown: String(markdown)) })
        // The description is already escaped: it was part of the escaped source.
        parser.addModifier(Modifier(target: .images) { _, markdown in String(markdown.dropFirst(2).prefix { $0 != "]" }) })
        // Code is escaped by Ink itself: undo the escaping done before parsing so "&" shows once.
        let unescape: Modifier.Closure = { input in input.html.replacingOccurrences(of: "&amp;amp;", with: "&amp;").replacingOccurrences(of: "&amp;lt;", with: "&lt;") }
        parser.addModifier(Modifier(target: .inlineCode, closure: unescape))
        parser.addModifier(Modifier(target: .codeBlocks, closure: unescape))
        let escaped = markdown.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return parser.html(from: escaped)
            .replacingOccurrences(of: "<table>", with: "<table class=\"th-table\">")
            .replacingOccurrences(of: "<ul>", with: "<ul class=\"th-list th-list--bullet\">")
            .replacingOccurrences(of: "<ol>", with: "<ol class=\"th-list th-list--number\">")
    }

    /// `[text](address "title")` as a link only when the address is a web, mail or phone address or a path on this site.
    static func link(html: String, markdown: String) -> String {
        let text: String
        if let open = html.firstIndex(of: ">"), let close = html.range(of: "</a>", options: .backwards), open < close.lowerBound {
            text = String(html[html.index(after: open)..<close.lowerBound])
        } else {
            text = html
        }
        guard let start = markdown.range(of: "](", options: .backwards), markdown.hasSuffix(")") else { return text }
        let target = markdown[start.upperBound..<markdown.index(before: markdown.endIndex)]
        let address = String(target.prefix { !$0.isWhitespace }).replacingOccurrences(of: "&amp;", with: "&")
        let lower = address.lowercased()
        let safe = ["https://", "http://", "mailto:", "tel:"].contains { lower.hasPrefix($0) } || (address.hasPrefix("/") && !address.hasPrefix("//"))
        guard safe, !address.contains("\\") else { return text }
        let external = lower.hasPrefix("http")
        return "<a class=\"th-link\" href=\"\(XMLText.escape(address))\"\(external ? " rel=\"noreferrer noopener\"" : "")>\(text)</a>"
    }
}
