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

/// A way for a command to end with a given exit code and message.
struct CLIExit: Error, CustomStringConvertible {
    enum Code: Int32 {
        case completed = 0, failed = 1, badInput = 2, paused = 3, notFound = 4, noFilings = 5, qualityGateFailed = 6
    }

    var code: Code
    var message: String?

    static func badInput(_ message: String) -> CLIExit { CLIExit(code: .badInput, message: message) }

    /// The message without its `error: ` lead (where the error is shown inside another message: the API's problems, MCP).
    var description: String {
        guard let message else { return "exit code \(code.rawValue)" }
        return message.hasPrefix("error: ") ? String(message.dropFirst(7)) : message
    }

    /// The error for what needs a run store shared between processes (`subject` says what shares runs).
    static func needsSharedStore(_ subject: String) -> CLIExit {
        badInput("error: \(subject) runs through PostgreSQL\n    hint: set CATALYNX_DATABASE_URL=postgres://USER@HOST/DATABASE")
    }

    /// The exit code that reports a run's status.
    static func code(for status: RunStatus) -> Code {
        switch status {
        case .completed: .completed
        case .failed, .cancelled: .failed
        case .paused, .waiting, .pending, .running: .paused
        }
    }
}

/// What every command needs: the environment, the tools and the run store.
struct CLIContext {
    let environment: [String: String]
    let home: String
    let registry: ToolRegistry
    /// The organization database, opened once for the commands and the tools of this process.
    let organizations: OrganizationSource

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        home = RunStoreLocation.home(environment: environment)
        var registry = ToolRegistry()
        BuiltinTools.register(in: &registry, home: home, environment: environment)
        let (home, environment) = (home, environment)
        let online = ["1", "true", "yes"].contains(environment["CATALYNX_PROPUBLICA_ONLINE"]?.lowercased() ?? "")
        organizations = OrganizationSource { try await Self.openOrganizations(home: home, environment: environment) }
        GrantResearchTools.register(
            in: &registry,
            source: organizations,
            exportsDirectory: (home as NSString).appendingPathComponent("exports"),
            proPublica: online ? Self.proPublicaClient(home: home, environment: environment) : nil,
            ai: AIServices.load(directory: Self.bamlDirectory(environment: environment), environment: environment),
            reviewers: (environment["CATALYNX_REVIEWERS"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        self.registry = registry
    }

    /// The ProPublica client: `CATALYNX_PROPUBLICA_URL` (default the public API), cached under `$CATALYNX_HOME/cache/propublica`.
    /// `CATALYNX_HTTP_BACKOFF_MS` sets the first retry's delay (tests shorten it).
    static func proPublicaClient(home: String, environment: [String: String]) -> ProPublicaClient {
        var client = ProPublicaClient(baseURL: environment["CATALYNX_PROPUBLICA_URL"] ?? ProPublicaClient.defaultBaseURL,
                                      cacheDirectory: (home as NSString).appendingPathComponent("cache/propublica"))
        if let backoff = environment["CATALYNX_HTTP_BACKOFF_MS"].flatMap(Int.init) { client.initialBackoff = .milliseconds(backoff) }
        return client
    }

    /// Opens the configured run store.
    func openStore() async throws -> any RunStore {
        let location: RunStoreLocation
        do {
            location = try RunStoreLocation.from(environment: environment)
        } catch let error as ConfigurationError {
            throw CLIExit.badInput("error: \(error)")
        }
        let durability: SQLiteRunStore.Durability = environment["CATALYNX_SYNCHRONOUS"]?.lowercased() == "full" ? .full : .normal
        do {
            return try await location.open(durability: durability)
        } catch {
            throw CLIExit(code: .failed, message: "error: cannot open the run store at \(location.description): \(error)")
        }
    }

    /// Opens the organization database, loading the embedded dataset the first time: on the
    /// PostgreSQL server of `CATALYNX_DATABASE_URL` when it names one (beside the runs), else
    /// `$CATALYNX_HOME/organizations.sqlite`.
    func openOrganizations() async throws -> any OrganizationDatabase {
        try await organizations.opened()
    }

    private static func openOrganizations(home: String, environment: [String: String]) async throws -> any OrganizationDatabase {
        let database: any OrganizationDatabase
        let location: String
        switch try? RunStoreLocation.from(environment: environment) {
        case .postgres(let url)?:
            location = PostgresPool.redacted(url)
            do {
                database = try await PostgresOrganizationDatabase(url: url)
            } catch {
                throw CLIExit(code: .failed, message: "error: cannot open the organization database at \(location): \(String(reflecting: error))")
            }
        default:
            location = (home as NSString).appendingPathComponent("organizations.sqlite")
            do {
                database = try SQLiteOrganizationDatabase(path: location)
            } catch {
                throw CLIExit(code: .failed, message: "error: cannot open the organization database at \(location): \(error)")
            }
        }
        if let dataset = embeddedDataset(environment: environment), try await !database.hasImported(EmbeddedDataset.version) {
            Console.error("loading the embedded dataset into \(location) (first run)…")
            let bar = ProgressBar(label: "BMF", unit: "rows")
            let summary = try await dataset.loadIfNeeded(into: database) { progress in
                bar.update(count: progress.rows, fraction: nil)
            }
            bar.finish()
            if let summary {
                Console.error("loaded \(summary.inserted.formatted()) organizations, the ProPublica filings and the 990 returns in \(RunPresenter.formatDuration(summary.seconds))")
            }
        }
        return database
    }

    /// The webhooks of `path`, or of `$CATALYNX_HOME/webhooks.yaml` when it exists: their
    /// configuration, the delivery log (`$CATALYNX_HOME/webhooks.sqlite`) and, when there are
    /// outbound targets, their sender.
    func webhooks(path: String?) throws -> (configuration: WebhookConfiguration, deliveries: DeliveryLog, outbound: OutboundWebhooks?) {
        let file = path ?? (home as NSString).appendingPathComponent("webhooks.yaml")
        var configuration = WebhookConfiguration()
        if path != nil || FileManager.default.fileExists(atPath: file) {
            do {
                configuration = try WebhookConfiguration.load(path: file, environment: environment)
            } catch {
                throw CLIExit.badInput("\(error)")
            }
        }
        let deliveries = try DeliveryLog(path: (home as NSString).appendingPathComponent("webhooks.sqlite"))
        guard !configuration.outbound.isEmpty else { return (configuration, deliveries, nil) }
        let backoff = environment["CATALYNX_HTTP_BACKOFF_MS"].flatMap(Int.init).map { Duration.milliseconds($0) } ?? .seconds(1)
        return (configuration, deliveries, OutboundWebhooks(targets: configuration.outbound, log: deliveries, firstBackoff: backoff))
    }

    /// The API keys (`$CATALYNX_HOME/keys.sqlite`).
    func openKeys() throws -> APIKeyStore {
        let path = (home as NSString).appendingPathComponent("keys.sqlite")
        do {
            return try APIKeyStore(path: path)
        } catch {
            throw CLIExit(code: .failed, message: "error: cannot open the key store at \(path): \(error)")
        }
    }

    func engine() async throws -> WorkflowEngine {
        WorkflowEngine(store: try await openStore(), registry: registry)
    }

    /// Directories searched for workflows by name: `CATALYNX_WORKFLOWS_DIR`, `./workflows`, and
    /// the `workflows` folder of the installation (found upwards from the executable).
    var workflowDirectories: [String] { Self.installationFolders(named: "workflows", override: "CATALYNX_WORKFLOWS_DIR", environment: environment) }

    /// The AI tools' `.baml` files: the first of `CATALYNX_BAML_DIR`, `./baml_src` and the installation's that exists.
    static func bamlDirectory(environment: [String: String]) -> String? {
        installationFolders(named: "baml_src", override: "CATALYNX_BAML_DIR", environment: environment)
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The embedded dataset: the first of `CATALYNX_DATA_DIR`, `./data` and the installation's
    /// `data` folder that holds the BMF files.
    static func embeddedDataset(environment: [String: String]) -> EmbeddedDataset? {
        installationFolders(named: "data", override: "CATALYNX_DATA_DIR", environment: environment)
            .first { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("eo_bmf")) }
            .map(EmbeddedDataset.init(directory:))
    }

    /// The folder named by the environment variable `override`, `./name`, and every existing
    /// `name` folder upwards from the executable (so that `swift run` and a copied binary find them).
    static func installationFolders(named name: String, override: String, environment: [String: String]) -> [String] {
        var directories: [String] = []
        if let configured = environment[override], !configured.isEmpty { directories.append(configured) }
        directories.append((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(name))
        // From the absolute path: a relative one (`./catalynx`) would walk up to "." and stop making sense.
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.deletingLastPathComponent()
        for _ in 0..<6 where directory.path != "/" {
            let candidate = directory.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: candidate) { directories.append(candidate) }
            directory = directory.deletingLastPathComponent()
        }
        var seen: Set<String> = []
        return directories.filter { seen.insert(($0 as NSString).standardizingPath).inserted }
    }

    /// Every workflow file in the search directories (and their `examples` folders).
    func workflowFiles() -> [String] {
        workflowDirectories.flatMap { directory in
            [directory, (directory as NSString).appendingPathComponent("examples")].flatMap { folder in
                ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                    .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
                    .sorted()
                    .map { (folder as NSString).appendingPathComponent($0) }
            }
        }
    }

    /// Loads a workflow given as a file path or as a workflow name found in the search directories.
    func loadWorkflow(_ reference: String) throws -> WorkflowDefinition {
        var path = reference
        if !FileManager.default.fileExists(atPath: path) {
            let match = workflowFiles().first { file in
                let base = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
                return base == reference || (try? WorkflowLoader.load(path: file, registry: registry).name) == reference
            }
            guard let match else {
                throw CLIExit.badInput("error: no workflow file or workflow named '\(reference)'\n    hint: `catalynx workflows list` shows the workflows found")
            }
            path = match
        }
        do {
            return try WorkflowLoader.load(path: path, registry: registry)
        } catch {
            throw CLIExit.badInput(error.description)
        }
    }

    /// Resolves a run id or unique prefix.
    func resolveRun(_ id: String, in store: any RunStore) async throws -> String {
        do {
            return try await store.resolveRunID(id)
        } catch let error as RunStoreError {
            throw CLIExit.badInput("error: \(error)\n    hint: `catalynx runs list` shows recent runs")
        }
    }
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

    /// Whether standard error is a terminal (for colour and live progress).
    static var stderrIsTerminal: Bool { isatty(2) == 1 }
}

/// Output formats shared by the commands.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case table, json
}

extension WorkflowEngine {
    /// The lease owner of this process in a role (`cli`, `serve`, `worker`): `host:pid:role`.
    static func leaseOwner(_ role: String) -> String { "\(ProcessInfo.processInfo.hostName):\(getpid()):\(role)" }

