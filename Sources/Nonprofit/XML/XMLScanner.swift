/// A strict, streaming reader of the XML the IRS publishes: elements, attributes, text, comments,
/// CDATA and processing instructions, the five predefined entities and character references.
///
/// Written here rather than taken from FoundationXML because an importer must refuse what is not a
/// complete return, and say where: FoundationXML's parser on Linux reports a file cut off mid-way
/// as parsed, stops silently at an entity it cannot resolve, and gives no column. This reader
/// refuses document type declarations (so no entity, internal or external, is ever expanded),
/// unknown entity references, mismatched or unclosed tags and content after the root, each
/// with its line and column; nesting is bounded.
struct XMLScanner {
    /// What the reader reports, in document order.
    /// The bytes handed over point into the document or the scanner's buffers: they are valid only
    /// during the call (a handler copies what it keeps).
    protocol Handler {
        /// An element starts (`name` and attribute names without their namespace prefix, as UTF-8;
        /// values with references replaced). Returns whether to report what is inside it: `false` passes
        /// over the element, its content and its end (still checked for well-formedness, no string made for it).
        mutating func start(_ name: Bytes, attributes: [(name: Bytes, value: String)]) -> Bool
        /// Character data of the innermost open element, as UTF-8 (entities already replaced; may
        /// arrive in pieces, the whitespace between elements among them).
        mutating func text(_ bytes: Bytes)
        /// The innermost open element reported ends.
        mutating func end()
    }

    /// Why a document was refused, and where.
    struct SyntaxError: Error, Sendable, Equatable {
        var line: Int
        var column: Int
        var reason: String
    }

    /// The deepest nesting accepted (real returns nest about 10 levels).
    static let maximumDepth = 256

    /// A run of the document's bytes.
    typealias Bytes = UnsafeBufferPointer<UInt8>

    private let bytes: Bytes
    private var position = 0
    /// How many open elements are passed over (the one the handler declined and those inside it).
    private var passedOver = 0

    private init(_ bytes: Bytes) { self.bytes = bytes }

    /// Reads a whole document, handing its events to `handler`.
    /// - Throws: `SyntaxError` at the first thing that is not well-formed.
    static func scan(_ bytes: Bytes, into handler: inout some Handler) throws(SyntaxError) {
        var scanner = XMLScanner(bytes)
        try scanner.document(&handler)
    }

    // MARK: The document

