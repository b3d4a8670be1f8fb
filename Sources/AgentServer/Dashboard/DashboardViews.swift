import AgentCore
import Foundation

/// How the dashboard writes times, durations and amounts.
enum DashboardFormat {
    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: date)
    }

    static func duration(_ seconds: TimeInterval) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 120 { return String(format: "%.1f s", seconds) }
        if seconds < 7200 { return "\(Int(seconds / 60)) min" }
        return String(format: "%.1f h", seconds / 3600)
    }

    static func dollars(_ value: Value?) -> String {
        guard let amount = value?.numberValue else { return "" }
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        let digits = formatter.string(from: NSNumber(value: abs(amount))) ?? "\(abs(amount))"
        return amount < 0 ? "−$\(digits)" : "$\(digits)"
    }

    /// Pretty JSON, cut at `limit` characters.
    static func json(_ value: Value, limit: Int = 20_000) -> String {
        let text = value.jsonString(pretty: true)
        return text.count > limit ? String(text.prefix(limit)) + "\n… (cut at \(limit) characters)" : text
    }
}

/// A run's page: its facts and a timeline of its steps (bars placed on the run's own clock).
struct RunView {
    let state: RunState
    let definition: WorkflowDefinition?
    var now = Date()

    var view: [String: Any] {
        let start = state.startedAt ?? state.updatedAt ?? now
        let end = state.status.isTerminal ? (state.updatedAt ?? now) : now
        let span = max(end.timeIntervalSince(start), 0.001)
        var view: [String: Any] = [
            "id": state.runID, "workflow": state.workflowName, "status": state.status.rawValue,
            "inputs": state.inputs.sorted { $0.key < $1.key }.map { ["name": $0.key, "value": $0.value.displayString] },
            "started": DashboardFormat.time(start), "live": state.status.isRunnable,
            "steps": steps(start: start, now: end, span: span),
            "gates": state.gates.sorted { $0.key < $1.key }.map { ["name": $0.key, "outcome": $0.value.outcome.rawValue, "action": $0.value.action, "detail": $0.value.detail] },
        ]
        view["hasGates"] = !state.gates.isEmpty
        if state.status.isTerminal { view["duration"] = DashboardFormat.duration(end.timeIntervalSince(start)) }
        if let error = state.failureReason { view["error"] = error }
        if let reason = state.pauseReason { view["pauseReason"] = reason }
        if let waiting = state.steps.sorted(by: { $0.key < $1.key }).first(where: { $0.value.status == .waiting && $0.value.human?.response == nil }) {
            view["waiting"] = ["step": waiting.key, "runID": state.runID]
        }
        // Followed by the page's script from the last event it shows (Assets/live.js).
        if state.status.isRunnable { view["liveURL"] = "/runs/\(state.runID)/live?after=\(state.version)" }
        return view
    }

    private func steps(start: Date, now: Date, span: TimeInterval) -> [[String: Any]] {
        let names = definition?.steps.map(\.name) ?? state.steps.keys.sorted()
        return names.map { name in
            let step = state.step(name)
            var item: [String: Any] = [
                "name": name, "tool": step.tool ?? definition?.steps.first { $0.name == name }?.tool ?? "",
                "status": step.status.rawValue, "attempts": step.executions > 0 ? "\(step.executions)" : "",
            ]
            if let began = step.startedAt {
                let finished = step.finishedAt ?? now
                item["duration"] = DashboardFormat.duration(finished.timeIntervalSince(began))
                let left = max(0, began.timeIntervalSince(start)) / span * 100
                item["bar"] = ["status": step.status.rawValue, "left": String(format: "%.1f", min(left, 99.5)),
                               "width": String(format: "%.1f", max(0.5, min(100 - left, finished.timeIntervalSince(began) / span * 100)))]
            }
            var detail = false
            if let reason = step.skipReason { item["reason"] = reason; detail = true }
            if !step.errors.isEmpty {
                item["errors"] = step.errors.map { ["type": $0.type, "message": $0.message, "attempt": $0.attempt] }
                detail = true
            }
            if !step.strategiesTried.isEmpty { item["recovery"] = step.strategiesTried.joined(separator: ", "); detail = true }
            if let inputs = step.inputs { item["inputsJSON"] = DashboardFormat.json(inputs); detail = true }
            if let output = step.output {
                item["outputJSON"] = DashboardFormat.json(output)
                detail = true
                if let reason = Self.degradation(in: output) { item["degraded"] = reason }
            }
            item["hasDetail"] = detail
            return item
        }
    }

