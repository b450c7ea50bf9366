import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TownhallAPI
import TownhallHTTP
import TownhallApp
import TownhallKernel
import TownhallTesting

@Suite struct APITests {
    @Test func healthReadinessAndMetrics() async throws {
        try await HTTPHarness.run { h in
            #expect(try await h.call(.get, "/healthz").status == .ok)
            #expect(try await h.call(.get, "/readyz").text == "ready\n")
            _ = try await h.call(.get, "/api/v1/me", key: h.burnleyReader)
            let metrics = try await h.call(.get, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains("hb_requests"))
        }
    }

    @Test func callersMustAuthenticate() async throws {
        try await HTTPHarness.run { h in
            let none = try await h.call(.get, "/api/v1/people?q=smith")
            #expect(none.status == .unauthorized)
            #expect(none.error["code"] == "unauthenticated")
            #expect(none.headers[.wwwAuthenticate] != nil)
            let bad = try await h.call(.get, "/api/v1/people?q=smith", key: "th_nothing_here")
            #expect(bad.status == .unauthorized)
            #expect(bad.error["code"] == "invalid_api_key")
            let me = try await h.call(.get, "/api/v1/me", key: h.burnleyReader)
            #expect((me.json["organisation"] as? [String: Any])?["slug"] as? String == "burnley")
            #expect(me.json["permissions"] as? [String] == ["register.read"])
        }
    }

    @Test func createAndFindAPersonThroughTheAPI() async throws {
        try await HTTPHarness.run { h in
            let created = try await h.call(.post, "/api/v1/people", key: h.burnleyWriter, json: """
                {"given_name": "Siobhan", "family_name": "Murphy", "date_of_birth": "1985-06-15",
                 "contacts": [{"kind": "mobile", "value": "07700 900 321"}], "preferred_channel": "email"}
                """)
            #expect(created.status == .created)
            let id = try #require((created.json["person"] as? [String: Any])?["id"] as? String)
            let found = try await h.call(.get, "/api/v1/people?q=shiobhan%20murphy", key: h.burnleyReader)
            let items = try #require(found.json["items"] as? [[String: Any]])
            #expect((items.first?["person"] as? [String: Any])?["id"] as? String == id)
            #expect(found.json.keys.contains("next_cursor"))
            let byPhone = try await h.call(.get, "/api/v1/people?q=07700900321", key: h.burnleyReader)
            #expect((byPhone.json["items"] as? [Any])?.count == 1)
        }
    }

    /// The "Bad input" list of the issue: each gets a 4xx naming the problem, and nothing is written.
    @Test(arguments: [
        ("malformed JSON", "{\"given_name\": \"A\",", "malformed_json", nil),
        ("not an object", "[1,2,3]", "malformed_json", nil),
        ("wrong type", "{\"given_name\": 42, \"family_name\": \"B\"}", "wrong_type", "given_name"),
        ("unknown field", "{\"given_name\": \"A\", \"family_name\": \"B\", \"favourite_colour\": \"red\"}", "unknown_field", "favourite_colour"),
        ("missing field", "{\"given_name\": \"A\"}", "missing_field", "family_name"),
        ("bad date", "{\"given_name\": \"A\", \"family_name\": \"B\", \"date_of_birth\": \"31/02/1990\"}", "invalid_date", "date_of_birth"),
        ("future birth", "{\"given_name\": \"A\", \"family_name\": \"B\", \"date_of_birth\": \"2999-01-01\"}", "invalid_date", "date_of_birth"),
        ("bad UPRN", "{\"given_name\": \"A\", \"family_name\": \"B\", \"uprn\": 10001283934312345}", "invalid_uprn", "uprn"),
        ("unknown UPRN", "{\"given_name\": \"A\", \"family_name\": \"B\", \"uprn\": 12345}", "unknown_uprn", "uprn"),
        ("bad phone", "{\"given_name\": \"A\", \"family_name\": \"B\", \"contacts\": [{\"kind\": \"phone\", \"value\": \"call me maybe\"}]}", "invalid_phone", "contacts[0].value"),
        ("SQL in a name", "{\"given_name\": \"Robert'); DROP TABLE person;--\", \"family_name\": \"B\"}", "invalid_name", "given_name"),
        ("empty body", "", "empty_body", nil),
    ] as [(String, String, String, String?)])
    func badPersonInputIsRefusedAndChangesNothing(_ name: String, _ body: String, _ code: String, _ field: String?) async throws {
        try await HTTPHarness.run { h in
            let before = try await h.peopleCount()
            let response = try await h.call(.post, "/api/v1/people", key: h.burnleyWriter, json: body)
            #expect(response.status == .badRequest, "\(name)")
            #expect(response.error["code"] == code, "\(name): \(response.text)")
            #expect(response.error["field"] == field, "\(name)")
            #expect(response.error["message"]?.isEmpty == false)
            #expect(try await h.peopleCount() == before)
        }
    }

