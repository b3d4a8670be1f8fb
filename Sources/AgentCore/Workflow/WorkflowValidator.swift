/// Checks a workflow's meaning against the tool registry before anything runs: tools exist,
/// dependencies exist and form no cycle, every `{{ reference }}` names something an earlier
/// step or an input provides, and input values have the types the tools expect.
struct WorkflowValidator {
    let definition: WorkflowDefinition
    let registry: ToolRegistry
    private var diagnostics: [Diagnostic] = []

    init(definition: WorkflowDefinition, registry: ToolRegistry) {
        self.definition = definition
        self.registry = registry
    }

    func validate() -> [Diagnostic] {
        var validator = self
        validator.checkSteps()
        validator.checkCycles()
        validator.checkNames()
        let ancestors = Self.ancestors(of: definition)
        for step in definition.steps { validator.checkReferencesAndTypes(step, ancestors: ancestors[step.name] ?? []) }
        for gate in definition.qualityGates { validator.checkGate(gate) }
        return validator.diagnostics
    }

    // MARK: Steps, tools and dependencies

    private mutating func checkSteps() {
        var seen: Set<String> = []
        let names = definition.steps.map(\.name)
        for step in definition.steps {
            if !seen.insert(step.name).inserted {
                report(step.location("name"), "duplicate step name '\(step.name)'", hint: "step names must be unique; rename one of them")
            }
            for tool in step.agent?.tools ?? [] where registry[tool] == nil {
                report(step.location("agent"), "unknown tool '\(tool)' in the agent of step '\(step.name)'", hint: toolHint(tool))
            }
            if !step.tool.isEmpty, step.agent == nil, registry[step.tool] == nil {
                report(step.location("tool"), "unknown tool '\(step.tool)' in step '\(step.name)'", hint: toolHint(step.tool))
            }
            for alternative in step.onError.alternatives where registry[alternative] == nil {
                report(step.location("on_error"), "unknown alternative tool '\(alternative)' in step '\(step.name)'", hint: toolHint(alternative))
            }
            for dependency in step.dependsOn {
                let at = step.locations["depends_on.\(dependency)"] ?? step.location("depends_on")
                if dependency == step.name {
                    report(at, "step '\(step.name)' depends on itself", hint: "remove '\(dependency)' from its depends_on")
                } else if !names.contains(dependency) {
                    report(at, "step '\(step.name)' depends on unknown step '\(dependency)'",
                           hint: Spelling.didYouMean(dependency, among: names) ?? "steps are: \(names.joined(separator: ", "))")
                }
            }
        }
    }

    private func toolHint(_ name: String) -> String {
        Spelling.didYouMean(name, among: registry.names) ?? "`catalynx tools list` shows the registered tools"
    }

