import Foundation

/// Turns the parser's readings into a value of the target type, the way BAML's coercer does:
/// every candidate is coerced, each fix is flagged with a penalty, and the cheapest reading wins.
struct Coercer {
    let schema: BAMLSchema
    let index: SchemaIndex
    /// Reading a response that is still streaming: missing fields are null, incomplete numbers wait.
    let partial: Bool

    struct Context {
        var path: [String] = []
        /// (type name, value) pairs being coerced, so that recursive types cannot loop.
        var visited: Set<Visit> = []

        struct Visit: Hashable {
            var name: String
            var value: ObjectIdentifier
        }

        func entering(_ component: String) -> Context {
            var context = self
            context.path.append(component)
            return context
        }
    }

    func error(_ message: String, _ context: Context) -> ParseError { ParseError(path: context.path, message: message) }

    // MARK: Dispatch

    func coerce(_ type: FieldType, _ value: JSONishValue?, _ context: Context) throws(ParseError) -> Coerced {
        if let value {
            switch value.kind {
            case .anyOf(let candidates, let raw):
                if case .primitive(.string) = type { return try coerce(type, JSONishValue(.string(raw), value.completion), context) }
                return try pickBest(candidates.map { candidate in Result { () throws(ParseError) in try coerce(type, candidate, context) } }, context)
            case .markdown(_, let inner):
                var result = try coerce(type, inner, context)
                result.flags.append(.objectFromMarkdown)
                return result
            case .fixed(let inner):
                var result = try coerce(type, inner, context)
                result.flags.append(.objectFromFixedJSON)
                return result
            default:
                break
            }
        }
        switch type {
        case .primitive(let primitive): return try coercePrimitive(primitive, value, context)
        case .literal(let literal): return try coerceLiteral(literal, type, value, context)
        case .named(let name): return try coerceNamed(name, value, context)
        case .list(let element): return try coerceList(element, value, context)
        case .map(let key, let element): return try coerceMap(key, element, value, context)
        case .union(let options): return try coerceUnion(options, value, context)
        case .optional(let inner):
            guard let value, !isNull(value) else { return .null(value == nil ? [.optionalDefaultFromNoValue] : []) }
            do {
                return try coerce(inner, value, context)
            } catch {
                return .null([.defaultButHadUnparseableValue])
            }
        case .constrained(let base, let attributes): return try coerceConstrained(base, attributes, value, context)
        }
    }

    private func isNull(_ value: JSONishValue) -> Bool {
        if case .null = value.kind { return true }
        return false
    }

    /// The best of several readings: a success over a failure; a real value over a string made
    /// from an object, an item picked out of a list, an empty list made from a single value, a list
    /// made of a single value (against a list the text wrote), or an object of defaults; then the
    /// lowest penalty; then the earliest.
    func pickBest(_ results: [Result<Coerced, ParseError>], _ context: Context) throws(ParseError) -> Coerced {
        var best: (index: Int, value: Coerced)?
        for (index, result) in results.enumerated() {
            guard case .success(let candidate) = result else { continue }
            if let current = best {
                if Self.isBetter(candidate, than: current.value) { best = (index, candidate) }
            } else {
                best = (index, candidate)
            }
        }
        if let best { return best.value }
        let errors = results.compactMap { if case .failure(let error) = $0 { error } else { nil } }
        guard let first = errors.first else { throw error("nothing to read", context) }
        throw first
    }

    static func isBetter(_ a: Coerced, than b: Coerced) -> Bool {
        let aDiscards = discardsValue(a), bDiscards = discardsValue(b)
        if aDiscards != bDiscards { return bDiscards }
        let aStringified = isStringified(a), bStringified = isStringified(b)
        if aStringified != bStringified { return bStringified }
        let aPicked = a.has(isFirstMatch), bPicked = b.has(isFirstMatch)
        if aPicked != bPicked { return bPicked }
        let aEmptyWrap = isEmptyWrap(a), bEmptyWrap = isEmptyWrap(b)
        if aEmptyWrap != bEmptyWrap { return bEmptyWrap }
        let aWrapped = isWrappedList(a), bWrapped = isWrappedList(b)
        if aWrapped != bWrapped, isList(a) && isList(b) { return bWrapped }   // a list the text wrote beats one made of a single value
        let aDefaults = isAllDefaults(a), bDefaults = isAllDefaults(b)
        if aDefaults != bDefaults { return bDefaults }
        return a.score < b.score
    }

