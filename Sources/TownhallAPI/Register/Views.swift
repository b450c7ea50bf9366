import Audit
import Register
import TownhallKernel

// What the API sends back. Kept apart from the domain types so the wire format is chosen, not inherited.

struct PropertyView: Encodable, Sendable {
    var id: PropertyID
    var organisationId: OrganisationID
    var uprn: UPRN
    var parentUprn: UPRN?
    var usrn: Int32?
    var saon, paon, name, street, locality, town, administrativeArea: String?
    var postcode: Postcode?
    var latitude, longitude, easting, northing: Double?
    var councilTaxBand: String?
    var rateableValue: Int64?
    var address: String
    var addressLines: [String]
    var version: Int

    init(_ p: Property) {
        id = p.id; organisationId = p.organisationID; uprn = p.uprn; parentUprn = p.parentUPRN; usrn = p.usrn
        saon = p.saon; paon = p.paon; name = p.name; street = p.street; locality = p.locality; town = p.town
        administrativeArea = p.administrativeArea; postcode = p.postcode; latitude = p.latitude; longitude = p.longitude
        easting = p.easting; northing = p.northing; councilTaxBand = p.councilTaxBand; rateableValue = p.rateableValue
        address = p.singleLine; addressLines = p.addressLines; version = p.version
    }
}

struct PersonView: Encodable, Sendable {
    var person: Person
    var contacts: [ContactPoint]
    var residences: [Residence]
    var households: [Household]
    var currentAddress: String?

    init(_ r: Register.PersonRecord) {
        person = r.person; contacts = r.contacts; residences = r.residences; households = r.households; currentAddress = r.currentAddress?.address
    }
}

struct OccupantView: Encodable, Sendable {
    var person: Person
    var from: LocalDate
    var to: LocalDate?
}

struct SubjectAccessView: Encodable, Sendable {
    var generatedAt: Timestamp
    var person: Person
    var contacts: [ContactPoint]
    var residences: [Residence]
    var households: [Household]
    var merges: [[String: String]]
    var auditEvents: [AuditEntry]

    init(_ e: Register.SubjectAccessExport) {
        generatedAt = e.generatedAt; person = e.record.person; contacts = e.record.contacts; residences = e.record.residences
        households = e.record.households; merges = e.merges; auditEvents = e.auditEntries
    }
}
