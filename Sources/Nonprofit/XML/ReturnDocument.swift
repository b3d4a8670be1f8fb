/// A return's XML, collected for look-up: every element's text by its path below the root
/// (`ReturnHeader/Filer/EIN`, `ReturnData/IRS990/CYTotalRevenueAmt`; an attribute as
/// `path@name`), and each member of a repeating group (a grant, an officer) on its own.
struct ReturnDocument: XMLScanner.Handler {
    enum GroupKind { case scheduleIGrant, foundationGrant, officer }

    /// The elements that repeat once per grant or officer, in every schema year.
    static let groupKinds: [String: GroupKind] = [
        "RecipientTable": .scheduleIGrant,
        "GrantOrContributionPdDurYrGrp": .foundationGrant, "GrantOrContributionPdDurYr": .foundationGrant,
        "Form990PartVIISectionAGrp": .officer, "Form990PartVIISectionA": .officer,
        "OfficerDirTrstKeyEmplGrp": .officer, "OfficerDirTrstKeyEmpl": .officer,
        "OfficerDirectorTrusteeEmplGrp": .officer, "OfficerDirectorTrusteeKeyEmpl": .officer,
    ]

    /// The parts of `ReturnData` that are read: the forms and Schedule I (grants). The other
    /// schedules, often most of a return, are passed over without a string made for them.
    static let readParts: Set<String> = ["IRS990", "IRS990EZ", "IRS990PF", "IRS990ScheduleI"]

    /// The root element's name.
    private(set) var root: String?
    /// How deep the reader is inside a part that is passed over (0: not in one).
    private var skippedDepth = 0
    /// Text values outside groups, in document order per path.
    private(set) var values: [String: [String]] = [:]
    private(set) var groups: [(kind: GroupKind, fields: Fields)] = []

    /// The path of each open element below the root.
    private var paths: [String] = []
    /// The innermost element's text so far, leading whitespace left out.
    private var text: [UInt8] = []
    private var group: (kind: GroupKind, depth: Int, prefix: Int, values: [String: [String]])?

    mutating func start(_ name: String, attributes: [(name: String, value: String)]) {
        guard root != nil else {
            root = name
            paths.append("")
            return
        }
        if skippedDepth > 0 {
            skippedDepth += 1
            return
        }
        if (paths.count == 1 && name != "ReturnHeader" && name != "ReturnData") || (paths.count == 2 && paths[1] == "ReturnData" && !Self.readParts.contains(name)) {
            skippedDepth = 1
            return
        }
        let path = paths.count == 1 ? name : paths[paths.count - 1] + "/" + name
        paths.append(path)
        text.removeAll(keepingCapacity: true)
        if group == nil, let kind = Self.groupKinds[name] { group = (kind, paths.count, path.utf8.count + 1, [:]) }
        for attribute in attributes { record(attribute.value, at: path + "@" + attribute.name) }
    }

    mutating func text(_ bytes: ArraySlice<UInt8>) {
        guard skippedDepth == 0 else { return }
        if text.isEmpty {
            guard let first = bytes.firstIndex(where: { !XMLScanner.isWhitespace($0) }) else { return }  // indentation
            text.append(contentsOf: bytes[first...])
        } else {
            text.append(contentsOf: bytes)
        }
    }

    mutating func end() {
        if skippedDepth > 0 {
            skippedDepth -= 1
            return
        }
        let path = paths.removeLast()
        if let last = text.lastIndex(where: { !XMLScanner.isWhitespace($0) }) {
            record(String(decoding: text[...last], as: UTF8.self), at: path)
        }
        text.removeAll(keepingCapacity: true)
        if let open = group, open.depth == paths.count + 1 {
            groups.append((open.kind, Fields(open.values)))
            group = nil
        }
    }

    private mutating func record(_ value: String, at path: String) {
        if let open = group {
            let relative = String(decoding: path.utf8.dropFirst(open.prefix), as: UTF8.self)
            if !relative.isEmpty { group?.values[relative, default: []].append(value) }
        } else {
            values[path, default: []].append(value)
        }
    }

    /// The values below one element (`ReturnHeader`, `ReturnData/IRS990`), by their path inside it.
    func fields(under element: String) -> Fields {
        let prefix = element + "/"
        var inside: [String: [String]] = [:]
        for (path, texts) in values where path.hasPrefix(prefix) { inside[String(path.dropFirst(prefix.count))] = texts }
        return Fields(inside)
    }
}

/// Values by path, looked up by exact path or by path suffix, so that a concept is found wherever
/// the schema version puts it (the shortest path ending in the suffix wins).
struct Fields {
    private let values: [String: [String]]
    /// Paths by their last component, for suffix look-ups.
    private let byLastComponent: [Substring: [String]]

    init(_ values: [String: [String]]) {
        self.values = values
        var index: [Substring: [String]] = [:]
        index.reserveCapacity(values.count)
        for path in values.keys { index[Self.lastComponent(path), default: []].append(path) }
        byLastComponent = index
    }

    var isEmpty: Bool { values.isEmpty }

    /// The first value of the first suffix that has one.
    func first(_ suffixes: String...) -> String? { first(suffixes) }

    func first(_ suffixes: [String]) -> String? {
        for suffix in suffixes {
            if let value = values[suffix]?.first { return value }
            let last = Self.lastComponent(suffix)
            let match = byLastComponent[last]?.filter { $0.hasSuffix("/" + suffix) }.min { $0.utf8.count < $1.utf8.count }
            if let match, let value = values[match]?.first { return value }
        }
        return nil
    }

    /// `A/B/C` → `C`.
    private static func lastComponent(_ path: String) -> Substring {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path[...] }
        return path[path.utf8.index(after: slash)...]
    }

    /// Every value at exactly these paths, in the order given.
    func all(exactly paths: [String]) -> [String] { paths.flatMap { values[$0] ?? [] } }

    /// The first value of the suffixes as whole dollars (`1234`, `-56`, `1234.00`); values are trimmed already.
    func int(_ suffixes: String...) -> Int? {
        first(suffixes).flatMap { text in Int(text) ?? Double(text).map { Int($0.rounded()) } }
    }

    /// Whether a checkbox or boolean is set (`X`, `1`, `true`).
    func flag(_ suffixes: String...) -> Bool {
        guard let value = first(suffixes)?.lowercased() else { return false }
        return ["x", "1", "true"].contains(value)
    }
}