    /// The lease owner of this process's attached runs on a shared store.
    static let attachedOwner = leaseOwner("cli")

    /// A worker of this process (`catalynx worker`, `serve --workers`) that logs each run it drove
    /// to a stop (as the server's own driver does), prints each failed claim or renewal and goes on;
    /// nil when the store is not shared between processes.
    func worker(role: String, concurrency: Int, lease: Duration = .seconds(10), onStop: (@Sendable (RunState) async -> Void)?) -> RunWorker? {
        guard let leasing = store as? any RunLeasing else { return nil }
        let logger = Logger(label: "catalynx.runs")
        let logged: @Sendable (RunState) async -> Void = { state in
            logger.info("run stopped", metadata: ["run_id": .string(state.runID), "status": .string(state.status.rawValue),
                                                  "workflow": .string(state.workflowName)])
            await onStop?(state)
        }
        return RunWorker(engine: self, leasing: leasing, owner: Self.leaseOwner(role), concurrency: concurrency, lease: lease, onStop: logged,
                         onError: { error in Console.error("\(role): claiming or renewing leases failed, trying again: \(String(reflecting: error))") })
    }

    /// Runs a workflow to its stop in this process (`run`, `analyze` without `--detach`, MCP). On
    /// a shared PostgreSQL store the run is started and driven under a lease, as workers drive
    /// theirs, so that no idle worker woken by the new run drives it too.
    func runAttached(_ definition: WorkflowDefinition, inputs: [String: Value], runID: String = RunID.make(),
                     observer: Observer? = nil) async throws -> RunState {
        guard store is any RunLeasing else { return try await run(definition, inputs: inputs, runID: runID, observer: observer) }
        return try await driveAttached(runID: try await start(definition, inputs: inputs, runID: runID), observer: observer)
    }

    /// Drives an existing run to its stop in this process (`runs resume`, `approvals respond`, MCP),
    /// under a lease on a shared store.
    func driveAttached(runID: String, observer: Observer? = nil) async throws -> RunState {
        guard let leasing = store as? any RunLeasing else { return try await drive(runID: runID, observer: observer) }
        return try await driveLeased(runID: runID, leasing: leasing, owner: Self.attachedOwner, observer: observer)
    }
}