    /// A null read from text that held something else: the last resort of a union.
    private static func discardsValue(_ value: Coerced) -> Bool {
        guard case .null = value.payload else { return false }
        return value.flags.contains { if case .defaultButHadUnparseableValue = $0 { true } else { false } }
    }

    private static func isStringified(_ value: Coerced) -> Bool {
        if case .string = value.payload { return value.has { if case .jsonToString = $0 { true } else { false } } }
        return false
    }

    private static func isFirstMatch(_ flag: Flag) -> Bool {
        if case .firstMatch = flag { return true }
        return false
    }

    private static func isEmptyWrap(_ value: Coerced) -> Bool {
        if case .list(let items) = value.payload { return items.isEmpty && value.has { if case .singleToArray = $0 { true } else { false } } }
        return false
    }

    private static func isList(_ value: Coerced) -> Bool {
        if case .list(let items) = value.payload { return !items.isEmpty }
        return false
    }

    private static func isWrappedList(_ value: Coerced) -> Bool {
        value.has { if case .singleToArray = $0 { true } else { false } }
    }

    private static func isAllDefaults(_ value: Coerced) -> Bool {
        if case .object(_, let fields) = value.payload { return !fields.isEmpty && fields.allSatisfy { $0.value.has(\.isDefault) } }
        return false
    }

    /// A singular target read from a list: the best item, flagged.
    private func fromList(_ items: [JSONishValue], _ context: Context, _ coerce: (JSONishValue) throws(ParseError) -> Coerced) throws(ParseError) -> Coerced {
        var results: [Result<Coerced, ParseError>] = []
        for item in items { results.append(Result { () throws(ParseError) in try coerce(item) }) }
        var best = try pickBest(results, context)
        best.flags.append(.firstMatch)
        return best
    }

    // MARK: Primitives

