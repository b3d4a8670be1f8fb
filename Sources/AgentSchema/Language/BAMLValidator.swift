/// Checks a parsed schema: every named type exists, functions and strategies name known clients, clients known retry policies.
enum BAMLValidator {
    /// Every problem of a parsed schema, in a stable order; `checkingTypes` false leaves out unknown types.
    static func problems(in schema: BAMLSchema, checkingTypes: Bool = true) -> [BAMLError] {
        var problems: [BAMLError] = []
        for definition in schema.classes.values.sorted(by: { $0.name < $1.name }) {
            for field in definition.fields { check(field.type, in: schema, at: field.position, into: &problems) }
        }
        for alias in schema.aliases.values.sorted(by: { $0.name < $1.name }) { check(alias.type, in: schema, at: alias.position, into: &problems) }
        for function in schema.functions.values.sorted(by: { $0.name < $1.name }) {
            check(function.returnType, in: schema, at: function.position, into: &problems)
            for parameter in function.parameters { check(parameter.type, in: schema, at: function.position, into: &problems) }
            if !function.client.contains("/") && schema.clients[function.client] == nil {
                problems.append(BAMLError("function \(function.name) uses client '\(function.client)', which is not declared", at: function.position,
                                          hint: "declare `client<llm> \(function.client) { … }` or use a shorthand like \"openai/gpt-4o-mini\""))
            }
        }
        for client in schema.clients.values.sorted(by: { $0.name < $1.name }) {
            if let policy = client.retryPolicy, schema.retryPolicies[policy] == nil {
                problems.append(BAMLError("client \(client.name) uses retry_policy '\(policy)', which is not declared", at: client.position))
            }
            if ["fallback", "round-robin"].contains(client.provider), case .list(let strategy)? = client.options["strategy"] {
                for name in strategy.compactMap(\.string) where schema.clients[name] == nil && !name.contains("/") {
                    problems.append(BAMLError("client \(client.name) names '\(name)' in its strategy, which is not declared", at: client.position,
                                              hint: "declare `client<llm> \(name) { … }` or remove it from the strategy"))
                }
            }
        }
        if !checkingTypes { problems.removeAll { $0.isUnknownType } }
        return problems.sorted { ($0.position.file, $0.position.line, $0.position.column) < ($1.position.file, $1.position.line, $1.position.column) }
    }

    private static func check(_ type: FieldType, in schema: BAMLSchema, at position: SourcePosition, into problems: inout [BAMLError]) {
        switch type {
        case .named(let name):
            if !schema.declares(name) {
                let known = ["string", "int", "float", "bool", "image", "audio", "pdf", "video"]
                    + Array(schema.classes.keys) + Array(schema.enums.keys) + Array(schema.aliases.keys)
                let close = known.min { editDistance($0, name) < editDistance($1, name) }
                var problem = BAMLError("unknown type '\(name)'", at: position, hint: close.map { "did you mean '\($0)'?" } ?? "declare it with class, enum or type")
                problem.isUnknownType = true
                problems.append(problem)
            }
        case .list(let element), .optional(let element), .constrained(let element, _): check(element, in: schema, at: position, into: &problems)
        case .map(let key, let value):
            check(key, in: schema, at: position, into: &problems)
            check(value, in: schema, at: position, into: &problems)
        case .union(let options): for option in options { check(option, in: schema, at: position, into: &problems) }
        case .primitive, .literal: break
        }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(1, b.count) where !b.isEmpty {
                let saved = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = saved
            }
        }
        return row[b.count]
    }
}
