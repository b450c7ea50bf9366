import CSV
import Foundation
import TownhallKernel

/// A tenant: a council, a partner agency, or the shared-service provider that hosts the partnership.
public struct Organisation: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case countyCouncil = "county_council"
        case districtCouncil = "district_council"
        case unitaryCouncil = "unitary_council"
        case metropolitanBorough = "metropolitan_borough"
        case londonBorough = "london_borough"
        case police
        case nhsTrust = "nhs_trust"
        case dwp
        case housingAssociation = "housing_association"
        case school
        case voluntaryBody = "voluntary_body"
        case sharedServiceProvider = "shared_service_provider"

        public var isCouncil: Bool {
            [.countyCouncil, .districtCouncil, .unitaryCouncil, .metropolitanBorough, .londonBorough].contains(self)
        }

        public var title: String {
            switch self {
            case .countyCouncil: "County council"
            case .districtCouncil: "District council"
            case .unitaryCouncil: "Unitary council"
            case .metropolitanBorough: "Metropolitan borough"
            case .londonBorough: "London borough"
            case .police: "Police force"
            case .nhsTrust: "NHS trust"
            case .dwp: "DWP / Jobcentre Plus"
            case .housingAssociation: "Housing association"
            case .school: "School"
            case .voluntaryBody: "Voluntary body"
            case .sharedServiceProvider: "Shared-service provider"
            }
        }
    }

    public var id: OrganisationID
    public var slug: String
    public var name: String
    public var kind: Kind
    /// ONS GSS code of a council (E07000117).
    public var onsCode: String?
    /// The 4-digit AddressBase custodian code that owns the council's UPRNs (2315).
    public var custodianCode: Int?
    /// For a district, its county.
    public var parentID: OrganisationID?
    public var createdAt: Timestamp
    public var version: Int

    public init(id: OrganisationID = OrganisationID(), slug: String, name: String, kind: Kind, onsCode: String? = nil,
                custodianCode: Int? = nil, parentID: OrganisationID? = nil, createdAt: Timestamp = .now, version: Int = 1) {
        self.id = id; self.slug = slug; self.name = name; self.kind = kind; self.onsCode = onsCode
        self.custodianCode = custodianCode; self.parentID = parentID; self.createdAt = createdAt; self.version = version
    }
}

/// What is needed to register an organisation, validated before anything is written.
public struct NewOrganisation: Sendable, Codable {
    public var slug: String
    public var name: String
    public var kind: Organisation.Kind
    public var onsCode: String?
    public var custodianCode: Int?
    public var parentSlug: String?

    public init(slug: String, name: String, kind: Organisation.Kind, onsCode: String? = nil, custodianCode: Int? = nil, parentSlug: String? = nil) {
        self.slug = slug; self.name = name; self.kind = kind; self.onsCode = onsCode; self.custodianCode = custodianCode; self.parentSlug = parentSlug
    }

    public func validated() throws -> NewOrganisation {
        var copy = self
        copy.slug = slug.trimmingCharacters(in: .whitespaces).lowercased()
        copy.name = name.trimmingCharacters(in: .whitespaces)
        guard (2...63).contains(copy.slug.count),
              copy.slug.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }),
              copy.slug.first?.isLetter == true, !copy.slug.hasSuffix("-") else {
            throw TownhallError.invalid("slug", "A slug is 2 to 63 lower-case letters, digits and hyphens, starting with a letter, like burnley or lancashire-police.", code: "invalid_slug")
        }
        guard !copy.name.isEmpty else { throw TownhallError.missing("name") }
        guard copy.name.count <= 200 else { throw TownhallError.invalid("name", "A name can be at most 200 characters.") }
        if let ons = onsCode?.uppercased() {
            guard ons.count == 9, let first = ons.first, "ENSWLM".contains(first), ons.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw TownhallError.invalid("ons_code", "An ONS code is a letter and 8 digits, like E07000117.", code: "invalid_ons_code")
            }
            copy.onsCode = ons
        }
        if let code = custodianCode, !(1...9999).contains(code) {
            throw TownhallError.invalid("custodian_code", "A local custodian code is a number from 1 to 9999, like 2315.", code: "invalid_custodian_code")
        }
        if (onsCode != nil || custodianCode != nil) && !kind.isCouncil {
            throw TownhallError.invalid("kind", "Only councils carry an ONS code and a custodian code.")
        }
        return copy
    }
}

/// A row of the national register of local authorities (shipped with Townhall, from GOV.UK's local-links-manager).
public struct LocalAuthority: Sendable, Codable, Equatable {
    public enum Tier: Int, Sendable, Codable { case county = 1, district = 2, unitary = 3 }
    public var gss: String
    public var name: String
    public var slug: String
    public var tier: Tier
    public var custodianCode: Int?
    public var parentGSS: String?
    public var country: String
}

extension LocalAuthority {
    /// The register shipped in Resources (or a newer one in the same format), read without a database.
    public static func register(csv: String? = nil) throws -> [LocalAuthority] {
        let text = try csv ?? String(contentsOf: Bundle.module.url(forResource: "local-authorities", withExtension: "csv")!,
                                     encoding: .utf8)
        let reader = try CSVReader(string: text, hasHeaderRow: true)
        var byID: [String: [String: String]] = [:]
        var rows: [[String: String]] = []
        let header = reader.headerRow ?? []
        while let fields = reader.next() {
            let row = Dictionary(zip(header, fields), uniquingKeysWith: { a, _ in a })
            rows.append(row)
            if let id = row["id"] { byID[id] = row }
        }
        return rows.compactMap { row in
            guard let gss = row["gss"], !gss.isEmpty, let name = row["name"], let tierID = row["tier_id"].flatMap(Int.init),
                  let tier = LocalAuthority.Tier(rawValue: tierID) else { return nil }
            let parent = row["parent_local_authority_id"].flatMap { byID[$0]?["gss"] }
            return LocalAuthority(gss: gss, name: name, slug: row["slug"] ?? "", tier: tier,
                                  custodianCode: row["local_custodian_code"].flatMap { Int($0) }, parentGSS: parent,
                                  country: row["country_name"] ?? "")
        }
    }
}

extension Array where Element == Organisation {
    /// Names by id, for pages and messages that show who holds what.
    public var namesByID: [OrganisationID: String] { Dictionary(map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a }) }
}
