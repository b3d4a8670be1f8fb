import AgentCore
import Foundation
import GrantResearch
import Nonprofit
import Yams

/// An analysis as text for an 80-column terminal.
enum AnalysisPresenter {
    static let width = 80

    static func table(_ outcome: AnalysisOutcome, ein: EIN) -> String {
        var lines: [String] = []
        guard let organization = outcome.organization else {
            return "\(ein.formatted): \(outcome.error?.message ?? outcome.verdict.rawValue)\nrun \(outcome.runID) \(outcome.status.rawValue)"
        }
        lines.append("\(organization.name) (\(organization.ein))")
        let facts = [[organization.city, organization.state].compactMap { $0 }.joined(separator: ", "),
                     organization.nteeCode.map { "NTEE \($0)" + (organization.nteeDescription.map { " \($0)" } ?? "") },
                     organization.subsection.map { "501(c)(\(Int($0) ?? 0))" }].compactMap { $0 }.filter { !$0.isEmpty }
        lines.append(facts.joined(separator: " · "))
        let summary = outcome.summary ?? outcome.renderableReport?.summary
        if let summary {
            lines.append("")
            lines += wrap(summary.headline)
        }
        if let quality = outcome.dataQuality {
            lines.append("")
            lines.append(String(format: "Data completeness %.2f", quality.completenessScore)
                         + (quality.issues.isEmpty ? "" : " — \(quality.issues.count) issue\(quality.issues.count == 1 ? "" : "s"):"))
            for issue in quality.issues.prefix(4) { lines += wrap("\(issue.severity): \(issue.message)", indent: "  ") }
        }
        if let metrics = outcome.metrics, let latest = metrics.latest {
            lines.append("")
            lines.append("Financial metrics, \(latest.taxYear) (Form \(latest.formType))".padding(toLength: 52, withPad: " ", startingAt: 0) + "latest    3-yr avg")
            for entry in MetricCatalog.latest {
                let shown = entry.value(metrics).map { metric(entry.key, $0) } ?? "n/a"
                let average = metrics.threeYearAverages[entry.key].map { metric(entry.key, $0) } ?? ""
                lines.append("  " + entry.label.padding(toLength: 50, withPad: " ", startingAt: 0) + shown.padding(toLength: 10, withPad: " ", startingAt: 0) + average)
            }
            let history = organization.filings.prefix(6).reversed().compactMap { filing in filing.totalRevenue.map { "\(filing.taxYear) \(Money.short($0))" } }
            if !history.isEmpty { lines += wrap("Revenue: " + history.joined(separator: " · "), indent: "  ") }
        }
        if let risk = outcome.risk {
            lines.append("")
            lines.append(String(format: "Risk %d/100, %@ (confidence %.2f)", Int(risk.score), risk.level, risk.confidence))
            for dimension in risk.dimensions {
                let score = dimension.score.map { String(Int($0)) } ?? "–"
                let head = "  " + dimension.name.replacingOccurrences(of: "_", with: " ").padding(toLength: 22, withPad: " ", startingAt: 0)
                    + score.padding(toLength: 5, withPad: " ", startingAt: 0)
                lines += wrap(dimension.evidence, firstPrefix: head, indent: String(repeating: " ", count: head.count))
            }
        }
        if let peers = outcome.peers {
            lines.append("")
            lines += wrap("Peers: \(peers.peers.count)" + (peers.criteria.isEmpty ? "" : " (\(peers.criteria.joined(separator: "; ")))"), indent: "  ")
            for rank in peers.percentiles {
                lines.append("  " + rank.metric.replacingOccurrences(of: "_", with: " ").padding(toLength: 28, withPad: " ", startingAt: 0)
                             + "\(Int(rank.percentile.rounded()))th percentile of \(rank.peerCount)".padding(toLength: 26, withPad: " ", startingAt: 0)
                             + "median \(metric(rank.metric, rank.peerMedian))")
            }
        }
        if let funders = outcome.funders {
            lines.append("")
            lines += wrap("Funders: \(funders.passing) of \(funders.candidatesConsidered.formatted()) candidates pass \(funders.threshold) (\(funders.candidatesScored.formatted()) of related cause or place scored)")
            for (index, funder) in funders.funders.prefix(8).enumerated() {
                let name = funder.name.count > 40 ? String(funder.name.prefix(39)) + "…" : funder.name
                lines.append(String(format: "  %2d. ", index + 1) + name.padding(toLength: 41, withPad: " ", startingAt: 0)
                             + (funder.state ?? "").padding(toLength: 4, withPad: " ", startingAt: 0)
                             + String(format: "%.2f", funder.score) + (funder.passes ? "  passes" : ""))
            }
            for grant in funders.grantsToPeers.prefix(3) {
                lines += wrap("grant to a peer: \(grant.grantorName ?? grant.grantorEIN) → \(grant.recipient) \(Money.short(grant.amount)) (\(grant.taxYear))", indent: "  ")
            }
        }
        if let network = outcome.network {
            lines.append("")
            lines.append("Officer network: \(network.officers.count) officers, \(network.connectedOrganizations) connected organizations")
            if let note = network.note { lines += wrap(note, indent: "  ") }
        }
        if let summary, !summary.recommendations.isEmpty {
            lines.append("")
            lines.append("Recommendations")
            for recommendation in summary.recommendations { lines += wrap(recommendation, firstPrefix: "  • ", indent: "    ") }
        }
        if let exports = outcome.exports, !exports.isEmpty {
            lines.append("")
            lines += wrap("Exports in \(outcome.exportDirectory ?? "?"): " + exports.joined(separator: ", "))
        }
        lines.append("")
        let gates = outcome.gates.map { "\($0.name) \($0.outcome)" + ($0.outcome == "failed" ? " → \($0.action)" : "") }
        lines += wrap("Quality gates: " + (gates.isEmpty ? "none evaluated" : gates.joined(separator: "; ")))
        for skipped in outcome.skipped { lines += wrap("skipped \(skipped.step): \(skipped.reason)", indent: "  ") }
        let total = outcome.durations.values.reduce(0, +)
        lines += wrap("run \(outcome.runID) · \(outcome.workflow) · \(outcome.status.rawValue)" + String(format: " · steps %.1f ms", total))
        return lines.joined(separator: "\n")
    }

