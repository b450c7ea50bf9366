import Access
import Cases
import Foundation
import Hummingbird
import TownhallDatabase
import TownhallHTTP
import Partnership
import TownhallKernel

/// A GeoReport v2 value, rendered as JSON or as the spec's XML from one tree so the two formats cannot drift apart.
indirect enum GeoValue {
    case string(String?)
    case number(Double?)
    case int(Int?)
    case bool(Bool)
    case object([(String, GeoValue)])
    case list(item: String, [GeoValue])

    /// The JSON form: keys sorted by `JSONWriter`, as the spec's examples list them.
    var json: BodyValue {
        switch self {
        case .string(let s): s.map(BodyValue.string) ?? .null
        case .number(let n): n.map(BodyValue.double) ?? .null
        case .int(let n): n.map { .int(Int64($0)) } ?? .null
        case .bool(let b): .bool(b)
        case .object(let pairs): .object(pairs.map { BodyValue.Field($0.0, $0.1.json) })
        case .list(_, let items): .array(items.map(\.json))
        }
    }

    func xml(into out: inout String) {
        switch self {
        case .string(let s): out += XMLText.escape(s ?? "")
        case .number(let n): out += n.map { String($0) } ?? ""
        case .int(let n): out += n.map(String.init) ?? ""
        case .bool(let b): out += b ? "true" : "false"
        case .object(let pairs): for (k, v) in pairs { out += "<\(k)>"; v.xml(into: &out); out += "</\(k)>" }
        case .list(let item, let items): for v in items { out += "<\(item)>"; v.xml(into: &out); out += "</\(item)>" }
        }
    }
}

enum GeoFormat: String {
    case json, xml
    var contentType: String { self == .json ? "application/json; charset=utf-8" : "text/xml; charset=utf-8" }
}

/// What an endpoint answers: a value to render, or one rendered from reference data and kept while `tag` holds.
enum Open311Answer {
    case value(String, GeoValue)
    case kept(key: String, tag: String, render: () -> (String, GeoValue))

    static func value(_ pair: (String, GeoValue)) -> Open311Answer { .value(pair.0, pair.1) }
}

/// A failure in the spec's shape: the status and an array of `{code, description}`.
struct Open311Error: Error {
    var status: HTTPResponse.Status
    var description: String

    init(_ status: HTTPResponse.Status, _ description: String) { self.status = status; self.description = description }

    init(_ error: TownhallError) {
        switch error.kind {
        case .notFound: status = .notFound
        case .forbidden, .unauthenticated: status = .forbidden
        default: status = error.code == "unknown_service" ? .notFound : .badRequest
        }
        description = error.field.map { "\($0): \(error.message)" } ?? error.message
    }
}

/// GeoReport v2 under /open311/v2, JSON and XML, with discovery, tokens and FixMyStreet's servicerequestupdates.
/// `jurisdiction_id` is an organisation's slug; `api_key` (an API key with the open311 scope) comes from the body or the
/// query string; empty parameters count as absent.
public struct Open311Routes: APIArea {
    let cases: Cases
    let partnership: Partnership
    let access: Access
    let publicURL: String
    /// Service lists, rendered once per change of the catalogue.
    let bodies = RenderedBodies()

    public init(services: ServiceRegistry) {
        cases = services.require(Cases.self); partnership = services.require(Partnership.self); access = services.require(Access.self)
        publicURL = services.settings.publicURL
    }

    public func addRoutes(api: RouterGroup<TownhallContext>, root router: Router<TownhallContext>) {
        let group = router.group("open311/v2")
        group.get(":file") { request, context in
            try await handle(request, context) { call, request, context in
                call.name == "services" ? try await serviceList(call) : .value(try await top(call, request, context))
            }
        }
        group.post(":file") { request, context in try await handle(request, context) { .value(try await post($0, $1, $2)) } }
        group.get("services/:file") { request, context in try await handle(request, context) { call, _, _ in try await serviceDefinition(call) } }
        // The `open311` PyPI client asks for service/{code} (singular).
        group.get("service/:file") { request, context in try await handle(request, context) { call, _, _ in try await serviceDefinition(call) } }
        group.get("requests/:file") { request, context in try await handle(request, context) { .value(try await oneRequest($0, $1, $2)) } }
        group.get("tokens/:file") { request, context in try await handle(request, context) { .value(try await token($0, $1, $2)) } }
        // Photos sent with reports, which `media_url` points at.
        group.get("media/:id") { _, context in
            let found: (CaseAttachment, Data)
            do { found = try await cases.publicAttachment(try context.parameters.require("id")) } catch let e as TownhallError where e.kind == .notFound {
                throw HTTPError(.notFound, message: "There is no such photo.")
            }
            let (meta, data) = found
            var headers = HTTPFields()
            headers[.contentType] = meta.contentType
            headers[.cacheControl] = "public, max-age=86400"
            headers[.contentDisposition] = "inline; filename=\"\(meta.filename.replacingOccurrences(of: "\"", with: ""))\""
            headers[.init("X-Content-Type-Options")!] = "nosniff"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    func mediaURL(_ a: CaseAttachment) -> String { publicURL + "/open311/v2/media/" + a.id }

