/// `{{ ctx.output_format }}`: the return type described for the model the way BAML renders it:
/// classes as a commented JSON shape, enums as a list of their values, with a one-line
/// instruction in front.
public struct OutputFormat {
    let schema: BAMLSchema

    public init(schema: BAMLSchema) { self.schema = schema }

    /// The text for `type`; `prefix` replaces the instruction line (nil: the default for the type).
    public func render(_ type: FieldType, prefix: String? = nil) -> String {
        let body: String?
        let defaultPrefix: String?
        switch resolved(type.base) {
        case .primitive(.string): return prefix ?? ""
        case .primitive(let primitive):
            return prefix ?? "Answer as \(primitive == .int ? "an" : "a") \(primitive.rawValue)"
        case .named(let name) where schema.enums[name] != nil:
            let definition = schema.enums[name]!
            defaultPrefix = "Answer with any of the categories:\n"
            body = definition.name + "\n----\n" + definition.values.filter { !$0.skip }.map { value in
                "- " + value.renderedName + (value.description.map { ": " + $0.trimmingWhitespace } ?? "")
            }.joined(separator: "\n")
        case .list(let element):
            defaultPrefix = "Answer with a JSON Array using this schema:\n"
            body = shape(.list(element), indent: 0, seen: [])
        case .union(let options):
            defaultPrefix = "Answer in JSON using any of these schemas:\n"
            body = options.map { shape($0, indent: 0, seen: []) }.joined(separator: " or ")
        default:
            defaultPrefix = "Answer in JSON using this schema:\n"
            body = shape(type, indent: 0, seen: [])
        }
        return (prefix ?? defaultPrefix ?? "") + (body ?? "")
    }

    private func resolved(_ type: FieldType) -> FieldType {
        if case .named(let name) = type, let alias = schema.aliases[name] { return alias.type.base }
        return type
    }

    /// A type as it appears inside a schema: `string`, `int or null`, `"A" or "B"`, `{ … }`.
    private func shape(_ type: FieldType, indent: Int, seen: Set<String>) -> String {
        switch type.base {
        case .primitive(let primitive): return primitive.rawValue
        case .literal(let literal): return literal.description
        case .optional(let inner): return shape(inner, indent: indent, seen: seen) + " or null"
        case .list(let element):
            let inner = shape(element, indent: indent, seen: seen)
            return element.base.needsParentheses ? "(\(inner))[]" : "\(inner)[]"
        case .map(let key, let value): return "map<\(shape(key, indent: indent, seen: seen)), \(shape(value, indent: indent, seen: seen))>"
        case .union(let options): return options.map { shape($0, indent: indent, seen: seen) }.joined(separator: " or ")
        case .constrained(let base, _): return shape(base, indent: indent, seen: seen)
        case .named(let name):
            if let definition = schema.enums[name] { return definition.values.filter { !$0.skip }.map { "'\($0.renderedName)'" }.joined(separator: " or ") }
            if let alias = schema.aliases[name] { return seen.contains(name) ? name : shape(alias.type, indent: indent, seen: seen.union([name])) }
            guard let definition = schema.classes[name], !seen.contains(name) else { return name }
            let pad = String(repeating: "  ", count: indent + 1)
            var lines = ["{"]
            for field in definition.fields {
                if let description = field.description?.trimmingWhitespace, !description.isEmpty {
                    lines += description.split(separator: "\n").map { pad + "// " + $0.trimmingWhitespace }
                }
                lines.append(pad + field.renderedName + ": " + shape(field.type, indent: indent + 1, seen: seen.union([name])) + ",")
            }
            lines.append(String(repeating: "  ", count: indent) + "}")
            return lines.joined(separator: "\n")
        }
    }
}
