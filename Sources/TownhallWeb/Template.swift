import TownhallHTTP

/// A Mustache template compiled once, rendered over a `BodyValue` (a view model encoded by `BodyEncoder`).
///
/// Why not swift-mustache, which rendered the pages until issue 29: with the view models as plain values it no longer
/// reflected, but it still cast every value it looked up to five protocols and escaped HTML a `Character` at a time;
/// on the case queue that was half of the server's time. This renderer reads only `BodyValue`s, so a lookup is a switch
/// and escaping walks bytes. It implements what the templates use, with the Mustache specification's rules, which are
/// swift-mustache's: variables (`{{name}}` escaped, `{{{name}}}` and `{{&name}}` not), sections (`{{#name}}`: a list
/// repeats, `true` shows, a value is entered, false, empty and absent hide), inverted sections (`{{^name}}`), partials
/// (`{{> name}}`, indented as the tag), comments, dotted names and `{{.}}`; a tag alone on its line takes the line with
/// it. `TemplateEquivalenceTests` renders every template both ways and compares the bytes.
struct Template: Sendable {
    indirect enum Node: Sendable {
        case text([UInt8])
        case variable([String], escaped: Bool)
        case section([String], [Node], inverted: Bool)
        case partial(String, indentation: [UInt8])
    }

    let nodes: [Node]

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    init(_ source: String) throws {
        nodes = try Self.build(Self.standalone(Self.lex(Array(source.utf8))))
    }

    // MARK: Parsing

    enum Piece {
        case text([UInt8])      // never holds a newline
        case newline([UInt8])   // "\n" or "\r\n"
        case tag(kind: UInt8, name: String)   // kind: # ^ / ! > & or 0 for a variable
    }

    static func lex(_ s: [UInt8]) throws -> [Piece] {
        var pieces: [Piece] = []
        var text: [UInt8] = []
        var i = 0
        func flush() { if !text.isEmpty { pieces.append(.text(text)); text = [] } }
        while i < s.count {
            let c = s[i]
            if c == 0x0A || (c == 0x0D && i + 1 < s.count && s[i + 1] == 0x0A) {
                flush()
                let width = c == 0x0A ? 1 : 2
                pieces.append(.newline(Array(s[i..<(i + width)])))
                i += width
            } else if c == UInt8(ascii: "{"), i + 1 < s.count, s[i + 1] == UInt8(ascii: "{") {
                flush()
                let triple = i + 2 < s.count && s[i + 2] == UInt8(ascii: "{")
                let start = i + (triple ? 3 : 2)
                let close: [UInt8] = triple ? Array("}}}".utf8) : Array("}}".utf8)
                guard let end = find(close, in: s, from: start) else { throw ParseError(description: "a tag is not closed") }
                var body = Array(s[start..<end])
                var kind: UInt8 = 0
                if triple {
                    kind = UInt8(ascii: "&")
                } else if let first = body.first, "#^/!>&".utf8.contains(first) {
                    kind = first
                    body.removeFirst()
                } else if body.first == UInt8(ascii: "=") {
                    throw ParseError(description: "changing delimiters is not supported")
                }
                let name = String(decoding: body, as: UTF8.self).trimmingSpaces
                pieces.append(.tag(kind: kind, name: name))
                i = end + close.count
            } else {
                text.append(c)
                i += 1
            }
        }
        flush()
        return pieces
    }

