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
        /// Where each funder's giving page is (`/funders/`, followed by its EIN's digits) when the report is served
        /// beside the dashboard; nil for a report sent as a file.
        public var funderPages: String?

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

    /// The report as Markdown; every text that came from data or a person is escaped.
    public func markdown(_ report: AnalysisReport, run: RunInfo) -> String {
        library.render(MarkdownText.escapeAll(Self.view(report, run: run, charts: false)), withTemplate: "report.md") ?? ""
    }

    /// The template's view: formatted strings, lists and flags, every code in words, every empty value left out.
    static func view(_ report: AnalysisReport, run: RunInfo, charts: Bool) -> [String: Any] {
        let organization = report.organization
        let place = [organization.city, [organization.state, organization.zip].compactMap { $0 }.joined(separator: " ")]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        let cause = organization.nteeCode.map { code in (organization.nteeDescription.map { "\($0) " } ?? "") + "(NTEE \(code))" }
        let facts = ["EIN \(organization.ein)", place, cause, IRSCodes.subsection(organization.subsection),
                     IRSCodes.ruling(organization.ruling).map { "exempt since \($0)" }].compactMap { $0 }.filter { !$0.isEmpty }
        var notes: [String] = []
        var view: [String: Any] = [
            "name": organization.name, "kind": ReportWording.kind(report.reportType), "facts": facts, "factsLine": facts.joined(separator: " · "),
            "run_id": run.runID, "status": run.status,
            "generated": ISO8601DateFormatter.string(from: run.generatedAt, timeZone: .current, formatOptions: [.withFullDate]),
            "headline": report.summary.headline,
            "findings": report.summary.keyFindings, "recommendations": report.summary.recommendations,
            "sources": ReportView.sources(organization),
        ]
        if let latest = organization.latestFigures {
            let money = [latest.revenue.map { "revenue \(Money.full($0))" }, latest.assets.map { "assets \(Money.full($0))" }].compactMap { $0 }
            if !money.isEmpty {
                view["latest"] = "Latest figures on record: \(ListText.joined(money)) in \(latest.fiscalYear), from \(latest.source)."
            }
        }
        notes += report.summary.limitations
        if let quality = report.dataQuality {
            view["quality"] = [
                "score": "\(Int((quality.completenessScore * 100).rounded()))%",
                "issues": quality.issues.map { ["severity": $0.severity, "message": ReportView.sentence($0.message)] },
            ] as [String: Any]
            notes += quality.issues.map(\.suggestedFix)
        }
        if let metrics = report.metrics, let latest = metrics.latest, let filing = organization.filings.first {
            view["metrics"] = ReportView.metrics(metrics, latest: latest, filing: filing, filings: organization.filings)
        }
        if let risk = report.risk {
            view["risk"] = [
                "score": Int(risk.score), "level": risk.level, "confidence": ReportWording.confidence(risk.confidence),
                "dimensions": risk.dimensions.map {
                    ["name": ReportWording.dimension($0.name), "score": $0.score.map { String(Int($0)) } ?? "not scored",
                     "weight": "\(Int(($0.weight * 100).rounded()))%", "evidence": ReportView.sentence($0.evidence)]
                },
            ] as [String: Any]
        }
        if let peers = report.peers { view["peers"] = ReportView.peers(peers) }
        if let funders = report.funders {
            var section = ReportView.funders(funders, pages: run.funderPages)
            if let research = report.funderResearch, let answer = research.answer, !answer.isEmpty, let top = funders.funders.first {
                let source = research.byModel
                    ? "written by AI" + (research.llm?.last(where: { $0.error == nil }).map { " (\($0.model))" } ?? "")
                        + (research.turns.map { " after \(Plural.count($0, "step")) of looking things up" } ?? "")
                    : "written from its scores by fixed rules"
                let name = NameCase.display(top.name)
                section["research"] = ["heading": top.passes ? "Why \(name) might fit" : "How the closest funder, \(name), fits", "answer": answer, "source": source]
            }
            view["funders"] = section
        }
        if let network = report.network {
            view["network"] = [
                "heading": Plural.count(network.officers.count, "officer or director", "officers and directors"),
                "officers": network.officers.map { ["name": NameCase.display($0.name), "title": $0.title.map(ReportView.readable) ?? "", "year": "FY\($0.taxYear)",
                                                    "compensation": $0.compensation.map(Money.full) ?? "not reported"] as [String: Any] },
                "connections": network.connections.map { ["person": NameCase.display($0.person),
                                                          "organization": $0.organizationName.map(NameCase.display) ?? EIN(trusted: $0.organizationEIN).formatted,
                                                          "title": $0.title.map { " as \($0)" } ?? "", "funder": $0.isFunder] as [String: Any] },
                "note": network.note.map(ReportView.sentence) ?? "",
            ] as [String: Any]
        }
        if let landscape = report.landscape {
            let code = landscape.nteeCode ?? ""
            let state = landscape.state ?? "its state"
            let rows: [(String, OrganizationLandscape?)] = [
                ("Same cause (NTEE \(code)) in \(state)", landscape.sameCodeInState),
                ("Same major group (\(code.prefix(1))) in \(state)", landscape.sameGroupInState),
                ("Same cause (NTEE \(code)), every state on record", landscape.sameCodeEverywhere),
            ]
            view["landscape"] = [
                "rows": rows.compactMap { label, counts in counts.map { landscapeRow(label, $0) } }, "note": landscape.note.map(ReportView.sentence) ?? "",
            ] as [String: Any]
        }
        if let review = report.review {
            let verdict: String
            switch review.validationType {
            case "auto_approved": verdict = "No reviewer is set up, so the findings were not reviewed by a person."
            case "timeout_unvalidated": verdict = "No reviewer answered in time: the findings are not reviewed."
            default: verdict = "\(review.reviewer ?? "A reviewer") \(review.validated ? "approved" : "rejected") the findings."
            }
            view["review"] = ["verdict": verdict, "insights": review.additionalInsights, "corrections": review.corrections,
                              "steps": review.recommendedNextSteps] as [String: Any]
        }
        if let narrative = report.narrative?.narrative {
            view["narrative"] = ["headline": narrative.headline, "paragraphs": narrative.paragraphs, "strengths": narrative.strengths,
                                 "concerns": narrative.concerns] as [String: Any]
        }
        if let content = report.content, content.mission == nil && content.programs.isEmpty {
            notes.append("No mission or program description is on record; the organization's Form 990 e-file return (Part III) states them.")
        } else if let content = report.content {
            var section: [String: Any] = [
                "summary": content.analysis.missionSummary, "source": provenanceLabel(content.provenance),
                "areas": content.analysis.programAreas.map { ["name": $0.name, "description": $0.description] },
            ]
            if let mission = content.mission.map(ReportView.readable), !mission.isEmpty {
                section["mission"] = mission
                section["mission_year"] = content.taxYear.map { "FY\($0)" } ?? "latest"
            }
            if !content.analysis.keywords.isEmpty { section["keywords"] = content.analysis.keywords.joined(separator: ", ") }
            view["content"] = section
        }
        view["checks"] = run.gates.sorted { $0.name < $1.name }.map { gate -> [String: Any] in
            let outcome: String
            switch gate.outcome {
            case "passed": outcome = "yes"
            case "failed": outcome = gate.action == "warn" ? "not met (noted)" : "not met: \(ReportWording.gateConsequence(gate.action))"
            default: outcome = "not checked (what it checks was not computed)"
            }
            return ["name": ReportWording.gate(gate.name), "passed": gate.outcome != "failed", "outcome": outcome]
        }
        view["skipped"] = ReportWording.skipped(run.skipped)
        let parts: [(String, AIProvenance?)] = [("Narrative", report.narrative?.provenance), ("Program description", report.content?.provenance),
                                                ("Second opinion on the data", report.aiReview?.provenance)]
        var aiParts = parts.compactMap { name, provenance in provenance.map { ["part": name, "source": provenanceLabel($0)] } }
        if let research = report.funderResearch, research.answer?.isEmpty == false {
            aiParts.append(["part": "Why the top funder might fit", "source": research.byModel ? "written by AI" : "written from the funder's scores by fixed rules"])
        }
        view["ai_parts"] = aiParts
        let usage = AIUsage(calls: parts.flatMap { $0.1?.usage.calls ?? [] } + (report.funderResearch?.llm ?? []))
        if !usage.calls.isEmpty {
            view["llm"] = ["calls": Plural.count(usage.calls.count, "model call"), "tokens": (usage.inputTokens + usage.outputTokens).formatted(),
                           "cost": usage.costUSD.map { String(format: "$%.4f", $0) } ?? "unknown (unpriced model)"] as [String: Any]
        }
        var seen: Set<String> = []
        view["notes"] = notes.map(ReportView.sentence).filter { seen.insert($0).inserted }
        if charts { view["charts"] = Charts.all(for: report) }
        return view
    }

    /// `written by AI (model)` or `written by rules (no AI model is set up)`.
    static func provenanceLabel(_ provenance: AIProvenance) -> String {
        if provenance.ai { return "written by AI" + (provenance.model.map { " (\($0))" } ?? "") }
        return "written from the filings by fixed rules" + (provenance.reason.map { ReportView.aiReason($0) } ?? "")
    }

    /// One row of the landscape table.
    static func landscapeRow(_ label: String, _ counts: OrganizationLandscape) -> [String: Any] {
        [
            "label": label, "organizations": counts.organizations.formatted(), "foundations": counts.privateFoundations.formatted(),
            "filers": counts.withFilings.formatted(), "median": counts.medianRevenue.map(Money.short) ?? "not known",
            "total": Money.short(counts.totalRevenue),
        ]
    }
}