    private func coercePrimitive(_ primitive: FieldType.Primitive, _ value: JSONishValue?, _ context: Context) throws(ParseError) -> Coerced {
        if primitive == .null {
            guard let value else { return .null() }
            switch value.kind {
            case .null: return .null()
            case .string(let text) where text.trimmingWhitespace.lowercased() == "null": return .null([.stringToNull])
            // As BAML: null is read from anything, at the cost of the value that was there.
            default: return .null([.defaultButHadUnparseableValue])
            }
        }
        guard let value else { throw error("a value is missing", context) }
        switch primitive {
        case .image, .audio, .pdf, .video:
            throw error("\(primitive.rawValue) is an input type: an answer cannot be read as one", context)
        case .string:
            switch value.kind {
            case .string(let text): return Coerced(.string(text), completion: value.completion)
            case .null: throw error("expected a string, got null", context)
            default: return Coerced(.string(value.description), flags: [.jsonToString], completion: value.completion)
            }
        case .int:
            if case .array(let items) = value.kind {
                return try fromList(items, context) { item throws(ParseError) in try coercePrimitive(.int, item, context) }
            }
            try rejectIncompleteNumber(value, context)
            switch value.kind {
            case .number(.int(let number)): return Coerced(.int(number), completion: value.completion)
            case .number(.float(let number)):
                guard let integer = Int(exactly: number.rounded()) else { throw error("\(number) does not fit an int", context) }
                return Coerced(.int(integer), flags: [.floatToInt], completion: value.completion)
            case .string(let text):
                let trimmed = text.trimmingWhitespace
                if let integer = Int(trimmed) { return Coerced(.int(integer), flags: [.stringToInt], completion: value.completion) }
                if let number = Self.number(from: trimmed), let integer = Int(exactly: number.rounded()) {
                    return Coerced(.int(integer), flags: [.floatToInt], completion: value.completion)
                }
                throw error("expected an int, got \(Self.quoted(text))", context)
            default: throw error("expected an int, got \(Self.quoted(value.description))", context)
            }
        case .float:
            if case .array(let items) = value.kind {
                return try fromList(items, context) { item throws(ParseError) in try coercePrimitive(.float, item, context) }
            }
            try rejectIncompleteNumber(value, context)
            switch value.kind {
            case .number(let number): return Coerced(.float(number.double), completion: value.completion)
            case .string(let text):
                if let number = Self.number(from: text.trimmingWhitespace) { return Coerced(.float(number), flags: [.stringToFloat], completion: value.completion) }
                throw error("expected a float, got \(Self.quoted(text))", context)
            default: throw error("expected a float, got \(Self.quoted(value.description))", context)
            }
        case .bool:
            switch value.kind {
            case .bool(let flag): return Coerced(.bool(flag), completion: value.completion)
            case .array(let items):
                return try fromList(items, context) { item throws(ParseError) in try coercePrimitive(.bool, item, context) }
            case .string(let text):
                switch text.trimmingWhitespace.lowercased() {
                case "true": return Coerced(.bool(true), flags: [.stringToBool], completion: value.completion)
                case "false": return Coerced(.bool(false), flags: [.stringToBool], completion: value.completion)
                default:
                    let (match, flags) = try StringMatcher.match(value, candidates: [("true", ["true"]), ("false", ["false"])], context, self)
                    return Coerced(.bool(match == "true"), flags: flags + [.stringToBool], completion: value.completion)
                }
            default: throw error("expected a bool, got \(Self.quoted(value.description))", context)
            }
        case .null: fatalError("handled above")
        }
    }

    private func rejectIncompleteNumber(_ value: JSONishValue, _ context: Context) throws(ParseError) {
        if partial, value.completion == .incomplete, case .number = value.kind { throw error("the number is still streaming", context) }
    }

    static func quoted(_ text: String) -> String {
        let short = text.count > 60 ? String(text.prefix(57)) + "…" : text
        return "\"\(short)\""
    }

    /// A number written for people, as BAML's `coerce_primitive` reads one: JSON, a fraction (`1/2`),
    /// else the one number the text holds (`1,234`, `$1,234.56`, `12.11.`, `45%`, `There are 12 apples`;
    /// commas are dropped, so `12,5` is 125). Text with no number, or more than one, is none.
    static func number(from text: String) -> Double? {
        if let number = JSONishNumber.parse(text) { return number.double }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2, let numerator = Double(parts[0].trimmingWhitespace), let denominator = Double(parts[1].trimmingWhitespace),
           denominator != 0, numerator.isFinite {
            return numerator / denominator
        }
        let found = numbersWritten(in: text)
        guard found.count == 1, let only = found.first else { return nil }
        return Double(only.filter { $0 != "," && $0 != "$" })
    }

    /// The numbers in a text, left to right, each as BAML's pattern
    /// `[-+]?\$?(\d+(,\d+)*(\.\d+)?|\.\d+)(e[-+]?\d+)?` finds them.
    static func numbersWritten(in text: String) -> [String] {
        let chars = Array(text.utf8)
        func isDigit(_ index: Int) -> Bool { index < chars.count && chars[index] >= 0x30 && chars[index] <= 0x39 }
        func digits(from index: Int) -> Int {
            var end = index
            while isDigit(end) { end += 1 }
            return end
        }
        func match(at start: Int) -> Int? {
            var index = start
            if index < chars.count, chars[index] == 0x2D || chars[index] == 0x2B { index += 1 }   // - +
            if index < chars.count, chars[index] == 0x24 { index += 1 }                           // $
            if isDigit(index) {
                index = digits(from: index)
                while index < chars.count, chars[index] == 0x2C, isDigit(index + 1) { index = digits(from: index + 1) }   // ,ddd
                if index < chars.count, chars[index] == 0x2E, isDigit(index + 1) { index = digits(from: index + 1) }     // .ddd
            } else if index < chars.count, chars[index] == 0x2E, isDigit(index + 1) {
                index = digits(from: index + 1)
            } else {
                return nil
            }
            if index < chars.count, chars[index] == 0x65 {                                        // e[-+]ddd
                var exponent = index + 1
                if exponent < chars.count, chars[exponent] == 0x2D || chars[exponent] == 0x2B { exponent += 1 }
                if isDigit(exponent) { index = digits(from: exponent) }
            }
            return index
        }
        var found: [String] = []
        var index = 0
        while index < chars.count {
            if let end = match(at: index) {
                found.append(String(decoding: chars[index..<end], as: UTF8.self))
                index = end
            } else {
                index += 1
            }
        }
        return found
    }

