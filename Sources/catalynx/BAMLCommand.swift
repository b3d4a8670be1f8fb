import AgentCore
import AgentLLM
import AgentSchema
import ArgumentParser
import CatalynxApp
import Foundation
import GrantResearch

/// `catalynx baml …`: the BAML subset Catalynx implements.
struct BAMLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baml",
        abstract: "Check .baml files and run schema-aligned parsing of LLM output.",
        subcommands: [Parse.self, Check.self, Render.self, Test.self])

    /// The `.baml` files of a folder, parsed (the AI tools' `baml_src` unless `--dir` says otherwise).
    static func loadSchema(_ directory: String?) throws -> (schema: AgentSchema.BAMLSchema, directory: String) {
        let folder = directory ?? Configuration().bamlDirectory ?? "baml_src"
        let files = BAMLParser.sources(inDirectory: folder)
        guard !files.isEmpty else { throw CLIExit.badInput("error: no .baml files in \(folder)") }
        do {
            return (try BAMLParser.parse(files: files), folder)
        } catch {
            throw CLIExit.badInput(error.description)
        }
    }

    /// `catalynx baml render FUNCTION --args JSON`
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the exact prompt messages a BAML function sends.",
            discussion: """
                A media argument (image, audio, pdf, video) is {"url": …}, {"file": PATH} (read from \
                the current folder) or {"base64": …, "media_type": …}. With --format json each \
                message's content is what the client's API receives: text, or its content parts.
                """)

        @Argument(help: "The function.")
        var function: String

        @Option(help: ArgumentHelp("The arguments, a JSON object by parameter name.", valueName: "json"))
        var args: String = "{}"

        @Option(help: "The folder of .baml files (default: baml_src).")
        var dir: String?

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() throws {
            let (schema, _) = try BAMLCommand.loadSchema(dir)
            let arguments: Value
            do { arguments = try Value(json: args) } catch { throw CLIExit.badInput("error: --args is not JSON: \(error)") }
            guard case .object(let fields) = arguments else { throw CLIExit.badInput("error: --args must be a JSON object of argument names") }
            let renderer = PromptRenderer(schema: schema)
            let messages: [PromptMessage]
            do {
                messages = try renderer.render(function: function, arguments: fields.mapValues(BAMLValue.init))
            } catch {
                throw CLIExit.badInput("error: \(error.message)")
            }
            switch format {
            case .json:
                // Each message's content as the function's client's API is sent it: text, or parts with media.
                let client = schema.functions[function]?.client ?? ""
                let api = ProviderContent.API(provider: renderer.provider(of: client)) ?? .openAI
                var rendered: [Value] = []
                for message in messages {
                    let content: BAMLValue
                    do { content = try ProviderContent.content(message, for: api, client: client) } catch {
                        throw CLIExit.badInput("error: \(error.message)")
                    }
                    rendered.append(["role": .string(message.role), "content": Value(content)])
                }
                Console.out(Value.array(rendered).jsonString(pretty: true))
            case .table:
                Console.out(messages.map { message in
                    "[\(message.role)]\n" + message.parts.map { part in
                        switch part {
                        case .text(let text): text
                        case .media(let media): "<\(media.kind.rawValue) \(media.sourceDescription)>"
                        }
                    }.joined(separator: "\n")
                }.joined(separator: "\n\n"))
            }
        }
    }

    /// `catalynx baml test [FUNCTION]`
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the BAML test blocks against the configured client.",
            discussion: "Each test calls its functions with its args and checks its @@assert/@@check on the result. Exit code 1 if any fails.")

        @Argument(help: "Only the tests of this function.")
        var function: String?

        @Option(help: "The folder of .baml files (default: baml_src).")
        var dir: String?

        func run() async throws {
            let (schema, _) = try BAMLCommand.loadSchema(dir)
            let caller = FunctionCaller(schema: schema, factory: ClientFactory(schema: schema))
            var failures = 0
            var ran = 0
            for test in schema.tests {
                for name in test.functions where function == nil || name == function {
                    ran += 1
                    do {
                        let result = try await caller.call(name, arguments: test.arguments.mapValues(BAMLCommand.configValue),
                                                           filesRelativeTo: (test.position.file as NSString).deletingLastPathComponent)
                        var problems: [String] = []
                        for constraint in test.constraints {
                            let passed = (try? JinjaExpression.isTruthy(JinjaExpression.evaluate(constraint.expression) { $0 == "this" ? result.value : nil })) ?? false
                            if !passed { problems.append("\(constraint.level.rawValue) \(constraint.name ?? constraint.expression) failed") }
                        }
                        let tokens = result.calls.reduce(0) { $0 + $1.inputTokens + $1.outputTokens }
                        if problems.isEmpty || problems.allSatisfy({ $0.hasPrefix("check") }) {
                            Console.out("✓ \(test.name) (\(name)) — \(tokens) tokens\(problems.isEmpty ? "" : "; " + problems.joined(separator: "; "))")
                        } else {
                            failures += 1
                            Console.out("✗ \(test.name) (\(name)): \(problems.joined(separator: "; "))\n    got \(result.value.json)")
                        }
                    } catch {
                        failures += 1
                        Console.out("✗ \(test.name) (\(name)): \(error.description)")
                    }
                }
            }
            guard ran > 0 else { throw CLIExit.badInput("error: no test blocks\(function.map { " for \($0)" } ?? "")") }
            if failures > 0 { throw CLIExit(code: .failed, message: "\(failures) of \(ran) tests failed") }
        }
    }

    /// A test block's argument as a BAML value.
    static func configValue(_ value: ConfigValue) -> BAMLValue {
        switch value {
        case .string(let text): .string(text)
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? .int(Int(number)) : .float(number)
        case .bool(let flag): .bool(flag)
        case .list(let items): .list(items.map(configValue))
        case .block(let values): .object(values.sorted { $0.key < $1.key }.map { .init($0.key, configValue($0.value)) })
        }
    }

    /// `catalynx baml parse --cases FILE.jsonl [--repeat N]`
    struct Parse: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse raw LLM outputs into BAML types, one case a line.",
            discussion: """
                Each line of FILE is a JSON object with id, baml (schema source), target (a type \
                expression), raw (the LLM's text) and optionally partial (a response still streaming) \
                and macro (test_partial_deserializer_streaming wraps @stream.with_state and @check \
                fields). Prints one line per case, in order: {"id", "ok": true, "value"} or \
                {"id", "ok": false, "error"}. With --repeat N the whole file is parsed N times \
                (printed once) and the parse throughput is reported on stderr.
                """)

        @Option(help: ArgumentHelp("The cases, JSON Lines.", valueName: "file"))
        var cases: String

        @Option(help: "Parse the whole file this many times (for throughput).")
        var `repeat`: Int = 1

        struct Case {
            var id: String
            var parser: SchemaAlignedParser?
            var target: FieldType?
            var setupError: String?
            var raw: String
            var partial: Bool
            var streamingShape: Bool
        }

        func validate() throws {
            guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        }

        func run() throws {
            guard let text = try? String(contentsOfFile: cases, encoding: .utf8) else { throw CLIExit.badInput("error: cannot read \(cases)") }
            var prepared: [Case] = []
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                let object: Value
                do { object = try Value(json: String(line)) } catch {
                    throw CLIExit.badInput("error: \(cases):\(number + 1): not JSON: \(error)")
                }
                guard let raw = object["raw"]?.stringValue else { throw CLIExit.badInput("error: \(cases):\(number + 1): the case has no \"raw\" text") }
                var item = Case(id: object["id"]?.stringValue ?? "line \(number + 1)", raw: raw, partial: object["partial"] == .bool(true),
                                streamingShape: object["macro"]?.stringValue == "test_partial_deserializer_streaming")
                do {
                    let schema = try BAMLParser.parse(object["baml"]?.stringValue ?? "", file: "\(cases):\(number + 1)")
                    item.parser = SchemaAlignedParser(schema: schema)
                    item.target = try BAMLParser.parseType(object["target"]?.stringValue ?? "string")
                } catch {
                    item.setupError = error.description
                }
                prepared.append(item)
            }
            var lines: [String] = []
            let clock = ContinuousClock()
            let started = clock.now
            for round in 0..<`repeat` {
                for item in prepared {
                    guard let parser = item.parser, let target = item.target else {
                        if round == 0 { lines.append("{\"id\":\(BAMLValue.string(item.id).json),\"ok\":false,\"error\":\(BAMLValue.string(item.setupError ?? "no target").json)}") }
                        continue
                    }
                    let result = Result { () throws(ParseError) in try parser.parse(item.raw, as: target, partial: item.partial, streamingShape: item.streamingShape) }
                    guard round == 0 else { continue }   // later rounds time the parse alone
                    switch result {
                    case .success(let value): lines.append("{\"id\":\(BAMLValue.string(item.id).json),\"ok\":true,\"value\":\(value.json)}")
                    case .failure(let error): lines.append("{\"id\":\(BAMLValue.string(item.id).json),\"ok\":false,\"error\":\(BAMLValue.string(error.description).json)}")
                    }
                }
            }
            let elapsed = clock.now - started
            let seconds = elapsed.seconds
            Console.out(lines.joined(separator: "\n"))
            if `repeat` > 1 || Console.stderrIsTerminal {
                let total = prepared.count * `repeat`
                Console.error(String(format: "parsed %d cases in %.3f s: %.0f cases/s", total, seconds, Double(total) / max(seconds, 1e-9)))
            }
        }
    }

    /// `catalynx baml check PATH…`
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check .baml files (a folder is searched for them) and list what they declare.")

        @Argument(help: "Files or folders.")
        var paths: [String]

        func run() throws {
            var files: [(path: String, source: String)] = []
            for path in paths {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw CLIExit.badInput("error: \(path): no such file or folder") }
                let found = isDirectory.boolValue
                    ? (FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".baml") }.sorted()
                        .map { (path as NSString).appendingPathComponent($0) } ?? [])
                    : [path]
                for file in found {
                    guard let source = try? String(contentsOfFile: file, encoding: .utf8) else { throw CLIExit.badInput("error: cannot read \(file)") }
                    files.append((file, source))
                }
            }
            guard !files.isEmpty else { throw CLIExit.badInput("error: no .baml files in \(paths.joined(separator: ", "))") }
            do {
                let schema = try BAMLParser.parse(files: files)
                Console.out("ok — \(files.count) file\(files.count == 1 ? "" : "s"): \(schema.classes.count) classes, \(schema.enums.count) enums, \(schema.aliases.count) aliases, \(schema.functions.count) functions, \(schema.clients.count) clients, \(schema.tests.count) tests")
            } catch {
                throw CLIExit.badInput(error.description)
            }
        }
    }
}
