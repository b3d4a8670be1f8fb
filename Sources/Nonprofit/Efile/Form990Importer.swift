import Foundation

/// Imports 990 / 990-EZ / 990-PF e-file returns from XML files, folders of them and the IRS's
/// ZIP archives (read entry by entry, never unpacked to disk): each return's filing (merged with
/// other sources for the same period), its grants and its officers.
///
/// Incremental: a return whose e-file object id was imported before is passed over unless
/// `force` is set, so a re-run after an interruption, or next month's archive, adds only what is
/// new. With an index (`index_YYYY.csv`, found beside the archive), `forms` selects returns
/// without reading the others. Returns are parsed on every core and written in batches of one
/// transaction each while the next batch is parsed. A return that is not complete, well-formed
/// XML is rejected with its archive, entry and reason (line and column for broken XML); the others are imported.
public struct Form990Importer: Sendable {
    public let database: any OrganizationDatabase

    public init(database: any OrganizationDatabase) { self.database = database }

    /// How to import.
    public struct Options: Sendable {
        /// The return types to import (`990`, `990EZ`, `990PF`); nil: all.
        public var forms: Set<String>?
        /// Import returns already imported again (their rows merge; nothing is duplicated).
        public var force = false
        /// The e-file index to select by (default: the `index_YYYY.csv` beside each archive).
        public var index: String?
        /// Returns per transaction.
        public var batchSize = 2000
        /// Parsing tasks.
        public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

        public init(forms: Set<String>? = nil, force: Bool = false, index: String? = nil) {
            self.forms = forms.map { Set($0.map(EfileIndex.normalizedForm)) }
            self.force = force
            self.index = index
        }
    }

    /// A return that was not imported, and why.
    public struct Rejected: Sendable, CustomStringConvertible {
        public var source: ReturnSource
        /// The return type, when the index or the return says.
        public var form: String?
        /// The reason; line and column when the XML itself is broken.
        public var error: Form990Parser.ParseError

        public var description: String { error.description }
    }

    /// One imported return, briefly.
    public struct Imported: Sendable {
        public var ein: EIN
        public var formType: String
        public var fiscalYear: Int
        public var name: String
        public var grants: Int
        public var officers: Int
    }

    /// What an import did, by return type.
    public struct Summary: Sendable {
        public var imported: [String: Int] = [:]
        /// Returns imported before (by object id) and passed over.
        public var alreadyPresent: [String: Int] = [:]
        /// Returns of a type `forms` leaves out.
        public var notSelected: [String: Int] = [:]
        public var rejected: [Rejected] = []
        /// Archives that could not be opened at all, with the reason.
        public var unreadable: [(path: String, reason: String)] = []
        public var grants = 0
        public var officers = 0
        /// The first returns imported (up to `listedReturns`), for a listing.
        public var returns: [Imported] = []
        public var seconds = 0.0

        public var importedCount: Int { imported.values.reduce(0, +) }
        public var alreadyPresentCount: Int { alreadyPresent.values.reduce(0, +) }
        public var notSelectedCount: Int { notSelected.values.reduce(0, +) }
        /// How many returns a listing shows at most.
        public static let listedReturns = 50

        /// Rejected returns by type (`unknown` when neither the index nor the return said).
        public var rejectedByForm: [String: Int] {
            rejected.reduce(into: [:]) { counts, rejected in counts[rejected.form ?? "unknown", default: 0] += 1 }
        }

        mutating func add(_ parsed: Form990Return) {
            imported[parsed.formType, default: 0] += 1
            grants += parsed.grants.count
            officers += parsed.officers.count
            if returns.count < Self.listedReturns {
                returns.append(Imported(ein: parsed.ein, formType: parsed.formType, fiscalYear: parsed.filing.fiscalYear.year,
                                        name: parsed.organization.name, grants: parsed.grants.count, officers: parsed.officers.count))
            }
        }
    }

    /// Progress, after each batch is written.
    public struct Progress: Sendable {
        /// Returns done (imported, rejected or left out) of those to read.
        public var done: Int
        public var total: Int
    }

