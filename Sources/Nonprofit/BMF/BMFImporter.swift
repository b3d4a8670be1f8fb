import Foundation

/// Imports IRS EO BMF CSV files (`eo_XX.csv`, `eo1.csv` … `eo4.csv`) into the organization
/// database: streamed, upserted in batches of one transaction each, every bad row counted and
/// reported with its file and line, never aborting the import. Reading and checking rows is
/// shared here; each database writes the batches its own way.
public struct BMFImporter {
    /// The 28 columns of the IRS file, in order.
    public static let columns = ["EIN", "NAME", "ICO", "STREET", "CITY", "STATE", "ZIP", "GROUP", "SUBSECTION", "AFFILIATION",
                                 "CLASSIFICATION", "RULING", "DEDUCTIBILITY", "FOUNDATION", "ACTIVITY", "ORGANIZATION", "STATUS",
                                 "TAX_PERIOD", "ASSET_CD", "INCOME_CD", "FILING_REQ_CD", "PF_FILING_REQ_CD", "ACCT_PD", "ASSET_AMT",
                                 "INCOME_AMT", "REVENUE_AMT", "NTEE_CD", "SORT_NAME"]

    /// A row that was not imported, and why.
    public struct RejectedRow: Sendable, Hashable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var reason: String
        public var description: String { "\(file):\(line): \(reason)" }
    }

    /// What an import did.
    public struct Summary: Sendable, Hashable {
        public var rows = 0
        public var inserted = 0
        public var updated = 0
        public var unchanged = 0
        /// Rows whose EIN appeared earlier in the same import (the later row wins).
        public var duplicates = 0
        /// Rows not imported, each with its line and reason.
        public var rejected: [RejectedRow] = []
        /// Files not read at all (empty, not the BMF's header, not text the BMF is written in).
        public var refusedFiles: [RejectedRow] = []
        public var seconds = 0.0
        /// Of `seconds`, the time spent rebuilding indexes and the search index at the end.
        public var indexSeconds = 0.0
        /// Organizations of the states the files cover that they no longer list (marked, not deleted; see `BMFHistory`).
        public var gone = 0
        /// Organizations marked gone by an earlier import that the files list again.
        public var returned = 0
        /// The import's number in the BMF history.
        public var importID = 0
        /// The states the files' rows are in.
        public var states: Set<String> = []
    }

    /// Progress, reported after each batch.
    public struct Progress: Sendable {
        public var file: String
        public var rows: Int
        public var bytesRead: Int
        public var totalBytes: Int
    }

    public let database: any OrganizationDatabase

    public init(database: any OrganizationDatabase) { self.database = database }

    /// Imports the files in order.
    /// - Parameters:
    ///   - paths: BMF CSV files.
    ///   - progress: called after each committed batch.
    public func importFiles(_ paths: [String], progress: (@Sendable (Progress) -> Void)? = nil) async throws -> Summary {
        try await database.importBMF(paths, progress: progress)
    }

    /// Above this much CSV, or into an empty table, an import is a bulk import: the database drops
    /// its secondary indexes and builds them once at the end, much faster than maintaining them row by row.
    static let bulkThresholdBytes = 64 << 20

    /// What writing batches did: rows inserted, and rows inserted or changed of those not repeated in this import.
    struct BatchCounts: Sendable {
        var inserted = 0
        var changes = 0
    }

    /// What the end of an import hands the database: what to record in the BMF history.
    struct Refresh {
        var summary: Summary
        var files: [String]
        /// Whether changes were recorded (the database had organizations before).
        var recordsChanges: Bool
        /// Every EIN the files listed.
        var seen: Set<String>
    }

    /// What a database does with the rows: say whether it has no organizations yet, prepare
    /// (in bulk mode, drop the secondary indexes; when recording changes, start recording them)
    /// and number the import, write one batch from the source, wait for the batches still being
    /// written, and finish (build what is missing, mark what is gone and record the import,
    /// returning how many are gone and listed again). `run` drives them over the files.
    /// `writeBatch` and `flush` return the counts of the batches written since the last call: a
    /// database may send a batch and return before it is written.
    struct Writer {
        var isEmpty: () async throws -> Bool
        var begin: (_ bulk: Bool, _ recordChanges: Bool) async throws -> Int
        var writeBatch: (_ source: BMFRowSource) async throws -> BatchCounts
        var flush: () async throws -> BatchCounts = { BatchCounts() }
        var finish: (_ refresh: Refresh) async throws -> (gone: Int, returned: Int)
    }

    static func run(_ paths: [String], progress: (@Sendable (Progress) -> Void)?, writer: Writer) async throws -> Summary {
        let started = Date()
        var summary = Summary()
        var seen = Set<String>()
        let sizes = paths.map { ((try? FileManager.default.attributesOfItem(atPath: $0))?[.size] as? NSNumber)?.intValue ?? 0 }
        let totalBytes = sizes.reduce(0, +)
        let empty = try await writer.isEmpty()
        summary.importID = try await writer.begin(totalBytes > bulkThresholdBytes || empty, !empty)
        var bytesBefore = 0
        for (path, size) in zip(paths, sizes) {
            let source = try BMFRowSource(path: path, summary: summary, seen: seen)
            while !source.finished {
                let batch = try await writer.writeBatch(source)
                source.summary.inserted += batch.inserted
                source.summary.updated += batch.changes - batch.inserted
                progress?(Progress(file: source.file, rows: source.summary.rows, bytesRead: bytesBefore + source.bytesRead, totalBytes: totalBytes))
            }
            (summary, seen) = (source.summary, source.seen)
            bytesBefore += size
        }
        let last = try await writer.flush()
        summary.inserted += last.inserted
        summary.updated += last.changes - last.inserted
        summary.unchanged = max(0, summary.rows - summary.inserted - summary.updated - summary.duplicates - summary.rejected.count)
        let indexing = Date()
        (summary.gone, summary.returned) = try await writer.finish(Refresh(summary: summary, files: paths, recordsChanges: !empty, seen: seen))
        summary.indexSeconds = Date().timeIntervalSince(indexing)
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }
}

