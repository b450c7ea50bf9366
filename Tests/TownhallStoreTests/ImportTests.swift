import Foundation
import SQLKit
import Testing
import Register
import TownhallDatabase
import TownhallKernel
import TownhallTesting

@Suite struct ImportTests {
    /// The real English libraries file: dirty UPRNs (N/A, A00340, 13–17 digits), postcodes in lower case or without a space,
    /// free-text postcodes, and UPRNs shared by two rows. Every bad row is reported; every good one is imported whole.
    @Test func importsTheDirtyLibrarySampleReportingEachRejectedRow() async throws {
        try await Scenario.run { s in
            let csv = try Scenario.fixture("library_uprns_england_2023.csv", bundle: .module)
            let admin = s.access.actor(for: s.burnleyAdmin, channel: .web)
            let report = try await s.register.importProperties(csv: csv, by: admin)

            #expect(report.format == "properties (libraries)")
            #expect(report.rowsRead == 2_276)
            #expect(report.created + report.rejected.count == report.rowsRead)
            #expect(report.rejected.count > 40)
            let reasons = Dictionary(grouping: report.rejected, by: { $0.field ?? "" })
            #expect(reasons["uprn"]?.contains { $0.reason.contains("digits only") } == true)       // N/A, A00340
            #expect(reasons["uprn"]?.contains { $0.reason.contains("at most 12 digits") } == true) // 13–17 digits
            #expect(reasons["uprn"]?.contains { $0.reason.contains("already appears on line") } == true)
            #expect(reasons["uprn"]?.contains { $0.reason.contains("\"mobile\"") } == true)          // the "n/a - mobile" rows
            #expect(report.rejected.allSatisfy { $0.line >= 2 })

            // Dirty-but-fixable postcodes were normalised, not rejected: "GL10 2Ng" and "B495HJ" rows are in.
            let gloucester = try await s.register.searchProperties(q: nil, postcode: "GL10 2NG", uprn: nil, after: nil, limit: PageSize(value: 10), by: admin)
            #expect(!gloucester.items.isEmpty)
            let stored = try await s.database.read { try await $0.raw("SELECT COUNT(*) AS n FROM property").first()!.int("n") }
            #expect(stored == report.created)

            // Importing the same file again changes nothing.
            let again = try await s.register.importProperties(csv: csv, by: admin)
            #expect(again.created == 0 && again.updated == 0)
            #expect(again.rejected == report.rejected)
        }
    }

    @Test func importsTheONSPDSampleKeepingTerminatedAndUnlocatedPostcodes() async throws {
        try await Scenario.run { s in
            let csv = try Scenario.fixture("postcode_centroids_onspd_sample.csv", bundle: .module)
            let report = try await s.register.importPostcodes(csv: csv, by: s.access.actor(for: s.burnleyAdmin, channel: .web))
            #expect(report.rowsRead == 8_048)
            #expect(report.rejected.isEmpty)
            let terminated = try #require(try await s.register.postcode("AB1 0AA"))
            #expect(terminated.isTerminated)
            #expect(terminated.terminated == "199606")
            let jersey = try #require(try await s.register.postcode("je2 4wd"))
            #expect(jersey.country == "L93000001")
            let located = try await s.database.read { try await $0.raw("SELECT COUNT(*) AS n FROM postcode_directory WHERE latitude IS NULL").first()!.int("n") }
            #expect(located == 2)   // the two rows with osgrdind 9 have no grid reference
        }
    }

    @Test func aFileWithAnUnknownLayoutIsRefusedWhole() async throws {
        try await Scenario.run { s in
            await #expect(throws: TownhallError.self) {
                try await s.register.importProperties(csv: "name,colour\nfoo,blue\n", by: s.access.actor(for: s.burnleyAdmin, channel: .web))
            }
        }
    }

    @Test func townhallLayoutWithParentsAndCoordinatesThenOSOpenUPRNUpdates() async throws {
        try await Scenario.run { s in
            let admin = s.access.actor(for: s.burnleyAdmin, channel: .web)
            let csv = """
            uprn,parent_uprn,saon,paon,street,town,postcode,latitude,longitude,council_tax_band
            100012536001,,,12,Colne Road,Burnley,BB10 1JD,53.79,-2.24,B
            100012536002,100012536001,FLAT 1,12,Colne Road,Burnley,BB10 1JD,,,A
            100012536003,,,14,Colne Road,Burnley,BB10 1JD,53.79,,C
            100012536004,,,16,Colne Road,Burnley,BB10 1JD,,,J
            100012536005,,,18,Colne Road,Burnley,BB1O 1JD,,,A
            """
            let report = try await s.register.importProperties(csv: csv, by: admin)
            #expect(report.created == 2)
            #expect(report.rejected.map(\.line) == [4, 5, 6])
            #expect(report.rejected.map(\.field) == ["longitude", "council_tax_band", "postcode"])

            let os = "UPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE\n100012536001,384000.0,433000.0,53.795,-2.245\n999999999,1,1,53.0,-2.0\n"
            let update = try await s.register.importProperties(csv: os, by: admin)
            #expect(update.updated == 1)
            #expect(update.rejected.map(\.line) == [3])
            let flat = try await s.register.property(uprn: try UPRN(100_012_536_002), by: admin)
            #expect(flat.parentUPRN?.value == 100_012_536_001)
            let parent = try await s.register.property(uprn: try UPRN(100_012_536_001), by: admin)
            #expect(parent.easting == 384_000 && parent.latitude == 53.795)
        }
    }
}
