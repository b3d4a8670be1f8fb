import AgentCore
import AgentServer
import GrantResearch
import ArgumentParser
import Foundation
import Hummingbird
import Nonprofit

/// `catalynx serve [--host] [--port] [--open-reads]`
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the web dashboard, the REST API (/api/v1) and /health.",
        discussion: """
            Every request to /api/v1 needs `Authorization: Bearer <key>` (create keys with `catalynx keys create`): \
            a read key for GET, a write key for everything else. Errors are application/problem+json. \
            Runs started over the API are driven by the server and recorded like any other. \
            The dashboard (http://HOST:PORT/) signs in with a key and keeps a session cookie.
            """)

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8080

    @Flag(help: "Let GET requests through without a key.")
    var openReads = false

    func run() async throws {
        let context = CLIContext()
        let keys = try context.openKeys()
        let catalog = try WorkflowCatalog(context: context)
        var services = ServerServices(engine: try context.engine(), keys: keys, openReads: openReads) { name in
            guard let definition = catalog.byName[name] else {
                throw CLIExit.badInput("no workflow named '\(name)'; this server has \(catalog.names.joined(separator: ", "))")
            }
            return definition
        }
        services.dashboard = .init(
            tiers: AnalyzeCommand.Tier.allCases.compactMap { tier in
                catalog.byName["\(tier.rawValue)_tier"].map { .init(label: tier.rawValue.capitalized, workflow: $0.name) }
            },
            workflows: catalog.names)
        let database = try context.openOrganizations()
        services.organizations = .init(
            lookup: { text in
                let ein: EIN
                do throws(EINError) { ein = try EIN(text) } catch { throw Problem(.badRequest, "Invalid EIN", error.description) }
                return try await database.record(ein).map { try Value(encoding: $0) }
            },
            search: { words, state, limit in
                try Value(encoding: try await database.search(.init(text: words, state: state, limit: max(1, min(limit, 200)))))
            })
        services.report = { state, definition, format in
            let outcome = AnalysisOutcome(state: state, definition: definition)
            guard let report = outcome.renderableReport else { return nil }
            switch format {
            case "json": return ("application/json", try Value(encoding: report).jsonString(pretty: true))
            case "markdown": return ("text/markdown; charset=utf-8", try ReportRenderer().markdown(report, run: outcome.runInfo))
            default: return ("text/html; charset=utf-8", try ReportRenderer().html(report, run: outcome.runInfo))
            }
        }
        Console.error("catalynx serving on http://\(host):\(port) (reads \(openReads ? "open" : "need a key"))")
        try await CatalynxServer.application(services, host: host, port: port).runService()
    }
}

/// The workflows a server may start, loaded once: by workflow name and by file name (never by path,
/// so a request cannot make the server read an arbitrary file).
struct WorkflowCatalog {
    let byName: [String: WorkflowDefinition]
    let names: [String]

    init(context: CLIContext) throws {
        var byName: [String: WorkflowDefinition] = [:]
        for file in context.workflowFiles() {
            guard let definition = try? WorkflowLoader.load(path: file, registry: context.registry) else { continue }
            byName[definition.name] = byName[definition.name] ?? definition
            let base = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            byName[base] = byName[base] ?? definition
        }
        self.byName = byName
        names = Set(byName.values.map(\.name)).sorted()
    }
}

/// `catalynx keys create|list|revoke`
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke API keys (stored only as hashes in $CATALYNX_HOME/keys.sqlite).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it once.")

        @Option(help: "What the key is for.")
        var name: String

        @Option(help: "read, write or admin.")
        var scope: APIKeyStore.Scope = .read

        func run() throws {
            let (key, token) = try CLIContext().openKeys().create(name: name, scope: scope)
            Console.error("created key \(key.id) (\(key.name), \(key.scope.rawValue)); it is shown only now:")
            Console.out(token)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The keys, without their secrets.")

        func run() throws {
            var table = TextTable("ID", "NAME", "SCOPE", "CREATED", "REVOKED")
            let formatter = ISO8601DateFormatter()
            for key in try CLIContext().openKeys().list() {
                table.add(key.id, key.name, key.scope.rawValue, formatter.string(from: key.createdAt), key.revokedAt.map(formatter.string) ?? "")
            }
            Console.out(table.render())
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key: it stops working at once.")

        @Argument(help: "The key's id.")
        var id: String

        func run() throws {
            guard try CLIContext().openKeys().revoke(id: id) else { throw CLIExit(code: .notFound, message: "error: no active key \(id)") }
            Console.out("revoked \(id)")
        }
    }
}

extension APIKeyStore.Scope: ExpressibleByArgument {}
