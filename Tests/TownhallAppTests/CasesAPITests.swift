import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TownhallKernel

/// The case API and Open311 GeoReport v2 over HTTP, in process.
@Suite struct CasesAPITests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
    static let report = """
        {"service_code": "587", "description": "Sofa in the back street", "attributes": {"waste_type": "furniture", "quantity": "van"},
         "name": "Ann Clegg", "email": "ann@example.com", "location": {"postcode": "BB11 2BD", "address": "Back Parker Street"}}
        """

    @Test func logWorkAndTrackACase() async throws {
        try await HTTPHarness.run { h in
            let created = try await h.call(.post, "/api/v1/cases", key: h.burnleyCases, json: Self.report)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            let reference = try #require(created.json["reference"] as? String)
            #expect(created.json["sla_state"] as? String == "on_track")
            #expect((created.json["location"] as? [String: Any])?["postcode"] as? String == "BB11 2BD")

            let queue = try await h.call(.get, "/api/v1/cases?status=new&service_code=587&own=true", key: h.burnleyCases)
            #expect((queue.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            #expect(try await h.call(.get, "/api/v1/cases?status=resolved", key: h.burnleyCases).json["items"] as? [Any] != nil)

            let moved = try await h.call(.post, "/api/v1/cases/\(id)/status", key: h.burnleyCases, json: #"{"status": "in_progress", "version": 1, "update": "A crew is on the way."}"#)
            #expect(moved.status == .ok)
            #expect(moved.json["version"] as? Int == 2)
            let stale = try await h.call(.post, "/api/v1/cases/\(id)/status", key: h.burnleyCases, json: #"{"status": "resolved", "version": 1}"#)
            #expect(stale.status == .conflict)
            #expect(stale.error["code"] == "stale_version")
            let invalid = try await h.call(.post, "/api/v1/cases/\(id)/status", key: h.burnleyCases, json: #"{"status": "new", "version": 2}"#)
            #expect(invalid.status == .conflict)
            #expect(invalid.error["field"] == "status")
            let note = try await h.call(.post, "/api/v1/cases/\(id)/notes", key: h.burnleyCases, json: #"{"text": "Resident is vulnerable; call first."}"#)
            #expect(note.status == .created)

            let record = try await h.call(.get, "/api/v1/cases/\(id)", key: h.burnleyCases)
            #expect((record.json["events"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["created", "status_changed", "note"])

            // The public track page shows progress and public updates, never notes, names or emails.
            let track = try await h.call(.get, "/api/v1/track/\(reference)")
            #expect(track.status == .ok)
            #expect(track.json["status"] as? String == "in_progress")
            #expect(!track.text.contains("vulnerable"))
            #expect(!track.text.contains("ann@example.com"))
            #expect(!track.text.contains("Ann Clegg"))
            #expect(track.text.contains("A crew is on the way."))
            #expect(try await h.call(.get, "/api/v1/track/TH-26-999999").status == .notFound)

            let photo = try await h.call(.post, "/api/v1/cases/\(id)/attachments?filename=sofa.jpg", key: h.burnleyCases,
                                         body: ByteBuffer(bytes: [0xFF, 0xD8, 0xFF] + [UInt8](repeating: 0xFF, count: 997)), headers: [.contentType: "image/jpeg"])
            #expect(photo.status == .created)
            let big = try await h.call(.post, "/api/v1/cases/\(id)/attachments?filename=big.jpg", key: h.burnleyCases,
                                       body: ByteBuffer(repeating: 0xFF, count: 5 * 1024 * 1024 + 1), headers: [.contentType: "image/jpeg"])
            #expect(big.status == .contentTooLarge)

            let month = String(Timestamp.now.iso.prefix(7))
            let summary = try await h.call(.get, "/api/v1/sla/summary?organisation=burnley&month=\(month)", key: h.burnleyCases)
            #expect(summary.status == .ok)
            #expect(summary.json["rows"] as? [Any] != nil)
            #expect(try await h.call(.get, "/api/v1/sla/summary?organisation=burnley&month=26-11", key: h.burnleyCases).error["field"] == "month")

            // Recomputing needs cases.manage; with nothing changed since the case was logged, no clock moves.
            #expect(try await h.call(.post, "/api/v1/sla/recompute", key: h.burnleyCases).status == .forbidden)
            let manager = try await h.scenario.access.createAPIKey(organisation: h.scenario.burnley.id, name: "manager", scopes: [.admin], by: nil).1
            let recomputed = try await h.call(.post, "/api/v1/sla/recompute", key: manager)
            #expect(recomputed.status == .ok)
            #expect(recomputed.json["recomputed"] as? Int == 1)
            #expect(recomputed.json["changed"] as? Int == 0)
        }
    }

    @Test func badCaseInputIsRefusedNamingTheFieldAndChangesNothing() async throws {
        try await HTTPHarness.run { h in
            let before = try await h.count("case_record")
            for (body, field) in [
                (#"{"service_code": "587", "location": {"postcode": "BB11 2BD"}, "attributes": {"waste_type": "sofa", "quantity": "van"}}"#, "attributes.waste_type"),
                (#"{"service_code": "587", "location": {"postcode": "BB11 2BD"}, "attributes": {"quantity": "van"}}"#, "attributes.waste_type"),
                (#"{"service_code": "999", "location": {"postcode": "BB11 2BD"}}"#, "service_code"),
                (#"{"service_code": "587", "location": {}, "attributes": {"waste_type": "garden", "quantity": "van"}}"#, "location"),
                (#"{"service_code": "587", "location": {"postcode": "BB11 2BD"}, "colour": "red"}"#, "colour"),
                (#"{"service_code": "587", "location": {"postcode": "BB11 2BD", "colour": "red"}}"#, "location.colour"),
                (#"{"service_code": "587", "location": {"postcode": "BB11 2BD"}, "priority": "whenever"}"#, "priority"),
                (#"{"service_code": "587", "location": {"postcode": "not a postcode"}}"#, "location.postcode"),
            ] {
                let response = try await h.call(.post, "/api/v1/cases", key: h.burnleyCases, json: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.error["field"] == field, "\(body)")
            }
            #expect(try await h.count("case_record") == before)
            // A register-only key may not log cases.
            #expect(try await h.call(.post, "/api/v1/cases", key: h.burnleyReader, json: Self.report).status == .forbidden)
        }
    }

    // MARK: Open311

    @Test func open311DiscoveryAndServicesInBothFormats() async throws {
        try await HTTPHarness.run { h in
            let discovery = try await h.call(.get, "/open311/v2/discovery.json")
            #expect(((discovery.json["endpoints"] as? [[String: Any]])?.first?["specification"] as? String) == "http://wiki.open311.org/GeoReport_v2")
            let xml = try await h.call(.get, "/open311/v2/discovery.xml")
            #expect(xml.headers[.contentType] == "text/xml; charset=utf-8")
            #expect(xml.text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<discovery>"))
            #expect(xml.text.contains("<formats><format>text/xml</format><format>application/json</format></formats>"))

            let services = try await h.call(.get, "/open311/v2/services.json?jurisdiction_id=burnley")
            #expect(services.array.compactMap { $0["service_code"] as? String }.sorted() == ["412", "584", "587"])
            #expect(services.array.first { $0["service_code"] as? String == "587" }?["metadata"] as? Bool == true)
            let servicesXML = try await h.call(.get, "/open311/v2/services.xml?jurisdiction_id=burnley")
            #expect(servicesXML.text.contains("<service><service_code>412</service_code><service_name>Noise nuisance</service_name>"))
            // Several jurisdictions are served: one must be named; an unknown one is a 404; errors are arrays.
            let missing = try await h.call(.get, "/open311/v2/services.json")
            #expect(missing.status == .badRequest)
            #expect(missing.array.first?["code"] as? Int == 400)
            let unknown = try await h.call(.get, "/open311/v2/services.xml?jurisdiction_id=atlantis")
            #expect(unknown.status == .notFound)
            #expect(unknown.text.contains("<errors><error><code>404</code><description>"))
            #expect(try await h.call(.get, "/open311/v2/services.csv?jurisdiction_id=burnley").status == .notFound)

            let definition = try await h.call(.get, "/open311/v2/services/587.json?jurisdiction_id=burnley")
            #expect(definition.json["service_code"] as? String == "587")
            let attributes = try #require(definition.json["attributes"] as? [[String: Any]])
            #expect(attributes.map { $0["code"] as? String } == ["waste_type", "quantity", "seen_at"])
            #expect(attributes[0]["datatype"] as? String == "singlevaluelist")
            #expect(attributes[0]["required"] as? Bool == true)
            #expect((attributes[0]["values"] as? [[String: Any]])?.first?["key"] as? String == "household")
            #expect(try await h.call(.get, "/open311/v2/service/587.xml?jurisdiction_id=burnley").text.contains("<service_definition><service_code>587</service_code>"))
            #expect(try await h.call(.get, "/open311/v2/services/999.json?jurisdiction_id=burnley").status == .notFound)
        }
    }

    @Test func open311PostAndReadBack() async throws {
        try await HTTPHarness.run { h in
            let body = "api_key=\(h.burnleyOpen311)&jurisdiction_id=burnley&service_code=587&lat=&long=&address_string=Back+Parker+Street%2C+BB11+2BD"
                + "&attribute%5Bwaste_type%5D=garden&attribute%5Bquantity%5D=bag&first_name=Ann&last_name=Clegg&email=ann%40example.com&description=Bags+of+grass"
            let posted = try await h.call(.post, "/open311/v2/requests.json", body: ByteBuffer(string: body), headers: Self.form)
            #expect(posted.status == .ok)
            let reference = try #require(posted.array.first?["service_request_id"] as? String)
            // api_key in the query string (the open311 PyPI client) works too; the address alone places it with Burnley.
            let viaQuery = try await h.call(.post, "/open311/v2/requests.xml?jurisdiction_id=burnley&api_key=\(h.burnleyOpen311)",
                                            body: ByteBuffer(string: "service_code=584&attribute[offensive]=no&address_string=Town+Hall"), headers: Self.form)
            #expect(viaQuery.status == .ok)
            #expect(viaQuery.text.contains("<service_requests><request><service_request_id>TH-"))

            let one = try await h.call(.get, "/open311/v2/requests/\(reference).json?jurisdiction_id=burnley")
            #expect(one.array.count == 1)
            #expect(one.array[0]["status"] as? String == "open")
            #expect(one.array[0]["agency_responsible"] as? String == "Burnley Borough Council")
            #expect(one.array[0]["expected_datetime"] as? String != nil)
            #expect(one.array[0]["zipcode"] as? String == nil)   // given in words only
            let list = try await h.call(.get, "/open311/v2/requests.json?jurisdiction_id=burnley&service_code=&status=open&start_date=")
            #expect(list.array.count == 2)
            let byID = try await h.call(.get, "/open311/v2/requests.json?jurisdiction_id=burnley&service_request_id=\(reference)&status=closed")
            #expect(byID.array.count == 1)   // ids override every other filter
            #expect(try await h.call(.get, "/open311/v2/requests.json?jurisdiction_id=burnley&start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z").status == .badRequest)
            let extended = try await h.call(.get, "/open311/v2/requests/\(reference).json?jurisdiction_id=burnley&extensions=true")
            #expect((extended.array.first?["attributes"] as? [[String: Any]])?.count == 2)

            // The case is resolved in the back office; FixMyStreet pulls the update.
            let id = try #require(try await h.call(.get, "/api/v1/cases?reference=\(reference)", key: h.burnleyCases).json["items"].flatMap { ($0 as? [[String: Any]])?.first?["id"] as? String })
            #expect(try await h.call(.post, "/api/v1/cases/\(id)/status", key: h.burnleyCases, json: #"{"status": "resolved", "version": 1, "resolution": "fixed", "update": "Cleared."}"#).status == .ok)
            let updates = try await h.call(.get, "/open311/v2/servicerequestupdates.json?jurisdiction_id=burnley")
            let fixed = updates.array.filter { $0["service_request_id"] as? String == reference }
            #expect(fixed.map { $0["status"] as? String } == ["open", "fixed"])
            #expect(try await h.call(.get, "/open311/v2/requests/\(reference).json?jurisdiction_id=burnley").array.first?["status"] as? String == "closed")
            // The citizen says it is back: posted once, recorded once, and the case reopens.
            let update = "api_key=\(h.burnleyOpen311)&service_request_id=\(reference)&update_id=fms-77&status=OPEN&description=It+is+back&updated_datetime=2026-11-22T10:00:00Z"
            let first = try await h.call(.post, "/open311/v2/servicerequestupdates.json", body: ByteBuffer(string: update), headers: Self.form)
            let again = try await h.call(.post, "/open311/v2/servicerequestupdates.json", body: ByteBuffer(string: update), headers: Self.form)
            #expect(first.status == .ok)
            #expect(first.array.first?["update_id"] as? String == again.array.first?["update_id"] as? String)
            #expect(try await h.call(.get, "/open311/v2/requests/\(reference).json?jurisdiction_id=burnley").array.first?["status"] as? String == "open")

            let token = try await h.call(.get, "/open311/v2/tokens/\(id).json")
            #expect(token.array.first?["service_request_id"] as? String == reference)
        }
    }

    @Test func open311RefusalsUseTheSpecsStatusesAndChangeNothing() async throws {
        try await HTTPHarness.run { h in
            let before = try await h.count("case_record")
            func post(_ body: String) async throws -> TestResponse {
                try await h.call(.post, "/open311/v2/requests.json", body: ByteBuffer(string: body), headers: Self.form)
            }
            let noKey = try await post("jurisdiction_id=burnley&service_code=587&address_string=x")
            #expect(noKey.status == .forbidden)
            #expect(noKey.array.first?["code"] as? Int == 403)
            #expect(try await post("api_key=th_bad_key&service_code=587&address_string=x").status == .forbidden)
            #expect(try await post("api_key=\(h.burnleyCases)&service_code=587&address_string=x").status == .forbidden)   // no open311 scope
            let key = "api_key=\(h.burnleyOpen311)&jurisdiction_id=burnley"
            #expect(try await post("\(key)&service_code=999&address_string=x").status == .notFound)
            let missing = try await post("\(key)&service_code=587&address_string=x&attribute[quantity]=bag")
            #expect(missing.status == .badRequest)
            #expect((missing.array.first?["description"] as? String)?.contains("attributes.waste_type") == true)
            #expect(try await post("\(key)&service_code=587&attribute[waste_type]=garden&attribute[quantity]=bag").status == .badRequest)   // no location
            #expect(try await post("\(key)&service_code=587&lat=48.85&long=2.35&attribute[waste_type]=garden&attribute[quantity]=bag").status == .badRequest)
            #expect(try await post("\(key)&service_code=587&lat=53.78&attribute[waste_type]=garden&attribute[quantity]=bag").status == .badRequest)
            #expect(try await post("\(key)&service_code=587&lat=north&long=west").status == .badRequest)
            #expect(try await h.call(.post, "/open311/v2/requests.json", body: ByteBuffer(string: "{}"), headers: [.contentType: "application/json"]).status == .badRequest)
            #expect(try await h.count("case_record") == before)
        }
    }

    /// A multipart/form-data body as FixMyStreet sends it: fields, then photos as `photo1…` file parts.
    static func multipart(_ fields: [(String, String)], files: [(field: String, filename: String, type: String, data: [UInt8])]) -> (ByteBuffer, HTTPFields) {
        let boundary = "----townhall-test-\(UUID().uuidString)"
        var body = ByteBuffer()
        for (name, value) in fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        for f in files {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(f.field)\"; filename=\"\(f.filename)\"\r\nContent-Type: \(f.type)\r\n\r\n")
            body.writeBytes(f.data)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        return (body, [.contentType: "multipart/form-data; boundary=\(boundary)"])
    }

    /// The smallest valid PNG (1×1, one transparent pixel), so the bytes are a real photo format.
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01,
                               0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41,
                               0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49,
                               0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

    @Test func open311MultipartPhotosAreStoredWithTheReportAndServedPublicly() async throws {
        try await HTTPHarness.run { h in
            let fields = [("api_key", h.burnleyOpen311), ("jurisdiction_id", "burnley"), ("service_code", "587"), ("address_string", "Back Parker Street, BB11 2BD"),
                          ("attribute[waste_type]", "garden"), ("attribute[quantity]", "bag"), ("description", "Bags of grass by the gate")]
            let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 0x42, count: 2048) + [0xFF, 0xD9]
            let (body, headers) = Self.multipart(fields, files: [("photo1", "C:\\Users\\ann\\gate.png", "image/png", Self.png), ("photo2", "close-up.jpg", "image/jpeg", jpeg)])
            let posted = try await h.call(.post, "/open311/v2/requests.json", body: body, headers: headers)
            #expect(posted.status == .ok)
            let reference = try #require(posted.array.first?["service_request_id"] as? String)

            let one = try await h.call(.get, "/open311/v2/requests/\(reference).json?jurisdiction_id=burnley&extensions=true")
            let media = try #require(one.array.first?["media_url"] as? String)
            #expect(media.hasPrefix("http://localhost:8080/open311/v2/media/"))
            let photos = try #require((one.array.first?["extended_attributes"] as? [String: Any])?["photos"] as? [String])
            #expect(photos.count == 2)
            #expect(photos.first == media)
            #expect((one.array.first?["description"] as? String) == "Bags of grass by the gate")

            // Anyone may fetch the photo, byte for byte, with its type; the path was stripped from the name.
            let photo = try await h.call(.get, String(media.dropFirst("http://localhost:8080".count)))
            #expect(photo.status == .ok)
            #expect(photo.headers[.contentType] == "image/png")
            let samePhoto = Array(photo.body.readableBytesView) == Self.png
            #expect(samePhoto)
            #expect(photo.headers[.contentDisposition]?.contains("filename=\"gate.png\"") == true)
            let second = try await h.call(.get, String(photos[1].dropFirst("http://localhost:8080".count)))
            #expect(second.body.readableBytes == jpeg.count)

            // Staff see both on the case, and the timeline records them.
            let id = try #require(try await h.call(.get, "/api/v1/cases?reference=\(reference)", key: h.burnleyCases).json["items"].flatMap { ($0 as? [[String: Any]])?.first?["id"] as? String })
            let timeline = try await h.call(.get, "/api/v1/cases/\(id)", key: h.burnleyCases).text
            #expect(timeline.contains("gate.png"))
            #expect(timeline.contains("close-up.jpg"))

            // A staff attachment is not public.
            let letter = try await h.call(.post, "/api/v1/cases/\(id)/attachments?filename=letter.txt", key: h.burnleyCases, body: ByteBuffer(string: "Dear Ms Clegg"),
                                          headers: [.contentType: "text/plain"])
            #expect(letter.status == .created)
            let letterID = try #require(letter.json["id"] as? String)
            let privateLetter = try await h.call(.get, "/open311/v2/media/\(letterID)")
            #expect(privateLetter.status == .notFound, "\(privateLetter.text)")
            #expect(try await h.call(.get, "/open311/v2/media/no-such-photo").status == .notFound)
        }
    }

    @Test func open311MultipartRefusalsChangeNothing() async throws {
        try await HTTPHarness.run { h in
            let cases = try await h.count("case_record"), files = try await h.count("case_attachment")
            let fields = [("api_key", h.burnleyOpen311), ("jurisdiction_id", "burnley"), ("service_code", "587"), ("address_string", "Back Parker Street, BB11 2BD"),
                          ("attribute[waste_type]", "garden"), ("attribute[quantity]", "bag")]
            func post(_ files: [(field: String, filename: String, type: String, data: [UInt8])]) async throws -> TestResponse {
                let (body, headers) = Self.multipart(fields, files: files)
                return try await h.call(.post, "/open311/v2/requests.json", body: body, headers: headers)
            }
            let program = try await post([("photo1", "setup.exe", "application/x-msdownload", [0x4D, 0x5A, 0x90])])
            #expect(program.status == .badRequest)
            #expect((program.array.first?["description"] as? String)?.hasPrefix("photo1:") == true)
            let huge = try await post([("photo1", "huge.jpg", "image/jpeg", Array(repeating: 0xFF, count: 5 * 1024 * 1024 + 1))])
            #expect(huge.status == .badRequest)
            #expect((huge.array.first?["description"] as? String)?.contains("5 MiB") == true)
            let four = try await post((1...4).map { ("photo\($0)", "p\($0).png", "image/png", Self.png) })
            #expect(four.status == .badRequest)
            #expect((four.array.first?["description"] as? String)?.hasPrefix("photo4:") == true)
            // A good photo with a bad report writes neither.
            let (body, headers) = Self.multipart([("api_key", h.burnleyOpen311), ("jurisdiction_id", "burnley"), ("service_code", "587"), ("address_string", "x")],
                                                 files: [("photo1", "ok.png", "image/png", Self.png)])
            #expect(try await h.call(.post, "/open311/v2/requests.json", body: body, headers: headers).status == .badRequest)
            let broken = try await h.call(.post, "/open311/v2/requests.json", body: ByteBuffer(string: "--abc\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nunterminated"),
                                          headers: [.contentType: "multipart/form-data; boundary=abc"])
            #expect(broken.status == .badRequest)
            #expect(try await h.call(.post, "/open311/v2/requests.json", body: ByteBuffer(string: "x"), headers: [.contentType: "multipart/form-data"]).status == .badRequest)
            #expect(try await h.count("case_record") == cases)
            #expect(try await h.count("case_attachment") == files)
        }
    }
}
