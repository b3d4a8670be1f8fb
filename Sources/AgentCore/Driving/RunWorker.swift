import Foundation
import ServiceLifecycle

extension RunDriver {
    /// A worker: claims runnable runs from a shared store with leases, drives each to its end or its
    /// next wait, renews the leases while it does, and gives them back. Several workers on several
    /// machines share the runs of one store; a worker that dies stops renewing, its leases expire,
    /// and another worker drives its runs on from their events (the attempt that was running is
    /// executed again with the same idempotency key).
    ///
    /// A `Service`: in a `ServiceGroup` it stops claiming on graceful shutdown (SIGTERM, SIGINT), lets
    /// the runs in flight finish for up to `grace` and releases the leases of any still going.
    public actor Worker: Service {
        let engine: WorkflowEngine
        let leasing: any RunLeasing
        /// This worker's name in the leases table.
        public nonisolated let owner: String
        let concurrency: Int
        let lease: Duration
        let grace: Duration
        let poll: Duration
        let idlePoll: Duration
        let onStop: (@Sendable (RunState) async -> Void)?
        let onError: (@Sendable (any Error) -> Void)?
        private var driving: [String: Task<Void, Never>] = [:]
        private var stopping = false
        /// Set when the store announces a claimable run.
        private var woken = false
        /// Runs this worker has driven to a stop.
        public private(set) var driven = 0
        /// Claims and renewals that failed (and were tried again).
        public private(set) var failures = 0

        /// - Parameters:
        ///   - grace: how long the runs in flight may take to finish once the worker is told to stop.
        ///   - poll: how often to look for runs when the store cannot announce them.
        ///   - idlePoll: how often to look when it can (a safety net: timers and missed announcements).
        ///   - onStop: called with a run's state each time this worker has driven it to a stop (ended,
        ///     waiting for a person, paused): the server sends its outbound webhooks from here.
        ///   - onError: told of each claim or renewal that failed (the worker goes on).
        public init(engine: WorkflowEngine, leasing: any RunLeasing, owner: String, concurrency: Int = 4,
                    lease: Duration = .seconds(10), grace: Duration = .seconds(10), poll: Duration = .milliseconds(200),
                    idlePoll: Duration = .seconds(2), onStop: (@Sendable (RunState) async -> Void)? = nil,
                    onError: (@Sendable (any Error) -> Void)? = nil) {
            self.engine = engine
            self.leasing = leasing
            self.owner = owner
            self.concurrency = max(1, concurrency)
            self.lease = lease
            self.grace = grace
            self.poll = poll
            self.idlePoll = idlePoll
            self.onStop = onStop
            self.onError = onError
        }

        /// Claims and drives runs until `stop()` or a graceful shutdown; then winds down (see `grace`).
        public func run() async throws {
            try await withGracefulShutdownHandler {
                try await self.claimUntilStopped()
            } onGracefulShutdown: {
                Task { await self.stop() }
            }
        }

        /// Asks the worker to stop claiming and wind down.
        public func stop() { stopping = true }

        private func claimUntilStopped() async throws {
            let clock = engine.clock
            var lastRenewal = clock.now()
            var poll = self.poll
            var listener: Task<Void, Never>?
            if let wakeUps = leasing.wakeUps() {
                poll = idlePoll
                listener = Task { for await _ in wakeUps { self.wake() } }
            }
            defer { listener?.cancel() }
            while !stopping {
                woken = false
                let free = concurrency - driving.count
                var claimed: [String] = []
                // A failed claim or renewal (a deadlock the server broke, a dropped connection) is
                // reported and tried again; it never stops the worker.
                do {
                    if free > 0 {
                        claimed = try await leasing.claimRuns(owner: owner, limit: free, lease: lease)
                        for id in claimed where driving[id] == nil { start(id) }
                    }
                    if clock.elapsed(since: lastRenewal) > lease / 3 {
                        let held = try await leasing.renewLeases(owner: owner, runIDs: Array(driving.keys), lease: lease)
                        for (id, task) in driving where !held.contains(id) { task.cancel() }  // lost to another worker
                        lastRenewal = clock.now()
                    }
                } catch {
                    failures += 1
                    onError?(error)
                    try? await clock.sleep(for: .milliseconds(200))
                }
                // Claim again at once while there is work and room; otherwise wait for a free slot, an
                // announced run (with room for it) or the next poll.
                if claimed.isEmpty || driving.count >= concurrency {
                    let (before, until) = (driven, clock.now().addingTimeInterval(min(poll, lease / 3).seconds))
                    while !stopping && driven == before && !(woken && driving.count < concurrency) && clock.now() < until {
                        try? await clock.sleep(for: .milliseconds(5))
                    }
                }
            }
            let deadline = clock.now().addingTimeInterval(grace.seconds)
            while !driving.isEmpty && clock.now() < deadline {
                _ = try? await leasing.renewLeases(owner: owner, runIDs: Array(driving.keys), lease: lease)
                try? await clock.sleep(for: .milliseconds(100))
            }
            for (id, task) in driving {
                task.cancel()
                try? await leasing.releaseLease(owner: owner, runID: id)
            }
        }

        private func wake() { woken = true }

        private func start(_ id: String) {
            let (engine, leasing, owner, onStop) = (self.engine, self.leasing, self.owner, self.onStop)
            driving[id] = Task {
                // A run claimed while waiting for a person is past its deadline: resuming applies the step's fallback.
                if (try? await engine.store.state(of: id))?.status == .waiting { _ = try? await engine.resume(runID: id) }
                let stopped = try? await engine.drive(runID: id)
                if !Task.isCancelled {
                    try? await leasing.releaseLease(owner: owner, runID: id)
                    if let stopped, let onStop { await onStop(stopped) }
                }
                self.finished(id)
            }
        }

        private func finished(_ id: String) {
            driving[id] = nil
            driven += 1
        }
    }
}
