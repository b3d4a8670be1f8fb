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
                     IRSCodes.subsection(organization.subsection)].compactMap { $0 }.filter { !$0.isEmpty }
        lines += wrap(facts.joined(separator: " · "))
        let summary = outcome.summary ?? outcome.renderableReport?.summary
        if let summary {
            lines.append("")
            lines += wrap(summary.headline)
        }
        if let quality = outcome.dataQuality {
            lines.append("")
            lines.append("Data completeness \(Int((quality.completenessScore * 100).rounded()))%"
                         + (quality.issues.isEmpty ? "" : " — \(Plural.count(quality.issues.count, "issue")):"))
            for issue in quality.issues.prefix(4) { lines += wrap("\(issue.severity): \(issue.message)", indent: "  ") }
            if quality.issues.count > 4 { lines.append("  … \(quality.issues.count - 4) more (--format json lists them all)") }
        }
        if let metrics = outcome.metrics, let latest = metrics.latest, let filing = organization.filings.first {
            lines.append("")
            lines.append("Financial metrics, \(filing.fiscalYear), Form \(FormName.text(latest.formType))")
            lines.append("".padding(toLength: 52, withPad: " ", startingAt: 0) + "latest    3-yr avg")
            let entries = MetricCatalog.latest.filter { $0.applies(to: latest.formType) }
            for entry in entries {
                guard let value = entry.value(metrics) else { continue }
                let average = metrics.threeYearAverages[entry.key].map { metric(entry.key, $0) } ?? ""
                lines.append("  " + entry.label.padding(toLength: 50, withPad: " ", startingAt: 0)
                             + metric(entry.key, value).padding(toLength: 10, withPad: " ", startingAt: 0) + average)
            }
            let missing = entries.filter { $0.value(metrics) == nil }.map { $0.label.lowercased() }
            if !missing.isEmpty { lines += wrap("not available: " + missing.joined(separator: ", "), indent: "  ") }
            let history = organization.filings.prefix(6).reversed().compactMap { filing in
                filing.totalRevenue.map { "\(filing.fiscalYear.label) \(Money.short($0))" }
            }
            if !history.isEmpty { lines += wrap(items: history, lead: "  Revenue: ", indent: "    ") }
        }
        if let risk = outcome.risk {
            lines.append("")
            lines.append("Financial risk \(Int(risk.score)) of 100, \(risk.level) (\(ReportWording.confidence(risk.confidence)) confidence)")
            for dimension in risk.dimensions {
                let score = dimension.score.map { String(Int($0)) } ?? "–"
                let head = "  " + ReportWording.dimension(dimension.name).padding(toLength: 22, withPad: " ", startingAt: 0)
                    + score.padding(toLength: 5, withPad: " ", startingAt: 0)
                lines += wrap(dimension.evidence, firstPrefix: head, indent: String(repeating: " ", count: head.count))
            }
        }
        if let peers = outcome.peers {
            lines.append("")
            lines += wrap("Peers: \(peers.peers.count)" + (peers.criteria.isEmpty ? "" : " (\(peers.criteria.joined(separator: "; ")))"), indent: "  ")
            for rank in peers.ranked {
                let label = MetricCatalog.label(rank.metric)
                lines.append("  " + (label.count > 35 ? String(label.prefix(34)) + "…" : label).padding(toLength: 36, withPad: " ", startingAt: 0)
                             + "\(Ordinal.text(Int(rank.percentile.rounded()))) percentile of \(rank.peerCount)".padding(toLength: 24, withPad: " ", startingAt: 0)
                             + "median \(metric(rank.metric, rank.peerMedian))")
            }
            let unranked = ReportViewText.unranked(peers)
            if !unranked.isEmpty { lines += wrap("not ranked: " + unranked.joined(separator: "; "), firstPrefix: "  ", indent: "    ") }
        }
        if let funders = outcome.funders, let own = funders.ownGiving {
            lines.append("")
            lines += wrap("A grantmaker itself: " + own.summary)
        } else if let funders = outcome.funders {
            lines.append("")
            lines += wrap("Funders: " + ReportWording.funderSummary(funders), indent: "  ")
            if let eligibility = funders.eligibility { lines += wrap(eligibility, indent: "  ") }
            for (index, funder) in funders.funders.prefix(8).enumerated() {
                let name = NameCase.display(funder.name)
                let shown = name.count > 40 ? String(name.prefix(39)) + "…" : name
                lines.append(String(format: "  %2d. ", index + 1) + shown.padding(toLength: 41, withPad: " ", startingAt: 0)
                             + (funder.state ?? "").padding(toLength: 4, withPad: " ", startingAt: 0)
                             + String(format: "%.2f", funder.score)
                             + (funder.isPastFunder ? "  past funder" : funder.passes ? "  good fit" : funder.hasGivingHistory ? "" : "  no giving on record"))
            }
            for note in funders.notes { lines += wrap(note, indent: "  ") }
            for grant in funders.grantsToPeers.prefix(3) {
                lines += wrap("grant to a peer: \(grant.grantorName ?? grant.grantorEIN) → \(grant.recipient) \(Money.short(grant.amount)) (FY\(grant.taxYear))", indent: "  ")
            }
        }
        if let network = outcome.network {
            lines.append("")
            lines.append("Officer network: \(Plural.count(network.officers.count, "officer")), \(Plural.count(network.connectedOrganizations, "connected organization"))")
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
        let checks = outcome.gates.map { gate in
            "\(ReportWording.gate(gate.name).lowercased()): " + (gate.outcome == "passed" ? "yes" : gate.outcome == "failed" ? "no" : "not checked")
        }
        lines += wrap("Checks: " + (checks.isEmpty ? "none" : checks.joined(separator: "; ")))
        for line in ReportWording.skipped(outcome.skipped) { lines += wrap(line, indent: "  ") }
        let total = outcome.durations.values.reduce(0, +)
        lines += wrap(items: ["run \(outcome.runID)", outcome.workflow, outcome.status.rawValue, String(format: "steps %.1f ms", total)], lead: "", indent: "")
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

    /// Wraps items (each kept whole, `FY2022 $6.8M`) separated by ` · ` to the terminal width.
    static func wrap(items: [String], lead: String, indent: String) -> [String] {
        var lines: [String] = []
        var current = lead
        for (index, item) in items.enumerated() {
            let piece = (index == 0 ? "" : " · ") + item
            if current.count + piece.count > width, current != lead {
                lines.append(current)
                current = indent + item
            } else {
                current += piece
            }
        }
        lines.append(current)
        return lines
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