    /// A metric in few characters (the table's columns are narrow).
    static func metric(_ key: String, _ value: Double) -> String {
        switch key {
        case "months_of_reserve": String(format: "%.1f mo", value)
        case "fundraising_efficiency": String(format: "$%.2f", value)
        default: MetricCatalog.display(key, value)
        }
    }

    /// Word-wraps `text` to the terminal width.
    static func wrap(_ text: String, firstPrefix: String? = nil, indent: String = "") -> [String] {
        var lines: [String] = []
        var current = firstPrefix ?? indent
        var empty = true
        for word in text.split(separator: " ") {
            if !empty && current.count + 1 + word.count > width {
                lines.append(current)
                current = indent
                empty = true
            }
            current += (empty ? "" : " ") + word
            empty = false
        }
        lines.append(current)
        return lines
    }
}

/// Values as YAML (for `--format yaml`), through Yams.
enum YAMLOutput {
    static func render(_ value: AgentCore.Value) -> String {
        (try? Yams.dump(object: plain(value), sortKeys: true)) ?? value.jsonString(pretty: true)
    }

    private static func plain(_ value: AgentCore.Value) -> Any {
        switch value {
        case .null: NSNull()
        case .bool(let flag): flag
        case .int(let number): number
        case .double(let number): number
        case .string(let text): text
        case .array(let items): items.map(plain)
        case .object(let fields): fields.mapValues(plain)
        }
    }
}