    @Test func badPropertyInputNamesTheField() async throws {
        try await HTTPHarness.run { h in
            for (json, field) in [("{\"uprn\": 100, \"paon\": \"1\", \"postcode\": \"ZZ99 3VZ\"}", "postcode"),
                                  ("{\"uprn\": 0, \"paon\": \"1\"}", "uprn"),
                                  ("{\"uprn\": \"12\", \"paon\": \"1\"}", "uprn"),
                                  ("{\"uprn\": 100, \"paon\": \"1\", \"latitude\": 40.0, \"longitude\": -2}", "latitude"),
                                  ("{\"uprn\": 100, \"council_tax_band\": \"Z\", \"paon\": \"1\"}", "council_tax_band")] {
                let r = try await h.call(.post, "/api/v1/properties", key: h.burnleyWriter, json: json)
                #expect(r.status == .badRequest, "\(json)")
                #expect(r.error["field"] == field, "\(json): \(r.text)")
            }
            let ok = try await h.call(.post, "/api/v1/properties", key: h.burnleyWriter, json: "{\"uprn\": 100012536898, \"paon\": \"1\", \"street\": \"Grimshaw Street\", \"postcode\": \"bb112bd\"}")
            #expect(ok.status == .created)
            #expect(ok.json["postcode"] as? String == "BB11 2BD")
            let again = try await h.call(.post, "/api/v1/properties", key: h.burnleyWriter, json: "{\"uprn\": 100012536898, \"paon\": \"1\"}")
            #expect(again.status == .conflict)
            #expect(again.error["code"] == "duplicate_uprn")
        }
    }

