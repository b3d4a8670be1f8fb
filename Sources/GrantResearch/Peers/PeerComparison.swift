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

    /// Fewer peers than this with a figure, and no percentile is computed for it.
    public static let minimumPeers = 5

    /// The percentiles among enough peers (a run recorded before the rule may hold others).
    public var ranked: [Percentile] { percentiles.filter { $0.peerCount >= Self.minimumPeers } }

    /// Finds peers in the database and ranks the organization among them: the same NTEE code, then
    /// code family, then major group; in the same state, then the same region, then anywhere; within
    /// ×4 of its size (the newest revenue on record).
    /// - Parameters:
    ///   - profile: the organization (its NTEE code, place and size choose the peers).
    ///   - metrics: its financial metrics (computed from its filings when not given).
    ///   - database: where peers and their filings come from.
    ///   - maxPeers: how many peers at most.
    public static func compare(_ profile: OrganizationProfile, metrics given: FinancialMetrics?, database: any OrganizationDatabase,
                               maxPeers: Int = 25) async throws -> PeerComparison {
        guard let code = profile.nteeCode, !code.isEmpty else {
            return PeerComparison(criteria: ["the organization has no NTEE code, so it has no peers by cause"], peers: [], percentiles: [],
                                  unranked: [:])
        }
        let metrics = given ?? (profile.filings.isEmpty ? nil : FinancialMetrics(filings: profile.filings))
        let size = profile.sizeRevenue
        let band = size.map { max(0, $0 / 4)...max($0 * 4, 1) }
        let bandText = size.map { "revenue \(Money.short($0 / 4))–\(Money.short($0 * 4))" } ?? "any size"
        let levels = [(code, "NTEE \(code)"), (String(code.prefix(3)), "NTEE \(code.prefix(3))"), (String(code.prefix(1)), "NTEE group \(code.prefix(1))")]
            .reduce(into: [(prefix: String, label: String)]()) { levels, level in if !levels.contains(where: { $0.prefix == level.0 }) { levels.append(level) } }
        let region = FunderModel.region(profile.state)
        let regionStates = FunderModel.regions.first { $0.0 == region }?.1.sorted() ?? []
        var places: [(states: [String?], label: String)] = []
        if let state = profile.state { places.append(([state], "in \(state)")) }
        if let region { places.append((regionStates.filter { $0 != profile.state }, "elsewhere in \(region)")) }
        places.append(([nil], "anywhere"))
        var chosen: [Organization] = []
        var labels: [String: String] = [:]
        var criteria: [String] = []
        for place in places where chosen.count < maxPeers {
            for level in levels where chosen.count < maxPeers {
                // Across a region, every state is asked and the nearest in size win, so no state fills the list by its name.
                let needed = maxPeers - chosen.count
                var found: [Organization] = []
                for state in place.states {
                    found += try await database.organizations(nteePrefix: level.prefix, state: state, revenue: band,
                                                              excluding: Set(chosen.map(\.ein) + [profile.digits]), limit: needed)
                }
                if place.states.count > 1 {
                    let distance = { (organization: Organization) in size.map { abs((organization.revenue ?? 0) - $0) } ?? -(organization.revenue ?? 0) }
                    found = Array(found.sorted { (distance($0), $0.ein) < (distance($1), $1.ein) }.prefix(needed))
                }
                let label = "\(level.label) \(place.label), \(bandText)"
                if !found.isEmpty { criteria.append("\(found.count) with \(label)") }
                for organization in found { labels[organization.ein] = label }
                chosen += found
            }
        }
        if criteria.isEmpty { criteria.append("no organization shares the NTEE group \(code.prefix(1)) at a similar size") }
        let peers = chosen.map {
            Peer(ein: $0.formattedEIN, name: $0.name, city: $0.city, state: $0.state, nteeCode: $0.nteeCode, revenue: $0.revenue,
                 match: labels[$0.ein] ?? "")
        }
        let peerFilings = try await database.filings(ofAny: chosen.map(\.ein))
        let peerMetrics = chosen.compactMap { peerFilings[$0.ein].flatMap { $0.isEmpty ? nil : FinancialMetrics(filings: $0) } }
        var percentiles: [Percentile] = []
        var unranked: [String: String] = [:]
        func rank(_ name: String, _ value: Double, among values: [Double], higherIsBetter: Bool) {
            guard values.count >= minimumPeers else {
                unranked[name] = values.isEmpty ? "no peer has the figure"
                    : "only \(Plural.count(values.count, "peer")) \(values.count == 1 ? "has" : "have") the figure: not enough to rank"
                return
            }
            percentiles.append(Percentile(metric: name, value: value, percentile: percentileRank(value, among: values), peerCount: values.count,
                                          peerMedian: median(values), higherIsBetter: higherIsBetter))
        }
        if let size {
            rank("revenue", Double(size), among: chosen.compactMap(\.revenue).map(Double.init), higherIsBetter: true)
        }
        for metric in rankedMetrics {
            guard let value = metrics?.latest.flatMap(metric.value) else {
                unranked[metric.name] = metrics?.latest?.unavailable[metric.name] ?? "no filings of its own on record"
                continue
            }
            rank(metric.name, value, among: peerMetrics.compactMap { $0.latest.flatMap(metric.value) }, higherIsBetter: metric.higherIsBetter)
        }
        return PeerComparison(criteria: criteria, peers: peers, percentiles: percentiles, unranked: unranked)
    }
}
