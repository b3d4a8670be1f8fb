import Nonprofit

/// The words a report uses for the engine's and the models' names: tiers, steps, quality gates,
/// risk dimensions, funder dimensions. One place, so every report and view says the same.
public enum ReportWording {
    /// `standard_tier` → `Standard analysis`.
    public static func kind(_ reportType: String) -> String {
        let tier = reportType.replacingOccurrences(of: "_tier", with: "").replacingOccurrences(of: "_analysis", with: "")
            .replacingOccurrences(of: "_", with: " ")
        return tier.isEmpty ? "Analysis" : tier.prefix(1).uppercased() + tier.dropFirst() + " analysis"
    }

    /// What a tier workflow's step produces, for "… were not computed".
    public static func step(_ name: String) -> String {
        switch name {
        case "validate_ein": "the EIN check"
        case "fetch_organization_data": "the organization's record"
        case "fetch_filings": "the filings"
        case "normalize_data": "the combined record"
        case "validate_data_quality": "the data check"
        case "analyze_content": "the program description"
        case "calculate_financial_metrics": "the financial metrics"
        case "assess_risk": "the risk score"
        case "find_peers": "the peer comparison"
        case "score_funders": "the funder list"
        case "analyze_network": "the officer network"
        case "survey_landscape": "the landscape of the cause"
        case "write_summary": "the summary"
        case "expert_review": "the expert review"
        case "generate_report": "the report"
        case "draw_charts": "the charts"
        case "export_data": "the exports"
        default: "the " + name.replacingOccurrences(of: "_", with: " ")
        }
    }

    /// A quality gate's question, in words.
    public static func gate(_ name: String) -> String {
        switch name {
        case "data_sufficiency": "Enough data for a full analysis"
        case "analysis_confidence": "Enough confidence in the risk score"
        case "funder_matches": "At least one funder fits well"
        default: name.prefix(1).uppercased() + name.dropFirst().replacingOccurrences(of: "_", with: " ")
        }
    }

    /// What a failed gate's action means for the reader.
    public static func gateConsequence(_ action: String) -> String {
        switch action {
        case "fail_run": "the analysis stopped"
        case "request_additional_data": "more data is needed before relying on this analysis"
        case "expert_validation_recommended": "an expert should review this analysis before it is relied on"
        case "warn": "noted"
        default: action.replacingOccurrences(of: "_", with: " ")
        }
    }

    /// A risk or funder dimension's name: `revenue_concentration` → `Revenue concentration`.
    public static func dimension(_ name: String) -> String {
        if name == "ntee" { return "Cause (NTEE)" }
        let words = name.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    /// How many funders fit well, in one sentence (the CLI, the report and the dashboard say the same).
    public static func funderSummary(_ funders: FunderScoring) -> String {
        let who = funders.passing == 0 ? "None of the" : funders.passing == 1 ? "1 of the" : "\(funders.passing.formatted()) of the"
        return "\(who) \(funders.candidatesConsidered.formatted()) grantmakers on record \(funders.passing > 1 ? "fit" : "fits") well (a fit of at least \(String(format: "%.2f", funders.threshold)) out of 1), judged by what and where each has funded."
    }

    /// What a risk dimension's high score means, for "the main risks are …".
    public static func riskConcern(_ name: String) -> String {
        switch name {
        case "liquidity": "thin reserves"
        case "leverage": "high liabilities"
        case "operating_results": "operating deficits"
        case "revenue_trend": "falling revenue"
        case "revenue_concentration": "reliance on few sources of revenue"
        case "data_quality": "old or incomplete data"
        default: name.replacingOccurrences(of: "_", with: " ")
        }
    }

    /// Why steps were skipped, one plain line per root cause: `The financial metrics and the risk
    /// score were not computed: the organization has no filings on record.`
    public static func skipped(_ skipped: [(step: String, reason: String)]) -> [String] {
        guard !skipped.isEmpty else { return [] }
        var causes: [(cause: String, steps: [String])] = []
        for item in skipped {
            let cause = rootCause(item.reason)
            if let index = causes.firstIndex(where: { $0.cause == cause }) { causes[index].steps.append(step(item.step)) }
            else { causes.append((cause, [step(item.step)])) }
        }
        return causes.map { cause, steps in
            let list = ListText.joined(steps)
            return list.prefix(1).uppercased() + list.dropFirst() + " \(steps.count == 1 ? "was" : "were") not computed: \(cause)."
        }
    }

    /// The first reason of a chain of "depends on X, which did not complete: …" reasons, in words.
    static func rootCause(_ reason: String) -> String {
        var reason = reason
        while let range = reason.range(of: "which did not complete: ") ?? reason.range(of: "which was skipped: ") {
            reason = String(reason[range.upperBound...])
        }
        if reason.contains("completeness_score") { return "the data on record are not complete enough" }
        if reason.hasPrefix("condition") { return "its condition was not met" }
        if reason.contains("failed") { return "an earlier step failed" }
        return reason
    }

    /// A 0–1 confidence in words.
    public static func confidence(_ value: Double) -> String {
        value >= 0.85 ? "high" : value >= 0.7 ? "fair" : value >= 0.5 ? "limited" : "low"
    }
}

/// Text that came from data or a person, made safe to put into Markdown: characters that would
/// start formatting, links or HTML are escaped, so a name reads as written and runs nothing.
public enum MarkdownText {
    /// What starts emphasis, code, links, tables and HTML (a link needs `[`, so parentheses stay as written).
    static let special: Set<Character> = ["\\", "`", "*", "_", "{", "}", "[", "]", "#", "|", "~"]

    public static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\n", "\r": escaped += " "
            case _ where special.contains(character): escaped += "\\" + String(character)
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Every string in a template view, escaped (the templates hold the markup; values are text).
    static func escapeAll(_ value: Any) -> Any {
        switch value {
        case let text as String: return escape(text)
        case let list as [Any]: return list.map(escapeAll)
        case let dictionary as [String: Any]: return dictionary.mapValues(escapeAll)
        default: return value
        }
    }
}
