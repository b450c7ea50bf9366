import CSV
import TownhallKernel

/// The outcome of an import: what was read, what changed, and every rejected row with its reason.
public struct ImportReport: Sendable, Codable, Equatable {
    public struct Rejection: Sendable, Codable, Equatable {
        /// 1-based line in the file, counting the header as line 1.
        public var line: Int
        public var field: String?
        public var reason: String
        public init(line: Int, field: String?, reason: String) { self.line = line; self.field = field; self.reason = reason }
    }
    public var format: String
    public var rowsRead = 0
    public var created = 0
    public var updated = 0
    public var rejected: [Rejection] = []

    public init(format: String) { self.format = format }

    public var summary: String {
        "\(format): read \(rowsRead) rows, \(created) created, \(updated) updated, \(rejected.count) rejected"
    }
}

/// The property file layouts Townhall reads, told apart by their header rows.
public enum PropertyFileFormat: String, Sendable {
    /// Townhall's own: uprn, parent_uprn, usrn, saon, paon, name, street, locality, town, postcode, latitude, longitude, easting, northing.
    case townhall
    /// The English public-libraries dataset (authority, name, address1–3, postcode, uprn, …).
    case libraries
    /// OS Open UPRN (UPRN, X_COORDINATE, Y_COORDINATE, LATITUDE, LONGITUDE): coordinates for UPRNs already on the register.
    case osOpenUPRN = "os_open_uprn"

    public static func detect(header: [String]) throws -> PropertyFileFormat {
        let h = Set(header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        if h.isSuperset(of: ["uprn", "x_coordinate", "y_coordinate"]) { return .osOpenUPRN }
        if h.isSuperset(of: ["uprn", "address1", "postcode"]) { return .libraries }
        if h.contains("uprn") && !h.isDisjoint(with: ["paon", "street", "name"]) { return .townhall }
        throw TownhallError.invalid("file", "The header row is not one Townhall reads. Use uprn,paon,street,town,postcode,… (see docs/IMPORTS.md).", code: "unknown_format")
    }
}

/// Turns CSV rows into validated inputs without touching the database, so every rejection is decided up front.
public enum PropertyRows {
    public struct Parsed: Sendable {
        public var line: Int
        public var input: PropertyInput
        /// OS Open UPRN rows only update coordinates of existing properties.
        public var coordinatesOnly: Bool
    }

    public static func parse(csv text: String, organisation: OrganisationID) throws -> (PropertyFileFormat, [Parsed], [ImportReport.Rejection], Int) {
        let csv = try CSVRows(text)
        let format = try PropertyFileFormat.detect(header: csv.header)
        var parsed: [Parsed] = [], rejected: [ImportReport.Rejection] = []
        var seen: [Int64: Int] = [:]
        for (line, row) in csv.rows {
            do {
                let item = try parseRow(row, format: format, line: line, organisation: organisation)
                let uprn = item.input.uprn!
                if let first = seen[uprn] {
                    rejected.append(.init(line: line, field: "uprn", reason: "UPRN \(uprn) already appears on line \(first) of this file."))
                    continue
                }
                seen[uprn] = line
                parsed.append(item)
            } catch let error as TownhallError {
                rejected.append(.init(line: line, field: error.field, reason: error.message))
            }
        }
        return (format, parsed, rejected, csv.rows.count)
    }

