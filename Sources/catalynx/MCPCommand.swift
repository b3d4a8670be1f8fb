import AgentCore
import ArgumentParser
import CatalynxApp
import Foundation
import GrantResearch
import MCP
import Nonprofit

/// `catalynx mcp`: a Model Context Protocol server on standard input and output, so that an
/// assistant (Claude Desktop, an IDE, any MCP client) can analyze organizations, search them,
/// follow runs and answer approvals, with the same engine and data as the CLI.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve analyze, search, run status and approvals as MCP tools over stdio.",
        discussion: """
            Configure an MCP client to launch `catalynx mcp` (with CATALYNX_HOME set as for the CLI). \
            Tools: analyze_organization, search_organizations, get_organization, get_run, list_approvals, answer_approval. \
            Standard output carries the protocol only; messages go to standard error.
            """)

    func run() async throws {
        let app = CLIContext().app
        _ = try await app.organizationDatabase()  // the embedded dataset, before the first call
        let tools = MCPTools(app: app, driver: try await app.driver(role: "mcp"))
        let server = Server(name: "catalynx", version: Catalynx.configuration.version, capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: MCPTools.catalog) }
        await server.withMethodHandler(CallTool.self) { params in await tools.call(params.name, params.arguments ?? [:]) }
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }
}

/// The MCP tools: each answers with the JSON the CLI's `--format json` would print.
struct MCPTools: Sendable {
    let app: CatalynxApplication
    let driver: RunDriver

    static func schema(_ properties: [String: MCP.Value], required: [String]) -> MCP.Value {
        .object(["type": "object", "properties": .object(properties), "required": .array(required.map(MCP.Value.string))])
    }

    static let catalog: [MCP.Tool] = [
        MCP.Tool(name: "analyze_organization",
             description: "Analyze a nonprofit by EIN: profile, financial metrics, risk, peers, likely funders. Returns the analysis as JSON (status waiting when an expert review is pending).",
             inputSchema: schema(["ein": ["type": "string", "description": "EIN, e.g. 54-1230284"],
                                  "tier": ["type": "string", "enum": .array(AnalysisTier.allCases.map { .string($0.rawValue) }),
                                           "description": .string("depth of the analysis (default current): "
                                               + AnalysisTier.allCases.map { "\($0.rawValue), \($0.summary)" }.joined(separator: "; "))]],
                                 required: ["ein"])),
        MCP.Tool(name: "search_organizations", description: "Search organizations by name or words, optionally in one state.",
             inputSchema: schema(["query": ["type": "string"], "state": ["type": "string", "description": "two-letter state code"],
                                  "limit": ["type": "integer", "minimum": 1, "maximum": 200]], required: ["query"])),
        MCP.Tool(name: "get_organization", description: "Everything on record about an organization: BMF profile, filings, grants, officers.",
             inputSchema: schema(["ein": ["type": "string"]], required: ["ein"])),
        MCP.Tool(name: "get_run", description: "A run's status, steps, outputs and any question it waits on.",
             inputSchema: schema(["run_id": ["type": "string", "description": "a run id or a unique prefix"]], required: ["run_id"])),
        MCP.Tool(name: "list_approvals", description: "The questions runs are waiting on a person to answer.", inputSchema: schema([:], required: [])),
        MCP.Tool(name: "answer_approval", description: "Approve or reject a waiting run's review; the run then continues to its end.",
             inputSchema: schema(["run_id": ["type": "string"], "decision": ["type": "string", "enum": ["approve", "reject"]],
                                  "comment": ["type": "string"], "reviewer": ["type": "string"]], required: ["run_id", "decision"])),
    ]

    struct Failure: Error, CustomStringConvertible { var description: String }

    func call(_ name: String, _ arguments: [String: MCP.Value]) async -> CallTool.Result {
        do {
            let result = try await dispatch(name, arguments)
            return .init(content: [.text(text: result.jsonString(pretty: true), annotations: nil, _meta: nil)], isError: false)
        } catch {
            return .init(content: [.text(text: "error: \(error)", annotations: nil, _meta: nil)], isError: true)
        }
    }

    private func dispatch(_ name: String, _ arguments: [String: MCP.Value]) async throws -> AgentCore.Value {
        func text(_ key: String) throws -> String {
            guard let value = arguments[key]?.stringValue, !value.isEmpty else { throw Failure(description: "missing argument '\(key)'") }
            return value
        }
        switch name {
        case "analyze_organization":
            let ein = try CatalynxApplication.ein(try text("ein"))
            guard let tier = AnalysisTier(rawValue: arguments["tier"]?.stringValue ?? "current") else {
                throw Failure(description: "tier is \(AnalysisTier.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return try await app.analyze(ein, tier: tier).outcome.json(ein: ein.formatted)
        case "search_organizations":
            let search = OrganizationSearch(text: try text("query"), state: arguments["state"]?.stringValue, limit: arguments["limit"]?.intValue ?? 20)
            return try Value(encoding: try await app.searchOrganizations(search))
        case "get_organization":
            return try await app.organization(try text("ein")).json
        case "get_run":
            let state = try await driver.engine.store.state(of: try await app.resolveRun(try text("run_id")))
            return state.document(definition: try? driver.engine.definition(of: state))
        case "list_approvals":
            return .array(try await app.approvals().map(\.json))
        case "answer_approval":
            let id = try await app.resolveRun(try text("run_id"))
            guard let decision = ReviewAnswer.Decision(rawValue: try text("decision")) else { throw Failure(description: "decision is approve or reject") }
            let answer = ReviewAnswer(decision: decision, reviewer: arguments["reviewer"]?.stringValue ?? "mcp", comment: arguments["comment"]?.stringValue)
            _ = try await app.answer(runID: id, step: nil, answer)
            let state = try await driver.drive(runID: id)
            return ["run_id": .string(id), "status": .string(state.status.rawValue)]
        default:
            throw Failure(description: "unknown tool '\(name)'")
        }
    }
}
