import AgentCore
import AgentStore
import Foundation
import GrantResearch
import Nonprofit
import Testing
@testable import CatalynxApp

/// The use cases every front end calls, in process, on the project's real data: the answers the
/// CLI, the API, the dashboard and MCP present.
@Suite("Use cases")
struct UseCaseTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// An application on a scratch home with the embedded dataset, the project's workflows and no LLM.
    static func application(reviewers: String? = nil) -> CatalynxApplication {
        let home = NSTemporaryDirectory() + "catalynx-app-\(UUID().uuidString)"
        var environment = ["CATALYNX_HOME": home, "CATALYNX_DATA_DIR": root + "/data", "CATALYNX_WORKFLOWS_DIR": root + "/workflows",
                           "CATALYNX_BAML_DIR": root + "/baml_src"]
        environment["CATALYNX_REVIEWERS"] = reviewers
        return CatalynxApplication(configuration: Configuration(environment: environment, executable: home + "/catalynx", currentDirectory: home))
    }

    /// One application for the tests that only read (the dataset loads once).
    static let shared = application()

    @Test func theLatestRevenueAndItsYearAreTheSameInTheProfileAndTheAnalysis() async throws {
        let app = Self.shared
        let overview = try await app.organization("54-1230284")
        let latest = try #require(overview.profile.latestFigures)
        #expect(latest.revenue == 7_910_303)
        #expect(latest.fiscalYear == "FY2024 (Apr 2023–Mar 2024)")
        #expect(latest.newerThanFilings)
        #expect(overview.json["summary"]?["latest_figures"]?["revenue"] == 7_910_303)
        #expect(overview.exemption == "501(c)(3)" && overview.ruling == "June 1984")

        let analysis = try await app.analyze(try EIN("54-1230284"), tier: .current)
        #expect(analysis.status == .completed)
        #expect(analysis.outcome.organization?.latestFigures == latest)
        let headline = try #require(analysis.outcome.renderableReport?.summary.headline)
        #expect(headline.contains("$7.9M") && headline.contains("FY2024"), "\(headline)")
        // The detailed metrics run through the older year, and the report says so.
        #expect(analysis.outcome.metrics?.latest?.fiscalYear == "FY2022")
        #expect(analysis.outcome.dataQuality?.issues.contains { $0.message.contains("detailed metrics run through FY2022") } == true)
    }

    @Test func theSameDataScoreTheSameAtEveryTier() async throws {
        let app = Self.shared
        let ein = try EIN("54-1230284")
        let current = try await app.analyze(ein, tier: .current)
        let standard = try await app.analyze(ein, tier: .standard)
        #expect(current.outcome.risk != nil)
        #expect(current.outcome.risk == standard.outcome.risk)
        #expect(current.outcome.organization?.name == standard.outcome.organization?.name)
        #expect(current.outcome.dataQuality == standard.outcome.dataQuality)
    }

    @Test(arguments: ["20-1585919", "74-1894581", "81-1795570"])
    func everyReturnFromXMLGetsItsExpenseRatios(_ ein: String) async throws {
        let analysis = try await Self.shared.analyze(try EIN(ein), tier: .current)
        // Old returns lower the risk score's confidence (a quality gate may advise a review), never the analysis itself.
        #expect([.completed, .qualityGateFailed].contains(analysis.status), "\(analysis.problem ?? "")")
        #expect(analysis.outcome.skipped.isEmpty)
        let latest = try #require(analysis.outcome.metrics?.latest)
        #expect(latest.programExpenseRatio != nil)
        #expect(analysis.outcome.risk != nil)
        #expect(analysis.outcome.organization?.state != nil)  // from the return's header
    }

    @Test func aPrivateFoundationFromXMLIsMeasuredByItsCharitableSpending() async throws {
        let analysis = try await Self.shared.analyze(try EIN("14-1833603"), tier: .current)
        let latest = try #require(analysis.outcome.metrics?.latest)
        #expect(latest.charitableDisbursementRatio != nil)
        #expect(latest.unavailable["program_expense_ratio"]?.contains("990-PF") == true)
    }

    @Test func anOrganizationKnownOnlyFromTheBMFStillGetsPeersAndGrantmakers() async throws {
        let analysis = try await Self.shared.analyze(try EIN("52-1167581"), tier: .standard)
        let peers = try #require(analysis.outcome.peers)
        #expect(peers.peers.count >= PeerComparison.minimumPeers)
        #expect(peers.criteria.first?.contains("in DC") == true)   // nearest first: its own place
        #expect(!peers.unranked.isEmpty)   // no filings of its own to rank, and it says so
        let funders = try #require(analysis.outcome.funders)
        #expect(!funders.funders.isEmpty)
        #expect(funders.funders.allSatisfy { !$0.passes || $0.hasGivingHistory })
        #expect(funders.notes.contains { $0.contains("DC") })   // the thin grant data are named, with what would help
    }

    @Test func aSocialWelfareOrganizationIsWarnedAboutEligibilityAndAFoundationSeesItsOwnGiving() async throws {
        let delta = try await Self.shared.analyze(try EIN("54-0844477"), tier: .standard)
        #expect(delta.outcome.funders?.eligibility?.contains("501(c)(4)") == true)
        let trust = try await Self.shared.analyze(try EIN("04-6662754"), tier: .standard)
        let funders = try #require(trust.outcome.funders)
        #expect(funders.funders.isEmpty)
        #expect(funders.ownGiving?.grantCount == 4 && funders.ownGiving?.totalGiven == 12_000)
        let profile = try await Self.shared.funder("04-6662754")
        #expect(profile == funders.ownGiving)   // the same figures in the analysis and in `funders show`
        await #expect { try await Self.shared.funder("86-0000099") } throws: { ($0 as? ApplicationError)?.status == .notFound }
    }

    @Test func badInputIsRefusedWithItsExitCode() async throws {
        let app = Self.shared
        await #expect { try await app.organization("12-34") } throws: { ($0 as? ApplicationError)?.status == .badInput }
        await #expect { try await app.organization("86-0000099") } throws: { ($0 as? ApplicationError)?.status == .notFound }
        #expect(throws: ApplicationError.self) { try app.workflow("no_such_workflow") }
    }

    @Test func anApprovalNamesTheOrganizationAndHasADraftReport() async throws {
        let app = Self.application(reviewers: "dana")
        let analysis = try await app.analyze(try EIN("54-1230284"), tier: .enhanced)
        #expect(analysis.status == .waiting)
        let approvals = try await app.approvals()
        let approval = try #require(approvals.first)
        #expect(approvals.count == 1)
        #expect(approval.title == "Enhanced analysis of Virginia Primary Care Assn Inc (54-1230284)")
        #expect(approval.question.hasPrefix("Please review the enhanced analysis of Virginia Primary Care Assn Inc (EIN 54-1230284)"))
        #expect(!approval.question.contains("_tier"))
        #expect(approval.hasDraftReport)
        #expect(!approval.findings.isEmpty)
        #expect(try await app.approvals(ofRun: String(approval.runID.prefix(20))).count == 1)

        _ = try await app.answer(runID: approval.runID, step: approval.step, ReviewAnswer(decision: .approve, reviewer: "dana", comment: "checked"))
        let final = try await app.driver(role: "cli").drive(runID: approval.runID)
        #expect(final.status == .completed)
        #expect(try await app.approvals().isEmpty)
        await #expect { try await app.approvals(ofRun: approval.runID) } throws: { ($0 as? ApplicationError)?.status == .notFound }
    }

    @Test func runsAreDescribedByTheirOrganization() async throws {
        let app = Self.shared
        let analysis = try await app.analyze(try EIN("51-0151069"), tier: .current)
        let store = try await app.store()
        let summary = try #require(try await store.runs(RunQuery(limit: 200)).first { $0.id == analysis.outcome.runID })
        let subject = try #require(try await app.subjects(of: [summary])[summary.id])
        #expect(subject.ein == "51-0151069")
        #expect(subject.tier == .current)
        #expect(subject.title == analysis.outcome.organization?.name)
        #expect(subject.duration != nil)
    }
}
