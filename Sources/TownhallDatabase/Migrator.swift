import Logging
import SQLKit
import TownhallKernel

/// One schema change. `sql` returns the statements for the engine, usually the same text for both; where they differ
/// (full-text indexes, generated columns) the difference stays inside the migration that needs it.
public struct Migration: Sendable {
    public let id: String
    public let sql: @Sendable (Engine) -> [String]

    public init(_ id: String, _ sql: @escaping @Sendable (Engine) -> [String]) {
        self.id = id
        self.sql = sql
    }

    public init(_ id: String, _ statements: [String]) {
        self.init(id) { _ in statements }
    }
}

/// Applies migrations in order, each in its own transaction, recording them in `schema_migrations`.
/// Safe when several app nodes start at once: PostgreSQL takes an advisory lock for the run; on SQLite the writer
/// transaction (BEGIN IMMEDIATE) serialises them.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(_ migrations: [Migration]) {
        var seen = Set<String>()
        for m in migrations { precondition(seen.insert(m.id).inserted, "migration \(m.id) is listed twice") }
        self.migrations = migrations
    }

    /// Returns the ids of the migrations it applied now.
    @discardableResult
    public func migrate(_ database: Database, logger: Logger) async throws -> [String] {
        let migrations = self.migrations
        let engine = database.engine
        try await database.transaction { db in
            try await db.raw("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)").run()
        }
        return try await database.transaction { db in
            if engine == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(727311)").run() }
            let applied = Set(try await db.raw("SELECT id FROM schema_migrations").all().map { try $0.decode(column: "id", as: String.self) })
            var done: [String] = []
            for migration in migrations where !applied.contains(migration.id) {
                for statement in migration.sql(engine) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.raw("INSERT INTO schema_migrations (id, applied_at) VALUES (\(bind: migration.id), \(bind: Timestamp.now.iso))").run()
                logger.info("applied migration", metadata: ["migration": .string(migration.id)])
                done.append(migration.id)
            }
            return done
        }
    }

    public func pending(_ database: Database) async throws -> [String] {
        let known = try await database.read { db -> Set<String> in
            let exists = try await Migrator.tableExists("schema_migrations", db: db, engine: database.engine)
            guard exists else { return [] }
            return Set(try await db.raw("SELECT id FROM schema_migrations").all().map { try $0.decode(column: "id", as: String.self) })
        }
        return migrations.map(\.id).filter { !known.contains($0) }
    }

    static func tableExists(_ name: String, db: any SQLDatabase, engine: Engine) async throws -> Bool {
        switch engine {
        case .sqlite:
            return try await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name = \(bind: name)").first() != nil
        case .postgres:
            return try await db.raw("SELECT to_regclass(\(bind: name))::text AS name").first()?.decode(column: "name", as: String?.self) != nil
        }
    }
}
