/// Reads BAML source character by character, tracking line and column, skipping comments.
struct BAMLScanner {
    let file: String
    private let characters: [Character]
    private(set) var index = 0
    private var line = 1
    private var column = 1

    init(source: String, file: String) {
        self.file = file
        characters = Array(source)
    }

    var position: SourcePosition { SourcePosition(file: file, line: line, column: column) }
    var isAtEnd: Bool { index >= characters.count }
    var current: Character? { index < characters.count ? characters[index] : nil }

    func peek(_ offset: Int = 0) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    func error(_ message: String, hint: String? = nil) -> BAMLError { BAMLError(message, at: position, hint: hint) }

    @discardableResult
    mutating func advance() -> Character? {
        guard let character = current else { return nil }
        index += 1
        if character == "\n" { line += 1; column = 1 } else { column += 1 }
        return character
    }

    /// Whether the text at the cursor starts with `text`.
    func looking(at text: String) -> Bool {
        var offset = 0
        for character in text {
            guard peek(offset) == character else { return false }
            offset += 1
        }
        return true
    }

    mutating func skip(_ text: String) {
        for _ in text { advance() }
    }

    /// Skips spaces, tabs and comments (`//`, `///`, `{// … //}`); newlines too when `newlines`.
    mutating func skipTrivia(newlines: Bool = true) {
        while let character = current {
            if character == " " || character == "\t" || character == "\r" || (newlines && character == "\n") {
                advance()
            } else if looking(at: "{//") {
                skip("{//")
                while !isAtEnd && !looking(at: "//}") { advance() }
                skip("//}")
            } else if looking(at: "//") {
                while let next = current, next != "\n" { _ = next; advance() }
            } else {
                return
            }
        }
    }

    /// An identifier: letters, digits, `_`, and `.`/`-` inside (`stream.done`, `gpt-4o`).
    mutating func identifier() -> String? {
        guard let first = current, first.isLetter || first == "_" else { return nil }
        var text = ""
        while let character = current, character.isLetter || character.isNumber || character == "_" || character == "." || character == "-" {
            text.append(character)
            advance()
        }
        while text.hasSuffix(".") || text.hasSuffix("-") { text.removeLast() }
        return text
    }

    mutating func expect(_ text: String, _ what: String) throws(BAMLError) {
        skipTrivia()
        guard looking(at: text) else {
            throw error("expected \(what), found \(current.map { "'\($0)'" } ?? "the end of the file")")
        }
        skip(text)
    }

    /// A quoted string `"…"` (with escapes) or a raw string `#"…"#` (any number of `#`).
    mutating func stringLiteral() throws(BAMLError) -> String? {
        if current == "\"" {
            let start = position
            advance()
            var text = ""
            while let character = current, character != "\"" {
                if character == "\n" { throw BAMLError("unterminated string", at: start, hint: "close it with \" on the same line, or use a raw string #\"…\"#") }
                if character == "\\", let next = peek(1) {
                    advance(); advance()
                    switch next {
                    case "n": text.append("\n")
                    case "t": text.append("\t")
                    case "\"": text.append("\"")
                    case "\\": text.append("\\")
                    default: text.append("\\"); text.append(next)
                    }
                    continue
                }
                text.append(character)
                advance()
            }
            guard current == "\"" else { throw BAMLError("unterminated string", at: start) }
            advance()
            return text
        }
        if current == "#" {
            var hashes = 0
            while peek(hashes) == "#" { hashes += 1 }
            guard peek(hashes) == "\"" else { return nil }
            let start = position
            for _ in 0...hashes { advance() }
            let closing = "\"" + String(repeating: "#", count: hashes)
            var text = ""
            while !isAtEnd && !looking(at: closing) {
                text.append(current!)
                advance()
            }
            guard looking(at: closing) else { throw BAMLError("unterminated raw string", at: start, hint: "close it with \(closing)") }
            skip(closing)
            // Raw strings are dedented and trimmed, as BAML does, so prompts can be indented in the file.
            return FixingParser.dedent(text).trimmingWhitespace
        }
        return nil
    }

    /// The text up to (not including) `terminator`, balancing parentheses and braces.
    mutating func balanced(until terminators: Set<Character>) -> String {
        var depth = 0
        var text = ""
        while let character = current {
            if depth == 0 && terminators.contains(character) { break }
            if character == "(" || character == "{" || character == "[" { depth += 1 }
            if character == ")" || character == "}" || character == "]" { depth -= 1 }
            text.append(character)
            advance()
        }
        return text
    }
}
