import AgentCore
import Foundation
import Logging

extension WorkflowEngine {
    /// The lease owner of this process in a role (`cli`, `serve`, `worker`): `host:pid:role`.
    public static func leaseOwner(_ role: String) -> String { "\(ProcessInfo.processInfo.hostName):\(getpid()):\(role)" }

    /// The lease owner of this process's attached runs on a shared store.
    public static let attachedOwner = leaseOwner("cli")

    /// A worker of this process (`catalynx worker`, `serve --workers`) that logs each run it drove
    /// to a stop (as the server's own driver does) and reports each failed claim or renewal to
    /// `onError` and goes on; nil when the store is not shared between processes.
    public func worker(role: String, concurrency: Int, lease: Duration = .seconds(10), onStop: (@Sendable (RunState) async -> Void)?,
                       onError: @escaping @Sendable (any Error) -> Void) -> RunWorker? {
        guard let leasing = store as? any RunLeasing else { return nil }
        let logger = Logger(label: "catalynx.runs")
        let logged: @Sendable (RunState) async -> Void = { state in
            logger.info("run stopped", metadata: ["run_id": .string(state.runID), "status": .string(state.status.rawValue),
                                                  "workflow": .string(state.workflowName)])
            await onStop?(state)
        }
        return RunWorker(engine: self, leasing: leasing, owner: Self.leaseOwner(role), concurrency: concurrency, lease: lease, onStop: logged,
                         onError: onError)
    }

    /// Runs a workflow to its stop in this process (`run`, `analyze` without `--detach`, MCP). On
    /// a shared PostgreSQL store the run is started and driven under a lease, as workers drive
    /// theirs, so that no idle worker woken by the new run drives it too.
    public func runAttached(_ definition: WorkflowDefinition, inputs: [String: Value], runID: String = RunID.make(),
                            observer: Observer? = nil) async throws -> RunState {
        guard store is any RunLeasing else { return try await run(definition, inputs: inputs, runID: runID, observer: observer) }
        return try await driveAttached(runID: try await start(definition, inputs: inputs, runID: runID), observer: observer)
    }

    /// Drives an existing run to its stop in this process (`runs resume`, `approvals respond`, MCP),
    /// under a lease on a shared store.
    public func driveAttached(runID: String, observer: Observer? = nil) async throws -> RunState {
        guard let leasing = store as? any RunLeasing else { return try await drive(runID: runID, observer: observer) }
        return try await driveLeased(runID: runID, leasing: leasing, owner: Self.attachedOwner, observer: observer)
    }
}
