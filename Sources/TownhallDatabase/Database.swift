@preconcurrency import AsyncKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit
import TownhallKernel

public enum Engine: String, Sendable { case sqlite, postgres }

/// The one way the areas reach storage. Reads run on a pool; every write runs in `transaction`, which commits all of
/// the closure's statements or none. On SQLite, writes go through one writer connection (WAL lets readers carry on),
/// on a thread of its own, and statements step on the calling thread (see `DirectSQLite.swift`);
/// on PostgreSQL, through the pool, so many app nodes can share one database.
// The PostgreSQL pool is thread-safe (AsyncKit documents EventLoopGroupConnectionPool as such) but not marked Sendable.
public final class Database: @unchecked Sendable {
    public let engine: Engine
    public let location: DatabaseLocation
    let logger: Logger
    private let readers: DirectSQLitePool?
    /// The SQLite writer's own thread: every transaction's closure runs there.
    private let writerThread: MultiThreadedEventLoopGroup?
    /// Runs the SQLite transactions on the one writer connection, committing those that arrive together with one fsync.
    private let committer: GroupCommitter?
    private let postgres: EventLoopGroupConnectionPool<PostgresConnectionSource>?

    public static func open(_ location: DatabaseLocation, logger: Logger, searchPath: [String]? = nil, poolSize: Int = 4) async throws -> Database {
        let db = try Database(location: location, logger: logger, searchPath: searchPath, poolSize: poolSize)
        // Fail at start-up, not on the first request, when the database cannot be reached.
        do { _ = try await db.read { try await $0.raw("SELECT 1 AS one").first() } } catch {
            await db.shutdown()
            throw error
        }
        return db
    }

    private init(location: DatabaseLocation, logger: Logger, searchPath: [String]?, poolSize: Int) throws {
        self.location = location
        self.logger = logger
        switch location {
        case .sqlite(let path):
            engine = .sqlite
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // Readers are opened as needed; the headroom serves reads nested inside reads.
            readers = DirectSQLitePool(path: path, pragmas: Database.sqlitePragmas, maximum: poolSize * 4)
            let writer = DirectSQLitePool(path: path, pragmas: Database.sqlitePragmas + Database.sqliteWriterPragmas, maximum: 1)
            let thread = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            writerThread = thread
            committer = GroupCommitter(pool: writer, executor: EventLoopTaskExecutor(thread.next()), logger: logger)
            postgres = nil
        case .postgres(let url):
            engine = .postgres
            var configuration = try SQLPostgresConfiguration(url: url)
            configuration.searchPath = searchPath
            postgres = EventLoopGroupConnectionPool(source: PostgresConnectionSource(sqlConfiguration: configuration),
                                                    maxConnectionsPerEventLoop: poolSize, requestTimeout: .seconds(30), logger: logger, on: MultiThreadedEventLoopGroup.singleton)
            readers = nil
            writerThread = nil
            committer = nil
        }
    }

    /// Runs read-only work on a pooled connection.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await translatingErrors {
            if let postgres { return try await body(postgres.database(logger: logger).sql(queryLogLevel: nil)) }
            return try await self.readers!.withConnection { try await body(DirectSQLiteDatabase(connection: $0, logger: self.logger)) }
        }
    }

    /// Runs `body` in one transaction: everything it writes commits together, or nothing does, and nobody else's
    /// statements run between its own. Returns once the commit is durable. (On SQLite it may share that commit with
    /// transactions that arrived with it: see `GroupCommitter`.)
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await translatingErrors {
            guard let postgres else { return try await committer!.run(body) }
            return try await postgres.database(logger: logger).sql(queryLogLevel: nil).withSession { connection in
                try await connection.raw("BEGIN").run()
                do {
                    let result = try await body(connection)
                    try await connection.raw("COMMIT").run()
                    return result
                } catch {
                    try? await connection.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }

    /// How many commits the SQLite writer has made (each may carry several transactions); 0 on PostgreSQL.
    var commitGroups: Int { committer?.commits ?? 0 }

    public func shutdown() async {
        await committer?.close()
        readers?.close()
        try? await writerThread?.shutdownGracefully()
        try? await postgres?.shutdownAsync()
    }

    /// Storage errors that mean "your input clashes with what is there" become 409s; the rest stay server errors.
    private func translatingErrors<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as TownhallError { throw error } catch {
            if Database.isUniqueViolation(error) {
                throw TownhallError.conflict("A record with the same identifying value already exists.", code: "duplicate")
            }
            throw error
        }
    }

    public static func isUniqueViolation(_ error: any Error) -> Bool {
        if let e = error as? PSQLError, e.serverInfo?[.sqlState] == "23505" { return true }
        return (error as? SQLiteStatementError)?.isUniqueViolation ?? false
    }
}

extension Database {
    /// The settings every Townhall SQLite connection needs: WAL so readers never wait for the writer, foreign keys
    /// enforced, and a busy timeout rather than an immediate "database is locked".
    static let sqlitePragmas = [
        "PRAGMA busy_timeout = 10000", "PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = FULL",
        "PRAGMA temp_store = MEMORY",
        // Checkpoint the WAL into the file every 10,000 pages (about 40 MB) instead of SQLite's 1,000: a bulk write's
        // transaction passed 1,000 pages by itself, so the writer copied the WAL back at almost every commit, and index pages
        // dirtied again by the next batch were copied each time (a recompute that moves every clock: 18.6 s → 14.4 s).
        "PRAGMA wal_autocheckpoint = 10000",
        // Memory-mapped reads: pages come from the OS page cache (shared by every connection) without a read() call each,
        // which is what large scans such as recomputing every case's service level spend their time on otherwise.
        "PRAGMA mmap_size = 1073741824",
    ]

    /// The writer's page cache holds every page a bulk transaction dirties (64 MB at most, used only as needed). At
    /// SQLite's default 2 MB, a batch of a recompute or a billing run filled it and spilled pages to the WAL before the
    /// commit, some of them more than once.
    static let sqliteWriterPragmas = ["PRAGMA cache_size = -65536"]
}
