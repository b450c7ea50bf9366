import Cases
import Foundation
import Logging
import Revenues
import ServiceLifecycle
import TownhallKernel

/// The background scheduler: every `interval` seconds it raises the service-level warnings and breaches that have fallen
/// due and sends queued messages; once a day, for each council that bills council tax, it runs the recovery job.
/// Everything it needs is in the database, so it picks up where it left off after a restart, and several nodes can run it
/// at once (see `Cases.sweepServiceLevels`, `Cases.deliverMessages` and `Revenues.runRecovery`, which proposes each stage once).
struct Scheduler: Service {
    let cases: Cases
    let revenues: Revenues
    let sender: any MessageSender
    let interval: Double
    let logger: Logger

    func run() async throws {
        guard interval > 0 else { try? await gracefulShutdown(); return }
        // The last day this node finished the recovery job, so it asks the database about it once a day, not every tick.
        var recoveredOn: LocalDate?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await tick()
            let today = LocalDate.today()
            if recoveredOn != today, await dailyRecovery(today: today) { recoveredOn = today }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
        }
    }

    func tick() async {
        do {
            let sweep = try await cases.sweepServiceLevels()
            let delivery = try await cases.deliverMessages(with: sender, logger: logger)
            if sweep.warnings + sweep.breaches + delivery.sent + delivery.retrying + delivery.failed > 0 {
                logger.info("scheduler", metadata: ["warnings": .stringConvertible(sweep.warnings), "breaches": .stringConvertible(sweep.breaches),
                                                    "sent": .stringConvertible(delivery.sent), "retrying": .stringConvertible(delivery.retrying),
                                                    "failed": .stringConvertible(delivery.failed)])
            }
        } catch {
            // A failed tick is retried on the next one; nothing it did is half-written (each step is a transaction).
            logger.error("scheduler tick failed", metadata: ["error": .string(String(reflecting: error))])
        }
    }

    /// The recovery job for each billing council that has not had it today (another node may have). With review on (the
    /// default) it only proposes; officers issue. False when it failed, so the next tick tries again.
    func dailyRecovery(today: LocalDate) async -> Bool {
        do {
            for organisation in try await revenues.billingOrganisations() where !(try await revenues.ranRecovery(organisation: organisation, on: today)) {
                let result = try await revenues.runRecovery(on: today, by: .system(organisation, "daily recovery"))
                logger.info("recovery", metadata: ["organisation": .string(organisation.string), "accounts": .stringConvertible(result.accounts),
                                                   "proposed": .stringConvertible(result.proposedTotal), "issued": .stringConvertible(result.issued)])
            }
            return true
        } catch {
            logger.error("recovery job failed", metadata: ["error": .string(String(reflecting: error))])
            return false
        }
    }
}

extension TownhallConfiguration {
    /// The message sender the configuration names.
    func makeSender(logger: Logger) throws -> any MessageSender {
        switch messageSender {
        case "file": return FileSender(path: messageFile)
        case "notify": return try NotifySender(apiKey: notifyAPIKey ?? "", templateID: notifyTemplateID ?? "", letterTemplateID: notifyLetterTemplateID)
        default: return LogSender(logger: logger)
        }
    }
}