/// One BMF file's rows, checked, batch by batch. Bad rows are recorded in `summary` and never reach a writer.
final class BMFRowSource {
    /// A checked row.
    struct Row {
        var ein: EIN
        var assets: Int?
        var income: Int?
        var revenue: Int?
        /// Whether the EIN appeared earlier in this import (this later row wins).
        var isRepeat: Bool
    }

    /// The BMF column of each organization column (`Organization.CodingKeys` order): amounts are
    /// columns 23–25 and NTEE 26 (upper-cased); `nil` for the normalised `ein` and the derived
    /// `ntee_major` (NTEE's first letter) and `source` (`bmf`).
    static let organizationColumnSource: [Int?] = [nil, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                                   23, 24, 25, 26, nil, 27, nil]

    let file: String
    private var reader: CSVReader
    private var record = CSVReader.RawRecord()
    private(set) var finished = false
    var summary: BMFImporter.Summary
    private(set) var seen: Set<String>
    /// The two-letter STATE values seen, as two bytes (cheaper to test per row than a string).
    private var stateCodes: Set<UInt16> = []
    var bytesRead: Int { reader.bytesRead }
    /// Rows per transaction.
    static let batchSize = 100_000
    /// The longest row read (real rows are a few hundred bytes).
    static let maximumRowBytes = 64 << 10

    init(path: String, summary: BMFImporter.Summary, seen: Set<String>) throws {
        file = (path as NSString).lastPathComponent
        // BMF rows never span lines: a stray quote is reported on its row and the next line read as the next row.
        reader = try CSVReader(path: path, maximumRecordLines: 1)
        self.summary = summary
        self.seen = seen
        func refuse(_ reason: String) {
            self.summary.refusedFiles.append(.init(file: file, line: 1, reason: reason))
            finished = true
        }
        let start = (try? FileHandle(forReadingAtPath: path)?.read(upToCount: 4)) ?? nil
        if let start, start.starts(with: [0xFF, 0xFE]) || start.starts(with: [0xFE, 0xFF]) {
            refuse("the file is UTF-16 text; the IRS BMF is plain text (ASCII or latin-1): save it as CSV again")
            return
        }
        guard let header = try reader.next() else {
            refuse("the file is empty")
            return
        }
        let normalized = header.fields.map { $0.uppercased().replacingOccurrences(of: "\u{FEFF}", with: "").replacingOccurrences(of: "ï»¿", with: "") }
        if normalized != BMFImporter.columns {
            let missing = BMFImporter.columns.filter { !normalized.contains($0) }
            refuse("not an IRS BMF header" + (missing.isEmpty ? " (columns out of order)" : " (missing \(missing.prefix(5).joined(separator: ", ")))"))
        }
    }

