import AgentCore
import AgentSchema
import Foundation
import GrantResearch
import Nonprofit

/// A seeded generator (SplitMix64), so that a setup is the same on every machine.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A standard normal draw (Box–Muller).
    mutating func normal() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self), v = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

/// Every organization of a database, `chunk` at a time (`allEINs`, then their records).
func everyOrganization(_ database: SQLiteOrganizationDatabase, chunk: Int = 20_000) async throws -> [Organization] {
    let eins = try database.allEINs().map(\.digits)
    var organizations: [Organization] = []
    organizations.reserveCapacity(eins.count)
    for start in stride(from: 0, to: eins.count, by: chunk) {
        organizations += try await database.organizations(withEINs: Array(eins[start..<min(eins.count, start + chunk)]))
    }
    return organizations.sorted { $0.ein < $1.ein }
}

/// `funders-setup --bmf CSV --db PATH --grants N --grantors G --root DIR --seed S`
///
/// A national-scale funder database: the BMF file (see `make_bmf_scale.py --national`) imported,
/// then G grantors (private non-operating foundations filing 990-PF, whose grants name their
/// recipients, and public charities filing Schedule I, whose grants carry the recipient's EIN)
/// given about N grants in all, resampled from the real grants of `DIR/data/irs990_xml`: amounts
/// and purposes drawn from the real ones (scaled by the grantor's size), grant counts per grantor
/// heavy-tailed, recipients public charities chosen near home (60 % in the grantor's state, 20 %
/// elsewhere in its region, 20 % anywhere) and mostly in one cause, given again in later years.
/// Saved through `OrganizationDatabase.save` in batches, so the giving summaries are kept as an
/// import keeps them.
func setupFunders() async throws {
    let (csv, path) = (option("bmf", "/tmp/catalynx-eo-national-1970000.csv"), option("db", "/tmp/catalynx-funders.sqlite"))
    let target = Int(option("grants", "1530000")) ?? 1_530_000
    let grantorCount = Int(option("grantors", "110000")) ?? 110_000
    let root = option("root", FileManager.default.currentDirectoryPath)
    var random = SeededGenerator(seed: UInt64(option("seed", "15")) ?? 15)
    let clock = ContinuousClock()
    let began = clock.now
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    let database = try SQLiteOrganizationDatabase(path: path)
    let bmf = try await BMFImporter(database: database).importFiles([csv])
    progress("imported \(bmf.inserted) organizations in \(Int((clock.now - began).seconds)) s")

    // The real grants: their amounts and purposes are what the generated ones are drawn from.
    let realPath = NSTemporaryDirectory() + "catalynx-real-\(UUID().uuidString).sqlite"
    defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: realPath + suffix) } }
    let real = try SQLiteOrganizationDatabase(path: realPath)
    _ = try await Form990Importer(database: real).importPaths([root + "/data/irs990_xml"])
    let realGrants = try await real.grants(madeByAny: try real.allEINs().map(\.digits)).values.joined().filter { $0.amount > 0 }
        .sorted { ($0.grantorEIN, $0.taxYear, $0.recipientName, $0.amount) < ($1.grantorEIN, $1.taxYear, $1.recipientName, $1.amount) }   // one order on every run
    guard !realGrants.isEmpty else { throw ToolError("Bench", "no real grants under \(root)/data/irs990_xml") }
    let amounts = realGrants.map(\.amount), purposes = realGrants.compactMap(\.purpose)

    let organizations = try await everyOrganization(database)
    let recipients = organizations.filter { !$0.isPrivateFoundation && $0.subsection == "03" && !($0.nteeCode ?? "").isEmpty && $0.state != nil }
    var byState: [String: [Int]] = [:], byStateMajor: [String: [Int]] = [:]
    for (index, recipient) in recipients.enumerated() {
        byState[recipient.state!, default: []].append(index)
        byStateMajor[recipient.state! + String(recipient.nteeCode!.prefix(1)), default: []].append(index)
    }
    let states = byState.keys.sorted()
    let foundations = organizations.filter { $0.foundation == "04" }.shuffled(using: &random)
    let charities = recipients.filter { ($0.revenue ?? 0) > 1_000_000 }.shuffled(using: &random)
    let foundationShare = 0.7
    let grantors = Array(foundations.prefix(Int(Double(grantorCount) * foundationShare)))
        + Array(charities.prefix(grantorCount - min(foundations.count, Int(Double(grantorCount) * foundationShare))))
    let weights = grantors.map { _ in exp(1.1 * random.normal()) }
    let perWeight = Double(target) / weights.reduce(0, +)

    func recipient(near home: String, focus: String) -> Organization {
        let draw = Double.random(in: 0..<1, using: &random)
        let region = FunderModel.regions.first { $0.1.contains(home) }?.1.sorted() ?? states
        let state = draw < 0.6 ? home : draw < 0.8 ? region.randomElement(using: &random)! : states.randomElement(using: &random)!
        let pool = Double.random(in: 0..<1, using: &random) < 0.6 ? byStateMajor[state + focus] ?? byState[state] : byState[state]
        return recipients[(pool ?? byState[states[0]]!).randomElement(using: &random)!]
    }

    var batch: [Grant] = []
    var written = 0
    for (grantor, weight) in zip(grantors, weights) {
        let count = min(5_000, max(1, Int((weight * perWeight).rounded())))
        let home = grantor.state.flatMap { byState[$0] == nil ? nil : $0 } ?? states.randomElement(using: &random)!
        let focus = String((grantor.nteeCode?.isEmpty == false ? grantor.nteeCode! : recipients.randomElement(using: &random)!.nteeCode!).prefix(1))
        let schedule = grantor.foundation != "04"
        let scale = max(0.2, exp(0.8 * random.normal()))
        let latest = Int.random(in: 2019...2024, using: &random), span = Int.random(in: 1...3, using: &random)
        let chosen = (0..<max(1, count * 3 / 5)).map { _ in recipient(near: home, focus: focus) }
        for _ in 0..<count {
            let to = chosen.randomElement(using: &random)!
            batch.append(Grant(grantorEIN: grantor.ein, recipientEIN: schedule ? to.ein : nil, recipientName: to.name, recipientCity: to.city,
                               recipientState: to.state, recipientKind: "organization",
                               amount: max(100, Int((Double(amounts.randomElement(using: &random)!) * scale).rounded())),
                               purpose: purposes.randomElement(using: &random), taxYear: latest - Int.random(in: 0..<span, using: &random),
                               source: schedule ? "schedule_i" : "990pf"))
        }
        if batch.count >= 50_000 {
            try await database.save(RecordBatch(grants: batch))
            written += batch.count
            batch.removeAll(keepingCapacity: true)
            progress("  \(written) grants…")
        }
    }
    try await database.save(RecordBatch(grants: batch))
    written += batch.count
    let counts = try await database.counts()
    let result: Value = ["benchmark": "funders-setup", "organizations": .int(counts["organizations"] ?? 0), "grants": .int(counts["grants"] ?? 0),
                         "grantors": .int(grantors.count), "grantmakers": .int(try await database.grantmakerCount()),
                         "seconds": .double((clock.now - began).seconds)]
    print("result \(result.jsonString())")
}

