import Foundation
import Logging
import ServiceLifecycle

extension RunDriver {
    /// Drives the runs of a store this process has alone in the background, one task a run, and
    /// logs each run's course with its run id (the server's runs). Run as a `Service`: on start it
    /// picks up runs a previous process left running; on graceful shutdown it lets the steps in
    /// flight finish (up to `grace`) so that they are recorded, and leaves the rest resumable: their
    /// events say where they stopped.
    public actor Background: Service {
        let driver: RunDriver
        let logger: Logger
        let grace: Duration
        private var tasks: [String: Task<Void, Never>] = [:]
        private var onStop: (@Sendable (RunState) async -> Void)?

        init(driver: RunDriver, logger: Logger, grace: Duration) {
            self.driver = driver
            self.logger = logger
            self.grace = grace
        }

        /// Calls `onStop` (the outbound webhooks) whenever a run driven here ends or asks a person.
        public func notify(_ onStop: @escaping @Sendable (RunState) async -> Void) { self.onStop = onStop }

        /// Drives a run unless this process is driving it already.
        public func drive(_ runID: String) {
            guard tasks[runID] == nil else { return }
            var logger = self.logger
            logger[metadataKey: "run_id"] = .string(runID)
            let (driver, onStop) = (self.driver, self.onStop)
            tasks[runID] = Task {
                logger.info("run driven")
                do {
                    let state = try await driver.drive(runID: runID)
                    logger.info("run stopped", metadata: ["status": .string(state.status.rawValue), "workflow": .string(state.workflowName)])
                    if let onStop { Task { await onStop(state) } }
                } catch {
                    logger.error("run could not be driven", metadata: ["error": .string(String(describing: error))])
                }
                self.finished(runID)
            }
        }

        private func finished(_ runID: String) { tasks[runID] = nil }

        /// The runs being driven now.
        public var inFlight: Int { tasks.count }

        /// Drives every run a previous process left running or pending.
        public func recover() async throws {
            for status in RunStatus.allCases where status.isRunnable {
                for summary in try await driver.engine.store.runs(RunQuery(status: status, limit: 10_000)) {
                    logger.info("resuming a run left \(status.rawValue)", metadata: ["run_id": .string(summary.id)])
                    drive(summary.id)
                }
            }
        }

        /// Waits for the graceful shutdown, then for the runs in flight (at most `grace`).
        public func run() async throws {
            try await recover()
            try? await gracefulShutdown()
            let pending = Array(tasks.values)
            guard !pending.isEmpty else { return }
            logger.info("shutting down: waiting for the steps in flight of \(pending.count) run\(pending.count == 1 ? "" : "s")")
            await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for task in pending { await task.value }
                    return true
                }
                group.addTask { [grace, clock = driver.engine.clock] in
                    try? await clock.sleep(for: grace)
                    return false
                }
                let allFinished = await group.next() ?? false
                group.cancelAll()
                if !allFinished { logger.warning("shutting down with runs still in flight; they resume from their events on the next start") }
            }
        }
    }
}
