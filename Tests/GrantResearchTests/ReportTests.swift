import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import GrantResearch
@testable import Nonprofit

@Suite("Reports")
struct ReportTests {
    /// A report with every section, from the real filings of 54-1230284 and a hand-made funder list.
    func fullReport() throws -> AnalysisReport {
        let parsed = try Fixture.proPublica("541230284")
        let profile = OrganizationProfile(parsed.organization, filings: parsed.filings)
        let metrics = FinancialMetrics(filings: parsed.filings)
        let funder = FunderScoring.Funder(
            ein: "51-0000001", name: "Richmond <Health> & \"Care\" Fund", city: "Richmond", state: "VA", nteeCode: "E31", foundationCode: "04",
            assets: 20_000_000, score: 0.7, passes: true,
            dimensions: FunderModel.weights.map { .init(name: $0.name, weight: $0.weight, score: 0.7, explanation: "because") }, recentGrants: [],
            profileSummary: "12 grants on record, $240,000 in FY2022; median $15,000", hasGivingHistory: true, pastGrants: [], evidence: 120_000)
        return AnalysisReport(
            reportType: "complete_tier", organization: profile, dataQuality: DataQuality(profile: profile, currentYear: 2026), metrics: metrics,
            risk: RiskAssessment(metrics: metrics, dataQuality: nil),
            peers: PeerComparison(criteria: ["1 with NTEE E31 in VA"], peers: [], percentiles: [
                .init(metric: "months_of_reserve", value: 10.1, percentile: 40, peerCount: 5, peerMedian: 11, higherIsBetter: true),
            ], unranked: [:]),
            funders: FunderScoring(threshold: 0.58, candidatesConsidered: 10, candidatesScored: 4, passing: 1, funders: [funder], grantsToPeers: []))
    }

    let run = ReportRenderer.RunInfo(runID: "run_test", workflow: "complete_tier_analysis", status: "completed",
                                     gates: [(name: "data_sufficiency", outcome: "passed", action: "request_additional_data", detail: "0.9 > 0.6")],
                                     skipped: [])