/// `funders --db PATH --applicants N --seed S --out FILE`
///
/// Funder matching and profile building for N applicants (public charities with an NTEE code and
/// revenue, drawn with the seed): their peers first (not timed), then `FunderScoring.score` timed,
/// which gathers the evidence, scores every candidate and builds the profiles of the 25 kept.
/// Writes each applicant and its first ten funders to FILE for the peer to compare.
func measureFunders() async throws {
    let database = try SQLiteOrganizationDatabase(path: option("db", "/tmp/catalynx-funders.sqlite"))
    let count = Int(option("applicants", "200")) ?? 200
    var random = SeededGenerator(seed: UInt64(option("seed", "1")) ?? 1)
    let organizations = try await everyOrganization(database)
    let eligible = organizations.filter { $0.foundation != "04" && $0.subsection == "03" && !($0.nteeCode ?? "").isEmpty && ($0.revenue ?? 0) > 0 }
    let applicants = (0..<count).map { _ in eligible.randomElement(using: &random)! }
    let clock = ContinuousClock()
    var samples: [Double] = []
    var lines: [String] = []
    var scored = 0
    for (index, applicant) in applicants.enumerated() {
        let profile = OrganizationProfile(applicant, filings: [])
        let peers = try await PeerComparison.compare(profile, metrics: nil, database: database)
        let began = clock.now
        let scoring = try await FunderScoring.score(profile, peers: peers, database: database, currentYear: 2026)
        if index >= 5 { samples.append((clock.now - began).seconds * 1000) }   // the first few warm the caches
        scored += scoring.candidatesScored
        let top = scoring.funders.prefix(10).map { "\($0.ein.filter(\.isNumber)):\(String(format: "%.3f", $0.score))" }
        lines.append(([applicant.ein] + peers.peers.map { $0.ein.filter(\.isNumber) }.prefix(25) + ["|"] + top).joined(separator: " "))
    }
    try (lines.joined(separator: "\n") + "\n").write(toFile: option("out", "/tmp/catalynx-funders-ours.txt"), atomically: true, encoding: .utf8)
    samples.sort()
    func percentile(_ p: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
    let result: Value = ["benchmark": "funders", "applicants": .int(samples.count), "p50_ms": .double(percentile(0.5)), "p99_ms": .double(percentile(0.99)),
                         "max_ms": .double(samples.last ?? 0), "candidates_per_applicant": .double(Double(scored) / Double(count))]
    print("result \(result.jsonString())")
}

/// Progress goes to standard error, results to standard output.
func progress(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
