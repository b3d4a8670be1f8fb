import Foundation

/// The analysis in a few sentences: a headline, the findings that matter and what to do next.
/// Written by rules from the numbers (the AI tools of a later tier add narrative on top).
public struct AnalysisSummary: Sendable, Hashable, Codable {
    public var headline: String
    public var keyFindings: [String]
    public var recommendations: [String]
    /// What the analysis could not do, and why.
    public var limitations: [String]

    enum CodingKeys: String, CodingKey {
        case headline, keyFindings = "key_findings", recommendations, limitations
    }

    /// Writes the summary from whatever sections exist.
    public init(organization: OrganizationProfile, dataQuality: DataQuality?, metrics: FinancialMetrics?, risk: RiskAssessment?,
                peers: PeerComparison?, funders: FunderScoring?, network: OfficerNetwork?) {
        let place = [organization.city, organization.state].compactMap { $0 }.joined(separator: ", ")
        let cause = organization.nteeDescription.map { "\($0.lowercased()) organization" } ?? "organization"
        var headline = "\(organization.name) (\(organization.ein)) is a\(cause.first.map { "aeiou".contains($0) } == true ? "n" : "") \(cause)"
            + (place.isEmpty ? "" : " in \(place)")
        if let latest = organization.filings.first, let revenue = latest.totalRevenue {
            headline += " with \(Money.short(revenue)) revenue in \(latest.taxYear)"
        }
        if let risk, risk.level != "unknown" { headline += "; financial risk is \(risk.level) (\(Int(risk.score))/100)" }
        self.headline = headline + "."

        var findings: [String] = []
        var recommendations: [String] = []
        var limitations: [String] = []
        if let latest = metrics?.latest {
            if let margin = latest.operatingMargin {
                findings.append("Operating margin \(Money.percent(margin)) in \(latest.taxYear)" + (margin < 0 ? " (a deficit)." : "."))
            }
            if let reserve = latest.monthsOfReserve {
                findings.append(String(format: "%.1f months of reserve", reserve) + (reserve < 3 ? ", thin for a funder's comfort." : "."))
                if reserve < 3 { recommendations.append("Build operating reserves toward three to six months of expenses.") }
            }
            if let cagr = metrics?.revenueCAGR3Years {
                findings.append("Revenue \(cagr >= 0 ? "grew" : "fell") \(Money.percent(abs(cagr))) a year over the last three years.")
            }
            if let dependence = latest.contributionDependence, dependence > 0.8 {
                findings.append("Contributions are \(Money.percent(dependence, digits: 0)) of revenue.")
                recommendations.append("Diversify revenue beyond contributions and grants.")
            }
            if latest.programExpenseRatio == nil { limitations.append("Expense ratios need the Part IX split, which ProPublica does not carry: import the 990 XML.") }
        } else if organization.filings.isEmpty {
            limitations.append("No Form 990 filings on record, so no financial metrics or risk score.")
        }
        if let risk {
            let worst = risk.dimensions.filter { ($0.score ?? 0) >= 60 }.map { $0.name.replacingOccurrences(of: "_", with: " ") }
            if !worst.isEmpty { findings.append("Risk is driven by \(worst.joined(separator: ", ")).") }
            if risk.confidence < 0.7 { limitations.append(String(format: "Risk confidence is %.2f: the data behind it is thin or old.", risk.confidence)) }
        }
        if let peers, let rank = peers.percentiles.first(where: { $0.metric == "revenue" }) {
            findings.append("Larger than \(Int(rank.percentile))% of \(rank.peerCount) peers by revenue.")
        }
        if let funders {
            if let best = funders.funders.first {
                findings.append("\(funders.passing) of \(funders.candidatesConsidered.formatted()) candidate funders pass the \(funders.threshold) fit mark; best: \(best.name) (\(String(format: "%.2f", best.score))).")
            }
            if funders.passing > 0 { recommendations.append("Research the passing funders' guidelines and recent grants before approaching them.") }
            else { recommendations.append("No funder passes yet: import 990-PF returns of foundations in your state to widen the search.") }
        }
        if let network, network.connectedOrganizations > 0 {
            findings.append("\(network.connectedOrganizations) organizations share an officer or director with it.")
        }
        if let dataQuality {
            for issue in dataQuality.issues where issue.severity == "high" { limitations.append(issue.message.prefix(1).uppercased() + issue.message.dropFirst() + ".") }
        }
        keyFindings = findings
        self.recommendations = recommendations
        self.limitations = limitations
    }
}
