import AgentCore
import AgentSchema
import ArgumentParser
import Foundation

/// `catalynx baml …`: the BAML subset Catalynx implements.
struct BAMLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baml",
        abstract: "Check .baml files and run schema-aligned parsing of LLM output.",
        subcommands: [Parse.self, Check.self])

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
                    let line: String
                    if let parser = item.parser, let target = item.target {
                        do {
                            let value = try parser.parse(item.raw, as: target, partial: item.partial, streamingShape: item.streamingShape)
                            line = "{\"id\":\(BAMLValue.string(item.id).json),\"ok\":true,\"value\":\(value.json)}"
                        } catch {
                            line = "{\"id\":\(BAMLValue.string(item.id).json),\"ok\":false,\"error\":\(BAMLValue.string(error.description).json)}"
                        }
                    } else {
                        line = "{\"id\":\(BAMLValue.string(item.id).json),\"ok\":false,\"error\":\(BAMLValue.string(item.setupError ?? "no target").json)}"
                    }
                    if round == 0 { lines.append(line) }
                }
            }
            let elapsed = clock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
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