    private mutating func document(_ handler: inout some Handler) throws(SyntaxError) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }  // a UTF-8 byte-order mark
        var open: [(name: Range<Int>, offset: Int)] = []
        var sawRoot = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte != UInt8(ascii: "<") {
                let start = position
                guard !open.isEmpty else {
                    skipWhitespace()
                    if position < bytes.count, bytes[position] != UInt8(ascii: "<") {
                        throw error(at: position, sawRoot ? "content after the end of the root element" : "text before the root element")
                    }
                    continue
                }
                try text(from: start, into: &handler)
                continue
            }
            let markup = position
            guard position + 1 < bytes.count else { throw error(at: markup, "the file ends inside a tag") }
            switch bytes[position + 1] {
            case UInt8(ascii: "?"):
                try skip(past: Array("?>".utf8), what: "processing instruction", from: markup)
            case UInt8(ascii: "!"):
                if matches("<!--") {
                    try skip(past: Array("-->".utf8), what: "comment", from: markup)
                } else if matches("<![CDATA[") {
                    guard !open.isEmpty else { throw error(at: markup, "CDATA outside the root element") }
                    position += 9
                    let start = position
                    try skip(past: Array("]]>".utf8), what: "CDATA section", from: markup)
                    if passedOver == 0 { handler.text(slice(start..<(position - 3))) }
                } else if matches("<!DOCTYPE") {
                    throw error(at: markup, "a document type declaration (DOCTYPE) is not allowed: e-file returns have none, and entities are never expanded")
                } else {
                    throw error(at: markup, "unexpected '<!'")
                }
            case UInt8(ascii: "/"):
                position += 2
                let name = try self.name()
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ">") else {
                    throw error(at: position, position < bytes.count ? "expected '>' to end </\(text(name))>" : "the file ends inside a closing tag")
                }
                position += 1
                guard let innermost = open.last else { throw error(at: markup, "closing tag </\(text(name))> with no element open") }
                guard bytes[innermost.name].elementsEqual(bytes[name]) else {
                    let (line, column) = lineAndColumn(of: innermost.offset)
                    throw error(at: markup, "closing tag </\(text(name))> does not match <\(text(innermost.name))> opened at line \(line), column \(column)")
                }
                open.removeLast()
                if passedOver > 0 { passedOver -= 1 } else { handler.end() }
            default:
                guard !(sawRoot && open.isEmpty) else { throw error(at: markup, "a second root element") }
                position += 1
                let name = try self.name()
                let (attributes, selfClosing) = try self.attributes(of: name, decoding: passedOver == 0)
                guard open.count < Self.maximumDepth else { throw error(at: markup, "elements nest deeper than \(Self.maximumDepth) levels") }
                sawRoot = true
                if selfClosing {
                    if passedOver == 0, handler.start(localName(name), attributes: attributes) { handler.end() }
                } else {
                    open.append((name, markup))
                    if passedOver > 0 || !handler.start(localName(name), attributes: attributes) { passedOver += 1 }
                }
            }
        }
        if let innermost = open.last {
            let (line, column) = lineAndColumn(of: innermost.offset)
            throw error(at: bytes.count, "the file ends before <\(text(innermost.name))> (opened at line \(line), column \(column)) is closed: it is truncated or incomplete")
        }
        guard sawRoot else { throw error(at: bytes.count, "no root element: the file is empty or not XML") }
    }

    // MARK: Pieces

    /// Character data up to the next `<`, handed over in pieces: the runs between references as
    /// they are in the document (no copy), each reference replaced.
    private mutating func text(from start: Int, into handler: inout some Handler) throws(SyntaxError) {
        var pieceStart = start
        while true {
            let next = nextMarkupOrReference(from: position)
            position = next
            guard position < bytes.count, bytes[position] == UInt8(ascii: "&") else { break }
            let referenceStart = position
            let replacement = try reference()
            if passedOver == 0 {
                if referenceStart > pieceStart { handler.text(slice(pieceStart..<referenceStart)) }
                replacement.withUnsafeBufferPointer { handler.text($0) }
            }
            pieceStart = position
        }
        if passedOver == 0, position > pieceStart { handler.text(slice(pieceStart..<position)) }
    }

    /// The offset of the next `<` or `&` from `start` (the end of the document if none).
    private func nextMarkupOrReference(from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "<") || byte == UInt8(ascii: "&") { return index }
            index += 1
        }
        return bytes.count
    }

    /// A tag or attribute name: letters, digits, `_ - . :` and any non-ASCII byte; its range in the document.
    private mutating func name() throws(SyntaxError) -> Range<Int> {
        let start = position
        var end = position
        while end < bytes.count, Self.isNameByte(bytes[end]) { end += 1 }
        position = end
        guard position > start else {
            throw error(at: start, start < bytes.count ? "expected a name" : "the file ends where a name was expected")
        }
        return start..<position
    }

    /// The attributes of a start tag up to its `>` or `/>` (none when not `decoding`: checked only), and whether the element closes itself.
    private mutating func attributes(of element: Range<Int>, decoding: Bool) throws(SyntaxError) -> (attributes: [(name: Bytes, value: String)], selfClosing: Bool) {
        var attributes: [(name: Bytes, value: String)] = []
        while true {
            skipWhitespace()
            guard position < bytes.count else { throw error(at: position, "the file ends inside the tag <\(text(element))>") }
            switch bytes[position] {
            case UInt8(ascii: ">"):
                position += 1
                return (attributes, false)
            case UInt8(ascii: "/"):
                guard position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: ">") else { throw error(at: position, "expected '/>'") }
                position += 2
                return (attributes, true)
            default:
                let attribute = try name()
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "=") else {
                    throw error(at: position, "expected '=' after the attribute \(text(attribute))")
                }
                position += 1
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'") else {
                    throw error(at: position, "expected a quoted value for the attribute \(text(attribute))")
                }
                let quote = bytes[position]
                position += 1
                let value = try characterData(upTo: quote, from: position, decoding: decoding)
                guard position < bytes.count else { throw error(at: position, "the file ends inside the value of \(text(attribute))") }
                position += 1
                if decoding { attributes.append((localName(attribute), value)) }
            }
        }
    }

    /// An attribute's value up to (not including) `terminator`, with entity and character references
    /// replaced (empty when not `decoding`: the value is checked only).
    private mutating func characterData(upTo terminator: UInt8, from start: Int, decoding: Bool) throws(SyntaxError) -> String {
        var pieceStart = start
        var decoded: [UInt8] = []
        while position < bytes.count, bytes[position] != terminator {
            let byte = bytes[position]
            if byte == UInt8(ascii: "<") { throw error(at: position, "'<' inside an attribute value") }
            if byte == UInt8(ascii: "&") {
                let referenceStart = position
                let replacement = try reference()
                if decoding {
                    decoded += bytes[pieceStart..<referenceStart]
                    decoded += replacement
                }
                pieceStart = position
            } else {
                position += 1
            }
        }
        guard decoding else { return "" }
        if decoded.isEmpty { return String(decoding: bytes[pieceStart..<position], as: UTF8.self) }
        decoded += bytes[pieceStart..<position]
        return String(decoding: decoded, as: UTF8.self)
    }

    /// `&name;` or `&#N;` / `&#xH;` at `position`, as UTF-8.
    private mutating func reference() throws(SyntaxError) -> [UInt8] {
        let start = position
        position += 1
        let bodyStart = position
        while position < bytes.count, bytes[position] != UInt8(ascii: ";"), position - bodyStart < 12 { position += 1 }
        guard position < bytes.count, bytes[position] == UInt8(ascii: ";") else {
            throw error(at: start, "'&' that does not start an entity reference (write &amp;)")
        }
        let body = bytes[bodyStart..<position]
        position += 1
        switch String(decoding: body, as: UTF8.self) {
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "amp": return [UInt8(ascii: "&")]
        case "apos": return [UInt8(ascii: "'")]
        case "quot": return [UInt8(ascii: "\"")]
        case let reference where reference.hasPrefix("#"):
            let digits = reference.dropFirst()
            let value = digits.hasPrefix("x") || digits.hasPrefix("X") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            guard let value, value != 0, let scalar = Unicode.Scalar(value) else {
                throw error(at: start, "'&\(reference);' is not a valid character reference")
            }
            return Array(String(Character(scalar)).utf8)
        case let name:
            throw error(at: start, "unknown entity '&\(name);' (only &lt; &gt; &amp; &apos; &quot; and character references are allowed)")
        }
    }

    private mutating func skip(past terminator: [UInt8], what: String, from start: Int) throws(SyntaxError) {
        position += 2
        while position + terminator.count <= bytes.count {
            if bytes[position] == terminator[0], bytes[position..<(position + terminator.count)].elementsEqual(terminator) {
                position += terminator.count
                return
            }
            position += 1
        }
        throw error(at: start, "the file ends inside a \(what)")
    }

    @inline(__always)
    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), 0x80...,
             UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ":"): true
        default: false
        }
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, XMLScanner.isWhitespace(bytes[position]) { position += 1 }
    }

    /// XML's whitespace: space, tab, line feed, carriage return.
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }

    private func matches(_ literal: String) -> Bool {
        let literal = Array(literal.utf8)
        return position + literal.count <= bytes.count && bytes[position..<(position + literal.count)].elementsEqual(literal)
    }

    /// A name without its namespace prefix.
    private func localName(_ name: Range<Int>) -> Bytes {
        var start = name.upperBound
        while start > name.lowerBound, bytes[start - 1] != UInt8(ascii: ":") { start -= 1 }
        return slice(start..<name.upperBound)
    }

    private func slice(_ range: Range<Int>) -> Bytes { Bytes(rebasing: bytes[range]) }

    private func text(_ name: Range<Int>) -> String { String(decoding: bytes[name], as: UTF8.self) }

    // MARK: Where

    /// The 1-based line and column (in characters) of a byte offset.
    private func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        let column = String(decoding: bytes[lineStart..<min(offset, bytes.count)], as: UTF8.self).count + 1
        return (line, column)
    }

    private func error(at offset: Int, _ reason: String) -> SyntaxError {
        let (line, column) = lineAndColumn(of: offset)
        let truncated = reason.hasPrefix("the file ends") && !reason.contains("truncated")
        return SyntaxError(line: line, column: column, reason: truncated ? reason + ": it is truncated or incomplete" : reason)
    }
}