    static func find(_ needle: [UInt8], in s: [UInt8], from start: Int) -> Int? {
        var i = start
        while i + needle.count <= s.count {
            if s[i] == needle[0] && Array(s[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }

    /// A section, inverted section, closing, comment or partial tag that is alone on its line, with only spaces or
    /// tabs around it, takes the whole line with it; a partial keeps the spaces before it as its indentation.
    enum Flat {
        case text([UInt8])
        case tag(kind: UInt8, name: String, indentation: [UInt8])
    }

    static func standalone(_ pieces: [Piece]) -> [Flat] {
        var out: [Flat] = []
        var line: [Piece] = []
        func isBlank(_ t: [UInt8]) -> Bool { t.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
        func emit(_ line: [Piece], atEnd: Bool) {
            let tags = line.enumerated().filter { if case .tag = $0.element { return true } else { return false } }
            if tags.count == 1, case .tag(let kind, let name) = tags[0].element, "#^/!>".utf8.contains(kind) {
                let before = line[..<tags[0].offset], after = line[(tags[0].offset + 1)...]
                let blankBefore = before.allSatisfy { if case .text(let t) = $0 { return isBlank(t) } else { return false } }
                // After the tag: nothing but spaces up to the newline; at the end of the template, nothing at all.
                var blankAfter = true
                for piece in after {
                    switch piece {
                    case .text(let t): if !isBlank(t) || atEnd { blankAfter = false }
                    case .newline: break
                    case .tag: blankAfter = false
                    }
                }
                if blankBefore && blankAfter {
                    let indentation = before.flatMap { if case .text(let t) = $0 { return t } else { return [] } }
                    if kind == UInt8(ascii: ">") && !indentation.isEmpty { out.append(.text(indentation)) }
                    out.append(.tag(kind: kind, name: name, indentation: kind == UInt8(ascii: ">") ? indentation : []))
                    return
                }
            }
            for piece in line {
                switch piece {
                case .text(let t), .newline(let t): out.append(.text(t))
                case .tag(let kind, let name): out.append(.tag(kind: kind, name: name, indentation: []))
                }
            }
        }
        for piece in pieces {
            line.append(piece)
            if case .newline = piece { emit(line, atEnd: false); line = [] }
        }
        if !line.isEmpty { emit(line, atEnd: true) }
        return out
    }

    static func build(_ flat: [Flat]) throws -> [Node] {
        var index = 0
        func nodes(until closing: String?) throws -> [Node] {
            var out: [Node] = []
            while index < flat.count {
                let item = flat[index]
                index += 1
                switch item {
                case .text(let t):
                    // Text arrives a line (or a part of one) at a time: each line is its own node, so a partial's
                    // indentation can go before each line.
                    out.append(.text(t))
                case .tag(let kind, let name, let indentation):
                    switch kind {
                    case UInt8(ascii: "#"), UInt8(ascii: "^"):
                        out.append(.section(path(name), try nodes(until: name), inverted: kind == UInt8(ascii: "^")))
                    case UInt8(ascii: "/"):
                        guard name == closing else { throw ParseError(description: "{{/\(name)}} closes nothing open") }
                        return out
                    case UInt8(ascii: "!"): break
                    case UInt8(ascii: ">"): out.append(.partial(name, indentation: indentation))
                    case UInt8(ascii: "&"): out.append(.variable(path(name), escaped: false))
                    default: out.append(.variable(path(name), escaped: true))
                    }
                }
            }
            if let closing { throw ParseError(description: "{{#\(closing)}} is not closed") }
            return out
        }
        return try nodes(until: nil)
    }

    static func path(_ name: String) -> [String] { name == "." ? ["."] : name.split(separator: ".").map(String.init) }

    // MARK: Rendering

    /// Renders into `out`. `partials` resolves `{{> name}}`.
    func render(_ stack: inout [BodyValue], into out: inout [UInt8], partials: (String) -> Template?) {
        Self.render(nodes, &stack, into: &out, indentation: [], partials: partials)
    }

    /// As Mustache does it: inside an indented partial, any output that starts a line is indented, judged within each
    /// template body rendered (so the repeats of a list are each judged on their own, as swift-mustache judged them).
    static func render(_ nodes: [Node], _ stack: inout [BodyValue], into out: inout [UInt8], indentation: [UInt8],
                       partials: (String) -> Template?) {
        let start = out.count
        for node in nodes {
            if indentation.isEmpty {
                renderNode(node, &stack, into: &out, indentation: indentation, partials: partials)
            } else {
                var part: [UInt8] = []
                renderNode(node, &stack, into: &part, indentation: indentation, partials: partials)
                if !part.isEmpty, out.count > start, out.last == 0x0A { out.append(contentsOf: indentation) }
                out.append(contentsOf: part)
            }
        }
    }

    static func renderNode(_ node: Node, _ stack: inout [BodyValue], into out: inout [UInt8], indentation: [UInt8],
                           partials: (String) -> Template?) {
        switch node {
        case .text(let t):
            out.append(contentsOf: t)
        case .variable(let path, let escaped):
            guard let value = lookup(path, in: stack) else { return }
            write(value, escaped: escaped, into: &out)
        case .section(let path, let body, let inverted):
            let value = lookup(path, in: stack)
            if inverted {
                if isFalsy(value) { render(body, &stack, into: &out, indentation: indentation, partials: partials) }
                return
            }
            switch value {
            case nil, .null?, .bool(false)?: return
            case .bool(true)?: render(body, &stack, into: &out, indentation: indentation, partials: partials)
            case .array(let items)?:
                for item in items {
                    stack.append(item)
                    render(body, &stack, into: &out, indentation: indentation, partials: partials)
                    stack.removeLast()
                }
            case let other?:
                stack.append(other)
                render(body, &stack, into: &out, indentation: indentation, partials: partials)
                stack.removeLast()
            }
        case .partial(let name, let more):
            guard let template = partials(name) else { return }
            render(template.nodes, &stack, into: &out, indentation: indentation + more, partials: partials)
        }
    }

    static func isFalsy(_ value: BodyValue?) -> Bool {
        switch value {
        case nil, .null?, .bool(false)?: true
        case .array(let items)?: items.isEmpty
        default: false
        }
    }

    /// The first name is looked for from the innermost context outwards (a null counts as absent, as a nil property
    /// did); the rest are looked for in what it found.
    static func lookup(_ path: [String], in stack: [BodyValue]) -> BodyValue? {
        guard let first = path.first else { return nil }
        if first == "." { return stack.last }
        var found: BodyValue?
        for context in stack.reversed() {
            if let v = context[first], v != .null { found = v; break }
        }
        for name in path.dropFirst() {
            guard let v = found?[name], v != .null else { return nil }
            found = v
        }
        return found
    }

    static func write(_ value: BodyValue, escaped: Bool, into out: inout [UInt8]) {
        switch value {
        case .string(let s): escaped ? escape(s, into: &out) : out.append(contentsOf: s.utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: d.description.utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null, .array, .object: break
        }
    }

    /// The five characters HTML needs escaped, as swift-mustache escaped them; runs without one are copied whole.
    static func escape(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { bytes in
            var run = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                let replacement: StaticString
                switch b {
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                case UInt8(ascii: "'"): replacement = "&#39;"
                default: continue
                }
                if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i])) }
                replacement.withUTF8Buffer { out.append(contentsOf: $0) }
                run = i + 1
            }
            if run < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...])) }
        }
    }
}

extension String {
    var trimmingSpaces: String {
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
