import AgentCore
import AgentStore
import AgentTools
import Foundation
import GrantResearch
import Nonprofit
import PostgresSupport
import Synchronization

/// Catalynx, composed once per process from its configuration: the tool registry, the workflow
/// catalogue, the run store and engine, the organization database and the AI services. Front ends (the CLI, the HTTP server and dashboard, the MCP server) receive it and call
/// its use cases (`Application+Analyses.swift`, `+Organizations`, `+Approvals`, `+Reports`), so the
/// same question gets the same answer from each.
public final class CatalynxApplication: Sendable {
    public let configuration: Configuration
    public let registry: ToolRegistry
    public let catalog: WorkflowCatalog
    /// The organization database, opened on first use and shared by the use cases and the tools.
    public let organizations: OrganizationSource
    /// The AI functions of `baml_src` and their clients (they degrade, and say why, when none is configured).
    public let ai: AIServices
    private let storeOpening: Mutex<Task<any RunStore, any Error>?>

    /// What the application reports while it loads the embedded dataset into a new organization database.
    public enum DatasetEvent: Sendable {
        case loading(location: String)
        case progress(rows: Int)
        case loaded(BMFImporter.Summary)
    }

    /// Composes the application.
    /// - Parameters:
    ///   - configuration: what the environment says.
    ///   - store: a run store to use instead of the configured one (tests).
    ///   - organizationDatabase: an organization database to use instead of the configured one (tests).
    ///   - workflows: extra workflows as YAML text, by name (tests).
    ///   - extraTools: more tools to register (tests).
    ///   - onDataset: told about the first load of the embedded dataset (the CLI shows its progress).
    public init(configuration: Configuration = Configuration(), store: (any RunStore)? = nil,
                organizationDatabase: (any OrganizationDatabase)? = nil, workflows: [String: String] = [:],
                extraTools: [AnyTool] = [], onDataset: (@Sendable (DatasetEvent) -> Void)? = nil) {
        self.configuration = configuration
        let ai = AIServices.load(directory: configuration.bamlDirectory, environment: configuration.environment)
        self.ai = ai
        let organizations = organizationDatabase.map(OrganizationSource.init)
            ?? OrganizationSource { try await Self.openOrganizations(configuration, onDataset: onDataset) }
        self.organizations = organizations
        var registry = ToolRegistry()
        BuiltinTools.register(in: &registry, home: configuration.home, environment: configuration.environment)
        GrantResearchTools.register(
            in: &registry, source: organizations, exportsDirectory: configuration.inHome("exports"),
            proPublica: configuration.proPublicaOnline ? Self.proPublicaClient(configuration) : nil, ai: ai,
            reviewers: configuration.reviewers)
        for tool in extraTools { registry.register(tool) }
        self.registry = registry
        catalog = WorkflowCatalog(directories: configuration.workflowDirectories, registry: registry, sources: workflows)
        storeOpening = Mutex(store.map { store in Task { store } })
    }

    // MARK: Stores

    /// The run store, opened (and migrated) once.
    /// - Throws: `ApplicationError` when the configured store cannot be used.
    public func store() async throws -> any RunStore {
        let configuration = self.configuration
        let task = storeOpening.withLock { task in
            if let task { return task }
            let opening = Task { () async throws -> any RunStore in
                let location: RunStoreLocation
                switch configuration.runStore {
                case .success(let configured): location = configured
                case .failure(let error): throw ApplicationError(.badInput, "\(error)")
                }
                do {
                    return try await location.open(durability: configuration.durability)
                } catch {
                    throw ApplicationError(.failed, "cannot open the run store at \(location.description): \(error)")
                }
            }
            task = opening
            return opening
        }
        do {
            return try await task.value
        } catch {
            storeOpening.withLock { $0 = nil }
            throw error
        }
    }

    /// The engine on the run store with the registry's tools, its agent steps asking the functions of `baml_src`.
    public func engine() async throws -> WorkflowEngine {
        WorkflowEngine(store: try await store(), registry: registry, agentModel: BAMLAgentModel(ai: ai))
    }