    /// Imports files, archives (`.zip`) and the `.xml` and `.zip` files of folders, in order.
    /// - Parameters:
    ///   - paths: files, archives or folders.
    ///   - options: which returns, and how.
    ///   - progress: called after each batch.
    /// - Throws: a database error (the batches written before it stay; a re-run goes on from there).
    public func importPaths(_ paths: [String], options: Options = Options(), progress: (@Sendable (Progress) -> Void)? = nil) async throws -> Summary {
        let started = Date()
        var summary = Summary()
        let readers = ReaderPool()
        let work = try await plan(paths, options: options, readers: readers, into: &summary)
        let chunks = stride(from: 0, to: work.count, by: options.batchSize).map { Array(work[$0..<min($0 + options.batchSize, work.count)]) }
        // A few returns are written in one transaction with everything kept current; many are written
        // batch by batch, the search index and giving summaries brought up to date once at the end.
        let inBulk = chunks.count > 1
        var done = 0
        var parsing = chunks.first.map { chunk in Task { await Self.parse(chunk, workers: options.workers, readers: readers) } }
        for index in chunks.indices {
            let outcomes = await parsing!.value
            parsing = index + 1 < chunks.count ? Task { [chunk = chunks[index + 1]] in await Self.parse(chunk, workers: options.workers, readers: readers) } : nil
            do {
                try await store(outcomes, options: options, inBulk: inBulk, into: &summary)
            } catch {
                parsing?.cancel()
                throw error
            }
            done += outcomes.count
            readers.close(allBut: Set((index + 1 < chunks.count ? chunks[index + 1] : []).map(\.source.path)))
            progress?(Progress(done: done, total: work.count))
        }
        if inBulk { try await database.refreshDeferredIndexes() }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    // MARK: Planning

    /// One return to read, and its type when the index says.
    struct WorkItem: Sendable {
        var source: ReturnSource
        var indexedForm: String?
    }

    /// The returns to read: every XML file and archive entry, less those `forms` leaves out (by the
    /// index) and those imported before (unless `force`), each object id once.
    private func plan(_ paths: [String], options: Options, readers: ReaderPool, into summary: inout Summary) async throws -> [WorkItem] {
        var items: [WorkItem] = []
        var indexes: [String: EfileIndex?] = [:]
        for path in Self.expand(paths) {
            guard path.lowercased().hasSuffix(".zip") else {
                items.append(WorkItem(source: ReturnSource(path: path)))
                continue
            }
            let entries: [String]
            do {
                entries = try readers.entries(of: path)
            } catch {
                summary.unreadable.append((path, error.description))
                continue
            }
            let indexPath = options.index ?? EfileIndex.path(besideArchive: path)
            let index: EfileIndex? = indexPath.flatMap { path in
                if let known = indexes[path] { return known }
                let read = try? EfileIndex.read(path: path)
                indexes[path] = read
                return read
            }
            for entry in entries {
                let source = ReturnSource(path: path, entry: entry)
                let form = source.objectID.flatMap { index?.entries[$0]?.returnType }
                if let form, let forms = options.forms, !forms.contains(form) {
                    summary.notSelected[form, default: 0] += 1
                } else {
                    items.append(WorkItem(source: source, indexedForm: form))
                }
            }
        }
        var seen = Set<String>()
        items = items.filter { item in item.source.objectID.map { seen.insert($0).inserted } ?? true }
        guard !options.force else { return items }
        var imported: [String: String] = [:]
        let ids = items.compactMap(\.source.objectID)
        for start in stride(from: 0, to: ids.count, by: 5_000) {
            imported.merge(try await database.importedReturns(among: Array(ids[start..<min(start + 5_000, ids.count)])), uniquingKeysWith: { $1 })
        }
        return items.filter { item in
            guard let id = item.source.objectID, let form = imported[id] else { return true }
            summary.alreadyPresent[form, default: 0] += 1
            return false
        }
    }

    /// The files named, with folders replaced by the `.xml` and `.zip` files in them (sorted).
    static func expand(_ paths: [String]) -> [String] {
        paths.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return names.filter { $0.lowercased().hasSuffix(".xml") || $0.lowercased().hasSuffix(".zip") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
        }
    }

    // MARK: Parsing and storing

    enum Outcome: Sendable {
        case parsed(Form990Return, ReturnSource)
        case rejected(Rejected)
    }

    /// Reads and parses the items on `workers` tasks, each with its own archive readers; outcomes in the items' order.
    private static func parse(_ items: [WorkItem], workers: Int, readers: ReaderPool) async -> [Outcome] {
        let lanes = max(1, min(workers, items.count))
        return await withTaskGroup(of: [(Int, Outcome)].self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    var parser = readers.borrowParser()
                    defer { readers.giveBack(parser) }
                    return stride(from: lane, to: items.count, by: lanes).map { position in (position, parse(items[position], readers: readers, parser: &parser)) }
                }
            }
            var outcomes = [Outcome?](repeating: nil, count: items.count)
            for await lane in group { for (position, outcome) in lane { outcomes[position] = outcome } }
            return outcomes.compactMap { $0 }
        }
    }

    private static func parse(_ item: WorkItem, readers: ReaderPool, parser: inout Form990Parser.Reader) -> Outcome {
        let source = item.source
        func rejected(_ error: Form990Parser.ParseError) -> Outcome { .rejected(Rejected(source: source, form: item.indexedForm, error: error)) }
        let data: Data
        if let entry = source.entry {
            do {
                data = try readers.contents(of: entry, in: source.path)
            } catch {
                return rejected(.init(source: source.description, reason: error.description))
            }
        } else {
            guard let contents = FileManager.default.contents(atPath: source.path) else {
                return rejected(.init(source: source.path, reason: "cannot read the file"))
            }
            data = contents
        }
        do {
            var parsed = try parser.parse(data, source: source.description)
            parsed.filing.objectID = source.objectID  // the entry's name, not the archive's
            return .parsed(parsed, source)
        } catch {
            return rejected(error)
        }
    }

    /// Writes one batch's returns (those of a selected type) and counts the rest.
    private func store(_ outcomes: [Outcome], options: Options, inBulk: Bool, into summary: inout Summary) async throws {
        var batch = RecordBatch()
        var parsedThisBatch: [Form990Return] = []
        for outcome in outcomes {
            switch outcome {
            case .rejected(let rejected):
                summary.rejected.append(rejected)
            case .parsed(let parsed, let source):
                if let forms = options.forms, !forms.contains(parsed.formType) {
                    summary.notSelected[parsed.formType, default: 0] += 1
                    continue
                }
                parsedThisBatch.append(parsed)
                batch.organizations.append(parsed.organization)
                batch.filings.append(parsed.filing)
                batch.grants += parsed.grants
                batch.officers += parsed.officers
                if let objectID = source.objectID {
                    batch.returns.append(ReturnReceipt(objectID: objectID, ein: parsed.ein.digits, taxPeriod: parsed.filing.taxPeriod,
                                                       formType: parsed.formType, source: (source.path as NSString).lastPathComponent))
                }
            }
        }
        if inBulk { try await database.saveDeferringIndexes(batch) } else { try await database.save(batch) }
        for parsed in parsedThisBatch { summary.add(parsed) }
    }
}

