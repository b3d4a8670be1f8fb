import Foundation
import Logging

/// Drives runs in this process: the one place that knows how, for the store the engine was opened on.
///
/// On a store of one process alone (SQLite, memory) a run is driven directly. On a store shared by
/// several processes (PostgreSQL: `RunStore.leasing`), every run is driven under a lease renewed
/// while it is driven, so that no worker or server drives it at the same time; a run another process
/// holds is waited for, and taken over if that process's lease expires.
///
/// Three ways to drive, one for each kind of front end:
/// - attached (`run`, `drive`): the CLI, MCP and the use cases wait for the run's stop;
/// - in the background (`background`): the server on a store of its own drives what it starts;
/// - as a worker (`worker`): `catalynx worker` and `serve` on a shared store claim runnable runs.
public struct RunDriver: Sendable {
    public let engine: WorkflowEngine
    /// The store's leasing ability, read once when the driver is made; nil: the store is this process's alone.
    public let leasing: (any RunLeasing)?
    /// This process's name in the leases: `host:pid:role`.
    public let owner: String
    /// How long a lease lasts without renewal.
    public let lease: Duration

    /// - Parameters:
    ///   - engine: executes the runs' steps.
    ///   - role: what this process is (`cli`, `serve`, `worker`), for its lease owner name.
    ///   - lease: how long a lease lasts without renewal (renewed every third of it).
    public init(engine: WorkflowEngine, role: String, lease: Duration = .seconds(10)) {
        self.engine = engine
        leasing = engine.store.leasing
        owner = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(role)"
        self.lease = lease
    }

    /// Whether other processes share the store's runs (a worker can be made).
    public var isShared: Bool { leasing != nil }

    // MARK: Attached

    /// Starts a workflow and drives it to its stop (ended, waiting for a person, paused) in this process.
    /// - Parameters:
    ///   - runID: the run's id (default: a new one from the engine's `ids`).
    ///   - observer: sees each recorded event.
    public func run(_ definition: WorkflowDefinition, inputs: [String: Value], runID: String? = nil,
                    observer: WorkflowEngine.Observer? = nil) async throws -> RunState {
        guard leasing != nil else { return try await engine.run(definition, inputs: inputs, runID: runID, observer: observer) }
        // Recorded first, then driven under a lease: an idle worker woken by the new run waits for it.
        return try await drive(runID: try await engine.start(definition, inputs: inputs, runID: runID), observer: observer)
    }

    /// Drives an existing run to its stop in this process (`runs resume`, `approvals respond`, MCP).
    /// On a shared store: under a lease; while another process holds it, waits for that one, and
    /// takes over if its lease expires.
    public func drive(runID: String, observer: WorkflowEngine.Observer? = nil) async throws -> RunState {
        guard let leasing else { return try await engine.drive(runID: runID, observer: observer) }
        let (clock, owner, lease) = (engine.clock, self.owner, self.lease)
        while true {
            if try await leasing.claimRun(runID, owner: owner, lease: lease) {
                let renewal = Task {
                    while !Task.isCancelled {
                        try await clock.sleep(for: lease / 3)
                        _ = try await leasing.renewLeases(owner: owner, runIDs: [runID], lease: lease)
                    }
                }
                defer { renewal.cancel() }
                let state = try await engine.drive(runID: runID, observer: observer)
                try? await leasing.releaseLease(owner: owner, runID: runID)
                return state
            }
            let state = try await engine.store.state(of: runID)
            guard state.status.isRunnable else { return state }
            try await clock.sleep(for: .milliseconds(100))
        }
    }

    // MARK: Workers and the background

    /// A worker claiming runnable runs from the shared store, logging each run it drove to a stop;
    /// nil when the store is this process's alone.
    /// - Parameters:
    ///   - concurrency: runs driven at once.
    ///   - grace: how long the runs in flight may take to finish once the worker is told to stop.
    ///   - onStop: called with a run's state each time the worker drove it to a stop (outbound webhooks).
    ///   - onError: told of each claim or renewal that failed (the worker goes on).
    public func worker(concurrency: Int, grace: Duration = .seconds(10), logger: Logger = Logger(label: "catalynx.runs"),
                       onStop: (@Sendable (RunState) async -> Void)? = nil,
                       onError: (@Sendable (any Error) -> Void)? = nil) -> Worker? {
        guard let leasing else { return nil }
        let logged: @Sendable (RunState) async -> Void = { state in
            logger.info("run stopped", metadata: ["run_id": .string(state.runID), "status": .string(state.status.rawValue),
                                                  "workflow": .string(state.workflowName)])
            await onStop?(state)
        }
        return Worker(engine: engine, leasing: leasing, owner: owner, concurrency: concurrency, lease: lease, grace: grace,
                      onStop: logged, onError: onError)
    }

    /// Drives runs in the background of this process, one task a run (the server on a store of its own).
    public func background(logger: Logger = Logger(label: "catalynx.runs"), grace: Duration = .seconds(20)) -> Background {
        Background(driver: self, logger: logger, grace: grace)
    }
}
