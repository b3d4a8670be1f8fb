import Foundation
import Nonprofit

/// The organization among its peers: organizations of the same NTEE code (then major group), in
/// the same state (then anywhere), of a similar size, and where it ranks among them.
public struct PeerComparison: Sendable, Hashable, Codable {
    public struct Peer: Sendable, Hashable, Codable {
        public var ein: String
        public var name: String
        public var city: String?
        public var state: String?
        public var nteeCode: String?
        public var revenue: Int?
        /// Which widening of the search found it (`same NTEE code, same state, similar size`, …).
        public var match: String

        enum CodingKeys: String, CodingKey { case ein, name, city, state, nteeCode = "ntee_code", revenue, match }
    }

    /// The organization's value of one metric and its percentile among the peers that have it.
    public struct Percentile: Sendable, Hashable, Codable {
        public var metric: String
        public var value: Double
        /// 0–100: the share of peers below the value (ties count half).
        public var percentile: Double
        public var peerCount: Int
        public var peerMedian: Double
        /// Whether a higher value is better for the organization (for reading the rank).
        public var higherIsBetter: Bool

        enum CodingKeys: String, CodingKey {
            case metric, value, percentile, peerCount = "peer_count", peerMedian = "peer_median", higherIsBetter = "higher_is_better"
        }
    }

    public var criteria: [String]
    public var peers: [Peer]
    public var percentiles: [Percentile]
    /// Metrics that could not be ranked, with the reason.
    public var unranked: [String: String]

    enum CodingKeys: String, CodingKey { case criteria, peers, percentiles, unranked }

    /// The metrics ranked, with the direction that is better.
    static let rankedMetrics: [(name: String, higherIsBetter: Bool, value: @Sendable (YearMetrics) -> Double?)] = [
        ("program_expense_ratio", true, \.programExpenseRatio), ("months_of_reserve", true, \.monthsOfReserve),
        ("liabilities_to_assets", false, \.liabilitiesToAssets), ("operating_margin", true, \.operatingMargin),
        ("revenue_growth", true, \.revenueGrowth), ("contribution_dependence", false, \.contributionDependence),
        ("revenue_concentration", false, \.revenueConcentration),
    ]

    /// Percentile rank of `value` among `values`: the share below, ties counting half, 0–100.
    public static func percentileRank(_ value: Double, among values: [Double]) -> Double {
        guard !values.isEmpty else { return 50 }
        let below = values.filter { $0 < value }.count
        let equal = values.filter { $0 == value }.count
        return ((Double(below) + Double(equal) / 2) / Double(values.count) * 1000).rounded() / 10
    }

    /// The median of values (the mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Finds peers in the database and ranks the organization among them.
    /// - Parameters:
    ///   - profile: the organization (its NTEE code, state and size choose the peers).
    ///   - metrics: its financial metrics, when computed.
    ///   - database: where peers and their filings come from.
    ///   - maxPeers: how many peers at most.
    public static func compare(_ profile: OrganizationProfile, metrics: FinancialMetrics?, database: any OrganizationDatabase,
                               maxPeers: Int = 25) async throws -> PeerComparison {
        guard let code = profile.nteeCode, !code.isEmpty else {
            return PeerComparison(criteria: ["the organization has no NTEE code, so it has no peers by cause"], peers: [], percentiles: [],
                                  unranked: [:])
        }
        let size = profile.sizeRevenue
        let band = size.map { max(0, $0 / 4)...max($0 * 4, 1) }
        let bandText = size.map { "revenue \(Money.short($0 / 4))–\(Money.short($0 * 4))" } ?? "any size"
        let code3 = String(code.prefix(3))
        let major = String(code.prefix(1))
        var widenings: [(prefix: String, state: String?, label: String)] = []
        if let state = profile.state {
            widenings.append((code3, state, "NTEE \(code3) in \(state), \(bandText)"))
            widenings.append((major, state, "NTEE group \(major) in \(state), \(bandText)"))
        }
        widenings.append((code3, nil, "NTEE \(code3) anywhere, \(bandText)"))
        widenings.append((major, nil, "NTEE group \(major) anywhere, \(bandText)"))
        var chosen: [Organization] = []
        var labels: [String: String] = [:]
        var criteria: [String] = []
        for widening in widenings where chosen.count < maxPeers {
            let found = try await database.organizations(
                nteePrefix: widening.prefix, state: widening.state, revenue: band,
                excluding: Set(chosen.map(\.ein) + [profile.digits]), limit: maxPeers - chosen.count)
            if !found.isEmpty { criteria.append("\(found.count) with \(widening.label)") }
            for organization in found { labels[organization.ein] = widening.label }
            chosen += found
        }
        if criteria.isEmpty { criteria.append("no organization shares the NTEE group \(major) at a similar size") }
        let peers = chosen.map {
            Peer(ein: $0.formattedEIN, name: $0.name, city: $0.city, state: $0.state, nteeCode: $0.nteeCode, revenue: $0.revenue,
                 match: labels[$0.ein] ?? "")
        }
        var peerMetrics: [FinancialMetrics] = []
        for peer in chosen {
            let filings = try await database.filings(EIN(trusted: peer.ein))
            if !filings.isEmpty { peerMetrics.append(FinancialMetrics(filings: filings)) }
        }
        var percentiles: [Percentile] = []
        var unranked: [String: String] = [:]
        if let size {
            let sizes = chosen.compactMap(\.revenue).map(Double.init)
            if sizes.isEmpty {
                unranked["revenue"] = "no peer reports revenue"
            } else {
                percentiles.append(Percentile(metric: "revenue", value: Double(size), percentile: percentileRank(Double(size), among: sizes),
                                              peerCount: sizes.count, peerMedian: median(sizes), higherIsBetter: true))
            }
        }
        for metric in rankedMetrics {
            guard let value = metrics?.latest.flatMap(metric.value) else {
                unranked[metric.name] = metrics?.latest?.unavailable[metric.name] ?? "the organization has no value"
                continue
            }
            let values = peerMetrics.compactMap { $0.latest.flatMap(metric.value) }
            guard !values.isEmpty else {
                unranked[metric.name] = "no peer has a filing that gives it"
                continue
            }
            percentiles.append(Percentile(metric: metric.name, value: value, percentile: percentileRank(value, among: values),
                                          peerCount: values.count, peerMedian: median(values), higherIsBetter: metric.higherIsBetter))
        }
        return PeerComparison(criteria: criteria, peers: peers, percentiles: percentiles, unranked: unranked)
    }
}
