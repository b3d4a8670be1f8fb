/// Turning what a user typed into a workflow's typed inputs.
extension WorkflowDefinition {
    /// Checks and completes a run's inputs: every required input present, each of its declared
    /// type (strings from the command line are converted), defaults filled in, unknown names refused.
    /// - Parameter given: input name → value; strings are converted to the declared type.
    /// - Throws: `InputBindingError` listing every problem by field path.
    public func bindInputs(_ given: [String: Value]) throws(InputBindingError) -> [String: Value] {
        var bound: [String: Value] = [:]
        var problems: [String] = []
        let declared = inputs.map(\.name)
        for name in given.keys.sorted() where !declared.contains(name) {
            let hint = Spelling.didYouMean(name, among: declared).map { " (\($0))" } ?? ""
            let known = declared.isEmpty ? "it takes no inputs" : "its inputs are: \(declared.joined(separator: ", "))"
            problems.append("inputs.\(name): workflow '\(self.name)' has no such input\(hint); \(known)")
        }
        for input in inputs {
            guard let raw = given[input.name] else {
                if let value = input.defaultValue {
                    bound[input.name] = value
                } else if input.required {
                    problems.append("inputs.\(input.name): required input is missing (\(input.kind.schema.displayName))")
                }
                continue
            }
            let value = Self.convert(raw, to: input.kind)
            let violations = input.kind.schema.violations(of: value, at: "inputs.\(input.name)")
            if violations.isEmpty {
                bound[input.name] = value
            } else {
                problems.append(contentsOf: violations.map(\.description))
            }
        }
        guard problems.isEmpty else { throw InputBindingError(problems: problems) }
        return bound
    }

    private static func convert(_ value: Value, to kind: WorkflowInput.Kind) -> Value {
        guard case .string(let text) = value else { return value }
        switch kind {
        case .int: return Int(text).map(Value.int) ?? value
        case .float: return Double(text).map(Value.double) ?? value
        case .bool: return ["true", "yes", "1"].contains(text.lowercased()) ? .bool(true)
            : ["false", "no", "0"].contains(text.lowercased()) ? .bool(false) : value
        case .object, .list: return (try? Value(json: text)) ?? value
        case .string, .enumeration: return value
        }
    }
}

/// Inputs that do not fit the workflow's declared inputs.
public struct InputBindingError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}
