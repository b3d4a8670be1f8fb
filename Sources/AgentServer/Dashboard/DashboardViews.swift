import AgentCore
import CatalynxApp
import Foundation
import GrantResearch
import Nonprofit

/// How the dashboard writes times, durations and amounts.
enum DashboardFormat {
    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: date)
    }

    /// A run id people can tell apart at a glance: ids start with their (shared) time, so the end: `…9d79a74d`.
    static func runID(_ id: String) -> String { "…" + id.suffix(8) }

    static func duration(_ seconds: TimeInterval) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 120 { return String(format: "%.1f s", seconds) }
        if seconds < 7200 { return "\(Int(seconds / 60)) min" }
        return String(format: "%.1f h", seconds / 3600)
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
    /// Whether the viewer may fork the run (a write key): each step that began gets a "Fork from here" button.
    var canFork = false
    var now = Date()

    var view: [String: Any] {
        let start = state.startedAt ?? state.updatedAt ?? now
        let end = state.status.isTerminal ? (state.updatedAt ?? now) : now
        let span = max(end.timeIntervalSince(start), 0.001)
        var view: [String: Any] = [
            "id": state.runID, "workflow": state.workflowName, "status": state.status.rawValue,
            "inputs": state.inputs.sorted { $0.key < $1.key }.map { ["name": $0.key, "value": $0.value.displayString] },
            "forkInputs": forkInputs,
            "started": DashboardFormat.time(start), "live": state.status.isRunnable,
            "steps": steps(start: start, now: end, span: span),
            "gates": state.gates.sorted { $0.key < $1.key }.map { ["name": $0.key, "outcome": $0.value.outcome.rawValue, "action": $0.value.action, "detail": $0.value.detail] },
        ]
        view["hasGates"] = !state.gates.isEmpty
        if let origin = state.forkedFrom {
            view["forkedFrom"] = ["runID": origin.run, "shortID": DashboardFormat.runID(origin.run), "step": origin.step]
        }
        if let origin = state.scheduledBy {
            view["scheduledBy"] = ["schedule": origin.schedule, "tick": DashboardFormat.time(origin.tick)]
        }
        view["canFork"] = canFork
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

    /// The inputs a fork may change, each shown as it is now: the run's inputs, then the workflow's others.
    private var forkInputs: [[String: String]] {
        let declared = definition?.inputs.map(\.name) ?? []
        let names = state.inputs.keys.sorted() + declared.filter { state.inputs[$0] == nil }
        return names.map { ["name": $0, "value": state.inputs[$0]?.displayString ?? ""] }
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
                item["forkable"] = canFork
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
            if let thread = step.agent, !thread.entries.isEmpty {
                item["turnCount"] = thread.turns
                item["turns"] = thread.entries.map { entry -> [String: Any] in
                    let text = entry.summary
                    return ["turn": entry.turn.map(String.init) ?? "", "text": text.count > 400 ? String(text.prefix(399)) + "…" : text]
                }
                detail = true
            }
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

/// Organization pages: what the application's overview says, codes in words, empty rows left out.
enum OrganizationView {
    static func summary(_ organization: Organization) -> [String: Any] {
        ["ein": organization.formattedEIN, "name": NameCase.display(organization.name), "city": organization.city.map(NameCase.display) ?? "",
         "state": organization.state ?? "",
         "ntee": organization.nteeCode ?? ""]
    }

    static func page(_ overview: OrganizationOverview) -> [String: Any] {
        let organization = overview.organization
        var facts: [[String: String]] = [["label": "EIN", "value": organization.formattedEIN]]
        func fact(_ label: String, _ value: String?) {
            if let value, !value.isEmpty { facts.append(["label": label, "value": value]) }
        }
        fact("Address", [organization.street.map(NameCase.display), overview.place].compactMap { $0 }.joined(separator: ", "))
        fact("Cause (NTEE)", overview.cause)
        fact("Exemption", overview.exemption)
        fact("Kind", overview.foundation)
        fact("Exempt since", overview.ruling)
        if let latest = overview.profile.latestFigures {
            fact("Latest revenue", latest.revenue.map { "\(Money.full($0)) in \(latest.fiscalYear)" })
            fact("Latest assets", latest.assets.map { "\(Money.full($0)) in \(latest.fiscalYear)" })
            fact("Figures from", latest.source)
        }
        var view: [String: Any] = ["name": overview.profile.name, "ein": organization.formattedEIN, "facts": facts]
        view["filings"] = overview.record.filings.map { filing -> [String: Any] in
            ["year": filing.fiscalYear.description, "form": FormName.text(filing.formType), "source": SourceName.text(filing.sources),
             "revenue": filing.totalRevenue.map(Money.full) ?? "–", "expenses": filing.totalExpenses.map(Money.full) ?? "–",
             "assets": filing.totalAssets.map(Money.full) ?? "–", "netAssets": filing.netAssets.map(Money.full) ?? "–"]
        }
        let grant = { (grant: Grant, party: String) -> [String: Any] in
            ["year": "FY\(grant.taxYear)", "party": party, "amount": Money.full(grant.amount), "purpose": grant.purpose ?? ""]
        }
        view["grantsMade"] = overview.record.grantsMade.map { grant($0, $0.recipientName) }
        view["grantsReceived"] = overview.record.grantsReceived.map { grant($0, EIN(trusted: $0.grantorEIN).formatted) }
        view["officers"] = overview.record.officers.map { officer -> [String: Any] in
            ["name": officer.name, "title": officer.title ?? "", "year": "FY\(officer.taxYear)",
             "compensation": officer.compensation.map(Money.full) ?? ""]
        }
        view["hasGrantsMade"] = !overview.record.grantsMade.isEmpty
        view["isGrantmaker"] = !overview.record.grantsMade.isEmpty || organization.foundation == "04"
            || overview.record.filings.contains { ($0.grantsPaid ?? 0) > 0 }
        view["hasGrantsReceived"] = !overview.record.grantsReceived.isEmpty
        view["hasOfficers"] = !overview.record.officers.isEmpty
        return view
    }
}

/// A grantmaker's page: its giving from the grants and filings on record.
enum FunderView {
    static func page(_ profile: FunderProfile) -> [String: Any] {
        var facts: [[String: String]] = []
        if let median = profile.medianGrant, let smallest = profile.smallestGrant, let largest = profile.largestGrant {
            facts.append(["label": "Grant sizes", "value": "median \(Money.full(median)), from \(Money.full(smallest)) to \(Money.full(largest))"])
        }
        if !profile.places.isEmpty {
            facts.append(["label": "Where", "value": profile.places.prefix(6).map { "\($0.label) \(Money.percent($0.share, digits: 0))" }.joined(separator: " · ")])
        }
        if !profile.causes.isEmpty {
            facts.append(["label": "Causes", "value": profile.causes.prefix(6).map { "\($0.label) \(Money.percent($0.share, digits: 0))" }.joined(separator: " · ")])
        }
        if let assets = profile.assets { facts.append(["label": "Assets", "value": Money.full(assets)]) }
        if let payout = profile.payoutRatio { facts.append(["label": "Payout", "value": "\(Money.percent(payout)) of its assets"]) }
        return [
            "name": profile.name, "ein": profile.ein, "digits": profile.ein.filter(\.isNumber), "kind": profile.kind,
            "place": [profile.city, profile.state].compactMap { $0 }.joined(separator: ", "),
            "summary": ReportViewText.sentence(profile.summary), "facts": facts,
            "evidence": profile.grantCount > 0 ? profile.causeEvidence : "",
            "years": profile.byYear.map { ["year": $0.fiscalYear, "grants": $0.grants, "total": Money.full($0.total),
                                           "fresh": $0.firstTimeShare.map { Money.percent($0, digits: 0) } ?? "first year on record"] as [String: Any] },
            "recipients": profile.topRecipients.map { ["name": $0.name, "state": $0.state ?? "", "total": Money.full($0.total), "grants": $0.grants,
                                                        "latest": "FY\($0.latestYear)"] as [String: Any] },
            "paid": profile.grantsPaidByYear.map { ["year": $0.fiscalYear, "total": Money.full($0.total)] },
            "sources": profile.returns.isEmpty ? "" : "From " + profile.returns.joined(separator: "; ") + ".",
        ]
    }
}
