import Foundation

/// A return's XML, collected for look-up: the text of every element of the parts that are read
/// (`ReturnHeader`, `ReturnData/IRS990`, …) by its path inside the part (`Filer/EIN`,
/// `CYTotalRevenueAmt`; an attribute as `path@name`), and each member of a repeating group (a grant,
/// an officer) on its own.
///
/// Made to read many returns one after another (an import's parsing lane keeps one): element paths
/// are interned as small numbers that later returns find again without allocating, and a value is
/// kept as bytes until it is looked up, so reading a return makes strings only for the few dozen
/// values the parser asks for.
struct ReturnDocument: XMLScanner.Handler {
    enum GroupKind: Sendable { case scheduleIGrant, foundationGrant, officer }

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

    /// More paths than this, and the table starts again with the next return (a bound for hostile input).
    static let maximumPaths = 100_000

    /// The root element's name.
    private(set) var root: String?
    /// The repeating groups read, in document order: their kind, node and values in `groupValues`.
    private var groupRanges: [(kind: GroupKind, node: Int32, values: Range<Int>)] = []

    private var paths = PathTable()
    /// Every value's bytes, one after another.
    private var arena: [UInt8] = []
    /// Values outside groups, with the part they are in.
    private var partValues: [(part: Int32, value: Value)] = []
    /// Values inside groups: each group's are consecutive (groups do not nest).
    private var groupValues: [Value] = []

    /// The open elements below the root that are read.
    private var open: [Int32] = []
    /// The open part: its node and how many elements were open when it opened.
    private var part: (node: Int32, depth: Int)?
    /// The open group: its kind, node, depth and where its values start in `groupValues`.
    private var group: (kind: GroupKind, node: Int32, depth: Int, first: Int)?
    /// The innermost element's text so far, leading whitespace left out.
    private var text: [UInt8] = []

    /// Forgets the last return (keeping the paths it learned and the memory it used) before the next is read.
    mutating func reset() {
        root = nil
        groupRanges.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        partValues.removeAll(keepingCapacity: true)
        groupValues.removeAll(keepingCapacity: true)
        open.removeAll(keepingCapacity: true)
        text.removeAll(keepingCapacity: true)
        (part, group) = (nil, nil)
        if paths.count > Self.maximumPaths { paths = PathTable() }
    }

    // MARK: Reading

    mutating func start(_ name: XMLScanner.Bytes, attributes: [(name: XMLScanner.Bytes, value: String)]) -> Bool {
        guard root != nil else {
            root = String(decoding: name, as: UTF8.self)
            return true
        }
        text.removeAll(keepingCapacity: true)
        let node = paths.intern(name, under: open.last ?? PathTable.top)
        guard let openPart = part else {
            // Outside a part: only `ReturnHeader`, `ReturnData` and the parts of it that are read are entered.
            switch paths.role(of: node) {
            case .part:
                part = (node, open.count + 1)
            case .returnData:
                break
            case .passedOver, .inside:
                return false
            }
            open.append(node)
            return true
        }
        open.append(node)
        if group == nil, let kind = paths.groupKind(of: node) { group = (kind, node, open.count, groupValues.count) }
        for attribute in attributes {
            var value = attribute.value
            let attributeNode = paths.intern(attribute.name, under: node, attribute: true)
            value.withUTF8 { record($0, at: attributeNode, inPart: openPart.node) }
        }
        return true
    }

    mutating func text(_ bytes: XMLScanner.Bytes) {
        if text.isEmpty {
            guard let first = bytes.firstIndex(where: { !XMLScanner.isWhitespace($0) }) else { return }  // indentation
            text.append(contentsOf: bytes[first...])
        } else {
            text.append(contentsOf: bytes)
        }
    }

    mutating func end() {
        defer { text.removeAll(keepingCapacity: true) }
        guard let node = open.popLast() else { return }  // the root ends
        guard let openPart = part else { return }  // `ReturnData` ends
        guard open.count >= openPart.depth else {  // the part ends
            part = nil
            return
        }
        if let last = text.lastIndex(where: { !XMLScanner.isWhitespace($0) }) {
            text.withUnsafeBufferPointer { record(UnsafeBufferPointer(rebasing: $0[...last]), at: node, inPart: openPart.node) }
        }
        if let openGroup = group, openGroup.depth == open.count + 1 {
            groupRanges.append((openGroup.kind, openGroup.node, openGroup.first..<groupValues.count))
            group = nil
        }
    }

    private mutating func record(_ bytes: XMLScanner.Bytes, at node: Int32, inPart part: Int32) {
        if let openGroup = group, node == openGroup.node || paths.isAttribute(node, of: openGroup.node) { return }  // the group's own text
        let value = Value(node: node, start: Int32(arena.count), end: Int32(arena.count + bytes.count))
        arena.append(contentsOf: bytes)
        if group != nil { groupValues.append(value) } else { partValues.append((part, value)) }
    }