    // MARK: Plumbing

    struct Call {
        var name: String
        var format: GeoFormat
        var params: [String: [String]]
        var files: [UploadedFile] = []
        func value(_ key: String) -> String? { params[key]?.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } }
    }

    func handle(_ request: Request, _ context: TownhallContext, _ body: (Call, Request, TownhallContext) async throws -> Open311Answer) async throws -> Response {
        let file = (try? context.parameters.require("file")) ?? ""
        let dot = file.lastIndex(of: ".")
        let format = dot.flatMap { GeoFormat(rawValue: String(file[file.index(after: $0)...]).lowercased()) }
        guard let dot, let format else {
            return Open311Routes.render(errorIn: .xml, Open311Error(.notFound, "Bad extension. We support .xml and .json"))
        }
        do {
            var params = FormBody.parse(urlencoded: request.uri.query ?? "")
            var files: [UploadedFile] = []
            if request.method == .post {
                // Form-encoded, or multipart when a client (FixMyStreet, `three`) sends photos as files.
                let form: FormBody
                do {
                    form = try await FormBody.read(request, limit: context.maxUploadSize,
                                                   multipartLimit: CaseAttachment.maximumPerReport * CaseAttachment.maximumSize + context.maxUploadSize)
                } catch let e as TownhallError { throw Open311Error(.badRequest, e.message) }
                for (k, v) in form.fields { params[k, default: []] += v }
                files = form.files
            }
            switch try await body(Call(name: String(file[..<dot]), format: format, params: params, files: files), request, context) {
            case .value(let root, let value):
                return Open311Routes.render(format, root: root, value)
            case .kept(let key, let tag, let render):
                return bodies.response(for: request, key: "\(key).\(format.rawValue)", tag: tag, contentType: format.contentType) {
                    let (root, value) = render()
                    return Open311Routes.bytes(format, root: root, value)
                }
            }
        } catch let e as Open311Error {
            return Open311Routes.render(errorIn: format, e)
        } catch let e as TownhallError {
            return Open311Routes.render(errorIn: format, Open311Error(e))
        } catch let e as HTTPError where e.status == .notFound {
            return Open311Routes.render(errorIn: format, Open311Error(.notFound, "Not found."))
        } catch {
            context.logger.error("open311 failure", metadata: ["error": .string(String(reflecting: error))])
            return Open311Routes.render(errorIn: format, Open311Error(.badRequest, "The request could not be completed (request \(context.requestID))."))
        }
    }

    static func render(_ format: GeoFormat, root: String, _ value: GeoValue, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = format.contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes(format, root: root, value))))
    }

    static func bytes(_ format: GeoFormat, root: String, _ value: GeoValue) -> [UInt8] {
        switch format {
        case .json:
            return JSONWriter.bytes(value.json)
        case .xml:
            var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<\(root)>"
            value.xml(into: &out)
            out += "</\(root)>\n"
            return Array(out.utf8)
        }
    }

    static func render(errorIn format: GeoFormat, _ error: Open311Error) -> Response {
        render(format, root: "errors", .list(item: "error", [.object([("code", .int(Int(error.status.code))), ("description", .string(error.description))])]), status: error.status)
    }

    /// The organisation a call is for: `jurisdiction_id`, else the API key's, else the platform's only council.
    func jurisdiction(_ call: Call, key: APIKey? = nil) async throws -> Organisation {
        if let slug = call.value("jurisdiction_id") {
            do { return try await partnership.organisation(slug: slug) } catch { throw Open311Error(.notFound, "jurisdiction_id \(slug) is not served here.") }
        }
        if let key { return try await partnership.organisation(id: key.organisationID) }
        let all = try await partnership.organisations()
        let councils = all.filter(\.kind.isCouncil)
        if councils.count == 1 { return councils[0] }
        throw Open311Error(.badRequest, "jurisdiction_id is required here. It is one of: \(all.map(\.slug).joined(separator: ", ")).")
    }

    func key(_ call: Call, requestID: String) async throws -> (APIKey, Actor) {
        guard let secret = call.value("api_key") else { throw Open311Error(.forbidden, "api_key is required to post.") }
        guard let key = try await access.apiKey(secret: secret), key.scopes.contains(.open311) || key.scopes.contains(.admin) else {
            throw Open311Error(.forbidden, "The api_key is not valid for Open311.")
        }
        return (key, access.actor(for: key, channel: .open311, requestID: requestID))
    }

    static func time(_ raw: String?, field: String) throws -> Timestamp? {
        guard let raw else { return nil }
        guard let d = Open311Time.parse(raw) else { throw Open311Error(.badRequest, "\(field) must be a W3C date and time with a zone, like 2026-11-01T00:00:00Z.") }
        return Timestamp(d)
    }

    // MARK: Endpoints

    func top(_ call: Call, _ request: Request, _ context: TownhallContext) async throws -> (String, GeoValue) {
        switch call.name {
        case "discovery":
            let endpoint = GeoValue.object([
                ("specification", .string("http://wiki.open311.org/GeoReport_v2")), ("url", .string(publicURL + "/open311/v2")),
                ("changeset", .string("2026-11-22T00:00:00Z")), ("type", .string("production")),
                ("formats", .list(item: "format", [.string("text/xml"), .string("application/json")])),
            ])
            return ("discovery", .object([
                ("changeset", .string("2026-11-22T00:00:00Z")), ("contact", .string("The partnership's Townhall administrators")),
                ("key_service", .string("Ask an administrator of your organisation for a key: townhall apikey create --organisation SLUG --scope open311")),
                ("endpoints", .list(item: "endpoint", [endpoint])),
            ]))
        case "requests":
            return try await requests(call)
        case "servicerequestupdates":
            let organisation = try await jurisdiction(call)
            let from = try Open311Routes.time(call.value("start_date"), field: "start_date"), to = try Open311Routes.time(call.value("end_date"), field: "end_date")
            let updates = try await cases.open311Updates(organisation: organisation.id, from: from, to: to)
            return ("service_request_updates", .list(item: "request_update", updates.map { u in
                .object([("update_id", .string(u.event.id.string)), ("service_request_id", .string(u.reference)), ("status", .string(u.status)),
                         ("updated_datetime", .string(Open311Time.format(u.event.at))), ("description", .string(u.event.text ?? u.event.kind.title)),
                         ("media_url", .string(""))])
            }))
        default:
            throw Open311Error(.notFound, "There is no \(call.name) resource.")
        }
    }

    /// The jurisdiction's public services, rendered once per change of its catalogue.
    func serviceList(_ call: Call) async throws -> Open311Answer {
        let organisation = try await jurisdiction(call)
        let catalogue = try await cases.catalogue(organisation: organisation.id, publicOnly: true)
        return .kept(key: "services/\(organisation.id)", tag: catalogue.tag) {
            ("services", .list(item: "service", catalogue.services.map { s in
                .object([("service_code", .string(s.code)), ("service_name", .string(s.name)), ("description", .string(s.description)),
                         ("metadata", .bool(!s.attributes.isEmpty)), ("type", .string("realtime")), ("keywords", .string(s.keywords.joined(separator: ","))),
                         ("group", .string(s.group))])
            }))
        }
    }

    func requests(_ call: Call) async throws -> (String, GeoValue) {
        let organisation = try await jurisdiction(call)
        var f = Cases.Open311Filter()
        if let ids = call.value("service_request_id") {
            // The spec: a list of ids overrides every other filter.
            f.references = ids.split(separator: ",").compactMap { CaseReference.normalise(String($0)) }
            guard !f.references.isEmpty else { return ("service_requests", .list(item: "request", [])) }
        } else {
            f.serviceCodes = (call.value("service_code") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let statuses = Set((call.value("status") ?? "").lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            if let bad = statuses.first(where: { $0 != "open" && $0 != "closed" }) { throw Open311Error(.badRequest, "status \(bad) is not open or closed.") }
            if statuses.count == 1 { f.open = statuses.contains("open") }
            let end = try Open311Routes.time(call.value("end_date"), field: "end_date")
            var start = try Open311Routes.time(call.value("start_date"), field: "start_date")
            if let s = start, let e = end {
                guard e >= s else { throw Open311Error(.badRequest, "end_date is before start_date.") }
                guard e.date.timeIntervalSince(s.date) <= 90 * 86_400 else { throw Open311Error(.badRequest, "A date range can be at most 90 days.") }
            }
            if start == nil { start = (end ?? .now).adding(seconds: -90 * 86_400) }   // the spec's default window
            f.from = start
            f.to = end
        }
        if let size = call.value("page_size") {
            guard let n = Int(size), (1...1000).contains(n) else { throw Open311Error(.badRequest, "page_size is a whole number from 1 to 1000.") }
            f.limit = n
        }
        if let page = call.value("page") {
            guard let n = Int(page), (1...10_000).contains(n) else { throw Open311Error(.badRequest, "page is a whole number from 1.") }
            f.page = n
        }
        let extensions = call.value("extensions")?.lowercased() == "true"
        let found = try await cases.open311Requests(organisation: organisation.id, filter: f)
        return ("service_requests", .list(item: "request", found.map { requestValue($0, extensions: extensions) }))
    }

    func requestValue(_ r: Cases.Open311Request, extensions: Bool) -> GeoValue {
        let c = r.case
        var fields: [(String, GeoValue)] = [
            ("service_request_id", .string(c.reference)), ("status", .string(c.status.open311)), ("status_notes", .string(r.statusNotes)),
            ("service_name", .string(c.serviceName)), ("service_code", .string(c.serviceCode)), ("description", .string(c.description)),
            ("agency_responsible", .string(r.agency)), ("service_notice", .string(nil)),
            ("requested_datetime", .string(Open311Time.format(c.createdAt))), ("updated_datetime", .string(Open311Time.format(c.updatedAt))),
            ("expected_datetime", .string(c.dueAt.map(Open311Time.format))), ("address", .string(c.location.address)),
            ("address_id", .string(c.location.uprn.map { String($0.value) })), ("zipcode", .string(c.location.postcode?.value)),
            ("lat", .number(c.location.latitude)), ("long", .number(c.location.longitude)),
            ("media_url", .string(c.mediaURLs.first ?? r.photos.first.map(mediaURL))),
        ]
        if extensions {
            let photos = c.mediaURLs + r.photos.map(mediaURL)
            fields.append(("extended_attributes", .object([("channel", .string(c.channel.rawValue)),
                                                           ("fixmystreet_status", .string(Cases.fixMyStreetStatus(c.status, resolution: c.resolution))),
                                                           ("photos", .list(item: "photo", photos.map { .string($0) }))])))
            fields.append(("notes", .list(item: "note", r.notes.map { e in
                .object([("datetime", .string(Open311Time.format(e.at))), ("description", .string(e.text ?? e.kind.title)), ("type", .string(e.kind.rawValue))])
            })))
            fields.append(("attributes", .list(item: "attribute", c.attributes.sorted { $0.key < $1.key }.map { k, v in
                .object([("code", .string(k)), ("name", .string(k)), ("value", .string(v.joined(separator: ",")))])
            })))
        }
        return .object(fields)
    }

    /// A public service's form, rendered once per change of the jurisdiction's catalogue (clients ask for every service's).
    func serviceDefinition(_ call: Call) async throws -> Open311Answer {
        let organisation = try await jurisdiction(call)
        let catalogue = try await cases.catalogue(organisation: organisation.id, publicOnly: true)
        guard let service = catalogue.services.first(where: { $0.code == call.name }) else {
            throw TownhallError(.notFound, code: "unknown_service", message: "There is no service with the code \(call.name) here.", field: "service_code")
        }
        return .kept(key: "service/\(organisation.id)/\(service.code)", tag: catalogue.tag) {
            let attributes: [GeoValue] = service.attributes.map { a in
                .object([("variable", .bool(a.variable)), ("code", .string(a.code)), ("datatype", .string(a.datatype.rawValue)), ("required", .bool(a.required)),
                         ("datatype_description", .string(a.datatypeDescription ?? "")), ("order", .int(a.order)), ("description", .string(a.description)),
                         ("values", .list(item: "value", a.values.map { .object([("key", .string($0.key)), ("name", .string($0.name))]) }))])
            }
            return ("service_definition", .object([("service_code", .string(service.code)), ("attributes", .list(item: "attribute", attributes))]))
        }
    }

    func oneRequest(_ call: Call, _ request: Request, _ context: TownhallContext) async throws -> (String, GeoValue) {
        let organisation = try await jurisdiction(call)
        guard let reference = CaseReference.normalise(call.name) else { throw Open311Error(.notFound, "There is no service request \(call.name).") }
        var f = Cases.Open311Filter()
        f.references = [reference]
        let found = try await cases.open311Requests(organisation: organisation.id, filter: f)
        guard !found.isEmpty else { throw Open311Error(.notFound, "There is no service request \(call.name).") }
        return ("service_requests", .list(item: "request", found.map { requestValue($0, extensions: call.value("extensions")?.lowercased() == "true") }))
    }

    func token(_ call: Call, _ request: Request, _ context: TownhallContext) async throws -> (String, GeoValue) {
        guard let c = try await cases.open311Request(token: call.name) else { throw Open311Error(.notFound, "There is no token \(call.name).") }
        return ("service_requests", .list(item: "request", [.object([("service_request_id", .string(c.reference)), ("token", .string(call.name))])]))
    }

    func post(_ call: Call, _ request: Request, _ context: TownhallContext) async throws -> (String, GeoValue) {
        let (key, actor) = try await self.key(call, requestID: context.requestID)
        let organisation = try await jurisdiction(call, key: key)
        switch call.name {
        case "requests":
            guard let code = call.value("service_code") else { throw Open311Error(.badRequest, "service_code is required.") }
            var answers: [String: [String]] = [:]
            for (k, values) in call.params where k.hasPrefix("attribute[") {
                var name = String(k.dropFirst("attribute[".count))
                if name.hasSuffix("[]") { name.removeLast(2) }
                guard name.hasSuffix("]") else { continue }
                name.removeLast()
                answers[name, default: []] += values.filter { !$0.isEmpty }
            }
            let lat = try call.value("lat").map { raw in guard let d = Double(raw) else { throw Open311Error(.badRequest, "lat must be a number.") }; return d }
            let long = try call.value("long").map { raw in guard let d = Double(raw) else { throw Open311Error(.badRequest, "long must be a number.") }; return d }
            var uprn: UPRN?
            if let id = call.value("address_id"), id != "#NOTPINPOINTED#" { uprn = try? UPRN(parsing: id) }
            if uprn == nil, let raw = answers.removeValue(forKey: "uprn")?.first { uprn = try? UPRN(parsing: raw) }
            let name = [call.value("first_name"), call.value("last_name")].compactMap { $0 }.joined(separator: " ")
            let input = Cases.NewCase(serviceCode: code, sentTo: organisation.id, description: call.value("description"), attributes: answers,
                                      contact: CaseContact(name: name.isEmpty ? nil : name, email: call.value("email"), phone: call.value("phone")),
                                      location: CaseLocation(uprn: uprn, latitude: lat, longitude: long, address: call.value("address_string")),
                                      channel: .open311, mediaURLs: (call.params["media_url"] ?? []).filter { !$0.isEmpty },
                                      attachments: call.files.map { NewAttachment(filename: $0.filename, contentType: $0.contentType, content: $0.content, field: $0.field) })
            let c = try await cases.create(input, by: actor)
            let notice = c.organisationID == organisation.id ? "Your reference is \(c.reference)." : "Your reference is \(c.reference). It has been passed to the organisation responsible."
            return ("service_requests", .list(item: "request", [.object([("service_request_id", .string(c.reference)), ("service_notice", .string(notice)),
                                                                        ("account_id", .string(call.value("account_id")))])]))
        case "servicerequestupdates":
            guard let reference = call.value("service_request_id") else { throw Open311Error(.badRequest, "service_request_id is required.") }
            let id = try await cases.receiveOpen311Update(reference: reference, updateID: call.value("update_id") ?? "", status: call.value("status") ?? "",
                                                          description: call.value("description") ?? "", by: actor)
            return ("service_request_updates", .list(item: "request_update", [.object([("update_id", .string(id))])]))
        default:
            throw Open311Error(.notFound, "There is no \(call.name) resource to post to.")
        }
    }
}
