import AgentCore
import ArgumentParser
import CatalynxApp
import Foundation

/// The `catalynx` command: thin argument parsing over the libraries.
struct Catalynx: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalynx",
        abstract: "Grant research for nonprofits, on a durable workflow engine.",
        discussion: """
            Every analysis is a YAML workflow of small tools, run by an engine whose event log is its only \
            state: a run survives a crash and resumes where it stopped.

            \(ExitStatus.table)

            Environment: CATALYNX_HOME (default ~/.catalynx), CATALYNX_DATABASE_URL (a SQLite path), \
            CATALYNX_SYNCHRONOUS (normal|full), CATALYNX_WORKFLOWS_DIR, CATALYNX_SANDBOX_DIR, \
            CATALYNX_HTTP_ALLOWED_HOSTS, CATALYNX_DATA_DIR, CATALYNX_PROPUBLICA_URL, CATALYNX_PROPUBLICA_ONLINE \
            (1: analyses fetch missing filings from ProPublica).
            """,
        version: "0.1.0",
        subcommands: [AnalyzeCommand.self, FundersCommand.self, RunCommand.self, ApprovalsCommand.self, ServeCommand.self, MCPCommand.self, WorkerCommand.self, DBCommand.self, KeysCommand.self, BAMLCommand.self, WorkflowsCommand.self, ToolsCommand.self, RunsCommand.self, SchedulesCommand.self, OrgCommand.self, DataCommand.self]
    )
}

@main
enum Main {
    static func main() async {
        // What Catalynx writes (databases, keys, reports, exports) is for the user alone: 0700 folders, 0600 files.
        umask(0o077)
        var command: ParsableCommand
        do {
            command = try Catalynx.parseAsRoot()
        } catch {
            if Catalynx.exitCode(for: error) == .success { Catalynx.exit(withError: error) }  // --help, --version
            Console.error(Catalynx.fullMessage(for: error))
            exit(CLIExit.Code.badInput.rawValue)
        }
        let telemetry: Telemetry?
        do {
            telemetry = try Telemetry.start(environment: ProcessInfo.processInfo.environment)
        } catch {
            Console.error("error: OpenTelemetry cannot start: \(error)")
            exit(CLIExit.Code.badInput.rawValue)
        }
        /// Exits once the spans of the command are exported.
        func finish(_ code: Int32) async -> Never {
            await telemetry?.shutdown()
            exit(code)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            await finish(0)
        } catch let failure as CLIExit {
            if let message = failure.message { Console.error(message) }
            await finish(failure.code.rawValue)
        } catch let failure as ApplicationError {
            Console.error("error: \(failure)")
            await finish(failure.status.rawValue)
        } catch {
            // Help and version requests arrive here too, thrown by ArgumentParser's help command.
            let code = Catalynx.exitCode(for: error)
            if code == .success { Catalynx.exit(withError: error) }
            if code == .validationFailure || error is ValidationError {
                Console.error(Catalynx.fullMessage(for: error))
                exit(CLIExit.Code.badInput.rawValue)
            }
            Console.error("error: \(error)")
            await finish(CLIExit.Code.failed.rawValue)
        }
    }
}
