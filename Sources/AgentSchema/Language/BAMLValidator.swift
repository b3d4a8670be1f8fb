/// Checks a parsed schema as BAML does: every named type exists, map keys are strings, classes do
/// not require each other in a cycle, functions and strategies name known clients, clients a known
/// provider with the options it needs, and known retry policies.
enum BAMLValidator {
    /// Every problem of a parsed schema (the parser sorts them with its own by position); `checkingTypes`
    /// false leaves out unknown types.
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
        problems += cycles(in: schema)
        for client in schema.clients.values.sorted(by: { $0.name < $1.name }) {
            problems += providerProblems(client)
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
        return problems
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
            if !isStringKey(key, in: schema) {
                problems.append(BAMLError("a map's keys must be strings, enums or string literals, not \(key)", at: position, hint: "use map<string, \(value)>"))
            }
            check(key, in: schema, at: position, into: &problems)
            check(value, in: schema, at: position, into: &problems)
        case .union(let options): for option in options { check(option, in: schema, at: position, into: &problems) }
        case .primitive, .literal: break
        }
    }

    /// Whether a map may be keyed by `key`: string, an enum, a string literal or a union of them.
    private static func isStringKey(_ key: FieldType, in schema: BAMLSchema) -> Bool {
        switch key {
        case .primitive(.string), .literal(.string): return true
        case .named(let name): return schema.enums[name] != nil || !schema.declares(name)   // an unknown name is reported apart
        case .union(let options): return options.allSatisfy { isStringKey($0, in: schema) }
        case .constrained(let base, _): return isStringKey(base, in: schema)
        default: return false
        }
    }

    /// Classes that require each other in a circle (each field of the circle neither optional, a
    /// list, a map nor a union), which no value could satisfy: one problem per circle.
    private static func cycles(in schema: BAMLSchema) -> [BAMLError] {
        func required(_ type: FieldType, depth: Int = 0) -> String? {
            guard depth < 16 else { return nil }
            switch type {
            case .named(let name):
                if let alias = schema.aliases[name] { return required(alias.type, depth: depth + 1) }
                return schema.classes[name] != nil ? name : nil
            case .constrained(let base, _): return required(base, depth: depth + 1)
            default: return nil
            }
        }
        let edges = schema.classes.mapValues { definition in Set(definition.fields.compactMap { required($0.type) }) }
        var problems: [BAMLError] = []
        var reported: Set<String> = []
        for start in edges.keys.sorted() where !reported.contains(start) {
            // A path from start back to start, by depth-first search in name order.
            var path: [String] = []
            var visited: Set<String> = []
            func search(_ name: String) -> Bool {
                path.append(name)
                for next in (edges[name] ?? []).sorted() {
                    if next == start { return true }
                    if !visited.contains(next), !reported.contains(next) {
                        visited.insert(next)
                        if search(next) { return true }
                    }
                }
                path.removeLast()
                return false
            }
            guard search(start), let position = schema.classes[start]?.position else { continue }
            reported.formUnion(path)
            problems.append(BAMLError("these classes form a dependency cycle: \(path.joined(separator: " -> "))", at: position,
                                      hint: "make one of the fields optional (T?) or a list (T[])"))
        }
        return problems
    }

    /// The providers BAML knows.
    static let providers: Set<String> = ["openai", "openai-generic", "openai-responses", "azure-openai", "anthropic", "google-ai", "vertex-ai",
                                         "aws-bedrock", "ollama", "openrouter", "fallback", "round-robin"]

    /// An unknown provider, or options the provider cannot work with.
    private static func providerProblems(_ client: ClientDefinition) -> [BAMLError] {
        let options = client.options
        switch client.provider {
        case let provider where !providers.contains(provider):
            let close = providers.sorted().min { editDistance($0, provider) < editDistance($1, provider) }
            return [BAMLError("client \(client.name): provider '\(provider)' is not one BAML knows", at: client.position,
                              hint: close.map { "did you mean '\($0)'? (or openai-generic with a base_url for any OpenAI-compatible server)" })]
        case "aws-bedrock" where options["api_key"] != nil:
            return [BAMLError("client \(client.name): aws-bedrock takes no api_key (it signs with AWS credentials)", at: client.position,
                              hint: "remove api_key; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or access_key_id and secret_access_key")]
        case "azure-openai" where options["base_url"] == nil && (options["resource_name"] == nil || options["deployment_id"] == nil):
            return [BAMLError("client \(client.name): azure-openai needs base_url, or both resource_name and deployment_id", at: client.position)]
        case "vertex-ai" where options["location"] == nil:
            return [BAMLError("client \(client.name): vertex-ai needs the GCP region in options.location (e.g. us-central1)", at: client.position)]
        default:
            return []
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
