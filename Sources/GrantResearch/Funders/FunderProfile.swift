import Foundation
import Nonprofit

/// What a grantmaker has actually funded, from the grants on record (990-PF Part XV, Schedule I)
/// and the grants paid its filings report: giving by year, grant sizes, top recipients, where it
/// gives and to what causes, how open it is to new grantees, its assets and payout. The evidence
/// every funder score rests on, and what `catalynx funders show` prints.
public struct FunderProfile: Sendable, Hashable, Codable {
    public struct Year: Sendable, Hashable, Codable {
        /// `FY2013`.
        public var fiscalYear: String
        public var total: Int
        public var grants: Int
        /// The share of that year's recipients with no grant from this funder in an earlier year on record (nil for the first year).
        public var firstTimeShare: Double?

        enum CodingKeys: String, CodingKey { case fiscalYear = "fiscal_year", total, grants, firstTimeShare = "first_time_share" }
    }

    /// Grants paid in a fiscal year, as the return reports the total (990-PF Part I line 25, Form 990 Part I line 13, 990-EZ line 10).
    public struct Paid: Sendable, Hashable, Codable {
        public var fiscalYear: String
        public var total: Int
        /// The return it comes from.
        public var source: String

        enum CodingKeys: String, CodingKey { case fiscalYear = "fiscal_year", total, source }
    }

    public struct Recipient: Sendable, Hashable, Codable {
        public var name: String
        public var ein: String?
        public var state: String?
        public var total: Int
        public var grants: Int
        public var latestYear: Int

        enum CodingKeys: String, CodingKey { case name, ein, state, total, grants, latestYear = "latest_year" }
    }

    /// A part of the giving: a state or a cause, its dollars and its share of the dollars whose state or cause is known.
    public struct Share: Sendable, Hashable, Codable {
        public var label: String
        public var dollars: Int
        public var share: Double
    }

    public var ein: String
    public var name: String
    public var city: String?
    public var state: String?
    /// `private non-operating foundation`, `public charity supported by the public`, … in words.
    public var kind: String
    public var grantCount: Int
    public var totalGiven: Int
    public var byYear: [Year]
    public var medianGrant: Int?
    public var smallestGrant: Int?
    public var largestGrant: Int?
    public var topRecipients: [Recipient]
    /// Where the dollars went, by state (the recipient's address, else its organization record).
    public var places: [Share]
    /// What the dollars went to, by NTEE major group (through the recipient's EIN; a name match only as a fallback, said in `causeEvidence`).
    public var causes: [Share]
    /// How the causes were known, in a sentence: `Causes are known for 6 of 16 grants (4 by the recipient's EIN, 2 by its name).`
    public var causeEvidence: String
    public var assets: Int?
    /// A 990-PF's charitable disbursements over its assets at fair market value, latest year.
    public var payoutRatio: Double?
    /// Grants paid as its filings report them, by fiscal year (also for funders with no grant list on record).
    public var grantsPaidByYear: [Paid]
    /// The returns the evidence comes from: `Form 990-PF FY2013, e-file 201401439349100200`.
    public var returns: [String]
    /// Whether any giving is on record (grants or grants paid); without it a foundation is judged on its own codes only.
    public var hasGivingHistory: Bool

    enum CodingKeys: String, CodingKey {
        case ein, name, city, state, kind, grantCount = "grant_count", totalGiven = "total_given", byYear = "by_year"
        case medianGrant = "median_grant", smallestGrant = "smallest_grant", largestGrant = "largest_grant", topRecipients = "top_recipients"
        case places, causes, causeEvidence = "cause_evidence", assets, payoutRatio = "payout_ratio", grantsPaidByYear = "grants_paid_by_year"
        case returns, hasGivingHistory = "has_giving_history"
    }

    /// The NTEE code of each recipient, as far as it is known, and how (EIN or name).
    public struct RecipientCauses: Sendable {
        public var byEIN: [String: Organization]
        /// Every organization of each exact (upper-cased) name.
        public var byName: [String: [Organization]]

