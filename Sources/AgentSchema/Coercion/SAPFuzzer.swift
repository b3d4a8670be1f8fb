/// Seeded random LLM-like text for fuzzing the schema-aligned parser: fragments of JSON, prose,
/// fences, quotes, comments, deep nesting and random bytes, mixed.
public struct SAPFuzzer {
    private var state: UInt64

    public init(seed: UInt64) { state = seed &* 6364136223846793005 &+ 1442695040888963407 }

    private mutating func random(_ bound: Int) -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state % UInt64(max(1, bound)))
    }

    private static let fragments = [
        "{", "}", "[", "]", ",", ":", "\"", "'", "`", "```", "```json\n", "\n", " ", "//", "/*", "*/", "\\", "\\u00e9", "\\n",
        "a", "b", "c", "X", "why", "Y", "null", "true", "false", "1", "-2.5", "1,234", "$3", "1/2", "1e309", "NaN",
        "\"a\":", "a:", "{\"a\": 1, \"b\": [\"x\"]}", "Here is the JSON:", "é", "中", "🙂", "\u{0}", "\t", "{{", "}}", "#\"", "\"#",
    ]

    /// The next input: up to 200 fragments, sometimes a deep nest, sometimes raw scalars.
    public mutating func next() -> String {
        switch random(20) {
        case 0: return String(repeating: "[", count: random(5000)) + String(repeating: "]", count: random(5000))
        case 1: return String(repeating: "{\"a\": ", count: random(3000))
        case 2:
            var text = ""
            for _ in 0..<random(300) { text.unicodeScalars.append(Unicode.Scalar(UInt8(random(128)))) }
            return text
        default:
            var text = ""
            for _ in 0..<random(200) { text += Self.fragments[random(Self.fragments.count)] }
            return text
        }
    }
}