    static func parseRow(_ row: [String: String], format: PropertyFileFormat, line: Int, organisation: OrganisationID) throws -> Parsed {
        func value(_ key: String) -> String? { row[key].flatMap { $0.isEmpty ? nil : $0 } }
        func number(_ key: String) throws -> Double? {
            guard let raw = value(key) else { return nil }
            guard let n = Double(raw) else { throw TownhallError.invalid(key, "\(key) must be a number; \"\(raw)\" is not.") }
            return n
        }
        func integer(_ key: String) throws -> Int64? {
            guard let raw = value(key) else { return nil }
            guard let n = Int64(raw) else { throw TownhallError.invalid(key, "\(key) must be a whole number; \"\(raw)\" is not.") }
            return n
        }
        let uprn = try UPRN(parsing: row["uprn"] ?? "")
        var input = PropertyInput(uprn: uprn.value)
        switch format {
        case .osOpenUPRN:
            input.easting = try number("x_coordinate"); input.northing = try number("y_coordinate")
            input.latitude = try number("latitude"); input.longitude = try number("longitude")
            input.name = "coordinates"   // placeholder so address validation passes; only coordinates are written
            _ = try input.validated(organisation: organisation)
            return Parsed(line: line, input: input, coordinatesOnly: true)
        case .libraries:
            input.name = value("name")
            if let address1 = value("address1") {
                let parts = address1.split(separator: " ", maxSplits: 1).map(String.init)
                if parts.count == 2, parts[0].first?.isNumber == true { input.paon = parts[0]; input.street = parts[1] } else { input.street = address1 }
            }
            input.town = value("address2")
            input.administrativeArea = value("address3")
            input.postcode = value("postcode")
            if input.postcode == nil { throw TownhallError.missing("postcode") }
        case .townhall:
            input.parentUPRN = try integer("parent_uprn")
            input.usrn = try integer("usrn")
            input.saon = value("saon"); input.paon = value("paon"); input.name = value("name"); input.street = value("street")
            input.locality = value("locality"); input.town = value("town"); input.administrativeArea = value("administrative_area")
            input.postcode = value("postcode")
            input.latitude = try number("latitude"); input.longitude = try number("longitude")
            input.easting = try number("easting"); input.northing = try number("northing")
            input.councilTaxBand = value("council_tax_band")
        }
        _ = try input.validated(organisation: organisation)
        return Parsed(line: line, input: input, coordinatesOnly: false)
    }
}

/// ONSPD-style postcode directory rows (pcds or pcd, dointr, doterm, oseast1m, osnrth1m, osgrdind, oslaua, ctry, lat, long).
public enum PostcodeRows {
    public static func parse(csv text: String) throws -> ([(Int, PostcodeRecord)], [ImportReport.Rejection], Int) {
        let csv = try CSVRows(text)
        guard csv.header.contains("pcds") || csv.header.contains("pcd") || csv.header.contains("postcode") else {
            throw TownhallError.invalid("file", "A postcode file needs a pcds, pcd or postcode column (ONSPD layout).", code: "unknown_format")
        }
        var records: [(Int, PostcodeRecord)] = [], rejected: [ImportReport.Rejection] = []
        for (line, row) in csv.rows {
            do {
                let postcode = try Postcode(row["pcds"] ?? row["pcd"] ?? row["postcode"] ?? "")
                // osgrdind 9 means ONSPD has no grid reference for the postcode: keep it, without coordinates.
                let located = row["osgrdind"] != "9"
                func number(_ key: String) -> Double? { located ? row[key].flatMap(Double.init) : nil }
                records.append((line, PostcodeRecord(postcode: postcode, introduced: row["dointr"].flatMap { $0.isEmpty ? nil : $0 },
                                                     terminated: row["doterm"].flatMap { $0.isEmpty ? nil : $0 },
                                                     easting: number("oseast1m"), northing: number("osnrth1m"),
                                                     latitude: number("lat"), longitude: number("long"),
                                                     authorityGSS: row["oslaua"].flatMap { $0.isEmpty ? nil : $0 },
                                                     country: row["ctry"].flatMap { $0.isEmpty ? nil : $0 })))
            } catch let error as TownhallError {
                rejected.append(.init(line: line, field: "postcode", reason: error.message))
            }
        }
        return (records, rejected, csv.rows.count)
    }
}

/// Rows of a CSV file with a header, as dictionaries keyed by lower-cased column name, each with its 1-based line
/// (the header is line 1). Blank rows are skipped and not counted.
public struct CSVRows: Sendable {
    public let header: [String]
    public let rows: [(line: Int, values: [String: String])]

    public init(_ text: String) throws {
        let reader: CSVReader
        do { reader = try CSVReader(string: text, hasHeaderRow: true, trimFields: true) } catch {
            throw TownhallError.invalid("file", "The file is not readable CSV: \(error).", code: "malformed_csv")
        }
        header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "\u{FEFF}", with: "") }
        var rows: [(Int, [String: String])] = [], line = 1
        while let fields = reader.next() {
            line += 1
            if fields.allSatisfy({ $0.isEmpty }) { continue }
            var values: [String: String] = [:]
            for (i, name) in header.enumerated() where i < fields.count { values[name] = fields[i] }
            rows.append((line, values))
        }
        self.rows = rows
    }
}