/// Archive readers and return parsers for the parsing tasks: each task borrows what it needs
/// (opened or made on first use) and gives it back, so that the next batch's tasks reuse them.
final class ReaderPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [String: [ReturnArchiveReader]] = [:]
    private var idleParsers: [Form990Parser.Reader] = []

    /// A return parser no other task is using.
    func borrowParser() -> Form990Parser.Reader { lock.withLock { idleParsers.popLast() } ?? Form990Parser.Reader() }

    func giveBack(_ parser: Form990Parser.Reader) { lock.withLock { idleParsers.append(parser) } }

    /// The XML entries of an archive (read by a reader of its own, closed after: an import plans every archive before it reads one).
    func entries(of path: String) throws(ReturnArchiveReader.ReadError) -> [String] {
        try ReturnArchiveReader(path: path).xmlEntries
    }

    /// Closes the idle readers of every archive but these (those done with).
    func close(allBut paths: Set<String>) {
        lock.withLock { idle = idle.filter { paths.contains($0.key) } }
    }

    /// One entry's bytes, read by a reader no other task is using.
    func contents(of entry: String, in path: String) throws(ReturnArchiveReader.ReadError) -> Data {
        let reader = try borrow(path)
        defer { giveBack(reader) }
        return try reader.contents(of: entry)
    }

    private func borrow(_ path: String) throws(ReturnArchiveReader.ReadError) -> ReturnArchiveReader {
        if let reader = lock.withLock({ idle[path]?.popLast() }) { return reader }
        return try ReturnArchiveReader(path: path)
    }

    private func giveBack(_ reader: ReturnArchiveReader) {
        lock.withLock { idle[reader.path, default: []].append(reader) }
    }
}

extension Organization {
    /// A minimal organization known only from a return's header.
    init(ein: String, name: String, source: String) {
        self.init(ein: ein, name: name, inCareOf: nil, street: nil, city: nil, state: nil, zip: nil, groupExemption: nil, subsection: nil,
                  affiliation: nil, classification: nil, ruling: nil, deductibility: nil, foundation: nil, activity: nil,
                  organizationCode: nil, status: nil, taxPeriod: nil, assetCode: nil, incomeCode: nil, filingRequirement: nil,
                  pfFilingRequirement: nil, accountingPeriod: nil, assets: nil, income: nil, revenue: nil, nteeCode: nil,
                  nteeMajor: nil, sortName: nil, source: source)
    }
}
