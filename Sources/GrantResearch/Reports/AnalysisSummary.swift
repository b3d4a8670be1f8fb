import Foundation
import Nonprofit

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

    /// Writes the summary from whatever sections exist, in words a board member reads without help.
    public init(organization: OrganizationProfile, dataQuality: DataQuality?, metrics: FinancialMetrics?, risk: RiskAssessment?,
                peers: PeerComparison?, funders: FunderScoring?, network: OfficerNetwork?) {
        let place = [organization.city, organization.state].compactMap { $0 }.joined(separator: ", ")
        let cause = organization.nteeDescription.map { "\($0.lowercased()) organization" } ?? "organization"
        var headline = "\(organization.name) (\(organization.ein)) is a\(cause.first.map { "aeiou".contains($0) } == true ? "n" : "") \(cause)"
            + (place.isEmpty ? "" : " in \(place)")
        if let latest = organization.latestFigures, let revenue = latest.revenue {
            headline += " with \(Money.short(revenue)) in revenue in \(FiscalYear(periodEnd: latest.periodEnd).label)"
        }
        if let risk, risk.level != "unknown" { headline += "; its financial risk is \(risk.level) (\(Int(risk.score)) out of 100)" }
        self.headline = headline + "."

        var findings: [String] = []
        var recommendations: [String] = []
        var limitations: [String] = []
        if let latest = metrics?.latest {
            let year = latest.fiscalYear
            if let margin = latest.operatingMargin {
                findings.append(margin < 0 ? "In \(year) it spent more than it took in: a deficit of \(Money.percent(-margin)) of revenue."
                                           : "In \(year) it took in more than it spent: a surplus of \(Money.percent(margin)) of revenue.")
            }
            if let deficit = latest.netAssetDeficit {
                findings.append("Its net assets are negative in \(year): liabilities exceed assets by \(Money.full(deficit)).")
                recommendations.append("Rebuild net assets: the organization owes more than it owns.")
            } else if let reserve = latest.monthsOfReserve {
                findings.append(String(format: "Its net assets would cover %.1f months of expenses", reserve)
                                + (reserve < 3 ? ", a thin cushion for a funder's comfort." : "."))
                if reserve < 3 { recommendations.append("Build operating reserves toward three to six months of expenses.") }
            }
            if let cagr = metrics?.revenueCAGR3Years {
                findings.append("Revenue \(cagr >= 0 ? "grew" : "fell") by \(Money.percent(abs(cagr))) a year on average over the three years to \(year).")
            }
            if let dependence = latest.contributionDependence, dependence > 0.8 {
                findings.append("Contributions and grants are \(Money.percent(dependence, digits: 0)) of its revenue.")
                recommendations.append("Diversify revenue beyond contributions and grants.")
            }
            if let ratio = latest.charitableDisbursementRatio {
                findings.append("\(Money.percent(ratio, digits: 0)) of its spending in \(year) went to its charitable purposes.")
            }
            if latest.programExpenseRatio == nil && latest.formType == "990" {
                limitations.append("The filings on record do not split expenses into programs, management and fundraising, so those shares are missing.")
            }
        } else if organization.filings.isEmpty {
            limitations.append("There are no Form 990 filings on record, so there are no financial measures or risk score.")
        }
        if let risk {
            let concerns = risk.dimensions.filter { ($0.score ?? 0) >= 60 }.map { ReportWording.riskConcern($0.name) }
            if !concerns.isEmpty { findings.append("The main risks are \(ListText.joined(concerns)).") }
            if risk.confidence < 0.7 {
                limitations.append("The risk score rests on thin or old data (\(ReportWording.confidence(risk.confidence)) confidence).")
            }
        }
        if let peers, let rank = peers.ranked.first(where: { $0.metric == "revenue" }) {
            findings.append("It is larger than \(Int(rank.percentile.rounded()))% of \(rank.peerCount) peers by revenue.")
        }
        if let funders {
            if let own = funders.ownGiving {
                findings.append("It is itself a grantmaker: \(own.summary).")
            } else {
                let past = funders.funders.filter(\.isPastFunder)
                if !past.isEmpty {
                    findings.append("\(ListText.joined(past.prefix(3).map(\.name))) funded it before (grants on record); approach \(past.count == 1 ? "it" : "them") first.")
                }
                if let best = funders.funders.first(where: { !$0.isPastFunder }), funders.passing > 0 {
                    findings.append("\(Plural.count(funders.passing, "funder")) of \(funders.candidatesConsidered.formatted()) grantmakers on record \(funders.passing == 1 ? "fits" : "fit") well; the best fit is \(best.name).")
                    recommendations.append("Read the best-fitting funders' guidelines and recent grants before approaching them.")
                } else if past.isEmpty {
                    recommendations.append("No funder on record fits well yet: widen the search with more foundations' returns for this state and cause.")
                }
            }
        }
        if let network, network.connectedOrganizations > 0 {
            findings.append("\(Plural.count(network.connectedOrganizations, "other organization")) \(network.connectedOrganizations == 1 ? "shares" : "share") an officer or director with it.")
        }
        if let dataQuality {
            for issue in dataQuality.issues where issue.severity == "high" { limitations.append(ReportView.sentence(issue.message)) }
        }
        keyFindings = findings
        self.recommendations = recommendations
        self.limitations = limitations
    }
}