    /// Reads up to `limit` rows, or until `full` says so, handing each valid one to `body` with its raw fields.
    /// - Throws: what `body` throws (a database error); row problems are recorded, not thrown.
    func readBatch(limit: Int = BMFRowSource.batchSize, until full: () -> Bool = { false }, _ body: (CSVReader.RawRecord, Row) throws -> Void) throws {
        var rows = 0
        while rows < limit, !full() {
            guard try reader.next(into: &record) else {
                finished = true
                return
            }
            if record.count == 1, record.starts[0] == record.ends[0] { continue }  // a blank line
            rows += 1
            summary.rows += 1
            do {
                if let malformed = record.malformed { throw RowProblem(malformed) }
                var row = try Self.check(record)
                row.isRepeat = !seen.insert(row.ein.digits).inserted
                if record.ends[5] - record.starts[5] == 2 {
                    let code = UInt16(record.bytes[record.starts[5]]) << 8 | UInt16(record.bytes[record.starts[5] + 1])
                    if stateCodes.insert(code).inserted { summary.states.insert(record.string(5).uppercased()) }
                }
                if row.isRepeat { summary.duplicates += 1 }
                try body(record, row)
            } catch let problem as RowProblem {
                summary.rejected.append(.init(file: file, line: record.line, reason: problem.reason))
            }
        }
    }

    static func check(_ record: CSVReader.RawRecord) throws -> Row {
        guard record.count == BMFImporter.columns.count else {
            throw RowProblem("expected \(BMFImporter.columns.count) columns, found \(record.count)")
        }
        guard record.bytes.count <= maximumRowBytes else { throw RowProblem("the row is longer than \(maximumRowBytes >> 10) KB (a BMF row is a few hundred bytes)") }
        let ein: EIN
        do { ein = try EIN(record.string(0)) } catch { throw RowProblem("EIN: \(error.reason) ('\(record.string(0))')") }
        guard record.starts[1] < record.ends[1] else { throw RowProblem("NAME is empty") }
        func amount(_ column: Int, _ name: String) throws -> Int? {
            guard record.starts[column] < record.ends[column] else { return nil }
            guard let value = integer(record.field(column)) else {
                throw RowProblem("\(name) is not a whole number ('\(record.string(column))')")
            }
            return value
        }
        return Row(ein: ein, assets: try amount(23, "ASSET_AMT"), income: try amount(24, "INCOME_AMT"), revenue: try amount(25, "REVENUE_AMT"),
                   isRepeat: false)
    }

    private static func integer(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        var negative = false
        var index = bytes.startIndex
        if bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        guard index < bytes.endIndex, bytes.endIndex - index <= 18 else { return nil }
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
            index += 1
        }
        return negative ? -value : value
    }
}

extension Organization {
    /// The organization a checked BMF row describes (text decoded from latin-1; NTEE upper-cased).
    init(bmf record: CSVReader.RawRecord, _ row: BMFRowSource.Row) {
        func text(_ column: Int) -> String? { record.starts[column] == record.ends[column] ? nil : record.string(column) }
        let ntee = text(26)?.uppercased()
        self.init(ein: row.ein.digits, name: record.string(1), inCareOf: text(2), street: text(3), city: text(4), state: text(5), zip: text(6),
                  groupExemption: text(7), subsection: text(8), affiliation: text(9), classification: text(10), ruling: text(11),
                  deductibility: text(12), foundation: text(13), activity: text(14), organizationCode: text(15), status: text(16),
                  taxPeriod: text(17), assetCode: text(18), incomeCode: text(19), filingRequirement: text(20), pfFilingRequirement: text(21),
                  accountingPeriod: text(22), assets: row.assets, income: row.income, revenue: row.revenue, nteeCode: ntee,
                  nteeMajor: ntee?.first.map(String.init), sortName: text(27), source: "bmf")
    }
}

/// Why a BMF row was rejected.
struct RowProblem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
