import Foundation

/// The parse cascade BAML applies to an LLM's text: strict JSON, JSON in markdown code fences,
/// JSON objects grepped out of prose, the fixing parser, and the raw text itself. Every reading
/// is kept (`anyOf`) for the coercer to choose from.
enum JSONishParser {
    struct Options {
        var markdown = true
        var findObjects = true
        var fixes = true
        var asString = true
    }

    /// Reads `text`; `complete` is false while a response is still streaming.
    static func parse(_ text: String, complete: Bool = true, options: Options = Options()) -> JSONishValue? {
        if let strict = StrictJSON.parse(text) { return JSONishValue(.anyOf([strict], raw: text)) }
        if options.markdown, let blocks = markdownBlocks(text), !blocks.isEmpty {
            let values = blocks.map { JSONishValue(.markdown(tag: $0.tag, $0.value), $0.value.completion) }
            if values.count == 1 { return JSONishValue(.anyOf(values, raw: text)) }
            return JSONishValue(.anyOf(values + [JSONishValue(.array(values))], raw: text))
        }
        if options.findObjects {
            let objects = findObjects(text)
            if !objects.isEmpty {
                let fixed = objects.map { JSONishValue(.fixed($0), $0.completion) }
                if fixed.count == 1 { return JSONishValue(.anyOf(fixed, raw: text)) }
                return JSONishValue(.anyOf(fixed + [JSONishValue(.fixed(JSONishValue(.array(objects))))], raw: text))
            }
        }
        if options.fixes {
            let values = FixingParser.parse(text)
            if !values.isEmpty {
                let fixed = values.map { JSONishValue(.fixed($0), $0.completion) }
                if fixed.count == 1 { return JSONishValue(.anyOf(fixed, raw: text)) }
                return JSONishValue(.anyOf(fixed + [JSONishValue(.array(values))], raw: text))
            }
        }
        if options.asString { return JSONishValue(.string(text), complete ? .complete : .incomplete) }
        return nil
    }

    /// Fenced blocks ```` ```tag ```` … ```` ``` ````, each parsed; a block left open runs to the end.
    static func markdownBlocks(_ text: String) -> [(tag: String, value: JSONishValue)]? {
        var blocks: [(tag: String, value: JSONishValue)] = []
        var rest = Substring(text)
        while let start = rest.range(of: "```") {
            var cursor = start.upperBound
            var tag = ""
            while cursor < rest.endIndex, let scalar = rest[cursor].unicodeScalars.first,
                  scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == " " {
                tag.append(rest[cursor])
                cursor = rest.index(after: cursor)
            }
            guard !tag.isEmpty, cursor == rest.endIndex || rest[cursor] == "\n" else {
                rest = rest[start.upperBound...]
                continue
            }
            let contentStart = cursor == rest.endIndex ? cursor : rest.index(after: cursor)
            var content: Substring
            var closed = false
            var search = contentStart
            var found: Range<Substring.Index>?
            while let end = rest[search...].range(of: "```") {
                if end.upperBound == rest.endIndex || rest[end.upperBound] == "\n" { found = end; break }
                search = end.upperBound
            }
            if let end = found {
                content = rest[contentStart..<end.lowerBound]
                rest = rest[end.upperBound...]
                closed = true
            } else {
                content = rest[contentStart...]
                rest = rest[rest.endIndex...]
            }
            var inner = Options()
            inner.markdown = false
            if let value = parse(String(content).trimmingWhitespace, complete: closed, options: inner) {
                blocks.append((tag.trimmingWhitespace, value))
            }
            if !closed { break }
        }
        return blocks
    }

    /// Balanced `{…}` and `[…]` spans of the text (and one left open at the end), each parsed.
    static func findObjects(_ text: String) -> [JSONishValue] {
        var inner = Options()
        inner.markdown = false
        inner.findObjects = false
        var stack: [Character] = []
        var start: String.Index?
        var values: [JSONishValue] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "{" || character == "[" {
                if stack.isEmpty { start = index }
                stack.append(character)
            } else if character == "}" || character == "]" {
                if let last = stack.last {
                    guard (last == "{") == (character == "}") else { return [] }
                    stack.removeLast()
                    if stack.isEmpty, let begin = start,
                       let value = parse(String(text[begin...index]), complete: true, options: inner) {
                        values.append(value)
                    }
                }
            }
            index = text.index(after: index)
        }
        if !stack.isEmpty, let begin = start, let value = parse(String(text[begin...]), complete: false, options: inner) {
            values.append(value)
        }
        return values
    }
}