    // MARK: Literals, enums

    private func coerceLiteral(_ literal: FieldType.Literal, _ type: FieldType, _ value: JSONishValue?, _ context: Context) throws(ParseError) -> Coerced {
        guard let value else { throw error("expected \(literal), got nothing", context) }
        if case .object(let fields) = value.kind, fields.count == 1 {
            switch fields[0].value.kind {
            case .number, .bool, .string:
                var result = try coerceLiteral(literal, type, fields[0].value, context)
                result.flags.append(.objectToPrimitive)
                return result
            default: break
            }
        }
        switch literal {
        case .int(let expected):
            let coerced = try coercePrimitive(.int, value, context)
            guard case .int(let number) = coerced.payload, number == expected else { throw error("expected \(expected), got \(Self.quoted(value.description))", context) }
            return coerced
        case .bool(let expected):
            let coerced = try coercePrimitive(.bool, value, context)
            guard case .bool(let flag) = coerced.payload, flag == expected else { throw error("expected \(expected), got \(Self.quoted(value.description))", context) }
            return coerced
        case .string(let expected):
            let (match, flags) = try StringMatcher.match(value, candidates: [(expected, [expected])], context, self)
            return Coerced(.string(match), flags: flags, completion: value.completion)
        }
    }

    private func coerceEnum(_ definition: EnumDefinition, _ value: JSONishValue?, _ context: Context) throws(ParseError) -> Coerced {
        guard let value else { throw error("expected a value of enum \(definition.name), got nothing", context) }
        if case .array(let items) = value.kind {
            return try fromList(items, context) { item throws(ParseError) in try coerceEnum(definition, item, context) }
        }
        let (match, flags) = try StringMatcher.match(value, staged: index.enumCandidates[definition.name] ?? [], context, self)
        return Coerced(.enumValue(match), flags: flags, completion: value.completion)
    }

    // MARK: Named types

    private func coerceNamed(_ name: String, _ value: JSONishValue?, _ context: Context) throws(ParseError) -> Coerced {
        if let definition = schema.enums[name] { return try coerceEnum(definition, value, context) }
        var context = context
        if let value {
            let visit = Context.Visit(name: name, value: ObjectIdentifier(value))
            guard !context.visited.contains(visit) else { throw error("\(name) refers to itself for the same value", context) }
            context.visited.insert(visit)
        }
        if let alias = schema.aliases[name] { return try coerce(alias.type, value, context) }
        if let definition = schema.classes[name] { return try coerceClass(definition, value, context) }
        throw error("unknown type \(name)", context)
    }

    /// What a missing required field of `type` is read as, as BAML's `default_value` says: an empty list for a list
    /// (through aliases and unions), nothing else.
    private func defaultWhenMissing(_ type: FieldType, depth: Int = 0) -> Coerced? {
        guard depth < 16 else { return nil }
        switch type.base {
        case .list: return Coerced(.list([]), flags: [.defaultFromNoValue])
        case .union(let options): return options.lazy.compactMap { self.defaultWhenMissing($0, depth: depth + 1) }.first
        case .named(let name): return schema.aliases[name].flatMap { defaultWhenMissing($0.type, depth: depth + 1) }
        default: return nil
        }
    }