        public init(byEIN: [String: Organization] = [:], byName: [String: [Organization]] = [:]) {
            self.byEIN = byEIN
            self.byName = byName
        }

        /// The recipient's organization record and whether it was found by name.
        func organization(for grant: Grant) -> (Organization, byName: Bool)? {
            // A grant recorded with the recipient's EIN is that organization's, known or not.
            if let ein = grant.recipientEIN { return byEIN[ein].map { ($0, false) } }
            // A name alone is weak evidence: it counts only when one record of that name is in the grant's state
            // (or, without a state on the grant, when the name is unique).
            guard grant.recipientKind == "organization" else { return nil }
            let named = byName[grant.recipientName.uppercased()] ?? []
            let matching = grant.recipientState.map { state in named.filter { $0.state == state } } ?? named
            return matching.count == 1 ? (matching[0], true) : nil
        }
    }

    /// Builds the profile of a grantmaker.
    /// - Parameters:
    ///   - funder: its organization record.
    ///   - grants: its grants on record.
    ///   - filings: its filings (grants paid, assets, payout).
    ///   - recipients: its recipients' organization records.
    public init(funder: Organization, grants: [Grant], filings: [Filing], recipients: RecipientCauses) {
        ein = funder.formattedEIN
        name = NameCase.display(funder.name)
        city = funder.city.map(NameCase.display)
        state = funder.state
        kind = Self.kind(funder, filings: filings)
        grantCount = grants.count
        totalGiven = grants.reduce(0) { $0 + max(0, $1.amount) }
        let amounts = grants.map(\.amount).filter { $0 > 0 }.sorted()
        medianGrant = amounts.isEmpty ? nil : Int(PeerComparison.median(amounts.map(Double.init)).rounded())
        smallestGrant = amounts.first
        largestGrant = amounts.last

        var earlier: Set<String> = []
        var years: [Year] = []
        for (year, given) in Dictionary(grouping: grants, by: \.taxYear).sorted(by: { $0.key < $1.key }) {
            let recipients = Set(given.map(Self.recipientKey))
            let fresh = recipients.subtracting(earlier)
            years.append(Year(fiscalYear: "FY\(year)", total: given.reduce(0) { $0 + max(0, $1.amount) }, grants: given.count,
                              firstTimeShare: earlier.isEmpty ? nil : Double(fresh.count) / Double(max(1, recipients.count))))
            earlier.formUnion(recipients)
        }
        byYear = years.reversed()

        var recipientTotals: [String: Recipient] = [:]
        var placeDollars: [String: Int] = [:]
        var causeDollars: [String: Int] = [:]
        var (viaEIN, viaName) = (0, 0)
        for grant in grants {
            let key = Self.recipientKey(grant)
            let found = recipients.organization(for: grant)
            var recipient = recipientTotals[key] ?? Recipient(name: NameCase.display(grant.recipientName), ein: grant.recipientEIN.map { EIN(trusted: $0).formatted },
                                                                state: grant.recipientState ?? found?.0.state, total: 0, grants: 0, latestYear: grant.taxYear)
            recipient.total += max(0, grant.amount)
            recipient.grants += 1
            recipient.latestYear = max(recipient.latestYear, grant.taxYear)
            recipientTotals[key] = recipient
            if let place = grant.recipientState ?? found?.0.state { placeDollars[place, default: 0] += max(0, grant.amount) }
            if let (organization, byName) = found, let major = organization.nteeMajor ?? organization.nteeCode.map({ String($0.prefix(1)) }) {
                causeDollars[major, default: 0] += max(0, grant.amount)
                if byName { viaName += 1 } else { viaEIN += 1 }
            }
        }
        topRecipients = recipientTotals.values.sorted { ($0.total, $1.name) > ($1.total, $0.name) }.prefix(10).map { $0 }
        places = Self.shares(placeDollars) { $0 }
        causes = Self.shares(causeDollars) { major in NTEE.majorGroups[major].map { "\($0) (\(major))" } ?? major }
        causeEvidence = Self.causeEvidence(grants: grants.count, viaEIN: viaEIN, viaName: viaName)
        assets = funder.assets ?? filings.first?.totalAssets
        let latestPF = filings.first { $0.formType == "990PF" }
        if let disbursed = latestPF?.charitableDisbursements, let value = latestPF?.fairMarketValueOfAssets, value > 0 {
            payoutRatio = Double(disbursed) / Double(value)
        }
        grantsPaidByYear = filings.compactMap { filing in
            filing.grantsPaid.map { Paid(fiscalYear: filing.fiscalYear.label, total: $0, source: Self.returnName(filing)) }
        }
        returns = filings.filter { $0.grantsPaid != nil || $0.formType == "990PF" }.map(Self.returnName)
        hasGivingHistory = !grants.isEmpty || filings.contains { ($0.grantsPaid ?? 0) > 0 }
    }

