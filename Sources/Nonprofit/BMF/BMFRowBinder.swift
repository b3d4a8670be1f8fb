import GRDB
import GRDBSQLite

/// Checks one raw BMF record and binds it, straight from its bytes, to the upsert statement
/// (whose columns are `Organization.CodingKeys` in order). No string and no copy is made for a
/// valid row's ASCII fields: at two million rows that is most of the import's cost.
struct BMFRowBinder {
    /// Latin-1 text re-encoded as UTF-8 for SQLite, reused between fields.
    private var scratch: [UInt8] = []
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// BMF column index of each statement column; `nil` for the normalised `ein` and the derived `ntee_major` and `source`.
    private static let sourceColumn: [Int?] = [nil, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                               23, 24, 25, 26, nil, 27, nil]

    /// Validates a record, binds it and executes the upsert.
    /// - Returns: the EIN (for duplicate detection) and whether a row was inserted or changed.
    /// - Throws: `RowProblem` naming what is wrong with the row; a `DatabaseError` from SQLite.
    mutating func upsert(_ record: CSVReader.RawRecord, with statement: Statement, in db: Database) throws -> (ein: String, changed: Bool) {
        guard record.count == BMFImporter.columns.count else {
            throw RowProblem("expected \(BMFImporter.columns.count) columns, found \(record.count)")
        }
        let ein: EIN
        do { ein = try EIN(record.string(0)) } catch { throw RowProblem("EIN: \(error.reason) ('\(record.string(0))')") }
        guard record.starts[1] < record.ends[1] else { throw RowProblem("NAME is empty") }
        func amount(_ column: Int, _ name: String) throws -> Int? {
            guard record.starts[column] < record.ends[column] else { return nil }
            guard let value = Self.integer(record.field(column)) else {
                throw RowProblem("\(name) is not a whole number ('\(record.string(column))')")
            }
            return value
        }
        let amounts = (assets: try amount(23, "ASSET_AMT"), income: try amount(24, "INCOME_AMT"), revenue: try amount(25, "REVENUE_AMT"))
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        // ASCII fields are bound in place (SQLITE_STATIC: no copy) for as long as the record's
        // bytes are pinned here; latin-1 text and the derived columns are copied.
        let changed = try record.bytes.withUnsafeBufferPointer { bytes -> Bool in
            for (parameter, column) in Self.sourceColumn.enumerated() {
                let index = Int32(parameter + 1)
                guard let column else { continue }
                let start = record.starts[column], end = record.ends[column]
                if start == end {
                    sqlite3_bind_null(handle, index)
                } else if (23...25).contains(column) {
                    let amount = column == 23 ? amounts.assets : column == 24 ? amounts.income : amounts.revenue
                    sqlite3_bind_int64(handle, index, Int64(amount ?? 0))
                } else if column == 26 {
                    bindCopy(record.field(column).map(Self.uppercased)[...], at: index, handle)
                } else if !bytes[start..<end].contains(where: { $0 >= 0x80 }) {
                    let pointer = UnsafeRawPointer(bytes.baseAddress! + start).assumingMemoryBound(to: CChar.self)
                    sqlite3_bind_text(handle, index, pointer, Int32(end - start), nil)
                } else {
                    bindCopy(record.field(column), at: index, handle)
                }
            }
            if let first = record.field(26).first {
                bindCopy([Self.uppercased(first)][...], at: 28, handle)
            } else {
                sqlite3_bind_null(handle, 28)
            }
            bindCopy(Array(ein.digits.utf8)[...], at: 1, handle)
            bindCopy(Self.source, at: 30, handle)
            let code = sqlite3_step(handle)
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            return sqlite3_changes(db.sqliteConnection) > 0
        }
        return (ein.digits, changed)
    }

    private static let source = Array("bmf".utf8)[...]

    private static func uppercased(_ byte: UInt8) -> UInt8 { byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte }

    /// Binds text that SQLite copies, re-encoding latin-1 as UTF-8.
    private mutating func bindCopy(_ bytes: ArraySlice<UInt8>, at index: Int32, _ handle: OpaquePointer) {
        scratch.removeAll(keepingCapacity: true)
        for byte in bytes {
            if byte < 0x80 {
                scratch.append(byte)
            } else {
                scratch.append(0xC0 | (byte >> 6))
                scratch.append(0x80 | (byte & 0x3F))
            }
        }
        scratch.withUnsafeBufferPointer { buffer in
            _ = sqlite3_bind_text(handle, index, UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self),
                                  Int32(buffer.count), Self.transient)
        }
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
