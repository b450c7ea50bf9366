import TownhallHTTP
import Access
import Partnership
import Register
import TownhallKernel

// Request bodies the API accepts. Each lists its fields so unknown ones are refused (see StrictBody).

struct OrganisationBody: StrictBody {
    static let fields: Set<String> = ["slug", "name", "kind", "ons_code", "custodian_code", "parent"]
    var slug: String
    var name: String
    var kind: String
    var ons_code: String?
    var custodian_code: Int?
    var parent: String?
}

struct AgreementBody: StrictBody {
    static let fields: Set<String> = ["recipient", "categories", "legal_basis", "starts_on", "expires_on"]
    var recipient: String
    var categories: [String]
    var legal_basis: String
    var starts_on: String
    var expires_on: String
}

struct StaffBody: StrictBody {
    static let fields: Set<String> = ["username", "display_name", "email", "password", "roles", "team"]
    var username: String
    var display_name: String
    var email: String
    var password: String
    var roles: [String]
    var team: String?
}

struct APIKeyBody: StrictBody {
    static let fields: Set<String> = ["name", "scopes"]
    var name: String
    var scopes: [String]
}

extension PropertyInput: StrictBody {
    public static let fields: Set<String> = ["uprn", "parent_uprn", "usrn", "saon", "paon", "name", "street", "locality", "town",
                                             "administrative_area", "postcode", "latitude", "longitude", "easting", "northing",
                                             "council_tax_band", "rateable_value"]
}

extension PersonInput: StrictBody {
    public static let fields: Set<String> = ["title", "given_name", "family_name", "date_of_birth", "preferred_channel", "preferred_language",
                                             "contacts", "uprn", "moved_in"]
}
