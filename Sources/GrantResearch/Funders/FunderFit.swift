import Foundation
import Nonprofit

/// What is known of one candidate funder when it is scored: its giving on record, weighed for the
/// applicant (`GivingEvidence`), or, for a grantmaker with no grant list, its own record.
struct FunderFacts: Sendable {
    var ein: String
    /// Its grants on record, weighed for the applicant; nil when it has no grant list.
    var giving: GivingEvidence?
    /// Its own record (its state, NTEE code, latest return), which judges a grantmaker with no grant list.
    var state: String?
    var nteeCode: String?
    var taxPeriod: String?
    var assets: Int?
    /// The latest grants paid its filings report: (fiscal year, dollars).
    var grantsPaid: (year: Int, total: Int)?
    /// The applicant's peers it gave to.
    var peersFunded: [String] = []
}

/// One candidate's fit with an applicant: the dimensions of `FunderModel`, each 0–1 with its
/// reason, and the composite. Pure: the same facts always score the same.
struct FunderFit: Sendable {
    var ein: String
    var score: Double
    var dimensions: [FunderScoring.Dimension]
    /// Its giving to the applicant's cause and place in weighted dollars: what breaks ties.
    var evidence: Double
    var assets: Int?
    var hasGivingHistory: Bool
    /// Which dimensions rest on its grants or filings, and which on its own BMF record (their reasons name the source).
    var fromReturns: DimensionSet
    var fromRecord: DimensionSet

