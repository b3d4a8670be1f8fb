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
        var flags: [Flag] = []
        let text: String
        switch value.kind {
        case .string(let string): text = string
        case .null: throw coercer.error("expected one of \(candidates.map(\.0).joined(separator: ", ")), got null", context)
        default:
            flags.append(.objectToString)
            text = value.description
        }
        let stages: [(String) -> String] = [
            { $0 },
            stripPunctuation,
            { stripPunctuation($0).lowercased() },
            { fold(stripPunctuation($0)) },
        ]
        let trimmed = text.trimmingWhitespace
        for (index, transform) in stages.enumerated() {
            let transformed = candidates.map { ($0.0, $0.1.map(transform)) }
            if let match = strategy(transform(trimmed), transformed, &flags) {
                if index > 0 { flags.append(.strippedNonAlphaNumeric) }
                return (match, flags)
            }
        }
        throw coercer.error("\(Coercer.quoted(text)) matches none of \(candidates.map(\.0).joined(separator: ", ")) (or more than one equally)", context)
    }

    /// A whole match, else the candidate occurring most often (non-overlapping, longest first).
    private static func strategy(_ text: String, _ candidates: [(String, [String])], _ flags: inout [Flag]) -> String? {
        for (name, texts) in candidates where texts.contains(text) { return name }
        var occurrences: [(start: Int, end: Int, name: String)] = []
        let utf8 = text.utf8
        for (name, texts) in candidates {
            for candidate in texts where !candidate.isEmpty {
                for range in text.ranges(of: candidate) {
                    let start = utf8.distance(from: utf8.startIndex, to: range.lowerBound)
                    occurrences.append((start, start + candidate.utf8.count, name))
                }
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

    /// Keeps letters, digits, whitespace, `-` and `_`.
    static func stripPunctuation(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil || $0.properties.isWhitespace || $0 == "-" || $0 == "_" }
            .map(Character.init))
    }

    /// Lower case without accents (`Über` → `uber`).
    static func fold(_ text: String) -> String {
        text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
    }
}