    // MARK: Looking up

    /// The values of one part (`ReturnHeader`, `ReturnData/IRS990`), by their path inside it.
    func fields(under element: String) -> Fields {
        guard let node = paths.index.node(at: element) else { return Fields(paths.index, arena, [], scope: PathTable.top) }
        return Fields(paths.index, arena, ArraySlice(partValues.lazy.filter { $0.part == node }.map(\.value)), scope: node)
    }

    /// Each repeating group's values, in document order.
    var groups: [(kind: GroupKind, fields: Fields)] {
        groupRanges.map { group in (group.kind, Fields(paths.index, arena, groupValues[group.values], scope: group.node)) }
    }
}

/// One value: the node of its path and its bytes in the document's arena.
struct Value {
    var node: Int32
    var start: Int32
    var end: Int32
}

/// Element paths as small numbers: a node is a parent and a name, found again by a hash of the two
/// without allocating; its whole path (`/ReturnData/IRS990/Desc`) is made once, when it is first seen.
struct PathTable {
    /// Where an element is, for deciding whether to read it.
    enum Role { case returnData, part, passedOver, inside }

    /// The parent of the elements directly below the root.
    static let top: Int32 = -1

    private struct Node {
        var parent: Int32
        var nameStart: Int32
        var nameCount: Int32
        var isAttribute: Bool
        var role: Role
        var groupKind: ReturnDocument.GroupKind?
    }

    private var nodes: [Node] = []
    private var names: [UInt8] = []
    /// Open addressing: node numbers, -1 where empty; the count is a power of two.
    private var slots = [Int32](repeating: -1, count: 1024)
    /// The nodes' whole paths, for look-ups by path suffix (shared with the fields made from this table).
    private(set) var index = PathIndex()

    var count: Int { nodes.count }

    /// The node of `name` below `parent`, made when first seen.
    mutating func intern(_ name: XMLScanner.Bytes, under parent: Int32, attribute: Bool = false) -> Int32 {
        let mask = slots.count - 1
        var slot = Self.hash(name, under: parent, attribute: attribute) & mask
        while slots[slot] >= 0 {
            let found = slots[slot]
            let node = nodes[Int(found)]
            if node.parent == parent, node.isAttribute == attribute, Int(node.nameCount) == name.count, hasName(node, name) {
                return found
            }
            slot = (slot + 1) & mask
        }
        let number = Int32(nodes.count)
        let nameText = String(decoding: name, as: UTF8.self)
        let role: Role = switch parent == Self.top ? nil : nodes[Int(parent)].role {
        case nil: nameText == "ReturnHeader" ? .part : nameText == "ReturnData" ? .returnData : .passedOver
        case .returnData: ReturnDocument.readParts.contains(nameText) ? .part : .passedOver
        case .part, .inside: .inside
        case .passedOver: .passedOver
        }
        nodes.append(Node(parent: parent, nameStart: Int32(names.count), nameCount: Int32(name.count), isAttribute: attribute, role: role,
                          groupKind: attribute ? nil : ReturnDocument.groupKinds[nameText]))
        names.append(contentsOf: name)
        index.add((parent == Self.top ? "" : index.path(of: parent)) + (attribute ? "@" : "/") + nameText)
        slots[slot] = number
        if nodes.count * 2 > slots.count { rehash() }
        return number
    }

    func role(of node: Int32) -> Role { nodes[Int(node)].role }
    func groupKind(of node: Int32) -> ReturnDocument.GroupKind? { nodes[Int(node)].groupKind }
    func isAttribute(_ node: Int32, of element: Int32) -> Bool { nodes[Int(node)].isAttribute && nodes[Int(node)].parent == element }

    private func hasName(_ node: Node, _ name: XMLScanner.Bytes) -> Bool {
        names.withUnsafeBufferPointer { names in memcmp(names.baseAddress! + Int(node.nameStart), name.baseAddress!, name.count) == 0 }
    }

    private func name(of node: Node) -> ArraySlice<UInt8> { names[Int(node.nameStart)..<Int(node.nameStart + node.nameCount)] }

    /// FNV-1a of the name, seeded with the parent.
    private static func hash(_ name: some Sequence<UInt8>, under parent: Int32, attribute: Bool) -> Int {
        var hash: UInt64 = (0xcbf2_9ce4_8422_2325 ^ UInt64(UInt32(bitPattern: parent))) &* (attribute ? 0x9E37_79B9_7F4A_7C15 : 1)
        for byte in name { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }

    /// Twice the slots, every node placed again (a node's number is its position in `nodes`, unchanged).
    private mutating func rehash() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (number, node) in nodes.enumerated() {
            var slot = Self.hash(name(of: node), under: node.parent, attribute: node.isAttribute) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(number)
        }
    }
}

