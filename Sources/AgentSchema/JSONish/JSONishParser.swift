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
        let bytes = Array(text.utf8)
        let fence = Array("```".utf8)
        var blocks: [(tag: String, value: JSONishValue)] = []
        var cursor = 0
        while let start = StringMatcher.firstOccurrence(of: fence, in: bytes, from: cursor) {
            var index = start + 3
            while index < bytes.count, bytes[index] >= 0x80 || (bytes[index] | 0x20 >= 0x61 && bytes[index] | 0x20 <= 0x7A)
                    || (bytes[index] >= 0x30 && bytes[index] <= 0x39) || bytes[index] == 0x20 {
                index += 1
            }
            let tag = String(decoding: bytes[(start + 3)..<index], as: UTF8.self)
            guard !tag.isEmpty, index == bytes.count || bytes[index] == 0x0A else {
                cursor = start + 3
                continue
            }
            let contentStart = min(bytes.count, index + 1)
            var end: Int?
            var search = contentStart
            while let found = StringMatcher.firstOccurrence(of: fence, in: bytes, from: search) {
                if found + 3 == bytes.count || bytes[found + 3] == 0x0A { end = found; break }
                search = found + 3
            }
            let content = String(decoding: bytes[contentStart..<(end ?? bytes.count)], as: UTF8.self)
            var inner = Options()
            inner.markdown = false
            if let value = parse(content.trimmingWhitespace, complete: end != nil, options: inner) {
                blocks.append((tag.trimmingWhitespace, value))
            }
            guard let end else { break }
            cursor = end + 3
        }
        return blocks
    }

    /// Balanced `{…}` and `[…]` spans of the text (and one left open at the end), each parsed.
    static func findObjects(_ text: String) -> [JSONishValue] {
        var inner = Options()
        inner.markdown = false
        inner.findObjects = false
        var stack: [UInt8] = []
        var start: String.Index?
        var values: [JSONishValue] = []
        let utf8 = text.utf8
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                if stack.isEmpty { start = index }
                stack.append(byte)
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                if let last = stack.last {
                    guard (last == UInt8(ascii: "{")) == (byte == UInt8(ascii: "}")) else { return [] }
                    stack.removeLast()
                    if stack.isEmpty, let begin = start,
                       let value = parse(String(text[begin...index]), complete: true, options: inner) {
                        values.append(value)
                    }
                }
            }
            index = utf8.index(after: index)
        }
        if !stack.isEmpty, let begin = start, let value = parse(String(text[begin...]), complete: false, options: inner) {
            values.append(value)
        }
        return values
    }
}