    /// How this process drives runs, as `role` (`cli`, `serve`, `worker`): directly on a store of its
    /// own, under leases on a shared one (see `RunDriver`).
    public func driver(role: String) async throws -> RunDriver { RunDriver(engine: try await engine(), role: role) }

    /// The organization database (the embedded dataset is loaded the first time).
    public func organizationDatabase() async throws -> any OrganizationDatabase {
        do {
            return try await organizations.opened()
        } catch let error as ApplicationError {
            throw error
        } catch {
            throw ApplicationError(.failed, "cannot open the organization database: \(error)")
        }
    }

    /// The workflow a name (or, from the CLI, a file path) means.
    /// - Throws: `ApplicationError` `.badInput` with the loader's file:line:column diagnostics or the known names.
    public func workflow(_ reference: String, allowPath: Bool = false) throws -> WorkflowDefinition {
        do {
            return try catalog.definition(reference, allowPath: allowPath)
        } catch let error as WorkflowValidationError {
            throw ApplicationError(.badInput, error.description)
        } catch {
            throw ApplicationError(.badInput, "\(error)", hint: "`catalynx workflows list` shows the workflows found")
        }
    }

    // MARK: Composition

    /// The ProPublica client: `CATALYNX_PROPUBLICA_URL` (default the public API), cached under `$CATALYNX_HOME/cache/propublica`.
    public static func proPublicaClient(_ configuration: Configuration) -> ProPublicaClient {
        var client = ProPublicaClient(baseURL: configuration.proPublicaURL ?? ProPublicaClient.defaultBaseURL,
                                      cacheDirectory: configuration.inHome("cache/propublica"))
        if let backoff = configuration.httpBackoff { client.initialBackoff = backoff }
        return client
    }

    /// The IRS's files, downloaded into `$CATALYNX_HOME/downloads` from the IRS or a mirror (`mirror`, else `CATALYNX_IRS_MIRROR`).
    public static func irsDownloads(_ configuration: Configuration, mirror: String? = nil) -> IRSDownloads {
        var downloads = IRSDownloads(directory: configuration.inHome("downloads"), mirror: mirror ?? configuration.irsMirror)
        if let backoff = configuration.httpBackoff { downloads.downloader.initialBackoff = backoff }
        return downloads
    }

    /// Opens the organization database, loading the embedded dataset the first time: on the
    /// PostgreSQL server of `CATALYNX_DATABASE_URL` when it names one (beside the runs), else
    /// `$CATALYNX_HOME/organizations.sqlite`.
    static func openOrganizations(_ configuration: Configuration, onDataset: (@Sendable (DatasetEvent) -> Void)?) async throws -> any OrganizationDatabase {
        let database: any OrganizationDatabase
        let location: String
        switch configuration.runStore {
        case .success(.postgres(let url)):
            location = PostgresPool.redacted(url)
            do {
                database = try await PostgresOrganizationDatabase(url: url)
            } catch {
                throw ApplicationError(.failed, "cannot open the organization database at \(location): \(String(reflecting: error))")
            }
        default:
            location = configuration.inHome("organizations.sqlite")
            do {
                database = try SQLiteOrganizationDatabase(path: location)
            } catch {
                throw ApplicationError(.failed, "cannot open the organization database at \(location): \(error)")
            }
        }
        if let directory = configuration.dataDirectory, try await !database.hasImported(EmbeddedDataset.version) {
            onDataset?(.loading(location: location))
            let summary = try await EmbeddedDataset(directory: directory).loadIfNeeded(into: database) { progress in
                onDataset?(.progress(rows: progress.rows))
            }
            if let summary { onDataset?(.loaded(summary)) }
        }
        return database
    }
}

/// A use case that could not be done, with the exit code it means and what to do about it.
public struct ApplicationError: Error, Sendable, CustomStringConvertible {
    public var status: ExitStatus
    public var message: String
    public var hint: String?

    public init(_ status: ExitStatus, _ message: String, hint: String? = nil) {
        self.status = status
        self.message = message
        self.hint = hint
    }

    public var description: String { message + (hint.map { "\n    hint: \($0)" } ?? "") }
}