    /// Why part of an output is degraded (an AI part that fell back), if it says so.
    static func degradation(in value: Value, depth: Int = 0) -> String? {
        guard depth < 6 else { return nil }
        switch value {
        case .object(let fields):
            if fields["degraded"] == true { return fields["reason"]?.stringValue ?? "degraded" }
            for key in fields.keys.sorted() { if let found = degradation(in: fields[key]!, depth: depth + 1) { return found } }
            return nil
        default:
            return nil
        }
    }
}

/// Organization pages from the record `/api/v1/organizations/{ein}` serves.
enum OrganizationView {
    static func summary(_ organization: Value) -> [String: Any] {
        ["ein": organization["ein"]?.stringValue ?? "", "name": organization["name"]?.stringValue ?? "",
         "city": organization["city"]?.stringValue ?? "", "state": organization["state"]?.stringValue ?? "",
         "ntee": organization["ntee_code"]?.stringValue ?? ""]
    }

    static func page(_ record: Value) -> [String: Any] {
        let organization = record["organization"] ?? [:]
        let text = { (key: String) in organization[key]?.stringValue ?? "" }
        var view = summary(organization)
        view["address"] = [text("street"), text("city"), [text("state"), text("zip")].filter { !$0.isEmpty }.joined(separator: " ")]
            .filter { !$0.isEmpty }.joined(separator: ", ")
        view["subsection"] = Int(text("subsection")).map(String.init) ?? ""
        view["ruling"] = text("ruling")
        view["source"] = text("source")
        view["filings"] = (record["filings"]?.arrayValue ?? []).map { filing -> [String: Any] in
            ["year": filing["tax_year"]?.displayString ?? "", "form": filing["form_type"]?.stringValue ?? "",
             "revenue": DashboardFormat.dollars(filing["total_revenue"]), "expenses": DashboardFormat.dollars(filing["total_expenses"]),
             "assets": DashboardFormat.dollars(filing["total_assets"]), "netAssets": DashboardFormat.dollars(filing["net_assets"])]
        }
        let grant = { (grant: Value, party: String) -> [String: Any] in
            ["year": grant["tax_year"]?.displayString ?? "", "party": party, "amount": DashboardFormat.dollars(grant["amount"]),
             "purpose": grant["purpose"]?.stringValue ?? ""]
        }
        view["grantsMade"] = (record["grants_made"]?.arrayValue ?? []).map {
            grant($0, $0["recipient_name"]?.stringValue ?? $0["recipient_ein"]?.stringValue ?? "")
        }
        view["grantsReceived"] = (record["grants_received"]?.arrayValue ?? []).map { grant($0, $0["grantor_ein"]?.stringValue ?? "") }
        view["officers"] = (record["officers"]?.arrayValue ?? []).map { officer -> [String: Any] in
            ["name": officer["name"]?.stringValue ?? "", "title": officer["title"]?.stringValue ?? "",
             "compensation": DashboardFormat.dollars(officer["compensation"])]
        }
        view["hasGrantsMade"] = !(record["grants_made"]?.arrayValue ?? []).isEmpty
        view["hasGrantsReceived"] = !(record["grants_received"]?.arrayValue ?? []).isEmpty
        view["hasOfficers"] = !(record["officers"]?.arrayValue ?? []).isEmpty
        return view
    }
}
