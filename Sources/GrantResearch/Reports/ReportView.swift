import Foundation
import Nonprofit

/// The sentence rule of reports, for other presenters (the terminal).
public enum ReportViewText {
    /// A clause as a sentence: a capital first, a full stop last.
    public static func sentence(_ text: String) -> String { ReportView.sentence(text) }

    /// The metrics not ranked among the peers, with their reasons (`months of reserve and operating margin (only 3 peers have the figure)`).
    public static func unranked(_ peers: PeerComparison) -> [String] {
        let reasons = peers.unranked.merging(peers.percentiles.filter { $0.peerCount < PeerComparison.minimumPeers }.map {
            ($0.metric, "only \(Plural.count($0.peerCount, "peer")) with the figure")
        }) { first, _ in first }
        // One reason, said once, for every metric it applies to.
        let grouped = Dictionary(grouping: reasons, by: \.value).mapValues { $0.map { MetricCatalog.label($0.key).lowercased() }.sorted() }
        return grouped.sorted { $0.value[0] < $1.value[0] }.map { reason, labels in "\(ListText.joined(labels)) (\(reason))" }
    }
}

/// The pieces of a report's view that take more than a line: the metrics table, peers, funders,
/// and the small text rules every section follows (sentences start with a capital and end with a
/// full stop; texts written in capitals are written as sentences).
enum ReportView {
    /// `the IRS Business Master File, ProPublica and IRS e-file returns`.
    static func sources(_ organization: OrganizationProfile) -> String {
        var sources: [String] = [organization.source == "irs990_xml" ? "the headers of IRS e-file returns" : "the IRS Business Master File"]
        let filingSources = Set(organization.filings.flatMap { $0.sources.split(separator: ",").map(String.init) })
        if filingSources.contains("propublica") { sources.append("ProPublica's Nonprofit Explorer") }
        if filingSources.contains("irs990_xml") { sources.append("IRS e-file returns") }
        var seen: Set<String> = []
        return ListText.joined(sources.filter { seen.insert($0).inserted })
    }

    /// A clause as a sentence: a capital first, a full stop last.
    static func sentence(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let first = trimmed.first else { return "" }
        let capitalised = first.uppercased() + trimmed.dropFirst()
        return [".", "!", "?"].contains(capitalised.last) ? capitalised : capitalised + "."
    }

    /// A text a filer typed in capitals (`SUPPORT & PROMOTE ACTIVITIES…`) written as a sentence.
    static func readable(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let letters = trimmed.filter(\.isLetter)
        guard !letters.isEmpty, letters.filter(\.isUppercase).count * 10 >= letters.count * 8 else { return trimmed }
        var result = ""
        var startOfSentence = true
        for character in trimmed.lowercased() {
            result.append(startOfSentence && character.isLetter ? Character(character.uppercased()) : character)
            if character.isLetter { startOfSentence = false }
            if ".!?".contains(character) { startOfSentence = true }
        }
        return result
    }

    /// Why no AI wrote a part, without configuration names.
    static func aiReason(_ reason: String) -> String {
        if reason.contains("no model is configured") || reason.contains("no AI configured") || reason.contains("baml_src") {
            return " (no AI model is set up)"
        }
        return " (the AI model could not be used this time)"
    }

    // MARK: Financial metrics

    static func metrics(_ metrics: FinancialMetrics, latest: YearMetrics, filing: Filing, filings: [Filing]) -> [String: Any] {
        let entries = MetricCatalog.latest.filter { $0.applies(to: latest.formType) }
        let rows = entries.compactMap { entry -> [String: Any]? in
            guard let value = entry.value(metrics) else { return nil }
            return ["label": entry.label, "value": MetricCatalog.display(entry.key, value),
                    "average": metrics.threeYearAverages[entry.key].map { MetricCatalog.display(entry.key, $0) } ?? ""]
        }
        // The measures the data cannot give, one line per reason.
        var missing: [(reason: String, labels: [String])] = []
        for entry in entries where entry.value(metrics) == nil {
            let reason = MetricCatalog.reason(entry.key, in: metrics)
            if let index = missing.firstIndex(where: { $0.reason == reason }) { missing[index].labels.append(entry.label.lowercased()) }
            else { missing.append((reason, [entry.label.lowercased()])) }
        }
        let unavailable = missing.map { item in
            sentence("\(ListText.joined(item.labels)) \(item.labels.count == 1 ? "is" : "are") not available: \(item.reason)")
        }
        let isFoundation = latest.formType == "990PF"
        var section: [String: Any] = [
            "period": filing.fiscalYear.description, "year": latest.fiscalYear, "form": "Form \(FormName.text(latest.formType))",
            "latest": rows, "unavailable": unavailable, "spending_label": isFoundation ? "Charitable share" : "Program share",
            "spending_known": metrics.years.contains { (isFoundation ? $0.charitableDisbursementRatio : $0.programExpenseRatio) != nil },
            "years": zip(metrics.years, filings.sorted { $0.taxPeriod > $1.taxPeriod }).map { year, shown in
                [
                    "year": year.fiscalYear, "form": FormName.text(year.formType),
                    "revenue": shown.totalRevenue.map(Money.short) ?? "—", "expenses": shown.totalExpenses.map(Money.short) ?? "—",
                    "net_assets": shown.netAssets.map(Money.short) ?? "—", "deficit": year.netAssetDeficit != nil,
                    "margin": year.operatingMargin.map { Money.percent($0) } ?? "—",
                    "reserve": year.monthsOfReserve.map { String(format: "%.1f", $0) } ?? "—",
                    "spending": (isFoundation ? year.charitableDisbursementRatio : year.programExpenseRatio).map { Money.percent($0) } ?? "—",
                ] as [String: Any]
            },
        ]
        if let deficit = latest.netAssetDeficit {
            section["deficit"] = "Net assets are negative in \(latest.fiscalYear): liabilities exceed assets by \(Money.full(deficit))."
        }
        return section
    }