    private func coerceClass(_ definition: ClassDefinition, _ value: JSONishValue?, _ context: Context) throws(ParseError) -> Coerced {
        var flags: [Flag] = []
        var found: [String: Result<Coerced, ParseError>] = [:]
        var value = value
        if partial, case .string(let text)? = value?.kind, text.trimmingWhitespace.isEmpty { value = nil }   // nothing streamed yet
        switch value?.kind {
        case .object(let entries)?:
            for entry in entries {
                guard let field = field(named: entry.key, in: definition) else {
                    flags.append(.extraKey)
                    continue
                }
                if case .success? = found[field.name] { continue }
                found[field.name] = Result { () throws(ParseError) in try coerce(field.type, entry.value, context.entering(field.name)) }
            }
            if definition.fields.count == 1, found.isEmpty, let value {
                let field = definition.fields[0]
                found[field.name] = Result { () throws(ParseError) in
                    var inner = try coerce(field.type, value, context.entering(field.name))
                    inner.flags.append(.impliedKey)
                    return inner
                }
            }
        case .array(let items)?:
            return try fromList(items, context) { item throws(ParseError) in try coerceClass(definition, item, context) }
        case nil:
            break
        default:
            if definition.fields.count == 1, let value {
                let field = definition.fields[0]
                found[field.name] = Result { () throws(ParseError) in
                    var inner = try coerce(field.type, value, context.entering(field.name))
                    inner.flags.append(.impliedKey)
                    return inner
                }
                flags.append(.inferredObject)
            } else {
                throw error("expected an object for class \(definition.name), got \(Self.quoted(value?.description ?? ""))", context)
            }
        }
        var fields: [(key: String, value: Coerced)] = []
        for field in definition.fields {
            let attributes = Self.attributes(of: field.type)
            var coerced: Coerced
            switch found[field.name] {
            case .success(let value)?:
                coerced = value
            case .failure(let failure)?:
                if field.type.isOptional || partial {
                    coerced = .null([.defaultButHadUnparseableValue])
                } else {
                    throw failure
                }
            case nil:
                if field.type.isOptional {
                    coerced = .null([.optionalDefaultFromNoValue])
                } else if let empty = defaultWhenMissing(field.type) {
                    coerced = empty
                } else if partial {
                    coerced = .null([.pending])
                    coerced.isPending = true
                } else {
                    throw error("missing required field '\(field.renderedName)' of class \(definition.name)", context)
                }
                coerced.reportsState = attributes.streamWithState
            }
            if partial {
                if attributes.streamDone, coerced.completion == .incomplete { coerced = .null([.pending]) }
                if attributes.streamNotNull, coerced.isNull {
                    throw error("\(definition.name).\(field.name) is not available yet", context)
                }
            }
            fields.append((field.name, coerced))
        }
        var result = Coerced(.object(name: definition.name, fields: fields), flags: flags, completion: value?.completion ?? .incomplete)
        if partial, definition.attributes.streamDone, result.completion == .incomplete {
            throw error("\(definition.name) is still streaming", context)
        }
        if !definition.attributes.constraints.isEmpty {
            try applyConstraints(definition.attributes.constraints, to: &result, context)
        }
        return result
    }

    /// The class field a key names: by alias or name, exactly, then ignoring case and accents.
    /// The field a key names: by the name the model sees (the alias, when there is one; the field's own
    /// name then does not match, as in BAML), exactly, else ignoring case and accents.
    func field(named key: String, in definition: ClassDefinition) -> ClassDefinition.Field? {
        let trimmed = key.trimmingWhitespace
        if let field = definition.fields.first(where: { $0.renderedName == trimmed }) { return field }
        let folded = StringMatcher.fold(trimmed)
        guard let names = index.foldedFields[definition.name] else { return nil }
        return zip(definition.fields, names).first { $0.1 == folded }?.0
    }

    static func attributes(of type: FieldType) -> FieldAttributes {
        if case .constrained(_, let attributes) = type { return attributes }
        return FieldAttributes()
    }

