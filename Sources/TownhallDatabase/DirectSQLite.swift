import Logging
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import SQLiteKit
import VaporCSQLite

// Why not SQLiteNIO's own connection: it runs every statement on a thread pool and hands the result back to an event
// loop, so a statement costs two or three thread switches whatever it does (measured: 43 % of the Open311 server's time
// went to the kernel switching threads). Here statements step on the calling thread, with no hop: reads where the
// caller is, and every transaction on the writer's own thread (see `GroupCommitter`), so a commit's sync to disk
// never holds up a Swift concurrency thread. Prepared statements are kept for reuse. The SQL and the row decoding are
// still SQLKit's and SQLiteKit's (`SQLiteDialect`, `SQLiteDataDecoder`), and binds go through `SQLiteDataEncoder` or give
// the same values it would, so stores see exactly what they saw before.

/// One open SQLite database handle, used by one pool checkout at a time.
final class DirectSQLiteConnection: @unchecked Sendable {
    /// Only for SQLKit's future-returning `execute`, which completes before it returns.
    let eventLoop: any EventLoop
    private let lock = NIOLock()
    // Guarded by `lock`.
    private var handle: OpaquePointer?
    private var statements: [String: PreparedStatement] = [:]
    /// Enough for every statement the modules repeat. When it is full it starts again empty, so one-off statements (`IN`
    /// lists and multi-row inserts of odd sizes) cannot crowd out the repeated ones for good.
    private static let statementCacheSize = 200

    private static let initialise: Void = { _ = sqlite_nio_sqlite3_initialize() }()

    init(path: String, on eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()) throws {
        _ = Self.initialise
        var handle: OpaquePointer?
        // NOMUTEX: this type's lock already serialises use of the handle.
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
            sqlite_nio_sqlite3_close(handle)
            throw SQLiteStatementError(code: status, message: "\(message) (\(path))")
        }
        self.handle = handle
        self.eventLoop = eventLoop
    }

    func close() {
        lock.withLock {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.handle) }
            statements = [:]
            sqlite_nio_sqlite3_close_v2(handle)
            handle = nil
        }
    }

    /// Prepares (or reuses) `sql`, binds `binds`, and steps through every row on the calling thread. Returns how many rows
    /// an INSERT, UPDATE or DELETE changed.
    @discardableResult
    func run(_ sql: String, _ binds: [SQLiteData], decoder: SQLiteDataDecoder, _ onRow: (any SQLRow) -> Void) throws -> Int {
        try lock.withLock {
            guard let handle else { throw SQLiteStatementError(code: SQLITE_MISUSE, message: "the connection is closed") }
            let statement = try prepared(sql, on: handle)
            // No sqlite3_clear_bindings after the reset: every parameter is bound again below, and clearing marks a statement
            // whose plan looked at a parameter as expired, so SQLite compiled it again on every run (issue 29: 7 % of a
            // case list). Only a call that binds fewer values than the statement has clears the rest to NULL.
            defer { sqlite_nio_sqlite3_reset(statement.handle) }
            if Int(sqlite_nio_sqlite3_bind_parameter_count(statement.handle)) != binds.count {
                sqlite_nio_sqlite3_clear_bindings(statement.handle)
            }
            for (offset, bind) in binds.enumerated() {
                try check(Self.bind(bind, at: Int32(offset + 1), to: statement.handle), handle)
            }
            while true {
                let status = sqlite_nio_sqlite3_step(statement.handle)
                if status == SQLITE_DONE { return Int(sqlite_nio_sqlite3_changes64(handle)) }
                guard status == SQLITE_ROW else { throw SQLiteStatementError(code: status, handle: handle) }
                onRow(DirectSQLiteRow(columns: statement.columns, values: Self.values(of: statement), decoder: decoder))
            }
        }
    }

    private func prepared(_ sql: String, on handle: OpaquePointer) throws -> PreparedStatement {
        if let statement = statements[sql] { return statement }
        if statements.count >= Self.statementCacheSize {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.handle) }
            statements = [:]
        }
        var raw: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard status == SQLITE_OK, let raw else { throw SQLiteStatementError(code: status, handle: handle) }
        let statement = PreparedStatement(handle: raw)
        statements[sql] = statement
        return statement
    }

    private func check(_ status: Int32, _ handle: OpaquePointer) throws {
        guard status == SQLITE_OK else { throw SQLiteStatementError(code: status, handle: handle) }
    }

    private static func bind(_ value: SQLiteData, at index: Int32, to statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let value): return sqlite_nio_sqlite3_bind_int64(statement, index, Int64(value))
        case .float(let value): return sqlite_nio_sqlite3_bind_double(statement, index, value)
        case .null: return sqlite_nio_sqlite3_bind_null(statement, index)
        case .text(let value):
            return sqlite_nio_sqlite3_bind_text64(statement, index, value, UInt64(value.utf8.count), transient, UInt8(SQLITE_UTF8))
        case .blob(let buffer):
            return buffer.withUnsafeReadableBytes {
                sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient)
            }
        }
    }

    private static func values(of statement: PreparedStatement) -> [SQLiteData] {
        let handle = statement.handle
        return (0..<Int32(statement.columns.names.count)).map { column in
            switch sqlite_nio_sqlite3_column_type(handle, column) {
            case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(handle, column)))
            case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(handle, column))
            case SQLITE_TEXT:
                let count = Int(sqlite_nio_sqlite3_column_bytes(handle, column))
                guard let text = sqlite_nio_sqlite3_column_text(handle, column) else { return .text("") }
                return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
            case SQLITE_BLOB:
                let count = Int(sqlite_nio_sqlite3_column_bytes(handle, column))
                var buffer = ByteBufferAllocator().buffer(capacity: count)
                if let bytes = sqlite_nio_sqlite3_column_blob(handle, column) {
                    buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
                }
                return .blob(buffer)
            default: return .null
            }
        }
    }
}