    /// `Form 990-PF FY2013, e-file 201401439349100200` or `Form 990 FY2022, via ProPublica`.
    public static func returnName(_ filing: Filing) -> String {
        "Form \(FormName.text(filing.formType)) \(filing.fiscalYear.label)"
            + (filing.objectID.map { ", e-file \($0)" } ?? ", via \(SourceName.text(filing.sources))")
    }

    static func recipientKey(_ grant: Grant) -> String { grant.recipientEIN ?? grant.recipientName.uppercased() }

    static func shares(_ dollars: [String: Int], label: (String) -> String) -> [Share] {
        let total = Double(dollars.values.reduce(0, +))
        guard total > 0 else { return [] }
        return dollars.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { Share(label: label($0.key), dollars: $0.value, share: Double($0.value) / total) }
    }

    /// What kind of grantmaker an organization is, in words.
    static func kind(_ funder: Organization, filings: [Filing]) -> String {
        switch funder.foundation {
        case "04": return "private non-operating foundation"
        case "02", "03": return "private operating foundation"
        default:
            if filings.contains(where: { $0.formType == "990PF" }) { return "private foundation" }
            return IRSCodes.foundation(funder.foundation) ?? "organization"
        }
    }

    /// How many grants' causes are known, and how: a recipient's cause comes from its IRS record, found by EIN or by name and state.
    static func causeEvidence(grants: Int, viaEIN: Int, viaName: Int) -> String {
        guard grants > 0 else { return "No grants on record." }
        let known = viaEIN + viaName
        guard known > 0 else {
            return "Causes are not known: none of the \(Plural.count(grants, "grant"))' recipients is in the IRS records the database holds."
        }
        let how = [viaEIN > 0 ? "\(viaEIN) by the recipient's EIN" : nil, viaName > 0 ? "\(viaName) by its name" : nil].compactMap { $0 }
        return "Causes are known for \(known) of \(Plural.count(grants, "grant")) (\(how.joined(separator: ", ")))."
    }

    /// One line for a report: `16 grants, $53,374 in FY2013; median $2,000; mostly NY (98%); causes unknown`.
    public var summary: String {
        guard grantCount > 0 else {
            if let paid = grantsPaidByYear.first { return "no grant list on record; its \(paid.fiscalYear) return reports \(Money.full(paid.total)) in grants paid" }
            return "no giving history on record"
        }
        var parts = ["\(Plural.count(grantCount, "grant")) on record, \(Money.full(totalGiven))"
                     + (byYear.count == 1 ? " in \(byYear[0].fiscalYear)" : " over \(byYear.count) years")]
        if let medianGrant { parts.append("median \(Money.full(medianGrant))") }
        if let place = places.first { parts.append("\(Money.percent(place.share, digits: 0)) to \(place.label)") }
        if let cause = causes.first { parts.append("\(Money.percent(cause.share, digits: 0)) to \(cause.label)") }
        return parts.joined(separator: "; ")
    }
}
