/// Reads JSON the way LLMs write it: unquoted keys and values, single, triple and backtick
/// quotes, comments, trailing commas, unescaped quotes and newlines inside strings, and
/// containers cut off by the end of the text (kept, marked incomplete).
struct FixingParser {
    private enum FrameKind { case object, array, quoted, tripleQuoted, singleQuoted, backtick, tripleBacktick, lineComment, blockComment }

    private struct Frame {
        var kind: FrameKind
        var text: [UInt8] = []
        var keys: [String] = []
        var values: [JSONishValue] = []
    }

    /// Containers nested deeper than this are read as text (no model nests this deep; it bounds recursion later).
    static let maximumDepth = 100

    /// The text as UTF-8: every character that matters to JSON is ASCII, so bytes are enough.
    private let scalars: [UInt8]
    private var stack: [Frame] = []
    private var completed: [(isContainer: Bool, isString: Bool, value: JSONishValue)] = []

    private init(_ text: String) { scalars = Array(text.utf8) }

    /// Every top-level value found: the one value, or the objects and arrays among several.
    static func parse(_ text: String) -> [JSONishValue] {
        var parser = FixingParser(text)
        var index = 0
        while index < parser.scalars.count {
            index += 1 + parser.process(at: index)
        }
        while !parser.stack.isEmpty { parser.complete(.incomplete) }
        switch parser.completed.count {
        case 0: return []
        case 1: return [parser.completed[0].value]
        default:
            if parser.completed.allSatisfy(\.isString) { return [JSONishValue(.string(text.trimmingWhitespace))] }
            return parser.completed.filter(\.isContainer).map(\.value)
        }
    }

