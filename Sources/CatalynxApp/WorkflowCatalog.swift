import AgentCore
import Foundation

/// The workflows a process knows: the YAML files of its workflow folders (and their `examples`
/// folders), found by workflow name or file name. The one way the CLI, the server, the dashboard
/// and MCP find a workflow.
public struct WorkflowCatalog: Sendable {
    /// The folders searched, in order.
    public let directories: [String]
    let registry: ToolRegistry
    /// Workflows given as text rather than files (tests, embedded use), by name.
    let sources: [String: String]

    /// - Parameters:
    ///   - directories: the folders searched, in order (the first match of a name wins).
    ///   - registry: the tools the workflows' steps are checked against.
    ///   - sources: extra workflows as YAML text, by workflow name.
    public init(directories: [String], registry: ToolRegistry, sources: [String: String] = [:]) {
        self.directories = directories
        self.registry = registry
        self.sources = sources
    }

    /// A workflow file found in the folders, with its definition or why it does not load.
    public struct Entry: Sendable {
        public var file: String
        public var definition: Result<WorkflowDefinition, WorkflowValidationError>
    }

    /// Every workflow file in the folders, in search order.
    public var files: [String] {
        directories.flatMap { directory in
            [directory, (directory as NSString).appendingPathComponent("examples")].flatMap { folder in
                ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                    .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
                    .sorted()
                    .map { (folder as NSString).appendingPathComponent($0) }
            }
        }
    }

    /// Every workflow file, loaded.
    public func entries() -> [Entry] {
        files.map { file in Entry(file: file, definition: Result { () throws(WorkflowValidationError) in try WorkflowLoader.load(path: file, registry: registry) }) }
    }

    /// The workflow a name means: its workflow name or its file name without `.yaml`.
    /// - Parameter allowPath: also accept the path of a workflow file (the CLI's `run FILE`; never for a request from the network).
    /// - Throws: `WorkflowCatalog.NotFound`, or the file's `WorkflowValidationError`.
    public func definition(_ reference: String, allowPath: Bool = false) throws -> WorkflowDefinition {
        if allowPath, FileManager.default.fileExists(atPath: reference) { return try WorkflowLoader.load(path: reference, registry: registry) }
        if let source = sources[reference] { return try WorkflowLoader.load(source: source, file: "\(reference).yaml", registry: registry) }
        let byFileName = files.first { ((($0 as NSString).lastPathComponent) as NSString).deletingPathExtension == reference }
        if let byFileName { return try WorkflowLoader.load(path: byFileName, registry: registry) }
        for entry in entries() { if case .success(let definition) = entry.definition, definition.name == reference { return definition } }
        throw NotFound(reference: reference, known: names)
    }

    /// The names of the workflows that load.
    public var names: [String] {
        var names = Set(sources.keys)
        for entry in entries() { if case .success(let definition) = entry.definition { names.insert(definition.name) } }
        return names.sorted()
    }

    /// Every workflow that loads, by workflow name and file name, loaded now once (a server's
    /// catalogue: it never reads a file a request names).
    public func snapshot() -> Snapshot {
        var byName: [String: WorkflowDefinition] = [:]
        for (name, source) in sources { byName[name] = try? WorkflowLoader.load(source: source, file: "\(name).yaml", registry: registry) }
        for entry in entries() {
            guard case .success(let definition) = entry.definition else { continue }
            byName[definition.name] = byName[definition.name] ?? definition
            let base = ((entry.file as NSString).lastPathComponent as NSString).deletingPathExtension
            byName[base] = byName[base] ?? definition
        }
        return Snapshot(byName: byName)
    }

    /// Workflows loaded once, by name.
    public struct Snapshot: Sendable {
        public let byName: [String: WorkflowDefinition]
        /// The distinct workflow names.
        public var names: [String] { Set(byName.values.map(\.name)).sorted() }

        /// - Throws: `NotFound` when no workflow has that name.
        public func definition(_ name: String) throws -> WorkflowDefinition {
            guard let definition = byName[name] else { throw NotFound(reference: name, known: names) }
            return definition
        }
    }

    /// No workflow by that name.
    public struct NotFound: Error, Sendable, CustomStringConvertible {
        public var reference: String
        public var known: [String]
        public var description: String {
            "no workflow file or workflow named '\(reference)'" + (known.isEmpty ? "" : "; known: \(known.joined(separator: ", "))")
        }
    }
}
