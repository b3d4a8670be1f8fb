/// A problem in a `.baml` file, located like a compiler's: `file:line:column: error: message`.
public struct BAMLError: Error, Sendable, CustomStringConvertible {
    public var position: SourcePosition
    public var message: String
    public var hint: String?
    /// The other problems found in the same files, in order (`check` lists them all).
    public var others: [BAMLError] = []
    /// A type name nothing declares (left out after a declaration that did not parse).
    var isUnknownType = false

    public init(_ message: String, at position: SourcePosition, hint: String? = nil) {
        self.position = position
        self.message = message
        self.hint = hint
    }

    public var description: String {
        ([self] + others).map { error in "\(error.position): error: \(error.message)" + (error.hint.map { "\n    hint: \($0)" } ?? "") }
            .joined(separator: "\n")
    }

    /// Every problem as one error (the first, with the rest as `others`); nil when there are none.
    static func combining(_ errors: [BAMLError]) -> BAMLError? {
        guard var first = errors.first else { return nil }
        first.others = Array(errors.dropFirst())
        return first
    }
}