    private func scalar(_ index: Int) -> UInt8? { index < scalars.count ? scalars[index] : nil }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Handles the scalar at `index`; returns how many following scalars it consumed too.
    private mutating func process(at index: Int) -> Int {
        let character = scalars[index]
        guard let top = stack.last else { return startValue(at: index) }
        switch top.kind {
        case .object:
            if character == UInt8(ascii: "}") { complete(.complete); return 0 }
            if character == UInt8(ascii: ",") || character == UInt8(ascii: ":") { return 0 }
            return startValue(at: index)
        case .array:
            if character == UInt8(ascii: "]") { complete(.complete); return 0 }
            if character == UInt8(ascii: ",") { return 0 }
            return startValue(at: index)
        case .tripleQuoted:
            if character == UInt8(ascii: "\""), scalar(index + 1) == UInt8(ascii: "\""), scalar(index + 2) == UInt8(ascii: "\"") { complete(.complete); return 2 }
            append(character)
            return 0
        case .tripleBacktick:
            if character == UInt8(ascii: "`"), scalar(index + 1) == UInt8(ascii: "`"), scalar(index + 2) == UInt8(ascii: "`") { complete(.complete); return 2 }
            append(character)
            return 0
        case .quoted, .singleQuoted, .backtick:
            let quote: UInt8 = top.kind == .quoted ? UInt8(ascii: "\"") : top.kind == .singleQuoted ? UInt8(ascii: "'") : UInt8(ascii: "`")
            if character == quote {
                if shouldCloseString(after: index) { complete(.complete) } else { append(character) }
                return 0
            }
            if character == UInt8(ascii: "\\"), top.kind != .backtick, let next = scalar(index + 1) {
                switch next {
                case UInt8(ascii: "n"): append(0x0A)
                case UInt8(ascii: "t"): append(0x09)
                case UInt8(ascii: "r"): append(0x0D)
                case UInt8(ascii: "b"): append(0x08)
                case UInt8(ascii: "f"): append(0x0C)
                case UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "\""), UInt8(ascii: "'"): append(next)
                case UInt8(ascii: "u"):
                    if index + 5 < scalars.count, let code = UInt32(String(decoding: scalars[(index + 2)...(index + 5)], as: UTF8.self), radix: 16),
                       let decoded = Unicode.Scalar(code) {
                        stack[stack.count - 1].text.append(contentsOf: Array(String(Character(decoded)).utf8))
                        return 5
                    }
                    append(character)
                    return 0
                default:
                    append(character)
                    return 0
                }
                return 1
            }
            append(character)
            return 0
        case .lineComment:
            if character == 0x0A { complete(.complete) }
            return 0
        case .blockComment:
            if character == UInt8(ascii: "*"), scalar(index + 1) == UInt8(ascii: "/") { complete(.complete); return 1 }
            return 0
        }
    }

    private mutating func append(_ character: UInt8) {
        stack[stack.count - 1].text.append(character)
    }

    private mutating func startValue(at index: Int) -> Int {
        let character = scalars[index]
        switch character {
        case UInt8(ascii: "{") where stack.count < Self.maximumDepth: stack.append(Frame(kind: .object))
        case UInt8(ascii: "[") where stack.count < Self.maximumDepth: stack.append(Frame(kind: .array))
        case UInt8(ascii: "\""):
            if scalar(index + 1) == UInt8(ascii: "\""), scalar(index + 2) == UInt8(ascii: "\"") { stack.append(Frame(kind: .tripleQuoted)); return 2 }
            stack.append(Frame(kind: .quoted))
        case UInt8(ascii: "'"): stack.append(Frame(kind: .singleQuoted))
        case UInt8(ascii: "`"):
            if scalar(index + 1) == UInt8(ascii: "`"), scalar(index + 2) == UInt8(ascii: "`") { stack.append(Frame(kind: .tripleBacktick)); return 2 }
            stack.append(Frame(kind: .backtick))
        case UInt8(ascii: "/") where scalar(index + 1) == UInt8(ascii: "/"):
            stack.append(Frame(kind: .lineComment))
            return 1
        case UInt8(ascii: "/") where scalar(index + 1) == UInt8(ascii: "*"):
            stack.append(Frame(kind: .blockComment))
            return 1
        case UInt8(ascii: "/") where stack.last?.kind != .object:
            return 0
        default:
            if Self.isSpace(character) { return 0 }
            return unquoted(from: index)
        }
        return 0
    }

    /// Where the parent container expects what comes next.
    private enum Position { case topLevel, objectKey, objectValue, array }

    private func position(ofParentAt depth: Int) -> Position {
        guard depth >= 0, depth < stack.count else { return .topLevel }
        let frame = stack[depth]
        switch frame.kind {
        case .object: return frame.keys.count == frame.values.count ? .objectKey : .objectValue
        case .array: return .array
        default: return .topLevel
        }
    }

    /// Whether a quote at `index` closes the string being read, judged by what follows it.
    private func shouldCloseString(after index: Int) -> Bool {
        var next = index + 1
        var sawNewline = false
        while let character = scalar(next), Self.isSpace(character) {
            if character == 0x0A { sawNewline = true }
            next += 1
        }
        guard let following = scalar(next) else { return true }
        switch position(ofParentAt: stack.count - 2) {
        case .topLevel: return true
        case .objectKey: return following == UInt8(ascii: ":") || following == UInt8(ascii: "}")
        case .objectValue:
            if following == UInt8(ascii: ",") || following == UInt8(ascii: "}") { return true }
            if following == UInt8(ascii: "/"), let after = scalar(next + 1), after == UInt8(ascii: "/") || after == UInt8(ascii: "*") { return true }
            return sawNewline && following == UInt8(ascii: "\"")
        case .array:
            if following == UInt8(ascii: ",") || following == UInt8(ascii: "]") { return true }
            return sawNewline && following == UInt8(ascii: "\"")
        }
    }

    /// Reads an unquoted value from `index` up to where its context says it ends, and completes it.
    private mutating func unquoted(from index: Int) -> Int {
        var end = index + 1
        var terminated = false
        let context = position(ofParentAt: stack.count - 1)
        var depth = 0
        scan: while end < scalars.count {
            let character = scalars[end]
            switch context {
            case .topLevel:
                if character == UInt8(ascii: "{") || character == UInt8(ascii: "[") { terminated = true; break scan }
            case .objectKey:
                if character == UInt8(ascii: ":") { terminated = true; break scan }
            case .array:
                if character == UInt8(ascii: ",") || character == UInt8(ascii: "]") { terminated = true; break scan }
            case .objectValue:
                if character == UInt8(ascii: "(") { depth += 1 } else if character == UInt8(ascii: ")") { depth -= 1 }
                if character == UInt8(ascii: "}") { terminated = true; break scan }
                if character == UInt8(ascii: ",") {
                    let sofar = String(decoding: scalars[index..<end], as: UTF8.self).trimmingWhitespace
                    if JSONishNumber.parse(sofar) != nil || ["true", "false", "null"].contains(sofar.lowercased()) || scalar(end + 1) == 0x0A
                        || scalar(end + 1) == 0x0D || (depth <= 0 && keyFollows(from: end + 1)) {
                        terminated = true
                        break scan
                    }
                }
                if character == 0x0A, depth <= 0, keyFollows(from: end + 1) { terminated = true; break scan }
            }
            end += 1
        }
        let text = String(decoding: scalars[index..<end], as: UTF8.self)
        push(Self.unquotedValue(text, terminated ? .complete : .incomplete), isString: true, isContainer: false)
        return end - index - 1
    }

    /// Whether `key:` (optionally quoted) starts at `index` after spaces.
    private func keyFollows(from index: Int) -> Bool {
        var next = index
        while let character = scalar(next), Self.isSpace(character) { next += 1 }
        var quote: UInt8?
        if let character = scalar(next), character == UInt8(ascii: "\"") || character == UInt8(ascii: "'") { quote = character; next += 1 }
        let start = next
        // Letters, digits, `_`, `-`, and any non-ASCII byte (part of a letter in another script).
        while let character = scalar(next), character >= 0x80 || (character | 0x20 >= 0x61 && character | 0x20 <= 0x7A)
                || (character >= 0x30 && character <= 0x39) || character == UInt8(ascii: "_") || character == UInt8(ascii: "-") {
            next += 1
        }
        guard next > start else { return false }
        if let quote { guard scalar(next) == quote else { return false }; next += 1 }
        while let character = scalar(next), character == UInt8(ascii: " ") || character == 0x09 { next += 1 }
        return scalar(next) == UInt8(ascii: ":")
    }

    /// An unquoted token as a value: `true`, `false`, `null`, a number, else trimmed text.
    static func unquotedValue(_ raw: String, _ completion: Completion) -> JSONishValue {
        let text = raw.trimmingWhitespace
        switch text {
        case "true": return JSONishValue(.bool(true), completion)
        case "false": return JSONishValue(.bool(false), completion)
        case "null": return JSONishValue(.null, completion)
        default:
            if let number = JSONishNumber.parse(text) { return JSONishValue(.number(number), completion) }
            return JSONishValue(.string(text), completion)
        }
    }

    private mutating func complete(_ completion: Completion) {
        guard let frame = stack.popLast() else { return }
        let value: JSONishValue
        switch frame.kind {
        case .object:
            value = JSONishValue(.object(zip(frame.keys, frame.values).map { (key: $0, value: $1) }), completion)
        case .array: value = JSONishValue(.array(frame.values), completion)
        case .quoted, .singleQuoted, .backtick: value = JSONishValue(.string(String(decoding: frame.text, as: UTF8.self)), completion)
        case .tripleQuoted: value = JSONishValue(.string(Self.dedent(String(decoding: frame.text, as: UTF8.self)).trimmingWhitespace), completion)
        case .tripleBacktick:
            let text = String(decoding: frame.text, as: UTF8.self)
            if let newline = text.firstIndex(of: "\n") {
                value = JSONishValue(.string(Self.dedent(String(text[text.index(after: newline)...])).trimmingWhitespace), completion)
            } else {
                value = JSONishValue(.string(text.trimmingWhitespace), completion)
            }
        case .lineComment, .blockComment: return
        }
        push(value, isString: frame.kind != .object && frame.kind != .array, isContainer: frame.kind == .object || frame.kind == .array)
    }

    private mutating func push(_ value: JSONishValue, isString: Bool, isContainer: Bool) {
        guard !stack.isEmpty else {
            completed.append((isContainer, isString, value))
            return
        }
        let top = stack.count - 1
        switch stack[top].kind {
        case .object:
            if stack[top].keys.count == stack[top].values.count {
                if case .string(let text) = value.kind { stack[top].keys.append(text) } else { stack[top].keys.append(value.description) }
            } else {
                stack[top].values.append(value)
            }
        case .array: stack[top].values.append(value)
        default: break
        }
    }

    /// Removes the indentation every non-blank line shares; blank lines become empty (as
    /// `textwrap::dedent` does).
    static func dedent(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let isBlank: (Substring) -> Bool = { $0.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" } }
        let common = lines.filter { !isBlank($0) }.map { $0.prefix { $0 == " " || $0 == "\t" }.count }.min() ?? 0
        return lines.map { isBlank($0) ? "" : String($0.dropFirst(common)) }.joined(separator: "\n")
    }
}
