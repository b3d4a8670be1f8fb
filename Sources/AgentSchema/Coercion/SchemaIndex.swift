/// What coercion looks up again and again, computed once per schema: each enum's match
/// candidates at every matching stage, and each class's field names folded for loose matching.
final class SchemaIndex: Sendable {
    /// (value name, the texts that mean it) at each stage of `StringMatcher`.
    let enumCandidates: [String: [[(String, [String])]]]
    /// Class name → each field's rendered name (its alias, else its name) folded, in field order.
    let foldedFields: [String: [String]]
    /// Every `@assert`/`@check` expression, tokenized.
    let constraints: [String: JinjaExpression.Compiled]

    init(schema: BAMLSchema) {
        var enums: [String: [[(String, [String])]]] = [:]
        for definition in schema.enums.values {
            let candidates = definition.values.filter { !$0.skip }.map { value -> (String, [String]) in
                if let description = value.description?.trimmingWhitespace, !description.isEmpty {
                    return (value.name, [value.renderedName, description, "\(value.renderedName): \(description)"])
                }
                return (value.name, [value.renderedName])
            }
            enums[definition.name] = StringMatcher.stages.map { transform in candidates.map { ($0.0, $0.1.map(transform)) } }
        }
        enumCandidates = enums
        var folded: [String: [String]] = [:]
        for definition in schema.classes.values {
            folded[definition.name] = definition.fields.map { StringMatcher.fold($0.renderedName) }
        }
        foldedFields = folded
        var compiled: [String: JinjaExpression.Compiled] = [:]
        func collect(_ type: FieldType) {
            switch type {
            case .constrained(let base, let attributes):
                for constraint in attributes.constraints { compiled[constraint.expression] = try? JinjaExpression.compile(constraint.expression) }
                collect(base)
            case .list(let element), .optional(let element): collect(element)
            case .map(let key, let value): collect(key); collect(value)
            case .union(let options): options.forEach(collect)
            case .primitive, .literal, .named: break
            }
        }
        for definition in schema.classes.values {
            definition.fields.forEach { collect($0.type) }
            for constraint in definition.attributes.constraints { compiled[constraint.expression] = try? JinjaExpression.compile(constraint.expression) }
        }
        schema.aliases.values.forEach { collect($0.type) }
        constraints = compiled
    }
}