    @Test func oversizedBodiesAndWrongMediaTypesAreRefused() async throws {
        try await HTTPHarness.run { h in
            let huge = "{\"given_name\": \"" + String(repeating: "a", count: 1_100_000) + "\", \"family_name\": \"B\"}"
            let tooLarge = try await h.call(.post, "/api/v1/people", key: h.burnleyWriter, json: huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.error["code"] == "body_too_large")
            let wrongType = try await h.call(.post, "/api/v1/people", key: h.burnleyWriter, json: "given_name=A", headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(wrongType.status == .unsupportedMediaType)
            #expect(try await h.peopleCount() == 0)
        }
    }

    @Test func queryParametersAreValidated() async throws {
        try await HTTPHarness.run { h in
            for uri in ["/api/v1/people", "/api/v1/people?q=", "/api/v1/people?q=smith&limit=0", "/api/v1/people?q=smith&limit=abc",
                        "/api/v1/people?q=smith&cursor=forged", "/api/v1/properties?postcode=QA1%201AA", "/api/v1/properties?uprn=N%2FA", "/api/v1/properties",
                        "/api/v1/audit?from=yesterday", "/api/v1/audit?action=destroy"] {
                let r = try await h.call(.get, uri, key: h.burnleyWriter)
                #expect(r.status == .badRequest, "\(uri): \(r.text)")
                #expect(r.error["code"] != nil)
            }
            // SQL and full-text metacharacters are just text
            for q in ["'%20OR%201%3D1%20--", "%22smith%22*", "smith%20NEAR%20jones", "a%25"] {
                let r = try await h.call(.get, "/api/v1/people?q=\(q)", key: h.burnleyWriter)
                #expect(r.status == .ok || r.status == .badRequest, "\(q)")
            }
        }
    }

    @Test func anotherOrganisationsRecordsAreNotFoundAndCannotBeChanged() async throws {
        try await HTTPHarness.run { h in
            let p = try await h.scenario.person("Zara", "Shah", by: h.scenario.pendleAgent)
            let read = try await h.call(.get, "/api/v1/people/\(p.id)", key: h.burnleyWriter)
            #expect(read.status == .notFound)
            let patch = try await h.call(.patch, "/api/v1/people/\(p.id)", key: h.burnleyWriter, json: "{\"version\": 1, \"family_name\": \"Hacked\"}")
            #expect(patch.status == .notFound)
            let notAnID = try await h.call(.get, "/api/v1/people/1%20OR%201=1", key: h.burnleyWriter)
            #expect(notAnID.status == .notFound)
            let own = try await h.call(.get, "/api/v1/people/\(p.id)", key: h.pendleWriter)
            #expect((own.json["person"] as? [String: Any])?["family_name"] as? String == "Shah")
        }
    }

    @Test func permissionsAreEnforced() async throws {
        try await HTTPHarness.run { h in
            let write = try await h.call(.post, "/api/v1/people", key: h.burnleyReader, json: "{\"given_name\": \"A\", \"family_name\": \"B\"}")
            #expect(write.status == .forbidden)
            #expect(write.error["code"] == "forbidden")
            #expect(try await h.call(.get, "/api/v1/audit", key: h.burnleyReader).status == .forbidden)
            #expect(try await h.call(.get, "/api/v1/audit", key: h.burnleyWriter).status == .ok)
            #expect(try await h.call(.post, "/api/v1/organisations", key: h.burnleyWriter, json: "{\"slug\": \"x\", \"name\": \"X\", \"kind\": \"school\"}").status == .forbidden)
        }
    }

    @Test func staleVersionsAreConflicts() async throws {
        try await HTTPHarness.run { h in
            let p = try await h.scenario.person("Leah", "Kelly", by: h.scenario.burnleyAgent)
            let first = try await h.call(.patch, "/api/v1/people/\(p.id)", key: h.burnleyWriter, json: "{\"version\": 1, \"preferred_language\": \"Irish\"}")
            #expect(first.status == .ok)
            let second = try await h.call(.patch, "/api/v1/people/\(p.id)", key: h.burnleyWriter, json: "{\"version\": 1, \"family_name\": \"Kelley\"}")
            #expect(second.status == .conflict)
            #expect(second.error["code"] == "stale_version")
        }
    }

    @Test func subjectAccessExportOverHTTP() async throws {
        try await HTTPHarness.run { h in
            let p = try await h.scenario.person("Leah", "Kelly", email: "leah@example.com", by: h.scenario.burnleyAgent)
            let admin = try await h.scenario.access.createAPIKey(organisation: h.scenario.burnley.id, name: "dpo", scopes: [.admin], by: nil).1
            let export = try await h.call(.get, "/api/v1/people/\(p.id)/subject-access", key: admin)
            #expect(export.status == .ok)
            #expect((export.json["person"] as? [String: Any])?["given_name"] as? String == "Leah")
            #expect((export.json["audit_events"] as? [Any])?.isEmpty == false)
            #expect(try await h.call(.get, "/api/v1/people/\(p.id)/subject-access", key: h.burnleyWriter).status == .forbidden)
        }
    }

    @Test func csvImportOverHTTP() async throws {
        try await HTTPHarness.run { h in
            let admin = try await h.scenario.access.createAPIKey(organisation: h.scenario.burnley.id, name: "gis", scopes: [.admin], by: nil).1
            let csv = "uprn,paon,street,town,postcode\n100012536898,1,Grimshaw Street,Burnley,BB11 2BD\nN/A,2,Grimshaw Street,Burnley,BB11 2BD\n"
            let r = try await h.call(.post, "/api/v1/imports/properties", key: admin, body: ByteBuffer(string: csv), headers: [.contentType: "text/csv"])
            #expect(r.status == .ok)
            #expect(r.json["created"] as? Int == 1)
            let rejected = try #require(r.json["rejected"] as? [[String: Any]])
            #expect(rejected.count == 1 && rejected[0]["line"] as? Int == 3 && rejected[0]["field"] as? String == "uprn")
        }
    }

    @Test func anUndeclaredMethodOnAServedPathIs405WithAllow() async throws {
        try await HTTPHarness.run { h in
            let people = try await h.call(.delete, "/api/v1/people", key: h.burnleyReader)
            #expect(people.status == .methodNotAllowed && people.headers[.allow] == "GET, POST")
            #expect((people.json["error"] as? [String: Any])?["code"] as? String == "method_not_allowed")
            let person = try await h.call(.put, "/api/v1/people/\(PersonID())", key: h.burnleyReader)
            #expect(person.status == .methodNotAllowed && person.headers[.allow] == "GET, PATCH")
            let health = try await h.call(.post, "/healthz")
            #expect(health.status == .methodNotAllowed && health.headers[.allow] == "GET")
            // A path nobody serves is still 404, and a served method on a served path is untouched.
            #expect(try await h.call(.get, "/api/v1/nothing-here", key: h.burnleyReader).status == .notFound)
            #expect(try await h.call(.get, "/api/v1/people/\(PersonID())", key: h.burnleyReader).status == .notFound)
            #expect(try await h.call(.get, "/healthz").status == .ok)
        }
    }

    /// The document declares the rules the server enforces everywhere, so a generic client (schemathesis) can trust it.
    @Test func theDocumentDeclaresWhatTheServerEnforces() async throws {
        try await HTTPHarness.run { h in
            let api = TownhallAPIRoutes(services: h.scenario.services.registry, areas: TownhallModules.areas.flatMap(\.api))
            let doc = try #require(try JSONSerialization.jsonObject(with: api.document) as? [String: Any])
            let schemas = try #require((doc["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let contactLog = try #require(schemas["ContactLog"] as? [String: Any])
            let properties = try #require(contactLog["properties"] as? [String: Any])
            #expect(contactLog["additionalProperties"] as? Bool == false)
            #expect((properties["person_id"] as? [String: Any])?["format"] as? String == "uuid")
            #expect((properties["reason"] as? [String: Any])?["minLength"] as? Int == 1)
            let paths = try #require(doc["paths"] as? [String: Any])
            let getPerson = try #require((paths["/api/v1/people/{id}"] as? [String: Any])?["get"] as? [String: Any])
            let idSchema = ((getPerson["parameters"] as? [[String: Any]])?.first { $0["name"] as? String == "id" })?["schema"] as? [String: Any]
            #expect(idSchema?["format"] as? String == "uuid")
            // ... and the server does what they say: an unknown field, a blank required field, a page too large.
            let unknown = try await h.call(.post, "/api/v1/contacts", key: h.burnleyCases, json: #"{"channel":"phone","reason":"x","outcome":"resolved","colour":1}"#)
            #expect(unknown.status == .badRequest && (unknown.json["error"] as? [String: Any])?["field"] as? String == "colour")
            let blank = try await h.call(.post, "/api/v1/contacts", key: h.burnleyCases, json: #"{"channel":"phone","reason":"  ","outcome":"resolved"}"#)
            #expect(blank.status == .badRequest)
            let admin = try await h.scenario.access.createAPIKey(organisation: h.scenario.burnley.id, name: "admin", scopes: [.admin], by: nil).1
            for path in ["/api/v1/people?q=smith&limit=201", "/api/v1/revenues/recovery/actions?limit=201"] {
                #expect(try await h.call(.get, path, key: admin).status == .badRequest, "\(path)")
            }
            #expect(try await h.call(.get, "/api/v1/revenues/recovery/actions?limit=200", key: admin).status == .ok)
        }
    }

    @Test func everyRouteIsInTheOpenAPIDocumentAndNothingElse() async throws {
        try await Scenario.run { s in
            let router = buildRouter(s.services, configuration: TownhallConfiguration(secureCookies: false))
            let api = TownhallAPIRoutes(services: s.services.registry, areas: TownhallModules.areas.flatMap(\.api))
            let served = Set(router.routes.map { route -> String in
                let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
                return "\(route.method.rawValue.lowercased()) /\(path)"
            }.filter { $0.contains(" /api/v1/") })
            let documented = api.operations.map { "\($0.method) \($0.path)" }
            #expect(served == Set(documented) && documented.count == Set(documented).count,
                    "served only: \(served.subtracting(documented).sorted()); documented only: \(Set(documented).subtracting(served).sorted())")
            let doc = try JSONSerialization.jsonObject(with: api.document) as? [String: Any]
            #expect(doc?["openapi"] as? String == "3.1.0")
            // Every schema an operation names is declared, and the key scopes are those the installed areas offer.
            let schemas = try #require((doc?["components"] as? [String: Any])?["schemas"] as? [String: Any])
            for op in api.operations {
                for name in [op.body, op.response].compactMap({ $0 }) where name != "csv" && name != "file" {
                    #expect(schemas[name] != nil, "\(op.method) \(op.path) names \(name), which no area declares")
                }
            }
            let keyScopes = (((schemas["NewAPIKey"] as? [String: Any])?["properties"] as? [String: Any])?["scopes"] as? [String: Any])?["items"]
            #expect((keyScopes as? [String: Any])?["enum"] as? [String] == Services.catalogue.scopeNames, "\(String(describing: schemas["NewAPIKey"]))")
        }
    }
}

@Suite struct QueryDecodingTests {
    @Test func plusIsASpaceAndPercent2BIsAPlus() async throws {
        try await HTTPHarness.run { h in
            let p = try await h.scenario.person("Sian", "Lloyd", phone: "+44 1632 960 777", by: h.scenario.burnleyAgent)
            let byName = try await h.call(.get, "/api/v1/people?q=sian+lloyd", key: h.burnleyReader)
            #expect(((byName.json["items"] as? [[String: Any]])?.first?["person"] as? [String: Any])?["id"] as? String == p.id.string)
            let byPhone = try await h.call(.get, "/api/v1/people?q=%2B44%201632%20960777", key: h.burnleyReader)
            #expect((byPhone.json["items"] as? [Any])?.count == 1)
        }
    }
}
