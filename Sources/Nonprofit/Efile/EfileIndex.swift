import Foundation

/// The IRS's index of one e-file year (`index_YYYY.csv`): a row per return published, with its
/// object id and return type. Columns are found by name (`RETURN_ID, FILING_TYPE, EIN, TAX_PERIOD,
/// SUB_DATE, TAXPAYER_NAME, RETURN_TYPE, DLN, OBJECT_ID`, and since 2024 `XML_BATCH_ID`, the
/// archive a return is in), in any order and with any others beside them.
public struct EfileIndex: Sendable {
    /// One return the index lists.
    public struct Entry: Sendable, Hashable {
        public var objectID: String
        public var ein: String
        /// `990`, `990EZ`, `990PF` (dashes removed, capitals), or another return type the IRS publishes (`990T`).
        public var returnType: String
        public var taxPeriod: String
        public var taxpayerName: String
        /// The archive the return is in (`2024_TEOS_XML_01A`), when the index says.
        public var batch: String?
    }

    /// Why an index cannot be used, with its file and line.
    public struct FormatError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The returns, by object id.
    public var entries: [String: Entry]

    /// The columns an index must have.
    static let requiredColumns = ["OBJECT_ID", "RETURN_TYPE"]

    /// Reads an index file. Rows without an object id are passed over.
    /// - Throws: `FormatError` when the file is not an index (no `OBJECT_ID` / `RETURN_TYPE` header).
    public static func read(path: String) throws -> EfileIndex {
        let name = (path as NSString).lastPathComponent
        var reader = try CSVReader(path: path, maximumRecordLines: 1)
        guard let header = try reader.next() else { throw FormatError(description: "\(name): the file is empty") }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces).uppercased().replacingOccurrences(of: "\u{FEFF}", with: "") }
        func column(_ name: String) -> Int? { columns.firstIndex(of: name) }
        guard let objectColumn = column("OBJECT_ID"), let typeColumn = column("RETURN_TYPE") else {
            let missing = requiredColumns.filter { column($0) == nil }
            throw FormatError(description: "\(name):1: not an IRS e-file index (no \(missing.joined(separator: ", ")) column)")
        }
        let (einColumn, periodColumn, nameColumn, batchColumn) = (column("EIN"), column("TAX_PERIOD"), column("TAXPAYER_NAME"), column("XML_BATCH_ID"))
        var entries: [String: Entry] = [:]
        var record = CSVReader.RawRecord()
        while try reader.next(into: &record) {
            func text(_ index: Int?) -> String {
                guard let index, index < record.count else { return "" }
                return record.string(index).trimmingCharacters(in: .whitespaces)
            }
            let objectID = text(objectColumn)
            guard !objectID.isEmpty else { continue }
            let batch = text(batchColumn)
            entries[objectID] = Entry(objectID: objectID, ein: text(einColumn), returnType: Self.normalizedForm(text(typeColumn)),
                                      taxPeriod: text(periodColumn), taxpayerName: text(nameColumn), batch: batch.isEmpty ? nil : batch)
        }
        return EfileIndex(entries: entries)
    }

    /// `990-PF`, `990pf` → `990PF`.
    public static func normalizedForm(_ form: String) -> String {
        form.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: " ", with: "").uppercased()
    }

    /// The index that describes an archive: `index_YYYY.csv` in the archive's folder, YYYY from the
    /// archive's name (`2024_TEOS_XML_01A.zip`), else the folder's only `index_*.csv`.
    public static func path(besideArchive archive: String) -> String? {
        let folder = (archive as NSString).deletingLastPathComponent
        let name = (archive as NSString).lastPathComponent
        let manager = FileManager.default
        if let year = name.prefix(4).allSatisfy(\.isNumber) ? String(name.prefix(4)) : nil {
            let candidate = (folder as NSString).appendingPathComponent("index_\(year).csv")
            if manager.fileExists(atPath: candidate) { return candidate }
        }
        let indexes = ((try? manager.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? [])
            .filter { $0.lowercased().hasPrefix("index_") && $0.lowercased().hasSuffix(".csv") }
        return indexes.count == 1 ? (folder as NSString).appendingPathComponent(indexes[0]) : nil
    }
}
