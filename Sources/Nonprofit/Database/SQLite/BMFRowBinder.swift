import GRDB
import GRDBSQLite

/// Binds one checked BMF record, straight from its bytes, to the upsert statement
/// (whose columns are `Organization.CodingKeys` in order). No string and no copy is made for a
/// valid row's ASCII fields: at two million rows that is most of the import's cost.
struct BMFRowBinder {
    /// Latin-1 text re-encoded as UTF-8 for SQLite, reused between fields.
    private var scratch: [UInt8] = []
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds a checked record and executes the upsert.
    /// - Returns: whether a row was inserted or changed.
    /// - Throws: a `DatabaseError` from SQLite.
    mutating func upsert(_ record: CSVReader.RawRecord, _ row: BMFRowSource.Row, with statement: Statement, in db: Database) throws -> Bool {
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        // ASCII fields are bound in place (SQLITE_STATIC: no copy) for as long as the record's
        // bytes are pinned here; latin-1 text and the derived columns are copied.
        return try record.bytes.withUnsafeBufferPointer { bytes -> Bool in
            for (parameter, column) in BMFRowSource.organizationColumnSource.enumerated() {
                let index = Int32(parameter + 1)
                guard let column else { continue }
                let start = record.starts[column], end = record.ends[column]
                if start == end {
                    sqlite3_bind_null(handle, index)
                } else if (23...25).contains(column) {
                    let amount = column == 23 ? row.assets : column == 24 ? row.income : row.revenue
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
            bindCopy(Array(row.ein.digits.utf8)[...], at: 1, handle)
            bindCopy(Self.source, at: 30, handle)
            let code = sqlite3_step(handle)
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            return sqlite3_changes(db.sqliteConnection) > 0
        }
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
}
