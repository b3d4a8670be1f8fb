import Foundation

/// Matches text to enum values and string literals as BAML's `match_string` does: exactly, then
/// with punctuation stripped, then ignoring case, then ignoring accents; at each step first a whole
/// match, then the value that occurs most often in the text (a tie is ambiguous and fails).
enum StringMatcher {
    /// The candidate the value names.
    /// - Parameters:
    ///   - value: the text (anything else is printed first).
    ///   - candidates: (name, the texts that mean it).
    static func match(_ value: JSONishValue, candidates: [(String, [String])], _ context: Coercer.Context,
                      _ coercer: Coercer) throws(ParseError) -> (String, [Flag]) {
        try match(value, names: candidates.map(\.0), context, coercer) { stage in candidates.map { ($0.0, $0.1.map(stages[stage])) } }
    }

    /// The text transforms of the matching stages, in order.
    static let stages: [@Sendable (String) -> String] = [
        { $0 },
        stripPunctuation,
        { stripPunctuation($0).lowercased() },
        { fold(stripPunctuation($0)) },
    ]

    /// The same with the candidates already transformed for each stage (see `SchemaIndex`).
    static func match(_ value: JSONishValue, staged: [[(String, [String])]], _ context: Coercer.Context,
                      _ coercer: Coercer) throws(ParseError) -> (String, [Flag]) {
        try match(value, names: staged.first?.map(\.0) ?? [], context, coercer) { staged[$0] }
    }

    /// Matching, with the candidates of each stage computed only when that stage is reached.
    private static func match(_ value: JSONishValue, names: [String], _ context: Coercer.Context, _ coercer: Coercer,
                              candidatesAt stage: (Int) -> [(String, [String])]) throws(ParseError) -> (String, [Flag]) {
        var flags: [Flag] = []
        let text: String
        switch value.kind {
        case .string(let string): text = string
        case .null: throw coercer.error("expected one of \(names.joined(separator: ", ")), got null", context)
        default:
            flags.append(.objectToString)
            text = value.description
        }
        let trimmed = text.trimmingWhitespace
        for (index, transform) in stages.enumerated() {
            if let match = strategy(transform(trimmed), stage(index), &flags) {
                if index > 0 { flags.append(.strippedNonAlphaNumeric) }
                return (match, flags)
            }
        }
        throw coercer.error("\(Coercer.quoted(text)) matches none of \(names.joined(separator: ", ")) (or more than one equally)", context)
    }

    /// A whole match, else the candidate occurring most often (non-overlapping, longest first).
    private static func strategy(_ text: String, _ candidates: [(String, [String])], _ flags: inout [Flag]) -> String? {
        for (name, texts) in candidates where texts.contains(text) { return name }
        var occurrences: [(start: Int, end: Int, name: String)] = []
        let haystack = Array(text.utf8)
        for (name, texts) in candidates {
            for candidate in texts where !candidate.isEmpty {
                let needle = Array(candidate.utf8)
                for start in Self.occurrences(of: needle, in: haystack) { occurrences.append((start, start + needle.count, name)) }
            }
        }
        guard !occurrences.isEmpty else { return nil }
        occurrences.sort { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
        var counts: [String: Int] = [:]
        var lastEnd = 0
        for occurrence in occurrences where occurrence.start >= lastEnd {
            counts[occurrence.name, default: 0] += 1
            lastEnd = occurrence.end
        }
        guard let top = counts.values.max() else { return nil }
        let leaders = counts.filter { $0.value == top }
        guard leaders.count == 1, let winner = leaders.first else { return nil }
        flags.append(.substringMatch)
        flags.append(.stringMatchOneFromMany(counts.values.reduce(0, +)))
        return winner.key
    }

    /// Start offsets of the non-overlapping occurrences of `needle` (UTF-8), left to right.
    static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> [Int] {
        var found: [Int] = []
        var from = 0
        while let index = firstOccurrence(of: needle, in: haystack, from: from) {
            found.append(index)
            from = index + needle.count
        }
        return found
    }

    /// The first offset at or after `from` where `needle` occurs in `haystack`.
    static func firstOccurrence(of needle: [UInt8], in haystack: [UInt8], from: Int = 0) -> Int? {
        guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
        let first = needle[0]
        var index = max(0, from)
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var offset = 1
                while offset < needle.count && haystack[index + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return index }
            }
            index += 1
        }
        return nil
    }

    /// Keeps letters, digits, `-` and `_`, as BAML's `strip_punctuation` does: spaces go too, so
    /// `bug report` meets `BugReport` (but `bug_report` does not).
    static func stripPunctuation(_ text: String) -> String {
        let keep: (UInt8) -> Bool = { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }
        if text.utf8.allSatisfy(keep) { return text }
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return String(decoding: text.utf8.filter(keep), as: UTF8.self) }
        return String(text.unicodeScalars.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "-" || $0 == "_" }
            .map(Character.init))
    }

    /// Lower case without accents (`Über` → `uber`).
    static func fold(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.lowercased() }
        return text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
    }
}
