import Register
import TownhallHTTP
import TownhallKernel

// Request bodies of the register's routes. Each lists its fields so unknown ones are refused (see StrictBody).

struct PersonPatchBody: StrictBody {
    static let fields: Set<String> = ["version", "title", "given_name", "family_name", "date_of_birth", "preferred_channel", "preferred_language"]
    var version: Int
    var title: String?
    var given_name: String?
    var family_name: String?
    var date_of_birth: String?
    var preferred_channel: String?
    var preferred_language: String?
}

struct MoveBody: StrictBody {
    static let fields: Set<String> = ["uprn", "from", "to"]
    var uprn: Int64
    var from: String
    var to: String?
}

struct ContactBody: StrictBody {
    static let fields: Set<String> = ["kind", "value"]
    var kind: String
    var value: String
}

struct MergeBody: StrictBody {
    static let fields: Set<String> = ["duplicate_id"]
    var duplicate_id: String
}

struct HouseholdBody: StrictBody {
    static let fields: Set<String> = ["uprn", "name", "members"]
    struct Member: Decodable { var person_id: String; var relationship: String? }
    var uprn: Int64
    var name: String
    var members: [Member]
}
