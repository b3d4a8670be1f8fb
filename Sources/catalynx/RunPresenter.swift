import AgentCore
import Foundation
import Synchronization

/// How runs look in the terminal and in JSON.
enum RunPresenter {
    /// A progress line on stderr for each step event, as it is recorded.
    static func progressObserver() -> WorkflowEngine.Observer {
        let color = Console.stderrIsTerminal
        @Sendable func paint(_ code: String, _ text: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        let started = Mutex([String: Date]())
        return { event in
            switch event.kind {
            case .stepStarted(let step, let attempt, let tool, _, let resumed):
                started.withLock { $0[step] = event.timestamp }
                let note = resumed ? " (resumed after interruption)" : attempt > 1 ? " (attempt \(attempt))" : ""
                Console.error("\(paint("36", "▶")) \(step) [\(tool)]\(note)")
            case .stepSucceeded(let step, _, _, let recovery):
                let began = started.withLock { $0[step] }
                let duration = began.map { formatDuration(event.timestamp.timeIntervalSince($0)) } ?? ""
                Console.error("\(paint("32", "✓")) \(step) \(duration)\(recovery.map { " — \($0)" } ?? "")")
            case .stepFailed(let step, let error):
                Console.error("\(paint("31", "✗")) \(step): \(error.type): \(error.message)")
            case .stepRetryScheduled(let step, _, _, _, let strategy):
                Console.error("\(paint("33", "↻")) \(step): \(strategy)")
            case .stepSkipped(let step, let reason):
                Console.error("\(paint("90", "–")) \(step) skipped: \(reason)")
            case .stepAbandoned(let step, let reason):
                Console.error("\(paint("33", "!")) \(step) abandoned, the run continues: \(reason)")
            case .gateEvaluated(let gate, let outcome, let action, let detail) where outcome != .passed:
                Console.error("\(paint("33", "⚑")) gate \(gate) \(outcome.rawValue) (\(action)): \(detail)")
            case .humanInputRequested(let step, _, let request, _, _):
                Console.error("\(paint("35", "⏳")) \(step) waits for a person: \(request["question"]?.stringValue ?? "an answer") — `catalynx approvals respond \(event.runID)`")
            case .agentDecided(let step, let turn, let intent, let arguments, _):
                Console.error("  \(paint("36", "→")) \(step) turn \(turn): \(intent) \(Self.clipped(arguments.displayString))")
            case .agentObserved(let step, let turn, let observation) where observation.isError:
                Console.error("  \(paint("33", "!")) \(step) turn \(turn): \(Self.clipped(observation.errorDescription ?? ""))")
            case .throttled(let step, let reason):
                Console.error("\(paint("33", "⧗")) \(step ?? "the run") waits: \(reason)")
            case .humanInputReceived(let step, _, let respondent):
                Console.error("\(paint("35", "✎")) \(step) answered by \(respondent)")
            case .runPaused(let reason):
                Console.error("\(paint("33", "⏸")) paused: \(reason)")
            case .runCancelled(let reason):
                Console.error("\(paint("31", "■")) cancelled: \(reason)")
            case .runFailed(let reason):
                Console.error("\(paint("31", "✗")) run failed: \(reason)")
            default:
                break
            }
        }
    }

    /// One entry of an agent step's thread, for `runs show`: its turn, then what happened.
    static func turnLine(_ entry: AgentThread.Entry) -> String {
        "  " + (entry.turn.map { String($0).padding(toLength: 3, withPad: " ", startingAt: 0) } ?? "   ") + clipped(entry.summary)
    }

    /// At most 100 characters of `text`, on one line.
    static func clipped(_ text: String) -> String {
        let line = text.replacingOccurrences(of: "\n", with: " ")
        return line.count > 100 ? String(line.prefix(99)) + "…" : line
    }

    /// `2026-12-01 14:03 UTC`.
    @Sendable static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }

