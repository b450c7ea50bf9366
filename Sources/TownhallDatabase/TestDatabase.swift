import Foundation
import Logging
import SQLKit

/// A fresh, migrated database for one test: a temporary SQLite file, or, when `TOWNHALL_TEST_DATABASE_URL` is set,
/// a new schema on that PostgreSQL server. The same tests therefore run on both engines.
public enum TestDatabase {
    public static var engineUnderTest: Engine {
        ProcessInfo.processInfo.environment["TOWNHALL_TEST_DATABASE_URL"].map { $0.isEmpty ? .sqlite : .postgres } ?? .sqlite
    }

    public static func withDatabase<T>(migrations: Migrator, _ body: (Database) async throws -> T) async throws -> T {
        var logger = Logger(label: "townhall.test")
        logger.logLevel = .warning
        let (database, cleanup) = try await make(logger: logger)
        do {
            try await migrations.migrate(database, logger: logger)
            let result = try await body(database)
            await database.shutdown()
            try await cleanup()
            return result
        } catch {
            await database.shutdown()
            try? await cleanup()
            throw error
        }
    }

    /// Creates the database and returns it with a function that removes it.
    public static func make(logger: Logger) async throws -> (Database, @Sendable () async throws -> Void) {
        if let url = ProcessInfo.processInfo.environment["TOWNHALL_TEST_DATABASE_URL"], !url.isEmpty {
            let schema = "t_" + UUID().lowercasedString.replacingOccurrences(of: "-", with: "").prefix(16)
            let admin = try await Database.open(.postgres(url: url), logger: logger, poolSize: 1)
            try await admin.transaction { try await $0.raw("CREATE SCHEMA \(ident: String(schema))").run() }
            let database = try await Database.open(.postgres(url: url), logger: logger, searchPath: [String(schema)], poolSize: 2)
            return (database, {
                try await admin.transaction { try await $0.raw("DROP SCHEMA \(ident: String(schema)) CASCADE").run() }
                await admin.shutdown()
            })
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("townhall-tests-\(UUID().uuidString)")
        let path = directory.appendingPathComponent("test.sqlite").path
        let database = try await Database.open(.sqlite(path: path), logger: logger, poolSize: 2)
        return (database, { try? FileManager.default.removeItem(at: directory) })
    }
}
