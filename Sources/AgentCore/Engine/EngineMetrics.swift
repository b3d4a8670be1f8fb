import Metrics

/// What the engine reports to whatever metrics backend the process bootstrapped (none: nothing):
/// the seed's metric names, in Prometheus style.
enum EngineMetrics {
    /// Runs being executed by this process right now (made on each use: the backend may be bootstrapped later).
    static var activeWorkflows: Meter { Meter(label: "catalynx_active_workflows") }

    /// One tool attempt: `status` is success, failure or waiting (asked a person).
    static func toolExecuted(_ tool: String, status: String, duration: Duration) {
        Counter(label: "catalynx_tool_executions_total", dimensions: [("tool_name", tool), ("status", status)]).increment()
        Timer(label: "catalynx_tool_duration_seconds", dimensions: [("tool_name", tool)]).record(duration: duration)
    }

    /// A run that reached an end (completed, failed, cancelled) in this process.
    static func workflowFinished(_ workflow: String, status: RunStatus) {
        Counter(label: "catalynx_workflow_executions_total", dimensions: [("workflow_name", workflow), ("status", status.rawValue)]).increment()
    }
}
