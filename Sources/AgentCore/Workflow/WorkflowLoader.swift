import Foundation
import Yams

/// Reads workflow YAML into a `WorkflowDefinition`, checking its structure, and then (given a
/// tool registry) its meaning, collecting every problem with file:line:column and a hint.
public enum WorkflowLoader {
    /// Loads and validates a workflow.
    /// - Parameters:
    ///   - source: the YAML text.
    ///   - file: the file name used in diagnostics.
    ///   - registry: the tools the workflow may use; every tool, input and reference is checked against it.
    /// - Throws: `WorkflowValidationError` listing every problem.
    public static func load(source: String, file: String, registry: ToolRegistry) throws(WorkflowValidationError) -> WorkflowDefinition {
        var reader = Reader(file: file, source: source)
        guard let definition = reader.read() else { throw WorkflowValidationError(reader.diagnostics) }
        let diagnostics = reader.diagnostics + WorkflowValidator(definition: definition, registry: registry).validate()
        guard diagnostics.isEmpty else {
            throw WorkflowValidationError(diagnostics.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) })
        }
        return definition
    }

    /// Loads and validates the workflow file at `path`.
    public static func load(path: String, registry: ToolRegistry) throws(WorkflowValidationError) -> WorkflowDefinition {
        let source: String
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > YAMLBounds.maximumBytes {
            throw WorkflowValidationError([Diagnostic(SourceLocation(file: path, line: 1, column: 1),
                                                      "the workflow file is \(size.formatted()) bytes; at most \(YAMLBounds.maximumBytes.formatted()) are read")])
        }
        do {
            source = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw WorkflowValidationError([Diagnostic(SourceLocation(file: path, line: 1, column: 1),
                                                      "cannot read the workflow file: \(error.localizedDescription)")])
        }
        return try load(source: source, file: path, registry: registry)
    }
}

/// Walks the YAML node tree, building the model and collecting structural diagnostics.
private struct Reader {
    let file: String
    let source: String
    var diagnostics: [Diagnostic] = []

    static let topKeys = ["workflow", "description", "version", "estimated_duration", "estimated_cost", "inputs", "steps",
                          "quality_gates", "parallel", "schedules", "concurrency"]
    static let inputKeys = ["name", "type", "required", "default", "values", "description"]
    static let stepKeys = ["name", "tool", "description", "inputs", "outputs", "depends_on", "condition", "retry",
                           "timeout_s", "on_error", "requires_approval", "agent", "concurrency", "rate_limit"]
    static let concurrencyKeys = ["key", "limit"]
    static let rateLimitKeys = ["key", "per_second", "per_minute"]
    static let agentKeys = ["function", "tools", "max_turns", "max_errors", "policy", "serializer", "fallback"]
    static let retryKeys = ["max_attempts", "backoff", "delay_s", "multiplier", "max_delay_s"]
    static let onErrorKeys = ["alternatives", "fallback", "continue"]
    static let gateKeys = ["gate", "condition", "failure_action", "description"]
    static let scheduleKeys = ["name", "cron", "timezone", "inputs", "catch_up"]
    static let inputTypes = ["string", "int", "float", "bool", "enum", "object", "list"]

    init(file: String, source: String) {
        self.file = file
        self.source = source
    }

    mutating func read() -> WorkflowDefinition? {
        if let tooLarge = YAMLBounds.sizeViolation(source) {
            report(at: nil, tooLarge, hint: "a workflow file is a few kilobytes of YAML")
            return nil
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: source) else {
                report(at: nil, "the workflow file is empty", hint: "start with `workflow: NAME` and a `steps:` list")
                return nil
            }
            root = node
        } catch let error as YamlError {
            reportYAML(error)
            return nil
        } catch {
            report(at: nil, "cannot parse YAML: \(error)")
            return nil
        }
        if let (node, reason) = YAMLBounds.violation(in: root) {
            report(at: node, reason, hint: "remove the anchors and aliases, or split the workflow")
            return nil
        }
        guard let top = mapping(root, "the workflow", keys: Self.topKeys) else { return nil }

