import Logging
import NIOConcurrencyHelpers
import SQLKit
import VaporCSQLite

/// Runs the SQLite writer's transactions in groups that share one commit. SQLite makes each commit durable with an
/// fsync of the write-ahead log, and one writer commits at a time; so when requests arrive together, each used to wait
/// for the fsyncs of all those ahead of it. Here the writer takes every transaction waiting when it is free (at most
/// `maximumGroup`), runs each in a savepoint of one database transaction, and commits them with one fsync.
///
/// Each caller still sees its own transaction: its statements run one after another with nobody else's in between; if
/// its closure throws, only its savepoint is rolled back and only it gets the error; it gets its result after the commit
/// that made its writes durable, never before. If the group's transaction itself fails (a full disk, an I/O error,
/// which make SQLite abandon the whole transaction), every transaction in it fails and nothing of them is written.
final class GroupCommitter: Sendable {
    /// A transaction waiting to run: `run` runs the caller's closure and keeps its result; `finish` hands the caller
    /// that result, or the error, once the group has committed or failed.
    struct Job: Sendable {
        let run: @Sendable (any SQLDatabase) async throws -> Void
        let finish: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var pending: [Job] = []
        var sleeper: CheckedContinuation<Void, Never>?
        var worker: Task<Void, Never>?
        var closed = false
        var commits = 0
    }

    /// Bounds how long the first transaction of a group waits behind the others for its commit.
    static let maximumGroup = 64
    private let state = NIOLockedValueBox(State())
    private let pool: DirectSQLitePool
    private let executor: EventLoopTaskExecutor
    private let logger: Logger

    /// How many group transactions have committed (for tests: how many commits the transactions took).
    var commits: Int { state.withLockedValue { $0.commits } }

    init(pool: DirectSQLitePool, executor: EventLoopTaskExecutor, logger: Logger) {
        self.pool = pool
        self.executor = executor
        self.logger = logger
    }

    /// Runs `body` in the next group and returns its result once that group has committed.
    func run<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let result = NIOLockedValueBox<T?>(nil)
            submit(Job(run: { db in
                let value = try await body(db)
                result.withLockedValue { $0 = value }
            }, finish: { error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: result.withLockedValue { $0! }) }
            }))
        }
    }

    private func submit(_ job: Job) {
        let (accepted, sleeper): (Bool, CheckedContinuation<Void, Never>?) = state.withLockedValue { s in
            if s.closed { return (false, nil) }
            s.pending.append(job)
            // The worker lives on the writer's own thread, so a commit's fsync never holds a Swift concurrency thread.
            // Started under the lock so that two first transactions cannot start two.
            if s.worker == nil { s.worker = Task(executorPreference: executor) { await self.work() } }
            defer { s.sleeper = nil }
            return (true, s.sleeper)
        }
        if !accepted { job.finish(SQLiteStatementError(code: SQLITE_MISUSE, message: "the database is shut down")) }
        sleeper?.resume()
    }

    /// Finishes the transactions already queued, then stops taking new ones and closes the writer connection; returns
    /// when the last group is done.
    func close() async {
        let (worker, sleeper) = state.withLockedValue { s in
            s.closed = true
            defer { s.sleeper = nil }
            return (s.worker, s.sleeper)
        }
        sleeper?.resume()
        await worker?.value
        pool.close()
    }

    private func work() async {
        while let jobs = await nextGroup() { await commit(jobs) }
    }

    /// The transactions waiting now, oldest first; waits while there are none; nil once closed and drained.
    private func nextGroup() async -> [Job]? {
        while true {
            let taken: [Job]?? = state.withLockedValue { s in
                if !s.pending.isEmpty {
                    let group = Array(s.pending.prefix(Self.maximumGroup))
                    s.pending.removeFirst(group.count)
                    return .some(group)
                }
                return s.closed ? .some(nil) : nil
            }
            if let taken { return taken }
            await withCheckedContinuation { continuation in
                let wake = state.withLockedValue { s in
                    if !s.pending.isEmpty || s.closed { return true }
                    s.sleeper = continuation
                    return false
                }
                if wake { continuation.resume() }
            }
        }
    }

    private func commit(_ jobs: [Job]) async {
        var errors: [(any Error)?] = Array(repeating: nil, count: jobs.count)
        var groupError: (any Error)?
        do {
            try await pool.withConnection { connection in
                let db = DirectSQLiteDatabase(connection: connection, logger: self.logger)
                try await db.raw("BEGIN IMMEDIATE").run()
                do {
                    for (i, job) in jobs.enumerated() {
                        try await db.raw("SAVEPOINT townhall_transaction").run()
                        do {
                            try await job.run(db)
                            try await db.raw("RELEASE townhall_transaction").run()
                        } catch {
                            errors[i] = error
                            // Undoes this closure's statements alone. If SQLite has already abandoned the whole transaction,
                            // this throws and the group fails below.
                            try await db.raw("ROLLBACK TO townhall_transaction").run()
                            try await db.raw("RELEASE townhall_transaction").run()
                        }
                    }
                    try await db.raw("COMMIT").run()
                    self.state.withLockedValue { $0.commits += 1 }
                } catch {
                    try? await db.raw("ROLLBACK").run()
                    throw error
                }
            }
        } catch {
            groupError = error
        }
        for (i, job) in jobs.enumerated() { job.finish(errors[i] ?? groupError) }
    }
}
