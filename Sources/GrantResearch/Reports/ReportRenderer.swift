import Foundation
import Mustache
import Nonprofit

/// Renders an analysis report as Markdown or as a self-contained HTML page with inline SVG
/// charts, from the Mustache templates in `Templates/` (`report.md.mustache`, `report.html.mustache`).
public struct ReportRenderer: Sendable {
    /// What the run adds to the report: its id, status and quality gates, and steps skipped.
    public struct RunInfo: Sendable {
        public var runID: String
        public var workflow: String
        public var status: String
        /// (gate, outcome, action, detail)
        public var gates: [(name: String, outcome: String, action: String, detail: String)]
        /// (step, reason)
        public var skipped: [(step: String, reason: String)]
        public var generatedAt: Date

        public init(runID: String, workflow: String, status: String, gates: [(name: String, outcome: String, action: String, detail: String)],
                    skipped: [(step: String, reason: String)], generatedAt: Date = Date()) {
            self.runID = runID
            self.workflow = workflow
            self.status = status
            self.gates = gates
            self.skipped = skipped
            self.generatedAt = generatedAt
        }
    }

    private let library: MustacheLibrary

    /// Loads the templates shipped with the module.
    public init() throws {
        guard let folder = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the report templates are missing from the installation"])
        }
        var library = MustacheLibrary()
        for name in ["report.html", "report.md"] {
            let url = folder.appendingPathComponent("\(name).mustache")
            library.register(try MustacheTemplate(string: String(contentsOf: url, encoding: .utf8)), named: name)
        }
        self.library = library
    }

    /// The report as a standalone HTML page (inline CSS and SVG; prints on A4).
    public func html(_ report: AnalysisReport, run: RunInfo) -> String {
        library.render(Self.view(report, run: run, charts: true), withTemplate: "report.html") ?? ""
    }

    /// The report as Markdown.
    public func markdown(_ report: AnalysisReport, run: RunInfo) -> String {
        library.render(Self.view(report, run: run, charts: false), withTemplate: "report.md") ?? ""
    }

    /// The template's view: formatted strings, lists and flags.
    static func view(_ report: AnalysisReport, run: RunInfo, charts: Bool) -> [String: Any] {
        let organization = report.organization
        var view: [String: Any] = [
            "name": organization.name, "ein": organization.ein,
            "place": [organization.city, organization.state, organization.zip].compactMap { $0 }.joined(separator: ", "),
            "ntee": organization.nteeCode.map { code in code + (organization.nteeDescription.map { " — \($0)" } ?? "") } ?? "not classified",
            "subsection": organization.subsection.map { "501(c)(\(Int($0) ?? 0))" } ?? "unknown",
            "ruling": organization.ruling.map { "\($0.prefix(4))" } ?? "unknown",
            "source": organization.source,
            "report_type": report.reportType.replacingOccurrences(of: "_", with: " "),
            "run_id": run.runID, "workflow": run.workflow, "status": run.status,
            "generated": ISO8601DateFormatter.string(from: run.generatedAt, timeZone: .current, formatOptions: [.withFullDate, .withSpaceBetweenDateAndTime, .withTime, .withColonSeparatorInTime]),
            "headline": report.summary.headline,
            "findings": report.summary.keyFindings, "recommendations": report.summary.recommendations,
            "limitations": report.summary.limitations,
            "gates": run.gates.sorted { $0.name < $1.name }.map {
                ["name": $0.name, "outcome": $0.outcome, "action": $0.action, "detail": $0.detail, "failed": $0.outcome == "failed"] as [String: Any]
            },
            "skipped": run.skipped.map { ["step": $0.step, "reason": $0.reason] },
        ]
        if let quality = report.dataQuality {
            view["quality"] = [
                "score": String(format: "%.2f", quality.completenessScore),
                "issues": quality.issues.map { ["field": $0.field, "severity": $0.severity, "message": $0.message, "fix": $0.suggestedFix] },
            ] as [String: Any]
        }
        if let metrics = report.metrics, let latest = metrics.latest {
            view["metrics"] = [
                "year": latest.taxYear, "form": latest.formType,
                "latest": metricRows(metrics),
                "years": zip(metrics.years, organization.filings).map { year, filing in
                    [
                        "year": year.taxYear, "form": year.formType,
                        "revenue": filing.totalRevenue.map(Money.short) ?? "—", "expenses": filing.totalExpenses.map(Money.short) ?? "—",
                        "net_assets": filing.netAssets.map(Money.short) ?? "—",
                        "margin": year.operatingMargin.map { Money.percent($0) } ?? "—",
                        "reserve": year.monthsOfReserve.map { String(format: "%.1f", $0) } ?? "—",
                        "program": year.programExpenseRatio.map { Money.percent($0) } ?? "—",
                    ] as [String: Any]
                },
            ] as [String: Any]
        }
        if let risk = report.risk {
            view["risk"] = [
                "score": Int(risk.score), "level": risk.level, "confidence": String(format: "%.2f", risk.confidence),
                "dimensions": risk.dimensions.map {
                    ["name": $0.name.replacingOccurrences(of: "_", with: " "), "score": $0.score.map { String(Int($0)) } ?? "n/a",
                     "weight": "\(Int(($0.weight * 100).rounded()))%", "evidence": $0.evidence]
                },
            ] as [String: Any]
        }
        if let peers = report.peers {
            view["peers"] = [
                "criteria": peers.criteria, "count": peers.peers.count, "any": !peers.peers.isEmpty,
                "list": peers.peers.prefix(15).map {
                    ["name": $0.name, "ein": $0.ein, "state": $0.state ?? "", "ntee": $0.nteeCode ?? "", "revenue": $0.revenue.map(Money.short) ?? "—"]
                },
                "percentiles": peers.percentiles.map {
                    ["metric": $0.metric.replacingOccurrences(of: "_", with: " "), "value": MetricCatalog.display($0.metric, $0.value),
                     "percentile": String(format: "%.0f", $0.percentile), "median": MetricCatalog.display($0.metric, $0.peerMedian), "count": $0.peerCount]
                },
            ] as [String: Any]
        }
        if let funders = report.funders {
            view["funders"] = [
                "threshold": String(format: "%.2f", funders.threshold), "scored": funders.candidatesConsidered.formatted(), "detailed": funders.candidatesScored.formatted(), "passing": funders.passing,
                "list": funders.funders.enumerated().map { index, funder in
                    [
                        "rank": index + 1, "name": funder.name, "ein": funder.ein,
                        "place": [funder.city, funder.state].compactMap { $0 }.joined(separator: ", "),
                        "score": String(format: "%.2f", funder.score), "passes": funder.passes,
                        "assets": funder.assets.map(Money.short) ?? "—",
                        "dimensions": funder.dimensions.map {
                            ["name": $0.name.replacingOccurrences(of: "_", with: " "), "score": String(format: "%.2f", $0.score),
                             "weight": String(format: "%.2f", $0.weight), "explanation": $0.explanation]
                        },
                    ] as [String: Any]
                },
                "grants_to_peers": funders.grantsToPeers.map {
                    ["grantor": $0.grantorName ?? $0.grantorEIN, "recipient": $0.recipient, "amount": Money.full($0.amount), "year": $0.taxYear,
                     "purpose": $0.purpose ?? ""] as [String: Any]
                },
            ] as [String: Any]
        }
        if let network = report.network {
            view["network"] = [
                "officers": network.officers.map { ["name": $0.name, "title": $0.title ?? "", "year": $0.taxYear,
                                                    "compensation": $0.compensation.map(Money.full) ?? "—"] as [String: Any] },
                "connections": network.connections.map { ["person": $0.person, "organization": $0.organizationName ?? $0.organizationEIN,
                                                          "ein": $0.organizationEIN, "title": $0.title ?? "", "funder": $0.isFunder] as [String: Any] },
                "note": network.note ?? "",
            ] as [String: Any]
        }
        if let landscape = report.landscape {
            let code = landscape.nteeCode ?? ""
            let rows: [(String, OrganizationLandscape?)] = [
                ("NTEE \(code) in \(landscape.state ?? "")", landscape.sameCodeInState),
                ("NTEE group \(code.prefix(1)) in \(landscape.state ?? "")", landscape.sameGroupInState),
                ("NTEE \(code), all states on record", landscape.sameCodeEverywhere),
            ]
            view["landscape"] = [
                "rows": rows.compactMap { label, counts in counts.map { landscapeRow(label, $0) } }, "note": landscape.note ?? "",
            ] as [String: Any]
        }
        if let review = report.review {
            view["review"] = ["type": review.validationType.replacingOccurrences(of: "_", with: " "), "validated": review.validated,
                              "verdict": review.validated ? "validated" : "not validated",
                              "reviewer": review.reviewer ?? "none configured", "steps": review.recommendedNextSteps,
                              "insights": review.additionalInsights, "corrections": review.corrections] as [String: Any]
        }
        if let narrative = report.narrative?.narrative {
            view["narrative"] = ["headline": narrative.headline, "paragraphs": narrative.paragraphs, "strengths": narrative.strengths,
                                 "concerns": narrative.concerns] as [String: Any]
        }
        if let content = report.content {
            view["content"] = [
                "mission": content.mission ?? "", "summary": content.analysis.missionSummary, "year": content.taxYear.map(String.init) ?? "",
                "areas": content.analysis.programAreas.map { ["name": $0.name, "description": $0.description] },
                "keywords": content.analysis.keywords.joined(separator: ", "), "fit": content.analysis.nteeFit.replacingOccurrences(of: "_", with: " "),
                "source": provenanceLabel(content.provenance),
            ] as [String: Any]
        }
        let parts: [(String, AIProvenance?)] = [("Narrative", report.narrative?.provenance), ("Content analysis", report.content?.provenance),
                                                ("Data review (second opinion)", report.aiReview?.provenance)]
        view["ai_parts"] = parts.compactMap { name, provenance in provenance.map { ["part": name, "source": provenanceLabel($0)] } }
        let usage = AIUsage(calls: parts.flatMap { $0.1?.usage.calls ?? [] })
        if !usage.calls.isEmpty {
            view["llm"] = ["calls": usage.calls.count, "tokens": (usage.inputTokens + usage.outputTokens).formatted(),
                           "cost": usage.costUSD.map { String(format: "$%.4f", $0) } ?? "unknown (unpriced model)"] as [String: Any]
        }
        if charts { view["charts"] = Charts.all(for: report) }
        return view
    }

    /// `AI (model)` or `rules — why no AI`.
    static func provenanceLabel(_ provenance: AIProvenance) -> String {
        if provenance.ai { return "AI-generated" + (provenance.model.map { " (\($0))" } ?? "") }
        return "rule-based" + (provenance.reason.map { " — \($0)" } ?? "")
    }

    /// The latest year's metrics as label / value / average / note rows.
    static func metricRows(_ metrics: FinancialMetrics) -> [[String: Any]] {
        MetricCatalog.latest.map { entry in
            let value = entry.value(metrics)
            return [
                "label": entry.label, "value": value.map { MetricCatalog.display(entry.key, $0) } ?? "n/a",
                "average": metrics.threeYearAverages[entry.key].map { MetricCatalog.display(entry.key, $0) } ?? "",
                "note": value == nil ? MetricCatalog.reason(entry.key, in: metrics) : "",
            ]
        }
    }

    /// One row of the landscape table.
    static func landscapeRow(_ label: String, _ counts: OrganizationLandscape) -> [String: Any] {
        [
            "label": label, "organizations": counts.organizations, "foundations": counts.privateFoundations, "filers": counts.withFilings,
            "median": counts.medianRevenue.map(Money.short) ?? "—", "total": Money.short(counts.totalRevenue),
        ]
    }
}