        let name = top["workflow"].flatMap { string($0, "workflow") } ?? {
            report(at: root, "missing required key 'workflow'", hint: "name the workflow: `workflow: my_analysis`")
            return ""
        }()
        var definition = WorkflowDefinition(
            name: name,
            description: top["description"].flatMap { string($0, "description") } ?? "",
            estimatedDuration: top["estimated_duration"].flatMap { number($0, "estimated_duration") },
            estimatedCost: top["estimated_cost"].flatMap { number($0, "estimated_cost") },
            inputs: [], steps: [], qualityGates: [],
            maxParallel: top["parallel"].flatMap { positiveInt($0, "parallel") } ?? 8,
            file: file, source: source)
        if let version = top["version"] { _ = scalarValue(version) }
        if let inputs = top["inputs"] {
            definition.inputs = sequence(inputs, "inputs").compactMap { readInput($0) }
        }
        if let steps = top["steps"] {
            definition.steps = sequence(steps, "steps").compactMap { readStep($0) }
            if definition.steps.isEmpty, diagnostics.isEmpty {
                report(at: steps, "the workflow has no steps", hint: "add at least one step with `name` and `tool`")
            }
        } else {
            report(at: root, "missing required key 'steps'", hint: "list the steps under `steps:`")
        }
        definition.concurrency = top["concurrency"].flatMap { readConcurrency($0, of: "the workflow") }
        for path in definition.concurrency?.key.expressions.flatMap(\.references) ?? [] where !definition.inputs.contains(where: { $0.name == path.first }) {
            report(at: top["concurrency"], "the workflow's concurrency key refers to '\(path.joined(separator: "."))', which is not one of its inputs",
                   hint: "a run's key is known when it starts: use its inputs, e.g. `key: \"{{ organization_ein }}\"`")
        }
        if let gates = top["quality_gates"] {
            definition.qualityGates = sequence(gates, "quality_gates").compactMap { readGate($0) }
        }
        if let schedules = top["schedules"] {
            definition.schedules = sequence(schedules, "schedules").compactMap { readSchedule($0, of: definition) }
            var seen: Set<String> = []
            for (schedule, node) in zip(definition.schedules, sequence(schedules, "schedules")) where !seen.insert(schedule.name).inserted {
                report(at: node, "duplicate schedule name '\(schedule.name)'", hint: "give each schedule its own name")
            }
        }
        return definition
    }

    // MARK: Sections

    mutating func readInput(_ node: Node) -> WorkflowInput? {
        guard let fields = mapping(node, "an input", keys: Self.inputKeys) else { return nil }
        guard let name = required(fields, "name", in: node, "an input", hint: "give the input a `name`") else { return nil }
        var kind = WorkflowInput.Kind.string
        if let typeNode = fields["type"], let type = string(typeNode, "type") {
            switch type {
            case "string": kind = .string
            case "int", "integer": kind = .int
            case "float", "number": kind = .float
            case "bool", "boolean": kind = .bool
            case "object": kind = .object
            case "list", "array": kind = .list
            case "enum":
                let values = fields["values"].map { sequence($0, "values").compactMap { string($0, "values") } } ?? []
                if values.isEmpty {
                    report(at: typeNode, "input '\(name)' is an enum without values", hint: "add `values: [a, b]`")
                }
                kind = .enumeration(values)
            default:
                report(at: typeNode, "unknown input type '\(type)'",
                       hint: (Spelling.didYouMean(type, among: Self.inputTypes) ?? "use one of") + " " + Self.inputTypes.joined(separator: ", "))
            }
        }
        let defaultValue = fields["default"].map { plainValue($0) }
        if let defaultValue, let defaultNode = fields["default"] {
            for violation in kind.schema.violations(of: defaultValue, at: "default") {
                report(at: defaultNode, "the default of input '\(name)' does not match its type: \(violation)")
            }
        }
        return WorkflowInput(
            name: name, kind: kind,
            required: fields["required"].flatMap { bool($0, "required") } ?? (defaultValue == nil),
            defaultValue: defaultValue,
            description: fields["description"].flatMap { string($0, "description") },
            location: location(node))
    }

    mutating func readStep(_ node: Node) -> WorkflowStep? {
        guard let fields = mapping(node, "a step", keys: Self.stepKeys) else { return nil }
        guard let name = required(fields, "name", in: node, "a step", hint: "every step needs a unique `name`") else { return nil }
        var agent: AgentSpec?
        var fallbackTool: String?
        let tool: String
        if let agentNode = fields["agent"] {
            if let toolNode = fields["tool"] {
                report(at: toolNode, "step '\(name)' has both `tool` and `agent`",
                       hint: "an agent step's model chooses among `agent.tools`; remove `tool` (or give it as `agent.fallback`)")
            }
            if let approval = fields["requires_approval"] {
                report(at: approval, "`requires_approval` does not apply to an agent step",
                       hint: "ask for approval of the calls themselves: `agent.policy: { TOOL: approve }`")
            }
            (agent, fallbackTool) = readAgent(agentNode, step: name) ?? (nil, nil)
            tool = agent?.toolName ?? ""
        } else {
            tool = required(fields, "tool", in: node, "step '\(name)'", hint: "name the tool the step runs: `tool: echo`, or let a model choose: `agent:`") ?? ""
        }
        var locations: [String: SourceLocation] = ["step": location(node)]
        for (key, value) in fields.pairs { locations[key] = location(value) }

        var inputs: [String: Template] = [:]
        if let inputsNode = fields["inputs"], let inputFields = mapping(inputsNode, "the inputs of step '\(name)'", keys: nil) {
            for (key, valueNode) in inputFields.pairs {
                locations["inputs.\(key)"] = location(valueNode)
                if let template = template(valueNode, what: "input '\(key)' of step '\(name)'") { inputs[key] = template }
            }
        }
        var outputs: [OutputAlias] = []
        if let outputsNode = fields["outputs"], let outputFields = mapping(outputsNode, "the outputs of step '\(name)'", keys: nil) {
            for (alias, pathNode) in outputFields.pairs {
                locations["outputs.\(alias)"] = location(pathNode)
                guard let path = string(pathNode, "outputs.\(alias)") else { continue }
                let segments = path.split(separator: ".").map(String.init)
                if segments.isEmpty || segments.contains(where: \.isEmpty) {
                    report(at: pathNode, "output '\(alias)' has an empty field path", hint: "write the tool's output field, e.g. `\(alias): result.value`")
                    continue
                }
                outputs.append(OutputAlias(alias: alias, path: segments))
            }
        }
        var dependsOn: [String] = []
        if let dependsNode = fields["depends_on"] {
            if case .scalar = dependsNode, let single = string(dependsNode, "depends_on") {
                dependsOn = [single]
            } else {
                for element in sequence(dependsNode, "depends_on") {
                    guard let dependency = string(element, "depends_on") else { continue }
                    locations["depends_on.\(dependency)"] = location(element)
                    dependsOn.append(dependency)
                }
            }
        }
        var onError = fields["on_error"].flatMap { readOnError($0) } ?? .failRun
        if let fallbackTool { onError.alternatives.insert(fallbackTool, at: 0) }
        return WorkflowStep(
            name: name, tool: tool,
            description: fields["description"].flatMap { string($0, "description") },
            inputs: inputs, outputs: outputs, dependsOn: dependsOn,
            condition: fields["condition"].flatMap { expression($0, what: "the condition of step '\(name)'") },
            retry: fields["retry"].flatMap { readRetry($0) } ?? .none,
            timeout: fields["timeout_s"].flatMap { positiveNumber($0, "timeout_s") },
            onError: onError,
            requiresApproval: agent == nil && (fields["requires_approval"].flatMap { bool($0, "requires_approval") } ?? false),
            agent: agent,
            concurrency: fields["concurrency"].flatMap { readConcurrency($0, of: "step '\(name)'") },
            rateLimit: fields["rate_limit"].flatMap { readRateLimit($0, of: "step '\(name)'") },
            locations: locations)
    }

    /// `concurrency: {key: TEMPLATE, limit: N}` (limit 1 when not given).
    mutating func readConcurrency(_ node: Node, of owner: String) -> ConcurrencyLimit? {
        let what = "the concurrency of \(owner)"
        guard let fields = mapping(node, what, keys: Self.concurrencyKeys),
              let keyNode = fields["key"] ?? { report(at: node, "\(what) is missing required key 'key'", hint: "name what runs share: `key: \"{{ organization_ein }}\"`"); return nil }(),
              let key = template(keyNode, what: "the key of \(what)") else { return nil }
        return ConcurrencyLimit(key: key, limit: fields["limit"].flatMap { positiveInt($0, "limit") } ?? 1)
    }

    /// `rate_limit: {key: TEMPLATE, per_second: N}` or `per_minute: N`.
    mutating func readRateLimit(_ node: Node, of owner: String) -> RateLimit? {
        let what = "the rate limit of \(owner)"
        guard let fields = mapping(node, what, keys: Self.rateLimitKeys) else { return nil }
        guard let keyNode = fields["key"] else {
            report(at: node, "\(what) is missing required key 'key'", hint: "name what the limit counts: `key: propublica`")
            return nil
        }
        let windows = [("per_second", 1.0), ("per_minute", 60.0)].filter { fields[$0.0] != nil }
        guard windows.count == 1, let (name, window) = windows.first, let countNode = fields[name] else {
            report(at: node, "\(what) needs exactly one of per_second and per_minute", hint: "e.g. `per_second: 2`")
            return nil
        }
        guard let key = template(keyNode, what: "the key of \(what)"), let count = positiveInt(countNode, name) else { return nil }
        return RateLimit(key: key, count: count, window: window)
    }

    /// `agent: {function, tools, max_turns, max_errors, policy, serializer, fallback}`; the
    /// fallback tool is returned apart (it becomes the first alternative of `on_error`).
    mutating func readAgent(_ node: Node, step: String) -> (AgentSpec, String?)? {
        let what = "the agent of step '\(step)'"
        guard let fields = mapping(node, what, keys: Self.agentKeys) else { return nil }
        let function = required(fields, "function", in: node, what, hint: "name the BAML function that picks the next tool: `function: NextStep`") ?? ""
        var tools: [String] = []
        if let toolsNode = fields["tools"] {
            tools = sequence(toolsNode, "tools").compactMap { string($0, "tools") }
        } else {
            report(at: node, "\(what) is missing required key 'tools'", hint: "list the registry tools the model may call: `tools: [echo]`")
        }
        var spec = AgentSpec(function: function, tools: tools)
        if let n = fields["max_turns"].flatMap({ positiveInt($0, "max_turns") }) { spec.maxTurns = n }
        if let n = fields["max_errors"].flatMap({ positiveInt($0, "max_errors") }) { spec.maxErrors = n }
        if let serializerNode = fields["serializer"], let name = string(serializerNode, "serializer") {
            if let serializer = AgentSpec.Serializer(rawValue: name) {
                spec.serializer = serializer
            } else {
                report(at: serializerNode, "unknown serializer '\(name)'", hint: "use `xml` (the default) or `json`")
            }
        }
        if let policyNode = fields["policy"], let policies = mapping(policyNode, "the policy of step '\(step)'", keys: nil) {
            for (tool, valueNode) in policies.pairs {
                guard let name = string(valueNode, "policy.\(tool)") else { continue }
                guard let policy = AgentSpec.Policy(rawValue: name) else {
                    report(at: valueNode, "unknown policy '\(name)' for \(tool)", hint: "use auto, approve or deny")
                    continue
                }
                if !tools.contains(tool) {
                    report(at: valueNode, "the policy names '\(tool)', which is not in the agent's tools",
                           hint: Spelling.didYouMean(tool, among: tools) ?? "add it to `tools` or remove it from `policy`")
                }
                spec.policy[tool] = policy
            }
        }
        for reserved in [AgentSpec.doneIntent, AgentSpec.humanIntent] where tools.contains(reserved) {
            report(at: fields["tools"], "'\(reserved)' is built in and cannot be listed as a tool", hint: "remove it from `tools`")
        }
        return (spec, fields["fallback"].flatMap { string($0, "fallback") })
    }

    mutating func readRetry(_ node: Node) -> RetryPolicy? {
        guard let fields = mapping(node, "retry", keys: Self.retryKeys) else { return nil }
        var policy = RetryPolicy(maxAttempts: 3, backoff: .exponential, delay: 0.5, multiplier: 2, maxDelay: 30)
        if let n = fields["max_attempts"].flatMap({ positiveInt($0, "max_attempts") }) { policy.maxAttempts = n }
        if let backoffNode = fields["backoff"], let backoff = string(backoffNode, "backoff") {
            if let parsed = RetryPolicy.Backoff(rawValue: backoff) {
                policy.backoff = parsed
            } else {
                report(at: backoffNode, "unknown backoff '\(backoff)'", hint: "use `constant` or `exponential`")
            }
        }
        if let d = fields["delay_s"].flatMap({ number($0, "delay_s") }) { policy.delay = max(0, d) }
        if let m = fields["multiplier"].flatMap({ number($0, "multiplier") }) { policy.multiplier = max(1, m) }
        if let m = fields["max_delay_s"].flatMap({ number($0, "max_delay_s") }) { policy.maxDelay = max(0, m) }
        return policy
    }

    mutating func readOnError(_ node: Node) -> ErrorPolicy? {
        guard let fields = mapping(node, "on_error", keys: Self.onErrorKeys) else { return nil }
        var alternatives: [String] = []
        if let alternativesNode = fields["alternatives"] {
            alternatives = sequence(alternativesNode, "alternatives").compactMap { string($0, "alternatives") }
        }
        return ErrorPolicy(
            alternatives: alternatives,
            fallback: fields["fallback"].map { plainValue($0) },
            continueRun: fields["continue"].flatMap { bool($0, "continue") } ?? false)
    }

    mutating func readGate(_ node: Node) -> QualityGate? {
        guard let fields = mapping(node, "a quality gate", keys: Self.gateKeys) else { return nil }
        guard let name = required(fields, "gate", in: node, "a quality gate", hint: "name the gate: `gate: data_sufficiency`"),
              let conditionNode = fields["condition"] ?? {
                  report(at: node, "quality gate '\(name)' has no condition", hint: "add `condition: \"{{ value }} > 0.6\"`")
                  return nil
              }(),
              let condition = expression(conditionNode, what: "the condition of gate '\(name)'")
        else { return nil }
        var action = QualityGate.FailureAction.warn
        if let actionNode = fields["failure_action"], let raw = string(actionNode, "failure_action") {
            if let parsed = QualityGate.FailureAction(rawValue: raw) {
                action = parsed
            } else {
                let names = QualityGate.FailureAction.allCases.map(\.rawValue)
                report(at: actionNode, "unknown failure_action '\(raw)'",
                       hint: (Spelling.didYouMean(raw, among: names).map { $0 + " " } ?? "") + "use one of " + names.joined(separator: ", "))
            }
        }
        return QualityGate(name: name, condition: condition, failureAction: action,
                           description: fields["description"].flatMap { string($0, "description") }, location: location(node))
    }

    /// A `schedules:` entry: a cron expression (with its time zone) that starts this workflow with fixed inputs.
    mutating func readSchedule(_ node: Node, of definition: WorkflowDefinition) -> ScheduleSpec? {
        guard let fields = mapping(node, "a schedule", keys: Self.scheduleKeys) else { return nil }
        guard let name = required(fields, "name", in: node, "a schedule", hint: "name the schedule: `name: weekly_refresh`") else { return nil }
        guard let cronNode = fields["cron"] ?? {
            report(at: node, "schedule '\(name)' has no cron expression", hint: "add `cron: \"0 6 * * 1\"` (minute hour day month weekday)")
            return nil
        }(), let cron = string(cronNode, "cron") else { return nil }
        var inputs: [String: Value] = [:]
        if let inputsNode = fields["inputs"], let inputFields = mapping(inputsNode, "the inputs of schedule '\(name)'", keys: nil) {
            for (key, valueNode) in inputFields.pairs { inputs[key] = plainValue(valueNode) }
        }
        do {
            return try ScheduleSpec.checked(name: name, cron: cron, timeZone: fields["timezone"].flatMap { string($0, "timezone") },
                                            catchUp: fields["catch_up"].flatMap { string($0, "catch_up") }, inputs: inputs, definition: definition)
        } catch {
            report(at: fields[error.field] ?? node, error.message, hint: error.hint)
            return nil
        }
    }

    // MARK: Node helpers

    /// An ordered view of a YAML mapping with string keys.
    struct Fields {
        var pairs: [(String, Node)]
        subscript(key: String) -> Node? { pairs.first { $0.0 == key }?.1 }
    }

    mutating func mapping(_ node: Node, _ what: String, keys allowed: [String]?) -> Fields? {
        guard case .mapping(let mapping) = node else {
            report(at: node, "\(what) must be a mapping of `key: value` lines, got \(kindName(node))")
            return nil
        }
        var fields = Fields(pairs: [])
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                report(at: keyNode, "keys in \(what) must be plain names")
                continue
            }
            if !seen.insert(key).inserted {
                report(at: keyNode, "duplicate key '\(key)' in \(what)", hint: "remove one of them")
                continue
            }
            if let allowed, !allowed.contains(key) {
                let hint = Spelling.didYouMean(key, among: allowed) ?? "known keys: \(allowed.joined(separator: ", "))"
                report(at: keyNode, "unknown key '\(key)' in \(what)", hint: hint)
                continue
            }
            fields.pairs.append((key, value))
        }
        return fields
    }

    mutating func sequence(_ node: Node, _ key: String) -> [Node] {
        guard case .sequence(let sequence) = node else {
            report(at: node, "'\(key)' must be a list, got \(kindName(node))", hint: "write each item on a line starting with '- '")
            return []
        }
        return Array(sequence)
    }

    mutating func required(_ fields: Fields, _ key: String, in node: Node, _ what: String, hint: String) -> String? {
        guard let value = fields[key] else {
            report(at: node, "\(what) is missing required key '\(key)'", hint: hint)
            return nil
        }
        guard let text = string(value, key), !text.isEmpty else {
            if value.scalar != nil { report(at: value, "'\(key)' must not be empty", hint: hint) }
            return nil
        }
        return text
    }

    mutating func string(_ node: Node, _ key: String) -> String? {
        guard let scalar = node.scalar else {
            report(at: node, "'\(key)' must be a text value, got \(kindName(node))")
            return nil
        }
        return scalar.string
    }

    mutating func number(_ node: Node, _ key: String) -> Double? {
        switch scalarValue(node) {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default:
            report(at: node, "'\(key)' must be a number, got \(kindName(node))")
            return nil
        }
    }

    mutating func positiveNumber(_ node: Node, _ key: String) -> Double? {
        guard let value = number(node, key) else { return nil }
        guard value > 0 else {
            report(at: node, "'\(key)' must be greater than 0")
            return nil
        }
        return value
    }

    mutating func positiveInt(_ node: Node, _ key: String) -> Int? {
        guard case .int(let i) = scalarValue(node), i > 0 else {
            report(at: node, "'\(key)' must be a whole number greater than 0")
            return nil
        }
        return i
    }

    mutating func bool(_ node: Node, _ key: String) -> Bool? {
        guard case .bool(let b) = scalarValue(node) else {
            report(at: node, "'\(key)' must be true or false, got \(kindName(node))")
            return nil
        }
        return b
    }

    /// A scalar with its YAML type (quoted scalars are always strings).
    func scalarValue(_ node: Node) -> Value? {
        guard let scalar = node.scalar else { return nil }
        if scalar.style != .plain && scalar.style != .any { return .string(scalar.string) }
        switch Tag.Name(rawValue: node.tag.rawValue) {
        case .null: return .null
        case .bool: return node.bool.map(Value.bool) ?? .string(scalar.string)
        case .int: return node.int.map(Value.int) ?? .string(scalar.string)
        case .float: return node.float.map(Value.double) ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }

    /// Any YAML node as a `Value`.
    func plainValue(_ node: Node) -> Value {
        switch node {
        case .scalar: return scalarValue(node) ?? .null
        case .sequence(let sequence): return .array(sequence.map { plainValue($0) })
        case .mapping(let mapping):
            var object: [String: Value] = [:]
            for (key, value) in mapping { object[key.scalar?.string ?? ""] = plainValue(value) }
            return .object(object)
        case .alias: return .null
        }
    }

    mutating func template(_ node: Node, what: String) -> Template? {
        do {
            return try Template.compile(plainValue(node))
        } catch {
            report(at: node, offset: error.error.offset, "malformed expression in \(what)\(error.path.isEmpty ? "" : " at \(error.path)"): \(error.error.message)",
                   hint: error.error.hint)
            return nil
        }
    }

    mutating func expression(_ node: Node, what: String) -> Expression? {
        guard let text = string(node, "condition") else { return nil }
        do {
            return try ExpressionParser.parse(text)
        } catch {
            report(at: node, offset: error.offset, "malformed expression in \(what): \(error.message)", hint: error.hint)
            return nil
        }
    }

    func kindName(_ node: Node) -> String {
        switch node {
        case .scalar: "a text value"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    func location(_ node: Node?, offset: Int = 0) -> SourceLocation {
        guard let mark = node?.mark else { return SourceLocation(file: file, line: 1, column: 1) }
        var column = mark.column + offset
        if let scalar = node?.scalar, scalar.style == .singleQuoted || scalar.style == .doubleQuoted { column += 1 }
        return SourceLocation(file: file, line: mark.line, column: column)
    }

    mutating func report(at node: Node?, offset: Int = 0, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(location(node, offset: offset), message, hint: hint))
    }

    mutating func reportYAML(_ error: YamlError) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let contextText = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            diagnostics.append(Diagnostic(SourceLocation(file: file, line: mark.line, column: mark.column),
                                          "YAML syntax error: \(problem)\(contextText)",
                                          hint: "check the indentation and that every quote and bracket is closed"))
        case .duplicatedKeysInMapping(let duplicates, let context):
            diagnostics.append(Diagnostic(SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                                          "duplicate keys \(duplicates.joined(separator: ", ")) in a mapping", hint: "remove one of them"))
        default:
            diagnostics.append(Diagnostic(SourceLocation(file: file, line: 1, column: 1), "YAML error: \(error)"))
        }
    }
}
