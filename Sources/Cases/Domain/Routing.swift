import Foundation
import TownhallKernel

/// A partnership routing rule: reports of a service (or of any service) in an area go to an organisation and, optionally,
/// one of its teams. Areas are postcode sectors or districts ("BB11 1", "BB11") or a polygon of WGS84 points.
public struct RoutingRule: Sendable, Codable, Equatable {
    public var id: RoutingRuleID
    /// The organisation that made the rule (only it may change it).
    public var ownerID: OrganisationID
    public var name: String
    /// nil: every service.
    public var serviceCode: String?
    public var postcodePrefixes: [String]
    /// [[longitude, latitude], …], as GeoJSON writes a ring.
    public var polygon: [[Double]]?
    public var targetID: OrganisationID
    public var teamID: TeamID?
    /// Lower runs first.
    public var rank: Int

    public init(id: RoutingRuleID = RoutingRuleID(), ownerID: OrganisationID, name: String, serviceCode: String?, postcodePrefixes: [String] = [],
                polygon: [[Double]]? = nil, targetID: OrganisationID, teamID: TeamID? = nil, rank: Int = 100) {
        self.id = id; self.ownerID = ownerID; self.name = name; self.serviceCode = serviceCode; self.postcodePrefixes = postcodePrefixes
        self.polygon = polygon; self.targetID = targetID; self.teamID = teamID; self.rank = rank
    }

    public func validated() throws -> RoutingRule {
        var copy = self
        copy.name = name.trimmingCharacters(in: .whitespaces)
        guard !copy.name.isEmpty else { throw TownhallError.missing("name") }
        copy.postcodePrefixes = postcodePrefixes.map { $0.uppercased().trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for p in copy.postcodePrefixes where !(2...6).contains(p.count) || !p.allSatisfy({ $0.isLetter || $0.isNumber || $0 == " " }) {
            throw TownhallError.invalid("postcode_prefixes", "\(p) is not a postcode district or sector (like BB11 or BB11 1).", code: "invalid_area")
        }
        if let polygon {
            guard polygon.count >= 3, polygon.allSatisfy({ $0.count == 2 && (-180...180).contains($0[0]) && (-90...90).contains($0[1]) }) else {
                throw TownhallError.invalid("polygon", "A polygon is at least three [longitude, latitude] points.", code: "invalid_area")
            }
        }
        guard !copy.postcodePrefixes.isEmpty || polygon != nil || serviceCode != nil else {
            throw TownhallError.invalid("service_code", "A rule needs a service, an area, or both.", code: "invalid_rule")
        }
        return copy
    }

    /// Whether the rule covers a report of `serviceCode` at a place.
    public func matches(serviceCode code: String, postcode: Postcode?, latitude: Double?, longitude: Double?) -> Bool {
        if let serviceCode, serviceCode != code { return false }
        let hasArea = !postcodePrefixes.isEmpty || polygon != nil
        guard hasArea else { return true }
        if let postcode, postcodePrefixes.contains(where: { RoutingRule.postcode(postcode, within: $0) }) { return true }
        if let polygon, let latitude, let longitude, RoutingRule.contains(polygon, longitude: longitude, latitude: latitude) { return true }
        return false
    }

    /// "BB11" covers BB11 1AB but not BB1 1AB; "BB11 1" covers BB11 1AB but not BB11 2AB.
    static func postcode(_ postcode: Postcode, within prefix: String) -> Bool {
        let value = postcode.value
        if prefix.contains(" ") { return value.hasPrefix(prefix) }
        return value.split(separator: " ").first.map(String.init) == prefix
    }

    /// Ray casting; points on an edge may fall either side, which is fine for service areas drawn along roads.
    static func contains(_ ring: [[Double]], longitude x: Double, latitude y: Double) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1]
            if (yi > y) != (yj > y), x < (xj - xi) * (y - yi) / (yj - yi) + xi { inside.toggle() }
            j = i
        }
        return inside
    }
}

/// Decides which organisation (and team) acts on a report. First the partnership's explicit rules (partner routing such
/// as anti-social behaviour to the police, service areas), then the tier of the service against the councils covering the
/// place: in a two-tier area county services go to the county, district services to the district.
public enum Routing {
    /// The councils covering a place, as organisations on this platform (nil where the council is not a tenant).
    public struct Coverage: Sendable, Equatable {
        public var district: OrganisationID?
        public var county: OrganisationID?
        public var unitary: OrganisationID?
        public init(district: OrganisationID? = nil, county: OrganisationID? = nil, unitary: OrganisationID? = nil) {
            self.district = district; self.county = county; self.unitary = unitary
        }
        public var isEmpty: Bool { district == nil && county == nil && unitary == nil }
    }

    public struct Decision: Sendable, Equatable {
        public var organisationID: OrganisationID
        public var teamID: TeamID?
        public var reason: String
    }

    public static func decide(serviceCode: String, tier: ProvidingTier, rules: [RoutingRule], coverage: Coverage,
                              postcode: Postcode?, latitude: Double?, longitude: Double?) throws -> Decision {
        let matching = rules.filter { $0.matches(serviceCode: serviceCode, postcode: postcode, latitude: latitude, longitude: longitude) }
            .sorted { ($0.rank, $0.serviceCode == nil ? 1 : 0, $0.name) < ($1.rank, $1.serviceCode == nil ? 1 : 0, $1.name) }
        if let rule = matching.first {
            return Decision(organisationID: rule.targetID, teamID: rule.teamID, reason: "routing rule \u{201C}\(rule.name)\u{201D}")
        }
        if let unitary = coverage.unitary { return Decision(organisationID: unitary, teamID: nil, reason: "unitary council for the location") }
        switch tier {
        case .countyUnitary:
            if let county = coverage.county { return Decision(organisationID: county, teamID: nil, reason: "county service in a two-tier area") }
        case .districtUnitary, .all:
            if let district = coverage.district { return Decision(organisationID: district, teamID: nil, reason: "district service in a two-tier area") }
            if tier == .all, let county = coverage.county { return Decision(organisationID: county, teamID: nil, reason: "county council for the location") }
        }
        throw TownhallError.invalid("location", "No organisation on this platform provides this service at that location.", code: "location_outside_area")
    }
}