/// A prepared statement and its column names, which stay the same for every run.
private final class PreparedStatement {
    let handle: OpaquePointer
    let columns: DirectSQLiteColumns

    init(handle: OpaquePointer) {
        self.handle = handle
        let names = (0..<sqlite_nio_sqlite3_column_count(handle)).map { String(cString: sqlite_nio_sqlite3_column_name(handle, $0)) }
        columns = DirectSQLiteColumns(names: names)
    }
}

final class DirectSQLiteColumns: Sendable {
    let names: [String]
    let offsets: [String: Int]

    init(names: [String]) {
        self.names = names
        offsets = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// A row as SQLKit sees it, decoded by SQLiteKit's decoder exactly as SQLiteKit's own rows are.
struct DirectSQLiteRow: SQLRow {
    let columns: DirectSQLiteColumns
    let values: [SQLiteData]
    let decoder: SQLiteDataDecoder

    var allColumns: [String] { columns.names }
    func contains(column: String) -> Bool { columns.offsets[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let offset = columns.offsets[column] else { return true }
        return values[offset] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let offset = columns.offsets[column] else {
            throw DecodingError.keyNotFound(SQLiteColumnKey(column), .init(codingPath: [], debugDescription: "no column \(column) in the row"))
        }
        let value = values[offset]
        // The column types the stores read most are matched by type first, giving what the decoder would: reached through
        // `any SQLRow`, this function is unspecialised, and the decoder's casts were a sixth of a service-level recompute.
        switch value {
        case .text(let text):
            if D.self == String.self { return Self.same(text, as: D.self) }
            if D.self == String?.self { return Self.same(Optional(text), as: D.self) }
        case .integer(let number):
            if D.self == Int64.self { return Self.same(Int64(number), as: D.self) }
            if D.self == Int.self { return Self.same(number, as: D.self) }
            if D.self == Int64?.self { return Self.same(Optional(Int64(number)), as: D.self) }
        case .null:
            if D.self == String?.self { return Self.same(String?.none, as: D.self) }
            if D.self == Int64?.self { return Self.same(Int64?.none, as: D.self) }
        default: break
        }
        return try decoder.decode(D.self, from: value)
    }

    /// `value` as `D`, which the caller has checked is `T`.
    @inline(__always) private static func same<T, D>(_ value: T, as: D.Type) -> D {
        withUnsafePointer(to: value) { $0.withMemoryRebound(to: D.self, capacity: 1) { $0.pointee } }
    }
}

private struct SQLiteColumnKey: CodingKey {
    let stringValue: String
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

/// A statement SQLite refused, with its extended result code (for example 2067, a UNIQUE constraint).
public struct SQLiteStatementError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    init(code: Int32, handle: OpaquePointer) {
        self.code = sqlite_nio_sqlite3_extended_errcode(handle)
        message = String(cString: sqlite_nio_sqlite3_errmsg(handle))
    }

    public var isUniqueViolation: Bool { code == 2067 || code == 1555 } // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
    public var description: String { "SQLite error \(code): \(message)" }
}

/// `SQLDatabase` over one checked-out connection.
struct DirectSQLiteDatabase: SQLDatabase {
    let connection: DirectSQLiteConnection
    let logger: Logger
    var eventLoop: any EventLoop { connection.eventLoop }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }
    private static let encoder = SQLiteDataEncoder()
    private static let decoder = SQLiteDataDecoder()

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        let (sql, binds) = serialize(query)
        try connection.run(sql, try binds.map(Self.encode), decoder: Self.decoder, onRow)
    }

    /// The SQLite value of a bind. The common column types are matched by type first: SQLiteKit's encoder starts with a
    /// protocol-conformance cast, which cost a tenth of a billing run. Anything else (and nil) goes to that encoder, so the
    /// values are the same either way.
    static func encode(_ value: any Encodable & Sendable) throws -> SQLiteData {
        switch value {
        case let text as String: .text(text)
        case let number as Int: .integer(number)
        case let number as Int64: .integer(Int(number))
        case let number as Double: .float(number)
        default: try encoder.encode(value)
        }
    }

    /// Inserts rows one prepared statement execution each: what SQLite does fastest (a multi-row VALUES list is parsed
    /// afresh for every size and costs SQLKit a placeholder per value to write).
    func insertRows(into table: String, columns: [String], rows: [[any Encodable & Sendable]]) throws {
        let placeholders = (1...columns.count).map { "?\($0)" }.joined(separator: ", ")
        _ = try runEach("INSERT INTO \"\(table)\" (\(columns.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES (\(placeholders))", rows: rows)
    }

    /// Runs `sql` (placeholders `?1`, `?2`…) once per row of binds as one prepared statement, and returns how many rows
    /// each run changed.
    func runEach(_ sql: String, rows: [[any Encodable & Sendable]]) throws -> [Int] {
        try rows.map { try connection.run(sql, try $0.map(Self.encode), decoder: Self.decoder) { _ in } }
    }
}

/// Connections to one SQLite file, opened when first needed (with `pragmas`) and kept for reuse, at most `maximum` at
/// once; a caller past that waits for one to come back. Taking an idle connection is a lock, not a thread switch.
final class DirectSQLitePool: @unchecked Sendable {
    let path: String
    let pragmas: [String]
    let maximum: Int
    private let lock = NIOLock()
    // Guarded by `lock`.
    private var idle: [DirectSQLiteConnection] = []
    private var opened = 0
    private var waiting: [CheckedContinuation<DirectSQLiteConnection, any Error>] = []
    private var closed = false

