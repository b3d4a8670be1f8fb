import AgentCore
import AgentServer
import AgentStore
import AgentTools
import ArgumentParser
import Foundation
import GrantResearch
import Logging
import Nonprofit
import PostgresSupport
import Synchronization
import CatalynxApp

/// A way for a command to end with a given exit code and message.
struct CLIExit: Error, CustomStringConvertible {
    typealias Code = ExitStatus

    var code: ExitStatus
    var message: String?

    static func badInput(_ message: String) -> CLIExit { CLIExit(code: .badInput, message: message) }

    /// A use case's error, as the CLI prints it.
    init(_ error: ApplicationError) {
        code = error.status
        message = "error: \(error)"
    }

    init(code: ExitStatus, message: String?) {
        self.code = code
        self.message = message
    }

    /// The message without its `error: ` lead (where the error is shown inside another message: the API's problems, MCP).
    var description: String {
        guard let message else { return "exit code \(code.rawValue)" }
        return message.hasPrefix("error: ") ? String(message.dropFirst(7)) : message
    }

    /// The error for what needs a run store shared between processes (`subject` says what shares runs).
    static func needsSharedStore(_ subject: String) -> CLIExit {
        badInput("error: \(subject) runs through PostgreSQL\n    hint: set CATALYNX_DATABASE_URL=postgres://USER@HOST/DATABASE")
    }
}

/// What every command works with: the application, composed once from the environment, and the
/// terminal's ways of showing what it does.
struct CLIContext {
    let app: CatalynxApplication

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        app = CatalynxApplication(configuration: Configuration(environment: environment), onDataset: DatasetProgress.show)
    }

    var configuration: Configuration { app.configuration }
    var registry: ToolRegistry { app.registry }

    /// The run store.
    func openStore() async throws -> any RunStore { try await app.store() }

    func engine() async throws -> WorkflowEngine { try await app.engine() }

    /// How this command drives runs: in this process, under a lease on a shared store.
    func driver() async throws -> RunDriver { try await app.driver(role: "cli") }

    /// How a command drives runs with an engine it opened.
    static func driver(for engine: WorkflowEngine) -> RunDriver { RunDriver(engine: engine, role: "cli") }

    /// The organization database (the embedded dataset is loaded, with its progress, the first time).
    func openOrganizations() async throws -> any OrganizationDatabase { try await app.organizationDatabase() }

    /// A workflow given as a file path or as a workflow name found in the search directories.
    func loadWorkflow(_ reference: String) throws -> WorkflowDefinition { try app.workflow(reference, allowPath: true) }

    /// Resolves a run id or unique prefix.
    func resolveRun(_ id: String) async throws -> String { try await app.resolveRun(id) }

    /// The API keys.
    func openKeys() throws -> APIKeyStore { try APIKeyStore.open(configuration) }

    /// The webhooks of `path`, or of `$CATALYNX_HOME/webhooks.yaml` when it exists.
    func webhooks(path: String?) throws -> WebhookSetup { try WebhookSetup.load(configuration, path: path) }
}

/// Shows the first load of the embedded dataset on stderr.
enum DatasetProgress {
    @Sendable static func show(_ event: CatalynxApplication.DatasetEvent) {
        switch event {
        case .loading(let location):
            Console.error("loading the embedded dataset into \(location) (first run)…")
            bar.withLock { $0 = ProgressBar(label: "BMF", unit: "rows") }
        case .progress(let rows):
            bar.withLock { $0?.update(count: rows, fraction: nil) }
        case .loaded(let summary):
            bar.withLock { $0?.finish(); $0 = nil }
            let changed = summary.inserted + summary.updated
            let organizations = changed == 0 ? "\(summary.rows.formatted()) organizations (all already there)" : "\(summary.rows.formatted()) organizations"
            Console.error("loaded \(organizations), the ProPublica filings and the 990 returns in \(RunPresenter.formatDuration(summary.seconds))")
        }
    }

    private static let bar = Mutex<ProgressBar?>(nil)
}

/// Writing to the terminal.
enum Console {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Writes to standard output; a reader that went away (`catalynx … | head`) ends the program quietly.
    static func out(_ message: String) {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data((message + "\n").utf8))
        } catch {
            exit(0)
        }
    }

    /// How a worker reports a failed claim or renewal (it goes on and tries again).
    static func leaseFailure(role: String) -> @Sendable (any Error) -> Void {
        { error in Console.error("\(role): claiming or renewing leases failed, trying again: \(String(reflecting: error))") }
    }

    /// Whether standard error is a terminal (for colour and live progress).
    static var stderrIsTerminal: Bool { isatty(2) == 1 }
}

/// Output formats shared by the commands.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case table, json
}
