import Foundation
import SQLKit
import Testing
@testable import TownhallDatabase
import TownhallKernel
import TownhallTesting

/// `Database.transaction` on both engines; on SQLite the transactions waiting for the writer share a commit.
@Suite struct TransactionTests {
    struct Refused: Error {}

    /// Forty transactions queue behind one that holds the writer, then run: on SQLite as one group with one commit.
    /// Each is still its own: those that throw (by themselves, or on a duplicate key after a first insert) leave nothing
    /// behind and get their own error; the others commit both their rows and get their own result.
    @Test func transactionsThatArriveTogetherAreEachAllOrNothing() async throws {
        try await Scenario.run { s in
            let db = s.database
            try await db.transaction { try await $0.raw("CREATE TABLE group_probe (n INTEGER PRIMARY KEY, part INTEGER NOT NULL)").run() }
            let commitsBefore = db.commitGroups
            let (gate, open) = AsyncStream<Void>.makeStream()
            async let blocker: Void = db.transaction { sql in
                try await sql.raw("INSERT INTO group_probe (n, part) VALUES (-1, 0)").run()
                for await _ in gate { break }
            }
            try await Task.sleep(for: .milliseconds(100))
            let results = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
                for n in 0..<40 {
                    group.addTask {
                        do {
                            return (n, .success(try await db.transaction { sql in
                                try await sql.raw("INSERT INTO group_probe (n, part) VALUES (\(bind: n * 2), 1)").run()
                                if n % 5 == 0 { throw Refused() }
                                if n % 7 == 0 { try await sql.raw("INSERT INTO group_probe (n, part) VALUES (\(bind: n * 2), 2)").run() }
                                try await sql.raw("INSERT INTO group_probe (n, part) VALUES (\(bind: n * 2 + 1), 2)").run()
                                return n
                            }))
                        } catch {
                            return (n, .failure(error))
                        }
                    }
                }
                try? await Task.sleep(for: .milliseconds(300))   // all forty are waiting behind the blocker
                open.yield()
                open.finish()
                var out: [Int: Result<Int, any Error>] = [:]
                for await (n, result) in group { out[n] = result }
                return out
            }
            try await blocker

            let failing = Set((0..<40).filter { $0 % 5 == 0 || $0 % 7 == 0 })
            for n in 0..<40 {
                switch results[n]! {
                case .success(let value): #expect(!failing.contains(n) && value == n)
                case .failure(let error):
                    #expect(failing.contains(n))
                    if n % 5 == 0 { #expect(error is Refused) } else { #expect((error as? TownhallError)?.code == "duplicate") }
                }
            }
            let rows = try await db.read { try await $0.raw("SELECT n FROM group_probe ORDER BY n").all().map { try $0.int("n") } }
            let committed: [Int] = (0..<40).filter { !failing.contains($0) }.flatMap { n -> [Int] in [n * 2, n * 2 + 1] }
            #expect(rows == [-1] + committed)
            if db.engine == .sqlite {
                // The blocker's group and the forty's (a straggler would make a third): far fewer commits than transactions.
                #expect(db.commitGroups - commitsBefore <= 3)
            }
        }
    }
}
