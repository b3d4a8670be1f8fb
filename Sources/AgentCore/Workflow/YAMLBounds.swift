import Yams

/// Bounds on every YAML document Catalynx reads (workflows, webhooks): its size, how deep it nests
/// and how many nodes it holds once aliases are expanded. A few hundred bytes of aliases to
/// aliases (`a: &a [x, x]`, `b: &b [*a, *a]`, …) expand to billions of nodes: the parser shares
/// them, but anything that walks the document would not finish; this check walks with a budget.
public enum YAMLBounds {
    /// The largest document accepted (a long workflow is a few kilobytes).
    public static let maximumBytes = 1 << 20
    /// The most nodes, aliases expanded.
    public static let maximumNodes = 100_000
    /// The deepest nesting.
    public static let maximumDepth = 64

    /// What is wrong with a document's size, with its reason.
    public static func sizeViolation(_ source: String) -> String? {
        source.utf8.count > maximumBytes
            ? "the document is \(source.utf8.count.formatted()) bytes; at most \(maximumBytes.formatted()) are read" : nil
    }

    /// The first node past the bounds and why, or nil when the document is within them.
    public static func violation(in root: Node) -> (node: Node, reason: String)? {
        var pending: [(node: Node, depth: Int)] = [(root, 1)]
        var visited = 0
        while let (node, depth) = pending.popLast() {
            visited += 1
            if visited > maximumNodes {
                return (node, "the document expands to more than \(maximumNodes.formatted()) values (aliases are expanded): an alias bomb or a document far too large")
            }
            if depth > maximumDepth { return (node, "the document nests deeper than \(maximumDepth) levels") }
            switch node {
            case .sequence(let sequence): pending += sequence.map { ($0, depth + 1) }
            case .mapping(let mapping): for (key, value) in mapping { pending += [(key, depth + 1), (value, depth + 1)] }
            case .scalar, .alias: break
            }
        }
        return nil
    }
}
