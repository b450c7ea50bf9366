import Cases
import Foundation
import Logging
import ServiceLifecycle
import TownhallDatabase
import TownhallKernel

/// The background scheduler: runs every area's `ScheduledJob`s, those `everyTick` each `interval` seconds (service-level
/// warnings and breaches, queued messages) and those `daily` once a London day (council tax recovery). Everything a job
/// needs is in the database, so it picks up where it left off after a restart, and several nodes can run it at once.
struct Scheduler: Service {
    let jobs: [ScheduledJob]
    let interval: Double
    let logger: Logger

    func run() async throws {
        guard interval > 0 else { try? await gracefulShutdown(); return }
        var finished: [String: LocalDate] = [:]
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await tick(today: .today(), finished: &finished)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
        }
    }

    /// One tick: every `everyTick` job, and each `daily` job not yet finished today. `finished` is the day this node last
    /// finished each daily job, so a daily job runs once a day and one that fails is tried again on the next tick.
    func tick(today: LocalDate, finished: inout [String: LocalDate]) async {
        for job in jobs where job.cadence == .everyTick || finished[job.name] != today {
            if await run(job, today: today), job.cadence == .daily { finished[job.name] = today }
        }
    }

    /// One run of one job; false when it failed. A failed run is retried on a later tick: nothing it did is half-written
    /// (each step is a transaction).
    func run(_ job: ScheduledJob, today: LocalDate) async -> Bool {
        do {
            let done = try await job.run(today, logger)
            if !done.isEmpty { logger.info("\(job.name)", metadata: done.mapValues { .string($0) }) }
            return true
        } catch {
            logger.error("\(job.name) failed", metadata: ["error": .string(String(reflecting: error))])
            return false
        }
    }
}

extension TownhallConfiguration {
    /// The message sender the configuration names.
    func makeSender(logger: Logger) throws -> any MessageSender {
        switch messageSender {
        case "file": return FileSender(path: messageFile)
        case "notify":
            return try NotifySender(
                apiKey: notifyAPIKey ?? "", templateID: notifyTemplateID ?? "", letterTemplateID: notifyLetterTemplateID)
        default: return LogSender(logger: logger)
        }
    }
}
