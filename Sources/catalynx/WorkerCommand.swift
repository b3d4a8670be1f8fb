import AgentCore
import AgentStore
import ArgumentParser
import CatalynxApp
import Foundation
import Logging
import ServiceLifecycle

/// `catalynx worker [--concurrency N]`: drives the runs of a shared PostgreSQL store.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Drive runs from the shared PostgreSQL store, beside any number of other workers.",
        discussion: """
            Needs CATALYNX_DATABASE_URL=postgres://… . The worker claims runnable runs with leases \
            (FOR UPDATE SKIP LOCKED), renews them while it drives the runs, and gives them back when \
            they end or wait for a person. An idle worker sleeps until PostgreSQL announces a new or \
            resumed run (LISTEN/NOTIFY), looking anyway every 2 seconds for overdue answer deadlines. \
            If a worker dies, its leases expire and another worker continues its runs from their events. SIGTERM or SIGINT: stop claiming, let the runs in \
            flight finish (up to --grace seconds), release the rest.
            """)

    @Option(help: "Runs driven at once.")
    var concurrency = 4

    @Option(help: "Seconds a lease lasts without renewal.")
    var leaseSeconds = 10

    @Option(help: "Seconds to let runs in flight finish on shutdown.")
    var grace = 10

    @Option(help: ArgumentHelp("Outbound webhooks to send for the runs this worker drives (default $CATALYNX_HOME/webhooks.yaml when it exists).",
                               valueName: "path"))
    var webhooks: String?

    @Flag(inversion: .prefixedNo, help: "Fire the schedules too (each tick starts one run, whichever process sees it first).")
    var schedules = true

    func run() async throws {
        let context = CLIContext()
        let driver = RunDriver(engine: try await context.engine(), role: "worker", lease: .seconds(leaseSeconds))
        let outbound = try context.webhooks(path: webhooks).outbound
        guard let worker = driver.worker(concurrency: concurrency, grace: .seconds(grace), onStop: outbound?.onStop,
                                         onError: Console.leaseFailure(role: "worker")) else {
            throw CLIExit.needsSharedStore("workers share")
        }
        let location = (try? context.configuration.runStore.get())?.description ?? "?"
        Console.error("worker \(worker.owner) driving up to \(concurrency) runs at once from \(location)"
                      + (outbound == nil ? "" : ", sending outbound webhooks"))
        // The runs the ticker starts are claimed like any other (this worker or another).
        let ticker = schedules ? try await context.app.scheduleTicker(engine: driver.engine) : nil
        // SIGTERM or SIGINT: the group shuts the worker down gracefully (it stops claiming and winds down).
        let services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: worker)] + (ticker.map { [.init(service: $0)] } ?? [])
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: Logger(label: "catalynx")))
        try await group.run()
        let driven = await worker.driven
        Console.error("worker \(worker.owner) stopped after driving \(driven) run\(driven == 1 ? "" : "s")")
    }
}