    private mutating func checkCycles() {
        let byName = Dictionary(definition.steps.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var state: [String: Int] = [:]  // 1 = on the current path, 2 = done
        var path: [String] = []
        var reported: Set<Set<String>> = []
        func visit(_ name: String) {
            state[name] = 1
            path.append(name)
            for dependency in byName[name]?.dependsOn ?? [] where dependency != name && byName[dependency] != nil {
                if state[dependency] == 1, let start = path.firstIndex(of: dependency) {
                    let cycle = Array(path[start...])
                    if reported.insert(Set(cycle)).inserted, let first = byName[cycle[0]] {
                        let chain = (cycle + [cycle[0]]).joined(separator: " → ")
                        report(first.location("depends_on"), "dependency cycle: \(chain) (a step on it can never start)",
                               hint: "remove one of these depends_on entries: " + cycle.joined(separator: ", "))
                    }
                } else if state[dependency] == nil {
                    visit(dependency)
                }
            }
            path.removeLast()
            state[name] = 2
        }
        for step in definition.steps where state[step.name] == nil { visit(step.name) }
    }

    /// Each step's transitive dependencies.
    static func ancestors(of definition: WorkflowDefinition) -> [String: Set<String>] {
        let byName = Dictionary(definition.steps.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var memo: [String: Set<String>] = [:]
        func collect(_ name: String, _ visiting: Set<String>) -> Set<String> {
            if let known = memo[name] { return known }
            var result: Set<String> = []
            for dependency in byName[name]?.dependsOn ?? [] where !visiting.contains(dependency) && byName[dependency] != nil {
                result.insert(dependency)
                result.formUnion(collect(dependency, visiting.union([dependency])))
            }
            memo[name] = result
            return result
        }
        for step in definition.steps { _ = collect(step.name, [step.name]) }
        return memo
    }

    // MARK: Names

    private mutating func checkNames() {
        var owners: [String: [String]] = [:]
        for input in definition.inputs { owners[input.name, default: []].append("workflow input") }
        for step in definition.steps {
            owners[step.name, default: []].append("step '\(step.name)'")
            for output in step.outputs { owners[output.alias, default: []].append("output alias of step '\(step.name)'") }
        }
        for step in definition.steps {
            for output in step.outputs where (owners[output.alias]?.count ?? 0) > 1 {
                report(step.location("outputs.\(output.alias)"),
                       "the name '\(output.alias)' is defined more than once: \(owners[output.alias, default: []].joined(separator: ", "))",
                       hint: "rename the alias so that every name in {{ }} means one thing")
            }
        }
        for input in definition.inputs where definition.step(named: input.name) != nil {
            report(input.location, "the name '\(input.name)' is both a workflow input and a step", hint: "rename one of them")
        }
    }

    // MARK: References and types

    /// What a reference names: its schema, and the step that provides it (nil for inputs).
    private struct Resolved {
        var schema: Schema
        var providedBy: String?
    }

    private mutating func resolve(_ path: [String], at location: SourceLocation, in context: String) -> Resolved? {
        guard let head = path.first else { return nil }
        let rest = path.dropFirst()
        var base: Resolved
        if let provider = definition.step(providingAlias: head), let alias = provider.outputs.first(where: { $0.alias == head }) {
            let toolSchema = registry[provider.tool]?.outputSchema ?? .any
            base = Resolved(schema: toolSchema.schema(atPath: alias.path[...]) ?? .any, providedBy: provider.name)
        } else if let step = definition.step(named: head) {
            base = Resolved(schema: registry[step.tool]?.outputSchema ?? .any, providedBy: step.name)
        } else if let input = definition.inputs.first(where: { $0.name == head }) {
            base = Resolved(schema: input.required || input.defaultValue != nil ? input.kind.schema : .optional(input.kind.schema), providedBy: nil)
        } else {
            let known = definition.inputs.map(\.name) + definition.steps.map(\.name) + definition.steps.flatMap { $0.outputs.map(\.alias) }
            report(location, "unknown name '\(head)' in \(context)",
                   hint: Spelling.didYouMean(head, among: known) ?? "names in {{ }} are workflow inputs, step names and output aliases")
            return nil
        }
        guard let schema = base.schema.schema(atPath: rest) else {
            let parent = base.schema.schema(atPath: rest.dropLast()) ?? base.schema
            let fields = parent.fieldNames
            report(location, "'\(path.joined(separator: "."))' in \(context) names no field of its value",
                   hint: fields.isEmpty ? nil : (Spelling.didYouMean(rest.last ?? "", among: fields) ?? "fields are: \(fields.joined(separator: ", "))"))
            return nil
        }
        base.schema = schema
        return base
    }

    private mutating func checkReferencesAndTypes(_ step: WorkflowStep, ancestors: Set<String>) {
        func checkProvider(_ resolved: Resolved, _ path: [String], at location: SourceLocation) {
            guard let provider = resolved.providedBy, !ancestors.contains(provider) else { return }
            let reference = path.joined(separator: ".")
            if provider == step.name {
                report(location, "step '\(step.name)' refers to its own output '\(reference)'", hint: "a step can only use values of earlier steps")
            } else {
                report(location, "'\(reference)' comes from step '\(provider)', which step '\(step.name)' does not depend on",
                       hint: "add '\(provider)' to the depends_on of '\(step.name)'")
            }
        }
        if let condition = step.condition {
            for path in condition.references {
                if let resolved = resolve(path, at: step.location("condition"), in: "the condition of step '\(step.name)'") {
                    checkProvider(resolved, path, at: step.location("condition"))
                }
            }
        }
        for (part, limitKey) in [("concurrency", step.concurrency?.key), ("rate_limit", step.rateLimit?.key)] {
            for path in limitKey?.expressions.flatMap(\.references) ?? [] {
                if let resolved = resolve(path, at: step.location(part), in: "the \(part) key of step '\(step.name)'") {
                    checkProvider(resolved, path, at: step.location(part))
                }
            }
        }
        var referenced: [String: Schema] = [:]
        for (key, template) in step.inputs.sorted(by: { $0.key < $1.key }) {
            let at = step.location("inputs.\(key)")
            for expression in template.expressions {
                for path in expression.references {
                    guard let resolved = resolve(path, at: at, in: "input '\(key)' of step '\(step.name)'") else { continue }
                    checkProvider(resolved, path, at: at)
                    if referenced[key] == nil { referenced[key] = resolved.schema }
                }
            }
        }
        for toolName in [step.tool] + step.onError.alternatives {
            if let tool = registry[toolName] { checkInputs(of: step, against: tool, referenced: referenced) }
        }
        if let tool = registry[step.tool] {
            for output in step.outputs where tool.outputSchema.schema(atPath: output.path[...]) == nil {
                let fields = tool.outputSchema.fieldNames
                report(step.location("outputs.\(output.alias)"),
                       "output '\(output.alias)' names '\(output.path.joined(separator: "."))', which tool '\(tool.name)' does not return",
                       hint: Spelling.didYouMean(output.path.last ?? "", among: fields) ?? "its output fields are: \(fields.joined(separator: ", "))")
            }
        }
    }

    /// Checks a step's inputs against one tool's input schema: no unknown names, every required
    /// input given, constants valid, references of a compatible type.
    private mutating func checkInputs(of step: WorkflowStep, against tool: AnyTool, referenced: [String: Schema]) {
        guard case .object(let fields) = tool.inputSchema.unwrapped else { return }
        let declared = Dictionary(fields.map { ($0.name, $0.schema) }, uniquingKeysWith: { first, _ in first })
        let role = tool.name == step.tool ? "tool '\(tool.name)'" : "alternative tool '\(tool.name)'"
        for (key, template) in step.inputs.sorted(by: { $0.key < $1.key }) {
            let at = step.location("inputs.\(key)")
            guard let expected = declared[key] else {
                report(at, "\(role) of step '\(step.name)' has no input '\(key)'",
                       hint: Spelling.didYouMean(key, among: declared.keys) ?? "its inputs are: \(declared.keys.sorted().joined(separator: ", "))")
                continue
            }
            switch template {
            case .constant(let value):
                for violation in expected.violations(of: value, at: "inputs.\(key)") {
                    report(at, "step '\(step.name)': \(violation)", hint: "\(role) expects \(expected.displayName) for '\(key)'")
                }
            case .typed(.reference):
                if let actual = referenced[key], !expected.accepts(actual) {
                    report(at, "step '\(step.name)': inputs.\(key): expected \(expected.displayName), got \(actual.displayName)",
                           hint: "\(role) expects \(expected.displayName) for '\(key)'")
                }
            case .interpolated:
                if !expected.accepts(.string) {
                    report(at, "step '\(step.name)': inputs.\(key): expected \(expected.displayName), got string (text with {{ }} is always a string)",
                           hint: "write the reference alone, `\"{{ name }}\"`, to keep its type")
                }
            default:
                break
            }
        }
        for field in fields where field.isRequired && step.inputs[field.name] == nil && step.locations["inputs.\(field.name)"] == nil {
            report(step.location("inputs"), "step '\(step.name)' is missing required input '\(field.name)' of \(role)",
                   hint: "add `\(field.name):` (\(field.schema.displayName)) under inputs")
        }
    }

    private mutating func checkGate(_ gate: QualityGate) {
        for path in gate.condition.references {
            _ = resolve(path, at: gate.location, in: "quality gate '\(gate.name)'")
        }
    }

    private mutating func report(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(location, message, hint: hint))
    }
}