    @Test func htmlIsOnePageWithWellFormedSVGChartsAndEscapedData() throws {
        let html = try ReportRenderer().html(try fullReport(), run: run)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("@page { size: A4"))
        #expect(!html.contains("<script") && !html.contains("src=\"http"))   // self-contained, no code
        let charts = html.components(separatedBy: "<svg ").dropFirst().map { "<svg " + $0.components(separatedBy: "</svg>")[0] + "</svg>" }
        #expect(charts.count == 4)   // revenue/expenses, risk, peers, funders (no Part IX split in ProPublica data)
        for chart in charts {
            let parser = XMLParser(data: Data(chart.utf8))
            #expect(parser.parse(), "an SVG chart is not well-formed XML: \(parser.parserError.map(String.init(describing:)) ?? "")")
        }
        #expect(html.contains("Richmond &lt;Health&gt; &amp; &quot;Care&quot; Fund"))
        #expect(!html.contains("Richmond <Health>"))
        #expect(TagBalance.problems(html).isEmpty, "\(TagBalance.problems(html))")
        #expect(html.contains("10.1 months"))
    }

    @Test func markdownHasEverySectionAndEscapesWhatCameFromData() throws {
        var report = try fullReport()
        report.organization.name = "Care <img src=x onerror=alert(1)> *Fund* [x](javascript:1)"
        let markdown = try ReportRenderer().markdown(report, run: run)
        for heading in ["# Care", "## Financial health, FY2022 (Apr 2021–Mar 2022) (Form 990)", "## Financial risk:", "## Peers (0 peers)",
                        "## Likely funders", "## Checks", "## Data notes"] {
            #expect(markdown.contains(heading), "missing \(heading) in \(markdown)")
        }
        #expect(markdown.contains("Richmond &lt;Health&gt; &amp; \"Care\" Fund"))
        #expect(!markdown.contains("<img") && !markdown.contains("<Health>") && !markdown.contains("[x](javascript"))
        #expect(markdown.contains("\\*Fund\\*"))
        #expect(markdown.contains("| Months of reserve | 10.1 months |"))
    }

    /// What a board member reads: no commands, variables, code names or expressions; codes in words; counts and ranks in good English.
    @Test func reportsSpeakPlainly() throws {
        var report = try fullReport()
        report.organization.subsection = "92"
        report.organization.ruling = "198406"
        report.peers?.percentiles.append(.init(metric: "operating_margin", value: 0.05, percentile: 0, peerCount: 1, peerMedian: 0.1, higherIsBetter: true))
        report.peers?.percentiles.append(.init(metric: "revenue", value: 7e6, percentile: 72, peerCount: 25, peerMedian: 6e6, higherIsBetter: true))
        let run = ReportRenderer.RunInfo(
            runID: "run_test", workflow: "complete_tier_analysis", status: "completed",
            gates: [(name: "analysis_confidence", outcome: "failed", action: "expert_validation_recommended", detail: "(risk_assessment.confidence (0.6) > 0.7)")],
            skipped: [(step: "find_peers", reason: "condition false: {{ data_quality.completeness_score }} > 0.6"),
                      (step: "score_funders", reason: "depends on find_peers, which did not complete: condition false: {{ data_quality.completeness_score }} > 0.6")])
        let renderer = try ReportRenderer()
        for text in [renderer.html(report, run: run), renderer.markdown(report, run: run)] {
            for forbidden in ["`", "CATALYNX", "catalynx data", "_tier", "completeness_score", "risk_assessment", "depends on", "analysis analysis",
                              "501(c)(92)", "72th", ">0th percentile", "| 0th percentile", "expert_validation", "Subsection"] {
                #expect(!text.contains(forbidden), "the report says \(forbidden): …\(Self.around(forbidden, in: text))…")
            }
            #expect(text.contains("4947(a)(1) trust"))
            #expect(text.contains("exempt since June 1984"))
            #expect(text.contains("72nd percentile"))
            #expect(text.contains("The peer comparison and the funder list were not computed: the data on record are not complete enough."))
            #expect(text.contains("an expert should review this analysis"))
            #expect(text.contains("Complete analysis"))
        }
    }

    @Test func csvQuotesSeparatorsAndDefusesFormulas() throws {
        var funders = try #require(try fullReport().funders)
        funders.funders[0].name = "=HYPERLINK(\"x\"), Inc"
        let csv = CSVExport.funders(funders)
        let lines = csv.components(separatedBy: "\r\n")
        #expect(lines[0] == "rank,ein,name,city,state,ntee_code,foundation_code,assets,score,passes,past_funder,giving_on_record,"
                + "cause,place,grant_size,peers,recency,openness,capacity,giving,caveat")
        #expect(lines[1].contains("\"'=HYPERLINK(\"\"x\"\"), Inc\""))
        let metrics = CSVExport.metrics(try fullReport().metrics).components(separatedBy: "\r\n")
        #expect(metrics.count == 11 + 2)   // header, 11 years, trailing empty
    }
}

extension ReportTests {
    /// The text around the first occurrence of `needle`.
    static func around(_ needle: String, in text: String) -> String {
        guard let range = text.range(of: needle) else { return "" }
        let start = text.index(range.lowerBound, offsetBy: -60, limitedBy: text.startIndex) ?? text.startIndex
        let end = text.index(range.upperBound, offsetBy: 60, limitedBy: text.endIndex) ?? text.endIndex
        return String(text[start..<end])
    }
}

/// Checks that every non-void HTML element is closed in order.
enum TagBalance {
    static let void: Set<String> = ["meta", "br", "hr", "img", "link", "input", "!doctype"]

    static func problems(_ html: String) -> [String] {
        var stack: [String] = []
        var problems: [String] = []
        var rest = Substring(html)
        var inSVG = 0
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            if tag.hasPrefix("!") { continue }
            let closing = tag.hasPrefix("/")
            let name = String((closing ? tag.dropFirst() : tag).prefix { $0.isLetter || $0.isNumber }).lowercased()
            if name == "svg" { inSVG += closing ? -1 : 1 }
            if void.contains(name) || tag.hasSuffix("/") || (inSVG > 0 && name != "svg" && !closing && tag.hasSuffix("/")) { continue }
            if closing {
                if stack.last == name { stack.removeLast() } else { problems.append("</\(name)> closes <\(stack.last ?? "nothing")>") }
            } else {
                stack.append(name)
            }
        }
        if !stack.isEmpty { problems.append("unclosed: \(stack)") }
        return problems
    }
}
