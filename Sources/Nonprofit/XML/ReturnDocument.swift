/// A return's XML, collected for look-up: the text of every element of the parts that are read
/// (`ReturnHeader`, `ReturnData/IRS990`, …) by its path inside the part (`Filer/EIN`,
/// `CYTotalRevenueAmt`; an attribute as `path@name`), and each member of a repeating group (a grant,
/// an officer) on its own.
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
    /// schedules, often most of a return, are passed over by the scanner without a string made for them.
    static let readParts: Set<String> = ["IRS990", "IRS990EZ", "IRS990PF", "IRS990ScheduleI"]

    /// The root element's name.
    private(set) var root: String?
    /// Text values outside groups of each part read, by path inside the part, in document order per path.
    private var parts: [String: [String: [String]]] = [:]
    private(set) var groups: [(kind: GroupKind, fields: Fields)] = []

    /// The open elements below the root: a part's path inside it, the part's own path for the part (and `ReturnData`).
    private var paths: [String] = []
    /// The open part (`ReturnHeader`, `ReturnData/IRS990`), how many elements were open when it opened, and its values so far.
    private var part: (name: String, depth: Int, values: [String: [String]])?
    /// The innermost element's text so far, leading whitespace left out.
    private var text: [UInt8] = []
    private var group: (kind: GroupKind, depth: Int, prefix: Int, values: [String: [String]])?

    mutating func start(_ name: String, attributes: [(name: String, value: String)]) -> Bool {
        guard root != nil else {
            root = name
            return true
        }
        text.removeAll(keepingCapacity: true)
        guard let open = part else {
            // Outside a part: only `ReturnHeader`, `ReturnData` and the parts of it that are read are entered.
            let path: String
            switch paths.count {
            case 0 where name == "ReturnHeader" || name == "ReturnData": path = name
            case 1 where Self.readParts.contains(name): path = "ReturnData/" + name
            default: return false
            }
            paths.append(path)
            if path != "ReturnData" { part = (path, paths.count, [:]) }
            return true
        }
        let path = paths.count == open.depth ? name : paths[paths.count - 1] + "/" + name
        paths.append(path)
        if group == nil, let kind = Self.groupKinds[name] { group = (kind, paths.count, path.utf8.count + 1, [:]) }
        for attribute in attributes { record(attribute.value, at: path + "@" + attribute.name) }
        return true
    }

    mutating func text(_ bytes: ArraySlice<UInt8>) {
        if text.isEmpty {
            guard let first = bytes.firstIndex(where: { !XMLScanner.isWhitespace($0) }) else { return }  // indentation
            text.append(contentsOf: bytes[first...])
        } else {
            text.append(contentsOf: bytes)
        }
    }

    mutating func end() {
        defer { text.removeAll(keepingCapacity: true) }
        guard let path = paths.popLast() else { return }  // the root ends
        guard let open = part else { return }  // `ReturnData` ends
        guard paths.count >= open.depth else {  // the part ends
            parts[open.name, default: [:]].merge(open.values) { $0 + $1 }
            part = nil
            return
        }
        if let last = text.lastIndex(where: { !XMLScanner.isWhitespace($0) }) {
            record(String(decoding: text[...last], as: UTF8.self), at: path)
        }
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
            part?.values[path, default: []].append(value)
        }
    }

    /// The values of one part (`ReturnHeader`, `ReturnData/IRS990`), by their path inside it.
    func fields(under element: String) -> Fields { Fields(parts[element] ?? [:]) }
}

/// Values by path, looked up by exact path or by path suffix, so that a concept is found wherever
/// the schema version puts it (the shortest path ending in the suffix wins).
struct Fields {
    private let values: [String: [String]]
    /// Paths by their last component, for suffix look-ups; nil for a few paths (a grant's, an
    /// officer's: the many small groups of a return), which are searched one by one.
    private let byLastComponent: [Substring: [String]]?

    /// Up to this many paths are searched one by one rather than indexed.
    private static let searchedPaths = 24

    init(_ values: [String: [String]]) {
        self.values = values
        guard values.count > Self.searchedPaths else {
            byLastComponent = nil
            return
        }
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
            let candidates = byLastComponent.map { $0[Self.lastComponent(suffix)] ?? [] } ?? Array(values.keys)
            let match = candidates.filter { $0.hasSuffix("/" + suffix) }.min { $0.utf8.count < $1.utf8.count }
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
