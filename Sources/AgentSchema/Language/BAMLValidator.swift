/// Checks a parsed schema: every named type exists, functions name a known client.
enum BAMLValidator {
    static func validate(_ schema: BAMLSchema) throws(BAMLError) {
        for definition in schema.classes.values.sorted(by: { $0.name < $1.name }) {
            for field in definition.fields { try check(field.type, in: schema, at: field.position) }
        }
        for alias in schema.aliases.values { try check(alias.type, in: schema, at: alias.position) }
        for function in schema.functions.values {
            try check(function.returnType, in: schema, at: function.position)
            for parameter in function.parameters { try check(parameter.type, in: schema, at: function.position) }
            if !function.client.contains("/") && schema.clients[function.client] == nil {
                throw BAMLError("function \(function.name) uses client '\(function.client)', which is not declared", at: function.position,
                                hint: "declare `client<llm> \(function.client) { … }` or use a shorthand like \"openai/gpt-4o-mini\"")
            }
        }
        for client in schema.clients.values {
            if let policy = client.retryPolicy, schema.retryPolicies[policy] == nil {
                throw BAMLError("client \(client.name) uses retry_policy '\(policy)', which is not declared", at: client.position)
            }
        }
    }

    private static func check(_ type: FieldType, in schema: BAMLSchema, at position: SourcePosition) throws(BAMLError) {
        switch type {
        case .named(let name):
            if !schema.declares(name) {
                let known = Array(schema.classes.keys) + Array(schema.enums.keys) + Array(schema.aliases.keys)
                let close = known.min { editDistance($0, name) < editDistance($1, name) }
                throw BAMLError("unknown type '\(name)'", at: position,
                                hint: close.map { "did you mean '\($0)'?" } ?? "declare it with class, enum or type")
            }
        case .list(let element), .optional(let element), .constrained(let element, _): try check(element, in: schema, at: position)
        case .map(let key, let value):
            try check(key, in: schema, at: position)
            try check(value, in: schema, at: position)
        case .union(let options): for option in options { try check(option, in: schema, at: position) }
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
