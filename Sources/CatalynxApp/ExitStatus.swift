import AgentCore
import GrantResearch

/// How a command ended, as the process's exit code: one table for every command (and the README).
/// Ordered so that the highest is the one a batch reports.
public enum ExitStatus: Int32, Sendable, Comparable, CaseIterable {
    case completed = 0
    case failed = 1
    case badInput = 2
    case waiting = 3
    case notFound = 4
    case noFilings = 5
    case qualityGateFailed = 6

    /// What the code means, for `--help`.
    public var meaning: String {
        switch self {
        case .completed: "completed"
        case .failed: "a run failed or was cancelled (or a fetch failed)"
        case .badInput: "bad input: an invalid workflow, EIN, file, argument or unknown run"
        case .waiting: "a run is paused or waiting for a person"
        case .notFound: "not found: an EIN the database does not know"
        case .noFilings: "the organization has no filings on record, so no metrics or risk (analyze)"
        case .qualityGateFailed: "a quality gate failed (analyze)"
        }
    }

    /// `Exit codes: 0 completed, 1 …`.
    public static var table: String {
        "Exit codes: " + allCases.map { "\($0.rawValue) \($0.meaning)" }.joined(separator: "; ") + "."
    }

    /// The code of a run that stopped with this status.
    public init(_ status: RunStatus) {
        switch status {
        case .completed: self = .completed
        case .failed, .cancelled: self = .failed
        case .paused, .waiting, .pending, .running: self = .waiting
        }
    }

    /// The code of an analysis that ended so.
    public init(_ verdict: AnalysisOutcome.Verdict) {
        switch verdict {
        case .complete: self = .completed
        case .failed: self = .failed
        case .invalidEIN: self = .badInput
        case .unfinished: self = .waiting
        case .notFound: self = .notFound
        case .noFilings: self = .noFilings
        case .gateFailed: self = .qualityGateFailed
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
