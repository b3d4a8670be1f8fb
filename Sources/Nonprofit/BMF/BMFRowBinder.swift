import GRDB
import GRDBSQLite

/// Checks one raw BMF record and binds it, straight from its bytes, to the upsert statement
/// (whose columns are `Organization.CodingKeys` in order). No string is made for a valid row's
/// fields: at two million rows that is most of the import's cost.
struct BMFRowBinder {
    /// Latin-1 text re-encoded as UTF-8 for SQLite, reused between fields.
    private var scratch: [UInt8] = []
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// BMF column index of each statement column; `nil` for the derived `ntee_major` and `source`.
    private static let sourceColumn: [Int?] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                               23, 24, 25, 26, nil, 27, nil]
    private static let amountColumns: [Int: String] = [23: "ASSET_AMT", 24: "INCOME_AMT", 25: "REVENUE_AMT"]

    /// Validates and binds a record.
    /// - Returns: the EIN, for duplicate detection.
    /// - Throws: `RowProblem` naming what is wrong with the row.
    mutating func bind(_ record: CSVReader.RawRecord, to statement: Statement) throws -> String {
        guard record.count == BMFImporter.columns.count else {
            throw RowProblem("expected \(BMFImporter.columns.count) columns, found \(record.count)")
        }
        let ein = record.field(0)
        guard ein.count == 9, ein.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            let text = record.string(0)
            do { _ = try EIN(text) } catch { throw RowProblem("EIN: \(error.reason) ('\(text)')") }
            throw RowProblem("EIN: expected nine digits ('\(text)')")
        }
        let einText = String(decoding: ein, as: UTF8.self)
        guard !EIN.unassignedPrefixes.contains(String(einText.prefix(2))) else {
            throw RowProblem("EIN: the prefix \(einText.prefix(2)) is never assigned by the IRS ('\(einText)')")
        }
        guard record.starts[1] < record.ends[1] else { throw RowProblem("NAME is empty") }
        let handle = statement.sqliteStatement
        for (parameter, column) in Self.sourceColumn.enumerated() {
            let index = Int32(parameter + 1)
            guard let column else { continue }
            let field = record.field(column)
            if field.isEmpty {
                sqlite3_bind_null(handle, index)
            } else if let name = Self.amountColumns[column] {
                guard let amount = Self.integer(field) else {
                    throw RowProblem("\(name) is not a whole number ('\(record.string(column))')")
                }
                sqlite3_bind_int64(handle, index, Int64(amount))
            } else if column == 26 {
                bindText(field.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }[...], at: index, handle)  // NTEE, upper case
            } else {
                bindText(field, at: index, handle)
            }
        }
        let ntee = record.field(26)
        if let first = ntee.first {
            bindText([first >= 0x61 && first <= 0x7A ? first - 0x20 : first][...], at: 28, handle)
        } else {
            sqlite3_bind_null(handle, 28)
        }
        bindText(Array("bmf".utf8)[...], at: 30, handle)
        return einText
    }

    /// Executes the bound statement.
    /// - Returns: whether a row was inserted or changed.
    func step(_ statement: Statement, in db: Database) throws -> Bool {
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
        return sqlite3_changes(db.sqliteConnection) > 0
    }

    private mutating func bindText(_ bytes: ArraySlice<UInt8>, at index: Int32, _ handle: OpaquePointer) {
        if bytes.allSatisfy({ $0 < 0x80 }) {
            bytes.withUnsafeBufferPointer { buffer in
                _ = sqlite3_bind_text(handle, index, UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self),
                                      Int32(buffer.count), Self.transient)
            }
            return
        }
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
