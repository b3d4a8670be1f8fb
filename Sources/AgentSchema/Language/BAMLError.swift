/// A problem in a `.baml` file, located like a compiler's: `file:line:column: error: message`.
public struct BAMLError: Error, Sendable, CustomStringConvertible {
    public var position: SourcePosition
    public var message: String
    public var hint: String?

    public init(_ message: String, at position: SourcePosition, hint: String? = nil) {
        self.position = position
        self.message = message
        self.hint = hint
    }

    public var description: String {
        "\(position): error: \(message)" + (hint.map { "\n    hint: \($0)" } ?? "")
    }
}