/// The whole paths of a table's nodes, and which of them end in a given suffix: worked out once per
/// suffix and kept, brought up to date with the paths seen since when it is asked again.
final class PathIndex {
    private var paths: [String] = []
    private var lengths: [Int] = []
    /// Per suffix: how many paths were checked, and those ending in it, shortest first.
    private var endingIn: [String: (checked: Int, nodes: [Int32])] = [:]

    func add(_ path: String) {
        paths.append(path)
        lengths.append(path.utf8.count)
    }

    func path(of node: Int32) -> String { paths[Int(node)] }
    /// The length of a node's whole path, in bytes.
    func length(of node: Int32) -> Int { lengths[Int(node)] }

    /// The node whose whole path is `/` + `path`.
    func node(at path: String) -> Int32? { nodes(endingIn: path).first { lengths[Int($0)] == path.utf8.count + 1 } }

    /// The nodes whose whole path ends in `/` + `suffix`, shortest first (then first seen).
    func nodes(endingIn suffix: String) -> [Int32] {
        var entry = endingIn[suffix] ?? (0, [])
        guard entry.checked < paths.count else { return entry.nodes }
        let tail = Array(("/" + suffix).utf8)
        var found = false
        for node in entry.checked..<paths.count where lengths[node] >= tail.count && paths[node].utf8.suffix(tail.count).elementsEqual(tail) {
            entry.nodes.append(Int32(node))
            found = true
        }
        if found { entry.nodes.sort { (lengths[Int($0)], $0) < (lengths[Int($1)], $1) } }
        entry.checked = paths.count
        endingIn[suffix] = entry
        return entry.nodes
    }
}

/// The values of one part or group of a return, looked up by exact path or by path suffix, so that
/// a concept is found wherever the schema version puts it (the shortest path ending in the suffix wins).
struct Fields {
    private let index: PathIndex
    private let arena: [UInt8]
    private let values: ArraySlice<Value>
    /// The length of the part's or group's whole path and its slash: a path inside it is the rest.
    private let prefixLength: Int
    /// Each path's first value, for a part (a group's few values are searched one by one).
    private let firstValue: [Int32: Int]?

    /// Up to this many values are searched one by one rather than indexed.
    private static let searchedValues = 24

    init(_ index: PathIndex, _ arena: [UInt8], _ values: ArraySlice<Value>, scope: Int32) {
        (self.index, self.arena, self.values) = (index, arena, values)
        prefixLength = scope == PathTable.top ? 1 : index.length(of: scope) + 1
        guard values.count > Self.searchedValues else {
            firstValue = nil
            return
        }
        var first: [Int32: Int] = [:]
        first.reserveCapacity(values.count)
        for position in values.indices where first[values[position].node] == nil { first[values[position].node] = position }
        firstValue = first
    }

    var isEmpty: Bool { values.isEmpty }

    /// The first value of the first suffix that has one.
    func first(_ suffixes: String...) -> String? { first(suffixes) }

    func first(_ suffixes: [String]) -> String? {
        for suffix in suffixes {
            for node in index.nodes(endingIn: suffix) where index.length(of: node) - prefixLength >= suffix.utf8.count {
                if let position = position(of: node) { return string(values[position]) }
            }
        }
        return nil
    }

    /// Every value at exactly these paths, in the order given.
    func all(exactly paths: [String]) -> [String] {
        paths.flatMap { path -> [String] in
            guard let node = index.nodes(endingIn: path).first(where: { index.length(of: $0) - prefixLength == path.utf8.count }) else { return [] }
            return values.filter { $0.node == node }.map(string)
        }
    }

    /// The first value of the suffixes as whole dollars (`1234`, `-56`, `1234.00`); values are trimmed already.
    func int(_ suffixes: String...) -> Int? {
        first(suffixes).flatMap { text in Int(text) ?? Double(text).map { Int($0.rounded()) } }
    }

    /// Whether a checkbox or boolean is set (`X`, `1`, `true`).
    func flag(_ suffixes: String...) -> Bool {
        guard let value = first(suffixes)?.lowercased() else { return false }
        return ["x", "1", "true"].contains(value)
    }

    private func position(of node: Int32) -> Int? {
        if let firstValue { return firstValue[node] }
        return values.firstIndex { $0.node == node }
    }

    private func string(_ value: Value) -> String { String(decoding: arena[Int(value.start)..<Int(value.end)], as: UTF8.self) }
}
