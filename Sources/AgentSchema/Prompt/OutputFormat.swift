/// `{{ ctx.output_format }}`: the return type described for the model the way BAML renders it:
/// classes as a commented JSON shape, enums as a list of their values, with a one-line
/// instruction in front.
public struct OutputFormat {
    let schema: BAMLSchema

    public init(schema: BAMLSchema) { self.schema = schema }

    /// The text for `type`; `prefix` replaces the instruction line (nil: the default for the type).
    /// Enums that BAML writes apart (more than six values, or any described) come first, each as
    /// its own `Name\n----\n- VALUE` block, and are named where they are used.
    public func render(_ type: FieldType, prefix: String? = nil) -> String {
        let body: String?
        let defaultPrefix: String?
        var writer = Writer(schema: schema)
        switch resolved(type.base) {
        case .primitive(.string): return prefix ?? ""
        case .primitive(let primitive):
            return prefix ?? "Answer as \(primitive == .int ? "an" : "a") \(primitive.rawValue)"
        case .named(let name) where schema.enums[name] != nil:
            let definition = schema.enums[name]!
            defaultPrefix = "Answer with any of the categories:\n"
            body = Writer.block(of: definition)
        case .list(let element):
            defaultPrefix = "Answer with a JSON Array using this schema:\n"
            body = writer.shape(.list(element), indent: 0, seen: [])
        case .union(let options):
            defaultPrefix = "Answer in JSON using any of these schemas:\n"
            body = writer.union(options, indent: 0, seen: [])
        default:
            defaultPrefix = "Answer in JSON using this schema:\n"
            body = writer.shape(type, indent: 0, seen: [])
        }
        let hoisted = writer.hoisted.map { $0.block + "\n\n" }.joined()
        return hoisted + (prefix ?? defaultPrefix ?? "") + (body ?? "")
    }

    private func resolved(_ type: FieldType) -> FieldType {
        if case .named(let name) = type, let alias = schema.aliases[name] { return alias.type.base }
        return type
    }

    /// Writes types into a schema, collecting the enums written apart.
    private struct Writer {
        let schema: BAMLSchema
        var hoisted: [(name: String, block: String)] = []

        /// `Name\n----\n- VALUE: description`.
        static func block(of definition: EnumDefinition) -> String {
            definition.name + "\n----\n" + definition.values.filter { !$0.skip }.map { value in
                "- " + value.renderedName + (value.description.map { ": " + $0.trimmingWhitespace } ?? "")
            }.joined(separator: "\n")
        }

        /// Whether BAML writes the enum apart rather than as `'A' or 'B'`.
        static func isHoisted(_ definition: EnumDefinition) -> Bool {
            let values = definition.values.filter { !$0.skip }
            return values.count > 6 || values.contains { !($0.description?.trimmingWhitespace.isEmpty ?? true) }
        }

        /// The options of a union once each, `null` last.
        mutating func union(_ options: [FieldType], indent: Int, seen: Set<String>) -> String {
            var written: [String] = []
            var nullable = false
            for option in options {
                if case .primitive(.null) = option.base { nullable = true; continue }
                let text = shape(option, indent: indent, seen: seen)
                if text.hasSuffix(" or null") { nullable = true }
                let plain = text.hasSuffix(" or null") ? String(text.dropLast(8)) : text
                if !written.contains(plain) { written.append(plain) }
            }
            return (written + (nullable ? ["null"] : [])).joined(separator: " or ")
        }

        /// A type as it appears inside a schema: `string`, `int or null`, `"A" or "B"`, `{ … }`, `[ { … } ]`.
        mutating func shape(_ type: FieldType, indent: Int, seen: Set<String>) -> String {
            switch type.base {
            case .primitive(let primitive): return primitive.rawValue
            case .literal(let literal): return literal.description
            case .optional(let inner): return union([inner, .primitive(.null)], indent: indent, seen: seen)
            case .list(let element):
                if isClass(element, seen: seen) {
                    let pad = String(repeating: "  ", count: indent)
                    return "[\n" + pad + "  " + shape(element, indent: indent + 1, seen: seen) + "\n" + pad + "]"
                }
                let inner = shape(element, indent: indent, seen: seen)
                switch element.base {   // a union's options in parentheses; an enum's written inline are not (as BAML)
                case .union, .optional: return "(\(inner))[]"
                default: return "\(inner)[]"
                }
            case .map(let key, let value): return "map<\(shape(key, indent: indent, seen: seen)), \(shape(value, indent: indent, seen: seen))>"
            case .union(let options): return union(options, indent: indent, seen: seen)
            case .constrained(let base, _): return shape(base, indent: indent, seen: seen)
            case .named(let name):
                if let definition = schema.enums[name] {
                    guard Self.isHoisted(definition) else {
                        return definition.values.filter { !$0.skip }.map { "'\($0.renderedName)'" }.joined(separator: " or ")
                    }
                    if !hoisted.contains(where: { $0.name == name }) { hoisted.append((name, Self.block(of: definition))) }
                    return name
                }
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

        /// Whether `type` is written as an object (a class not already being written).
        private func isClass(_ type: FieldType, seen: Set<String>) -> Bool {
            guard case .named(let name) = type.base else { return false }
            if let alias = schema.aliases[name], !seen.contains(name) { return isClass(alias.type, seen: seen.union([name])) }
            return schema.classes[name] != nil && !seen.contains(name)
        }
    }
}
