import AgentCore
import ArgumentParser
import CatalynxApp
import Foundation

/// `catalynx workflows validate|list`
struct WorkflowsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflows",
        abstract: "Validate and list workflows.",
        subcommands: [Validate.self, List.self])

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check workflow files without running them.",
            discussion: """
                Reports every problem with file:line:column and a hint: YAML syntax, unknown keys, unknown \
                tools, missing dependencies, cycles, references to names no earlier step provides, duplicate \
                names, input types and malformed expressions. Exits 2 if any file is invalid.
                """)

        @Argument(help: "Workflow files.")
        var files: [String]

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let context = CLIContext()
            var results: [Value] = []
            var invalid = 0
            for file in files {
                do {
                    let definition = try WorkflowLoader.load(path: file, registry: context.registry)
                    results.append(["file": .string(file), "valid": true, "workflow": .string(definition.name), "steps": .int(definition.steps.count)])
                    if format == .table { Console.out("\(file): ok — \(definition.name), \(definition.steps.count) steps") }
                } catch {
                    invalid += 1
                    results.append(["file": .string(file), "valid": false, "errors": .array(error.diagnostics.map { diagnostic in
                        ["file": .string(diagnostic.location.file), "line": .int(diagnostic.location.line),
                         "column": .int(diagnostic.location.column), "message": .string(diagnostic.message),
                         "hint": diagnostic.hint.map(Value.string) ?? .null]
                    })])
                    if format == .table { Console.error(error.description) }
                }
            }
            if format == .json { Console.out(Value.array(results).jsonString(pretty: true)) }
            if invalid > 0 {
                throw CLIExit(code: .badInput, message: format == .table ? "\(invalid) of \(files.count) workflow file(s) invalid" : nil)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the workflows found in CATALYNX_WORKFLOWS_DIR, ./workflows and the installation's workflows folder.")

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let context = CLIContext()
            var table = TextTable("WORKFLOW", "STEPS", "FILE", "DESCRIPTION")
            var json: [Value] = []
            for entry in context.app.catalog.entries() {
                let file = entry.file
                switch entry.definition {
                case .success(let definition):
                    table.add(definition.name, String(definition.steps.count), file, definition.description)
                    json.append(["workflow": .string(definition.name), "steps": .int(definition.steps.count), "file": .string(file),
                                 "description": .string(definition.description), "valid": true])
                case .failure(let error):
                    let first = error.diagnostics.first.map { $0.message } ?? "invalid"
                    table.add("(invalid)", "", file, first)
                    json.append(["file": .string(file), "valid": false, "error": .string(first)])
                }
            }
            switch format {
            case .table: Console.out(json.isEmpty ? "no workflows found in: \(context.app.catalog.directories.joined(separator: ", "))" : table.render())
            case .json: Console.out(Value.array(json).jsonString(pretty: true))
            }
        }
    }
}