    // MARK: Peers

    static func peers(_ peers: PeerComparison) -> [String: Any] {
        let thin = ReportViewText.unranked(peers)
        var section: [String: Any] = [
            "criteria": peers.criteria.map(sentence), "count": Plural.count(peers.peers.count, "peer"), "any": !peers.peers.isEmpty,
            "list": peers.peers.prefix(15).map {
                ["name": NameCase.display($0.name), "ein": $0.ein, "state": $0.state ?? "", "ntee": $0.nteeCode ?? "",
                 "revenue": $0.revenue.map(Money.short) ?? "not known"]
            },
            "percentiles": peers.ranked.map { rank -> [String: Any] in
                let label = MetricCatalog.label(rank.metric)
                return ["metric": label + (rank.higherIsBetter ? "" : " (lower is better)"), "value": MetricCatalog.display(rank.metric, rank.value),
                        "percentile": Ordinal.text(Int(rank.percentile.rounded())), "median": MetricCatalog.display(rank.metric, rank.peerMedian),
                        "count": rank.peerCount.formatted()]
            },
        ]
        if !thin.isEmpty { section["thin"] = "Not ranked: " + thin.joined(separator: "; ") + "." }
        return section
    }

    // MARK: Funders

    /// A grantmaker's giving in a figure and its span: the grants on record, else the grants paid its latest return reports.
    static func ownGivingTotal(_ own: FunderProfile) -> (total: String, span: String) {
        if own.grantCount > 0 {
            return (Money.full(own.totalGiven),
                    Plural.count(own.grantCount, "grant") + (own.byYear.count == 1 ? " in \(own.byYear[0].fiscalYear)" : " over \(own.byYear.count) years"))
        }
        if let paid = own.grantsPaidByYear.first { return (Money.full(paid.total), "grants paid in \(paid.fiscalYear), as its return reports") }
        return ("none on record", "no grants or grants paid on record")
    }

    static func funders(_ funders: FunderScoring, pages: String? = nil) -> [String: Any] {
        let shown = Array(funders.funders.prefix(15))
        var section: [String: Any] = [
            "passing": funders.passing.formatted(),
            "summary": funders.ownGiving != nil ? "" : ReportWording.funderSummary(funders),
            "list": shown.enumerated().map { index, funder in
                var row: [String: Any] = [
                    "rank": index + 1, "name": NameCase.display(funder.name), "ein": EIN(trusted: funder.ein.filter(\.isNumber)).formatted,
                    "place": [funder.city.map(NameCase.display), funder.state].compactMap { $0 }.joined(separator: ", "),
                    "score": String(format: "%.2f", funder.score), "passes": funder.passes, "past": funder.isPastFunder,
                    "assets": funder.assets.map(Money.short) ?? "not known", "giving": funder.hasGivingHistory ? sentence(funder.profileSummary)
                        : "No giving on record, so judged only by its own cause and location.",
                    "dimensions": funder.dimensions.map {
                        ["name": ReportWording.dimension($0.name), "score": String(format: "%.2f", $0.score),
                         "weight": "\(Int(($0.weight * 100).rounded()))%", "explanation": sentence($0.explanation)]
                    },
                ]
                if let pages { row["link"] = pages + funder.ein.filter(\.isNumber) }
                if let caveat = funder.caveat { row["caveat"] = caveat }
                return row
            },
            "more": funders.funders.count > shown.count ? "\(funders.funders.count - shown.count) more are in the exported funder list (funders.csv)." : "",
            "past": funders.funders.filter(\.isPastFunder).flatMap { funder in
                funder.pastGrants.map { grant in
                    ["grantor": NameCase.display(funder.name), "amount": Money.full(grant.amount), "year": "FY\(grant.taxYear)",
                     "purpose": grant.purpose.map(readable) ?? "", "source": grant.source ?? ""] as [String: Any]
                }
            },
            "grants_to_peers": funders.grantsToPeers.map {
                ["grantor": $0.grantorName.map(NameCase.display) ?? EIN(trusted: $0.grantorEIN).formatted, "recipient": NameCase.display($0.recipient),
                 "amount": Money.full($0.amount), "year": "FY\($0.taxYear)", "purpose": $0.purpose.map(readable) ?? "", "source": $0.source ?? ""] as [String: Any]
            },
            "notes": funders.notes.map(sentence),
        ]
        if let eligibility = funders.eligibility { section["eligibility"] = eligibility }
        if let own = funders.ownGiving {
            section["own"] = [
                "summary": sentence(own.summary), "kind": own.kind, "total": ownGivingTotal(own).total, "span": ownGivingTotal(own).span,
                "recipients": own.topRecipients.map { ["name": $0.name, "state": $0.state ?? "", "total": Money.full($0.total), "grants": $0.grants] as [String: Any] },
                "places": own.places.prefix(5).map { "\($0.label): \(Money.percent($0.share, digits: 0))" }.joined(separator: ", "),
                "payout": own.payoutRatio.map { Money.percent($0) } ?? "",
            ] as [String: Any]
        }
        return section
    }
}
