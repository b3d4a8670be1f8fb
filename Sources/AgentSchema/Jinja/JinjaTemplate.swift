import Foundation

/// A Jinja template, the subset BAML prompts use: `{{ expr }}`, `{% if %}`/`{% elif %}`/`{% else %}`,
/// `{% for x in xs %}` (with `loop.index`, `loop.index0`, `loop.first`, `loop.last`, `loop.length`
/// and `{% else %}`), `{% set x = expr %}`, `{% macro name(a, b="x") %}…{% endmacro %}`, `{% raw %}…{% endraw %}`,
/// `{# comments #}`, `-` / `+` whitespace control and BAML's trim_blocks / lstrip_blocks. Written
/// here because the listed template library (Stencil) renders `loop.index` empty and has no `set`.
public struct JinjaTemplate: Sendable {
    public struct TemplateError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var line: Int
        public var column: Int
        public var file: String
        public var description: String { "\(file):\(line):\(column): error: \(message)" }
    }

    private indirect enum Node: Sendable {
        case text(String)
        case output(String, at: Int)
        case branches([(condition: String?, at: Int, body: [Node])])
        case loop(variables: [String], iterable: String, at: Int, body: [Node], otherwise: [Node])
        case assign(String, String, at: Int)
    }

    /// A `{% macro %}`: called like a function, it renders its body with its arguments.
    private struct Macro: Sendable {
        var parameters: [(name: String, defaultValue: String?)]
        var body: [Node]
    }

    private let nodes: [Node]
    private let macros: [String: Macro]
    private let source: String
    private let file: String
    /// Macros may call macros, this deep at most.
    static let maximumMacroDepth = 32

    /// Parses a template.
    /// - Parameters:
    ///   - source: the template text.
    ///   - file: where it came from, for errors.
    public init(_ source: String, file: String = "<template>") throws(TemplateError) {
        self.source = source
        self.file = file
        var parser = Parser(source: Array(source), file: file)
        nodes = try parser.parseNodes(until: [])
        if let extra = parser.pendingTag {
            throw parser.error("unexpected {% \(extra.keyword) %}", at: extra.offset)
        }
        macros = parser.macros
    }

    /// Renders with `variables`; `call` handles calls such as `_.role("user")`.
    public func render(_ variables: [String: BAMLValue], call: JinjaExpression.CallHandler? = nil) throws(TemplateError) -> String {
        var scope = variables
        var output = ""
        try render(nodes, scope: &scope, call: withMacros(call, globals: variables), into: &output)
        return output
    }

    /// `call`, with the template's macros answering calls by their names first.
    private func withMacros(_ call: JinjaExpression.CallHandler?, globals: [String: BAMLValue], depth: Int = 0) -> JinjaExpression.CallHandler? {
        guard !macros.isEmpty else { return call }
        return { name, arguments, keywords throws(JinjaExpression.EvaluationError) in
            guard let macro = macros[name] else {
                guard let call else { throw JinjaExpression.EvaluationError(message: "\(name) is not a function or macro", offset: 0) }
                return try call(name, arguments, keywords)
            }
            guard depth < Self.maximumMacroDepth else {
                throw JinjaExpression.EvaluationError(message: "macro \(name) calls macros more than \(Self.maximumMacroDepth) deep", offset: 0)
            }
            var scope = globals
            for (index, parameter) in macro.parameters.enumerated() {
                if index < arguments.count {
                    scope[parameter.name] = arguments[index]
                } else if let value = keywords[parameter.name] {
                    scope[parameter.name] = value
                } else if let defaultValue = parameter.defaultValue {
                    scope[parameter.name] = try JinjaExpression.evaluate(defaultValue, lookup: { globals[$0] })
                } else {
                    scope[parameter.name] = .null
                }
            }
            var output = ""
            do throws(TemplateError) {
                try render(macro.body, scope: &scope, call: withMacros(call, globals: globals, depth: depth + 1), into: &output)
            } catch {
                throw JinjaExpression.EvaluationError(message: error.description, offset: 0)
            }
            return .string(output)
        }
    }

    private func render(_ nodes: [Node], scope: inout [String: BAMLValue], call: JinjaExpression.CallHandler?, into output: inout String) throws(TemplateError) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .output(let expression, let offset):
                let value = try evaluate(expression, scope, call, at: offset)
                output += JinjaExpression.text(value == .null ? .string("") : value)
            case .branches(let branches):
                for branch in branches {
                    if let condition = branch.condition {
                        guard JinjaExpression.isTruthy(try evaluate(condition, scope, call, at: branch.at)) else { continue }
                    }
                    try render(branch.body, scope: &scope, call: call, into: &output)
                    break
                }
            case .loop(let variables, let iterable, let offset, let body, let otherwise):
                let items: [BAMLValue]
                switch try evaluate(iterable, scope, call, at: offset) {
                case .list(let values): items = values
                case .object(let fields): items = fields.map { variables.count == 2 ? .list([.string($0.key), $0.value]) : .string($0.key) }
                case .string(let text): items = text.map { .string(String($0)) }
                case .null: items = []
                case let other: throw error("cannot loop over \(other.json)", at: offset)
                }
                if items.isEmpty {
                    try render(otherwise, scope: &scope, call: call, into: &output)
                    continue
                }
                let saved = scope
                for (index, item) in items.enumerated() {
                    if variables.count == 2, case .list(let pair) = item, pair.count == 2 {
                        scope[variables[0]] = pair[0]
                        scope[variables[1]] = pair[1]
                    } else {
                        scope[variables[0]] = item
                    }
                    scope["loop"] = .object([
                        .init("index", .int(index + 1)), .init("index0", .int(index)), .init("first", .bool(index == 0)),
                        .init("last", .bool(index == items.count - 1)), .init("length", .int(items.count)),
                        .init("revindex", .int(items.count - index)), .init("revindex0", .int(items.count - index - 1)),
                    ])
                    try render(body, scope: &scope, call: call, into: &output)
                }
                scope = saved
            case .assign(let name, let expression, let offset):
                scope[name] = try evaluate(expression, scope, call, at: offset)
            }
        }
    }

    private func evaluate(_ expression: String, _ scope: [String: BAMLValue], _ call: JinjaExpression.CallHandler?, at offset: Int) throws(TemplateError) -> BAMLValue {
        do {
            return try JinjaExpression.evaluate(expression, lookup: { scope[$0] }, call: call)
        } catch {
            throw self.error(error.message, at: offset + error.offset)
        }
    }

    private func error(_ message: String, at offset: Int) -> TemplateError {
        let (line, column) = Parser.lineColumn(Array(source), offset)
        return TemplateError(message: message, line: line, column: column, file: file)
    }

    // MARK: Parsing

    private struct Parser {
        let source: [Character]
        let file: String
        var index = 0
        /// A block tag read but not consumed by the current level (`elif`, `else`, `endif`, …).
        var pendingTag: (keyword: String, rest: String, offset: Int)?
        var trimNextText = false
        var macros: [String: Macro] = [:]
        /// How many blocks (`if`, `for`, …) are open; bounded so a hostile template cannot exhaust the stack.
        var depth = 0
        static let maximumDepth = 64

        init(source: [Character], file: String) {
            self.source = source
            self.file = file
        }

        static func lineColumn(_ source: [Character], _ offset: Int) -> (Int, Int) {
            var line = 1, column = 1
            for character in source.prefix(max(0, offset)) {
                if character == "\n" { line += 1; column = 1 } else { column += 1 }
            }
            return (line, column)
        }

        func error(_ message: String, at offset: Int) -> TemplateError {
            let (line, column) = Self.lineColumn(source, offset)
            return TemplateError(message: message, line: line, column: column, file: file)
        }

        private func looking(at text: String, _ position: Int) -> Bool {
            var offset = position
            for character in text {
                guard offset < source.count, source[offset] == character else { return false }
                offset += 1
            }
            return true
        }

        /// Whether only spaces and tabs stand between the line's start and `position`.
        private func startsLine(_ position: Int) -> Bool {
            var cursor = position - 1
            while cursor >= 0, source[cursor] == " " || source[cursor] == "\t" { cursor -= 1 }
            return cursor < 0 || source[cursor] == "\n"
        }

        /// Where the `{% endraw %}` after `start` begins, and the index after it.
        func rawEnd(from start: Int) -> (contentEnd: Int, after: Int)? {
            var position = start
            while position < source.count {
                if looking(at: "{%", position) {
                    var cursor = position + 2
                    if cursor < source.count, source[cursor] == "-" { cursor += 1 }
                    while cursor < source.count, source[cursor].isWhitespace { cursor += 1 }
                    if looking(at: "endraw", cursor) {
                        cursor += 6
                        while cursor < source.count, source[cursor].isWhitespace || source[cursor] == "-" { cursor += 1 }
                        if looking(at: "%}", cursor) { return (position, cursor + 2) }
                    }
                }
                position += 1
            }
            return nil
        }

        /// Nodes up to one of the `terminators` block keywords (left in `pendingTag`).
        mutating func parseNodes(until terminators: Set<String>) throws(TemplateError) -> [Node] {
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maximumDepth else { throw error("blocks nest deeper than \(Self.maximumDepth) levels", at: index) }
            var nodes: [Node] = []
            var text = ""
            func flush(trimTrailing: Bool) {
                var piece = text
                if trimTrailing { while let last = piece.last, last.isWhitespace { piece.removeLast() } }
                if !piece.isEmpty { nodes.append(.text(piece)) }
                text = ""
            }
            while index < source.count {
                let isTag = looking(at: "{{", index) || looking(at: "{%", index) || looking(at: "{#", index)
                guard isTag else {
                    if trimNextText, source[index].isWhitespace { index += 1; continue }
                    trimNextText = false
                    text.append(source[index])
                    index += 1
                    continue
                }
                let opener = String(source[index...index + 1])
                let start = index
                index += 2
                let trimBefore = index < source.count && source[index] == "-"
                let keepBefore = index < source.count && source[index] == "+"
                if trimBefore || keepBefore { index += 1 }
                // BAML renders with trim_blocks and lstrip_blocks: a block tag or comment alone on its
                // line leaves no indentation before it and no newline after it.
                let isBlockOrComment = opener != "{{"
                let closer = opener == "{{" ? "}}" : opener == "{%" ? "%}" : "#}"
                var inner = ""
                var quote: Character?
                while index < source.count {
                    let character = source[index]
                    if let open = quote {
                        if character == open { quote = nil }
                    } else if character == "\"" || character == "'", opener != "{#" {
                        quote = character
                    } else if looking(at: closer, index) || (looking(at: "-" + closer, index)) {
                        break
                    }
                    inner.append(character)
                    index += 1
                }
                guard index < source.count else { throw error("\(opener) is not closed", at: start) }
                trimNextText = false
                if source[index] == "-" { trimNextText = true; index += 1 }
                index += 2
                if isBlockOrComment, !trimNextText, index < source.count, source[index] == "\n" { index += 1 }
                if trimBefore {
                    flush(trimTrailing: true)
                } else {
                    if isBlockOrComment, !keepBefore, startsLine(start) { text.removeLineIndentation() }
                    flush(trimTrailing: false)
                }
                let body = inner.trimmingWhitespace
                let bodyOffset = start + 2 + (trimBefore || keepBefore ? 1 : 0) + (inner.prefix { $0.isWhitespace }.count)
                switch opener {
                case "{#": continue
                case "{{":
                    guard !body.isEmpty else { throw error("empty {{ }}", at: start) }
                    nodes.append(.output(body, at: bodyOffset))
                default:
                    let keyword = String(body.prefix { $0.isLetter || $0 == "_" })
                    let rest = String(body.dropFirst(keyword.count)).trimmingWhitespace
                    let restOffset = bodyOffset + keyword.count + (body.dropFirst(keyword.count).prefix { $0.isWhitespace }.count)
                    if terminators.contains(keyword) {
                        pendingTag = (keyword, rest, start)
                        return nodes
                    }
                    switch keyword {
                    case "if": nodes.append(try parseIf(condition: rest, at: restOffset, start: start))
                    case "for": nodes.append(try parseFor(rest, at: restOffset, start: start))
                    case "set":
                        guard let equals = rest.firstIndex(of: "="), rest[rest.index(after: equals)...].first != "=" else {
                            throw error("expected {% set name = value %}", at: start)
                        }
                        let name = rest[..<equals].trimmingWhitespace
                        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw error("'\(name)' is not a variable name", at: start) }
                        let expression = String(rest[rest.index(after: equals)...])
                        nodes.append(.assign(name, expression.trimmingWhitespace,
                                             at: restOffset + rest.distance(from: rest.startIndex, to: equals) + 1 + expression.prefix { $0.isWhitespace }.count))
                    case "macro": try parseMacro(rest, start: start)
                    case "raw":
                        // Everything up to {% endraw %} is text, tags and all.
                        guard let end = rawEnd(from: index) else { throw error("{% raw %} is not closed with {% endraw %}", at: start) }
                        var content = String(source[index..<end.contentEnd])
                        if startsLine(end.contentEnd) { content.removeLineIndentation() }
                        if !content.isEmpty { nodes.append(.text(content)) }
                        index = end.after
                        if index < source.count, source[index] == "\n" { index += 1 }
                    default:
                        throw error("unknown tag {% \(keyword) %}", at: start)
                    }
                }
            }
            flush(trimTrailing: false)
            if !terminators.isEmpty { throw error("missing {% \(terminators.sorted().joined(separator: " or ")) %}", at: source.count) }
            return nodes
        }

        private mutating func parseIf(condition: String, at offset: Int, start: Int) throws(TemplateError) -> Node {
            guard !condition.isEmpty else { throw error("{% if %} needs a condition", at: start) }
            var branches: [(condition: String?, at: Int, body: [Node])] = []
            var current: (condition: String?, at: Int) = (condition, offset)
            while true {
                let body = try parseNodes(until: ["elif", "else", "endif"])
                branches.append((current.condition, current.at, body))
                guard let tag = pendingTag else { throw error("{% if %} is not closed with {% endif %}", at: start) }
                pendingTag = nil
                switch tag.keyword {
                case "elif": current = (tag.rest, tag.offset + 2)
                case "else": current = (nil, tag.offset)
                default: return .branches(branches)
                }
            }
        }

        /// `{% macro name(a, b="x") %}…{% endmacro %}`, kept by name.
        private mutating func parseMacro(_ header: String, start: Int) throws(TemplateError) {
            guard let open = header.firstIndex(of: "("), header.hasSuffix(")") else { throw error("expected {% macro name(parameters) %}", at: start) }
            let name = header[..<open].trimmingWhitespace
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw error("'\(name)' is not a macro name", at: start) }
            var parameters: [(name: String, defaultValue: String?)] = []
            for declared in header[header.index(after: open)..<header.index(before: header.endIndex)].split(separator: ",") {
                let pieces = declared.split(separator: "=", maxSplits: 1)
                let parameter = pieces[0].trimmingWhitespace
                guard !parameter.isEmpty, parameter.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw error("'\(parameter)' is not a parameter name", at: start)
                }
                parameters.append((parameter, pieces.count > 1 ? pieces[1].trimmingWhitespace : nil))
            }
            let body = try parseNodes(until: ["endmacro"])
            guard pendingTag != nil else { throw error("{% macro %} is not closed with {% endmacro %}", at: start) }
            pendingTag = nil
            macros[name] = Macro(parameters: parameters, body: body)
        }

        private mutating func parseFor(_ header: String, at offset: Int, start: Int) throws(TemplateError) -> Node {
            let parts = header.components(separatedBy: " in ")
            guard parts.count >= 2 else { throw error("expected {% for item in items %}", at: start) }
            let variables = parts[0].split(separator: ",").map { $0.trimmingWhitespace }
            guard (1...2).contains(variables.count), variables.allSatisfy({ !$0.isEmpty }) else { throw error("expected one or two loop variables", at: start) }
            let iterable = parts.dropFirst().joined(separator: " in ")
            let body = try parseNodes(until: ["else", "endfor"])
            guard let tag = pendingTag else { throw error("{% for %} is not closed with {% endfor %}", at: start) }
            pendingTag = nil
            var otherwise: [Node] = []
            if tag.keyword == "else" {
                otherwise = try parseNodes(until: ["endfor"])
                guard pendingTag != nil else { throw error("{% for %} is not closed with {% endfor %}", at: start) }
                pendingTag = nil
            }
            return .loop(variables: variables, iterable: iterable.trimmingWhitespace, at: offset + parts[0].count + 4, body: body, otherwise: otherwise)
        }
    }
}

private extension String {
    /// Removes the spaces and tabs that end the text after its last newline.
    mutating func removeLineIndentation() {
        while let last, last == " " || last == "\t" { removeLast() }
    }
}