    /// - Parameter explained: whether to write each dimension's reason (only the funders shown need them).
    init(_ facts: FunderFacts, applicant: OrganizationProfile, currentYear: Int, explained: Bool = true) {
        // Thousands of candidates are scored per applicant: one array per fit, and reasons only when asked for.
        var dimensions = FunderModel.weights.map { FunderScoring.Dimension(name: $0.name, weight: $0.weight, score: 0, explanation: "not assessed") }
        func set(_ dimension: String, _ score: Double, _ reason: @autoclosure () -> String) {
            guard let index = FunderModel.dimensionIndex[dimension] else { return }
            dimensions[index].score = (score * 100).rounded() / 100
            if explained { dimensions[index].explanation = reason() }
        }
        var fromReturns = DimensionSet()
        var fromRecord = DimensionSet()
        let prior = FunderModel.priorWeight
        let state = applicant.state
        let region = FunderModel.region(state)
        let giving = facts.giving.flatMap { $0.grants > 0 ? $0 : nil }
        // Without a grant list, reasons rest on its own record; they say whether its filings report any giving.
        let noList = (facts.grantsPaid?.total ?? 0) > 0 ? "no grant list on record" : "no giving history on record"

        // Cause: the share of its dollars (whose recipient's cause is known) that went to the applicant's cause or one near it.
        if let code = applicant.nteeCode, !code.isEmpty {
            if let giving, giving.knownCauseDollars > 0 {
                let share = min(1, giving.closeDollars / Double(giving.knownCauseDollars))
                set("cause", share, "\(Money.percent(share, digits: 0)) of its grant dollars with a known recipient cause went to "
                                   + "\(applicant.nteeDescription?.lowercased() ?? code) or a cause near it")
                fromReturns.insert("cause")
            } else if let giving {
                set("cause", 0.3, "the causes of its \(Plural.count(giving.grants, "grant"))' recipients are not on record")
                fromReturns.insert("cause")
            } else {
                let fit = FunderModel.closeness(facts.nteeCode, to: code)
                set("cause", fit * prior, noList + "; its own NTEE code" + (facts.nteeCode.map { " \($0)" } ?? " (none)")
                                   + (fit > 0 ? " is near the organization's \(code)" : " says nothing of \(code)"))
                fromRecord.insert("cause")
            }
        } else {
            set("cause", 0.3, "the organization has no NTEE code, so causes cannot be compared")
        }

        // Place: where its dollars went; without a grant list, where it is based.
        var givesElsewhere = false
        if let giving, giving.placedDollars > 0, let state {
            let placed = Double(giving.placedDollars)
            let (inState, inRegion) = (Double(giving.inStateDollars) / placed, Double(giving.inRegionDollars) / placed)
            let score = min(1, inState + FunderModel.regionShare * inRegion)
            givesElsewhere = score < 0.05
            set("place", score, "\(Money.percent(inState, digits: 0)) of its grant dollars went to \(state)"
                               + (inRegion > 0 ? " and \(Money.percent(inRegion, digits: 0)) elsewhere in \(region ?? "the region")" : "")
                               + (givesElsewhere ? "; it gives in \(giving.mainState ?? "other states"), so its fit is discounted" : ""))
            fromReturns.insert("place")
        } else if giving == nil, let state {
            let same = facts.state == state
            let near = !same && region != nil && FunderModel.region(facts.state) == region
            // Most foundations give near home: one based in another region is presumed to give there.
            givesElsewhere = facts.state != nil && !same && !near
            set("place", (same ? 0.8 : near ? 0.4 : 0.1) * prior, noList + "; based in \(facts.state ?? "an unknown state")"
                               + (same ? ", the organization's state" : near ? ", in its region"
                                  : givesElsewhere ? "; its fit is discounted, as most foundations give near home" : ""))
            fromRecord.insert("place")
        } else {
            set("place", 0.3, state == nil ? "the organization's state is unknown" : "its recipients' places are not on record")
        }

        // Grant size: a typical grant against the applicant's revenue.
        let revenue = applicant.sizeRevenue ?? 0
        if let median = giving?.medianGrant, revenue > 0 {
            let ratio = Double(median) / Double(revenue)
            set("grant_size", FunderModel.sizeFit(grantToRevenue: ratio),
                                    "its median grant of \(Money.full(median)) is \(ratio < 0.001 ? "less than 0.1%" : Money.percent(ratio)) of the organization's revenue")
            fromReturns.insert("grant_size")
        } else if let assets = facts.assets ?? giving?.assets, assets > 0, revenue > 0 {
            let estimate = Double(assets) * 0.05 / 10
            set("grant_size", FunderModel.sizeFit(grantToRevenue: estimate / Double(revenue)) * prior,
                                    noList + "; a grant estimated at \(Money.short(Int(estimate))) (5% of assets over ten grants)")
        } else {
            set("grant_size", 0.3, revenue > 0 ? "no grants or assets on record to size a typical grant" : "the organization's revenue is unknown")
        }

        // Peers: grants to the applicant's peers, else to organizations like it.
        if !facts.peersFunded.isEmpty {
            let names = Array(Set(facts.peersFunded)).sorted()
            set("peers", 1, "gave to \(Plural.count(names.count, "of its peers", "of its peers")): " + ListText.joined(Array(names.prefix(3))))
            fromReturns.insert("peers")
        } else if let giving, giving.alikeGrants > 0 {
            let nearby = giving.alikeInStateGrants > 0
            set("peers", nearby ? 0.7 : 0.4, "gave to \(Plural.count(giving.alikeGrants, "organization")) of the same cause" + (nearby ? " in \(state ?? "its state")" : ""))
            fromReturns.insert("peers")
        } else {
            set("peers", 0, giving == nil ? "no grants on record" : "no grants to its peers or to organizations like it on record")
        }

        // Recency: the latest giving on record.
        if let latest = [giving?.latestYear, giving?.latestPaidYear, facts.grantsPaid?.year].compactMap({ $0 }).max() {
            set("recency", FunderModel.recency(years: currentYear - latest), "latest giving on record in FY\(latest)")
            fromReturns.insert("recency")
        } else if let period = FiscalYear(taxPeriod: facts.taxPeriod) {
            set("recency", FunderModel.recency(years: currentYear - period.year) * prior, "no giving on record; latest return \(period.label)")
            fromRecord.insert("recency")
        } else {
            set("recency", 0.05, "no return on record")
        }

        // Openness: new grantees in its latest year.
        if let giving, let share = giving.latestNewShare {
            set("openness", share, "\(Money.percent(share, digits: 0)) of its FY\(giving.latestYear) recipients were new to it")
            fromReturns.insert("openness")
        } else {
            set("openness", giving == nil ? 0 : 0.5, giving == nil ? "no grants on record" : "only one year of grants on record")
        }

        let assets = facts.assets ?? giving?.assets
        set("capacity", FunderModel.capacity(assets: assets), assets.map { "assets of \(Money.short($0))" } ?? "assets unknown")

        // A funder whose giving all went far from the applicant (or, without a grant list, based far away) fits it little.
        let focus = givesElsewhere ? FunderModel.elsewhereFactor : 1
        score = (dimensions.reduce(0) { $0 + $1.score * $1.weight } * focus * 1000).rounded() / 1000
        self.dimensions = dimensions
        ein = facts.ein
        evidence = (giving?.weightedDollars ?? 0).rounded()
        self.assets = assets
        hasGivingHistory = giving != nil || (facts.grantsPaid?.total ?? 0) > 0
        self.fromReturns = fromReturns
        self.fromRecord = fromRecord
    }

    /// Ranks fits: past funders first, then by score; ties go to the stronger evidence (grant
    /// dollars to the cause and place), then to capacity, never to the name.
    static func ranked(_ fits: [FunderFit], pastFunders: Set<String>) -> [FunderFit] {
        // Sorted by key, then gathered: thousands of fits are ranked per applicant, and moving each one is dear.
        let keys = fits.map { (past: pastFunders.contains($0.ein), score: $0.score, evidence: $0.evidence, assets: $0.assets ?? 0) }
        let order = fits.indices.sorted { i, j in
            let (a, b) = (keys[i], keys[j])
            if a.past != b.past { return a.past }
            if (a.score, a.evidence, a.assets) != (b.score, b.evidence, b.assets) { return (a.score, a.evidence, a.assets) > (b.score, b.evidence, b.assets) }
            return fits[i].ein < fits[j].ein
        }
        return order.map { fits[$0] }
    }
}

/// A set of the funder model's dimensions, by name (a bit each: one is made per candidate).
struct DimensionSet: Sendable {
    private var bits: UInt16 = 0

    mutating func insert(_ dimension: String) {
        if let index = FunderModel.dimensionIndex[dimension] { bits |= 1 << index }
    }

    func contains(_ dimension: String) -> Bool {
        FunderModel.dimensionIndex[dimension].map { bits & (1 << $0) != 0 } ?? false
    }
}