    // MARK: Containers

    private func coerceList(_ element: FieldType, _ value: JSONishValue?, _ context: Context) throws(ParseError) -> Coerced {
        guard let value else { return Coerced(.list([]), flags: [.optionalDefaultFromNoValue]) }
        if case .array(let items) = value.kind {
            var flags: [Flag] = []
            var coerced: [Coerced] = []
            for (index, item) in items.enumerated() {
                do {
                    coerced.append(try coerce(element, item, context.entering(String(index))))
                } catch {
                    flags.append(.arrayItemParseError(index))
                }
            }
            return Coerced(.list(coerced), flags: flags, completion: value.completion)
        }
        do {
            return Coerced(.list([try coerce(element, value, context.entering("0"))]), flags: [.singleToArray], completion: value.completion)
        } catch {
            return Coerced(.list([]), flags: [.singleToArray, .arrayItemParseError(0)], completion: value.completion)
        }
    }

    private func coerceMap(_ key: FieldType, _ element: FieldType, _ value: JSONishValue?, _ context: Context) throws(ParseError) -> Coerced {
        guard let value, case .object(let entries) = value.kind else {
            throw error("expected an object for \(FieldType.map(key: key, value: element)), got \(Self.quoted(value?.description ?? "nothing"))", context)
        }
        var flags: [Flag] = [.objectToMap]
        var coerced: [(key: String, value: Coerced)] = []
        for entry in entries {
            do {
                let keyValue = try coerce(key, JSONishValue(.string(entry.key)), context.entering(entry.key))
                let item = try coerce(element, entry.value, context.entering(entry.key))
                // A key must read as the key type (an enum's value, say), and is kept as written, as in BAML.
                if case .string(let text) = keyValue.payload { coerced.append((text, item)) } else { coerced.append((entry.key, item)) }
            } catch {
                flags.append(.mapValueParseError)
            }
        }
        return Coerced(.map(coerced), flags: flags, completion: value.completion)
    }

    private func coerceUnion(_ options: [FieldType], _ value: JSONishValue?, _ context: Context) throws(ParseError) -> Coerced {
        var results: [Result<Coerced, ParseError>] = []
        for option in options {
            results.append(Result { () throws(ParseError) in
                var coerced = try coerce(option, value, context)
                coerced.flags.append(.unionMatch)
                return coerced
            })
        }
        return try pickBest(results, context)
    }

    // MARK: Constraints

    private func coerceConstrained(_ base: FieldType, _ attributes: FieldAttributes, _ value: JSONishValue?, _ context: Context) throws(ParseError) -> Coerced {
        var coerced = try coerce(base, value, context)
        coerced.reportsState = attributes.streamWithState
        if !attributes.constraints.isEmpty { try applyConstraints(attributes.constraints, to: &coerced, context) }
        return coerced
    }

    /// Evaluates `@check`s (recorded) and `@assert`s (a failure fails the value).
    private func applyConstraints(_ constraints: [Constraint], to value: inout Coerced, _ context: Context) throws(ParseError) {
        let this = value.plain
        for constraint in constraints {
            let passed: Bool
            do {
                let lookup: (String) -> BAMLValue? = { $0 == "this" ? this : nil }
                let result = if let compiled = index.constraints[constraint.expression] {
                    try JinjaExpression.evaluate(compiled, lookup: lookup)
                } else {
                    try JinjaExpression.evaluate(constraint.expression, lookup: lookup)
                }
                passed = JinjaExpression.isTruthy(result)
            } catch {
                passed = false
            }
            switch constraint.level {
            case .assert:
                if !passed { throw self.error("assertion \(constraint.name ?? constraint.expression) failed", context) }
            case .check:
                value.checks.append(CheckResult(name: constraint.name ?? constraint.expression, expression: constraint.expression, passed: passed))
            }
        }
    }
}

extension Result where Failure == ParseError {
    init(_ body: () throws(ParseError) -> Success) {
        do { self = .success(try body()) } catch { self = .failure(error) }
    }
}