    init(path: String, pragmas: [String], maximum: Int) {
        self.path = path
        self.pragmas = pragmas
        self.maximum = maximum
    }

    /// Runs `body` with a connection of its own, returned to the pool afterwards whatever happens.
    func withConnection<T>(_ body: (DirectSQLiteConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        defer { release(connection) }
        return try await body(connection)
    }

    private enum Next { case take(DirectSQLiteConnection), open, wait, closed }

    private func acquire() async throws -> DirectSQLiteConnection {
        let next: Next = lock.withLock {
            if closed { return .closed }
            if let connection = idle.popLast() { return .take(connection) }
            if opened < maximum { opened += 1; return .open }
            return .wait
        }
        switch next {
        case .take(let connection): return connection
        case .closed: throw SQLiteStatementError(code: SQLITE_MISUSE, message: "the database is shut down")
        case .open:
            do { return try open() } catch { lock.withLock { opened -= 1 }; throw error }
        case .wait:
            return try await withCheckedThrowingContinuation { continuation in
                let ready: DirectSQLiteConnection? = lock.withLock {
                    if let connection = idle.popLast() { return connection }
                    waiting.append(continuation)
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }

    private func release(_ connection: DirectSQLiteConnection) {
        let (next, close): (CheckedContinuation<DirectSQLiteConnection, any Error>?, Bool) = lock.withLock {
            if closed { return (nil, true) }
            if waiting.isEmpty { idle.append(connection); return (nil, false) }
            return (waiting.removeFirst(), false)
        }
        if close { connection.close() }
        next?.resume(returning: connection)
    }

    private func open() throws -> DirectSQLiteConnection {
        let connection = try DirectSQLiteConnection(path: path)
        do {
            for pragma in pragmas { try connection.run(pragma, [], decoder: SQLiteDataDecoder()) { _ in } }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// Closes the idle connections now, and each one in use when it comes back.
    func close() {
        let (connections, waiters) = lock.withLock {
            closed = true
            defer { idle = []; waiting = [] }
            return (idle, waiting)
        }
        connections.forEach { $0.close() }
        waiters.forEach { $0.resume(throwing: SQLiteStatementError(code: SQLITE_MISUSE, message: "the database is shut down")) }
    }
}

/// A task executor that runs jobs on one NIO event loop.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop
    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
