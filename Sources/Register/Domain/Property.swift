import TownhallKernel

/// An addressable property in BS 7666 form, keyed by UPRN. The postal lines for letters are derived, not stored.
public struct Property: Sendable, Codable, Equatable {
    public var id: PropertyID
    public var organisationID: OrganisationID
    public var uprn: UPRN
    /// A flat's building.
    public var parentUPRN: UPRN?
    public var usrn: Int32?
    /// Secondary addressable object (FLAT 2).
    public var saon: String?
    /// Primary addressable object: number, range or building name (12A, 1-3, ROSE COTTAGE).
    public var paon: String?
    /// An organisation or building name that is not the PAON (a library, a school).
    public var name: String?
    public var street: String?
    public var locality: String?
    public var town: String?
    public var administrativeArea: String?
    public var postcode: Postcode?
    public var latitude: Double?
    public var longitude: Double?
    public var easting: Double?
    public var northing: Double?
    /// Slots for the revenues module: council-tax band A–H and business-rates rateable value (whole pounds).
    public var councilTaxBand: String?
    public var rateableValue: Int64?
    public var createdAt: Timestamp
    public var version: Int

    /// The address as lines for a letter or a page, most specific first.
    public var addressLines: [String] {
        var lines: [String] = []
        if let name, !name.isEmpty { lines.append(name) }
        if let saon, !saon.isEmpty { lines.append(saon) }
        let streetLine = [paon, street].compactMap { $0?.isEmpty == false ? $0 : nil }.joined(separator: " ")
        if !streetLine.isEmpty { lines.append(streetLine) }
        for part in [locality, town] { if let part, !part.isEmpty, !lines.contains(part) { lines.append(part) } }
        if let postcode { lines.append(postcode.value) }
        return lines
    }

    public var singleLine: String { addressLines.joined(separator: ", ") }

    /// Equal in everything but identity and bookkeeping (id, created time, version).
    public func hasSameData(as other: Property) -> Bool {
        var a = self, b = other
        a.id = b.id; a.createdAt = b.createdAt; a.version = b.version
        return a == b
    }
}

/// Input for creating or importing a property; `validated` checks every field and names the first at fault.
public struct PropertyInput: Sendable, Codable, Equatable {
    public var uprn: Int64?
    public var parentUPRN: Int64?
    public var usrn: Int64?
    public var saon: String?
    public var paon: String?
    public var name: String?
    public var street: String?
    public var locality: String?
    public var town: String?
    public var administrativeArea: String?
    public var postcode: String?
    public var latitude: Double?
    public var longitude: Double?
    public var easting: Double?
    public var northing: Double?
    public var councilTaxBand: String?
    public var rateableValue: Int64?

    public init(uprn: Int64? = nil, parentUPRN: Int64? = nil, usrn: Int64? = nil, saon: String? = nil, paon: String? = nil, name: String? = nil,
                street: String? = nil, locality: String? = nil, town: String? = nil, administrativeArea: String? = nil, postcode: String? = nil,
                latitude: Double? = nil, longitude: Double? = nil, easting: Double? = nil, northing: Double? = nil,
                councilTaxBand: String? = nil, rateableValue: Int64? = nil) {
        self.uprn = uprn; self.parentUPRN = parentUPRN; self.usrn = usrn; self.saon = saon; self.paon = paon; self.name = name
        self.street = street; self.locality = locality; self.town = town; self.administrativeArea = administrativeArea; self.postcode = postcode
        self.latitude = latitude; self.longitude = longitude; self.easting = easting; self.northing = northing
        self.councilTaxBand = councilTaxBand; self.rateableValue = rateableValue
    }

    enum CodingKeys: String, CodingKey {
        case uprn, parentUPRN = "parent_uprn", usrn, saon, paon, name, street, locality, town, administrativeArea = "administrative_area"
        case postcode, latitude, longitude, easting, northing, councilTaxBand = "council_tax_band", rateableValue = "rateable_value"
    }

    public func validated(organisation: OrganisationID, id: PropertyID = PropertyID(), now: Timestamp = .now) throws -> Property {
        guard let uprnValue = uprn else { throw TownhallError.missing("uprn") }
        let uprn = try UPRN(uprnValue)
        let parent = try parentUPRN.map { try UPRN($0, field: "parent_uprn") }
        if parent == uprn { throw TownhallError.invalid("parent_uprn", "A property cannot be its own parent.") }
        if let usrn, !(1...99_999_999).contains(usrn) {
            throw TownhallError.invalid("usrn", "A USRN is a whole number of up to 8 digits.", code: "invalid_usrn")
        }
        let postcode = try self.postcode.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : try Postcode($0) }
        func text(_ value: String?, _ field: String, max: Int = 100) throws -> String? {
            guard let v = value?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            guard v.count <= max else { throw TownhallError.invalid(field, "\(field) can be at most \(max) characters.") }
            guard !v.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw TownhallError.invalid(field, "\(field) contains control characters.")
            }
            return v
        }
        let property = Property(
            id: id, organisationID: organisation, uprn: uprn, parentUPRN: parent, usrn: usrn.map { Int32($0) },
            saon: try text(saon, "saon"), paon: try text(paon, "paon"), name: try text(name, "name", max: 200), street: try text(street, "street"),
            locality: try text(locality, "locality"), town: try text(town, "town"), administrativeArea: try text(administrativeArea, "administrative_area"),
            postcode: postcode, latitude: latitude, longitude: longitude, easting: easting, northing: northing,
            councilTaxBand: try councilTaxBand.map { band in
                let b = band.trimmingCharacters(in: .whitespaces).uppercased()
                guard b.count == 1, "ABCDEFGH".contains(b) else { throw TownhallError.invalid("council_tax_band", "A council-tax band is a letter from A to H.", code: "invalid_band") }
                return b
            },
            rateableValue: rateableValue, createdAt: now, version: 1)
        if property.paon == nil && property.name == nil && property.street == nil {
            throw TownhallError.invalid("paon", "Give at least a building number or name, or a street.", code: "incomplete_address")
        }
        if let lat = latitude, !(49.0...61.5).contains(lat) { throw TownhallError.invalid("latitude", "Latitude must be within the British Isles (49 to 61.5).") }
        if let lon = longitude, !(-9.0...2.5).contains(lon) { throw TownhallError.invalid("longitude", "Longitude must be within the British Isles (-9 to 2.5).") }
        if (latitude == nil) != (longitude == nil) { throw TownhallError.invalid(latitude == nil ? "latitude" : "longitude", "Give latitude and longitude together.") }
        if let e = easting, !(0...700_000).contains(e) { throw TownhallError.invalid("easting", "An easting is 0 to 700000 metres on the British National Grid.") }
        if let n = northing, !(0...1_300_000).contains(n) { throw TownhallError.invalid("northing", "A northing is 0 to 1300000 metres on the British National Grid.") }
        return property
    }
}

/// A postcode from the postcode directory (ONSPD), with its centroid and authority.
public struct PostcodeRecord: Sendable, Codable, Equatable {
    public var postcode: Postcode
    /// YYYYMM, as ONSPD gives it.
    public var introduced: String?
    public var terminated: String?
    public var easting: Double?
    public var northing: Double?
    public var latitude: Double?
    public var longitude: Double?
    /// GSS code of the local authority the postcode lies in.
    public var authorityGSS: String?
    public var country: String?

    public var isTerminated: Bool { terminated?.isEmpty == false }
}