    static func formatDuration(_ seconds: Double) -> String {
        if seconds < 1 { return String(format: "%.1f ms", seconds * 1000) }
        if seconds < 120 { return String(format: "%.2f s", seconds) }
        return String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60)
    }

    /// The human-readable account of a run: status, steps, gates, errors.
    static func table(_ state: RunState, definition: WorkflowDefinition?) -> String {
        var lines: [String] = []
        lines.append("run       \(state.runID)")
        lines.append("workflow  \(state.workflowName)  (\(state.workflowFile))")
        if let origin = state.forkedFrom { lines.append("forked    from run \(origin.run) at step \(origin.step)") }
        if let origin = state.scheduledBy { lines.append("schedule  \(origin.schedule), its tick at \(origin.tick.formatted(.iso8601))") }
        lines.append("status    \(state.status.rawValue)\(state.failureReason.map { " — \($0)" } ?? "")\(state.pauseReason.map { " — \($0)" } ?? "")")
        if let startedAt = state.startedAt, let updatedAt = state.updatedAt {
            lines.append("started   \(ISO8601DateFormatter().string(from: startedAt))  (\(formatDuration(updatedAt.timeIntervalSince(startedAt))) to last event)")
        }
        if let reason = state.throttled, !state.status.isTerminal { lines.append("waits     \(reason)") }
        if state.consecutiveFailures > 0 { lines.append("consecutive failures  \(state.consecutiveFailures)") }
        lines.append("")
        var table = TextTable("STEP", "STATUS", "ATTEMPTS", "DURATION", "NOTE")
        let order = definition?.steps.map(\.name) ?? state.steps.keys.sorted()
        for name in order {
            let step = state.step(name)
            let duration = step.startedAt.flatMap { start in step.finishedAt.map { formatDuration($0.timeIntervalSince(start)) } } ?? ""
            let lastError = step.errors.last.map { "\($0.type): \($0.message)" }
            let question = step.status == .waiting ? step.human?.request["question"]?.stringValue : nil
            let waits = (question ?? (step.status == .pending || step.status == .retrying ? step.throttled : nil)).map { "waits: \($0)" }
            let turns = step.agent.map { "\($0.turns) turn\($0.turns == 1 ? "" : "s") of agent \(definition?.step(named: name)?.agent?.function ?? "")" }
            let note = step.skipReason ?? waits ?? (step.status == .succeeded ? step.strategiesTried.last ?? turns : lastError ?? turns) ?? ""
            table.add(name, step.status.rawValue + (step.abandoned ? " (abandoned)" : ""), step.attempt == 0 ? "" : String(step.attempt), duration, note)
        }
        lines.append(table.render())
        for name in order {
            guard let thread = state.step(name).agent, !thread.entries.isEmpty else { continue }
            lines.append("")
            lines.append("agent turns of \(name)")
            lines += thread.entries.map(Self.turnLine)
        }
        if !state.gates.isEmpty {
            lines.append("")
            var gates = TextTable("GATE", "OUTCOME", "ACTION", "DETAIL")
            for (name, gate) in state.gates.sorted(by: { $0.key < $1.key }) {
                gates.add(name, gate.outcome.rawValue, gate.action, gate.detail)
            }
            lines.append(gates.render(maxWidth: 70))
        }
        let failed = order.filter { !state.step($0).errors.isEmpty }
        if !failed.isEmpty {
            lines.append("")
            lines.append("errors")
            for name in failed {
                let step = state.step(name)
                for error in step.errors {
                    lines.append("  \(name) attempt \(error.attempt) [\(error.tool)]: \(error.type): \(error.message)")
                }
                if !step.strategiesTried.isEmpty { lines.append("    recovery tried: \(step.strategiesTried.joined(separator: "; "))") }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The run as one JSON object (see `RunState.document(definition:)`).
    static func json(_ state: RunState, definition: WorkflowDefinition?) -> Value { state.document(definition: definition) }
}
