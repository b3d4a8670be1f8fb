import GRDB
import GRDBSQLite

/// Binds checked BMF rows, straight from their bytes, to the upsert statement (whose columns are
/// `Organization.CodingKeys` in order). No string and no copy is made for a valid row's ASCII
/// fields: at two million rows that is most of the import's cost.
struct BMFRowBinder {
    /// Latin-1 text re-encoded as UTF-8 for SQLite, reused between fields.
    private var scratch: [UInt8] = []
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds each row of a batch and executes the upsert.
    /// - Returns: how many rows not repeated earlier in the import were inserted or changed.
    /// - Throws: a `DatabaseError` from SQLite.
    mutating func upsert(_ batch: BMFRowBatch, with statement: Statement, in db: Database) throws -> Int {
        let handle = statement.sqliteStatement
        // ASCII fields are bound in place (SQLITE_STATIC: no copy) for as long as the batch's
        // bytes are pinned here; latin-1 text and the derived columns are copied.
        return try batch.bytes.withUnsafeBufferPointer { bytes -> Int in
            var changes = 0
            for (index, row) in batch.rows.enumerated() {
                defer { sqlite3_reset(handle) }
                bind(index, row, of: batch, bytes, to: handle)
                let code = sqlite3_step(handle)
                guard code == SQLITE_DONE else {
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                }
                if sqlite3_changes(db.sqliteConnection) > 0, !row.isRepeat { changes += 1 }
            }
            return changes
        }
    }

    private mutating func bind(_ index: Int, _ row: BMFRowSource.Row, of batch: BMFRowBatch, _ bytes: UnsafeBufferPointer<UInt8>,
                               to handle: OpaquePointer?) {
        for (parameter, column) in BMFRowSource.organizationColumnSource.enumerated() {
            let parameter = Int32(parameter + 1)
            guard let column else { continue }
            let field = batch.range(index, column)
            if field.isEmpty {
                sqlite3_bind_null(handle, parameter)
            } else if (23...25).contains(column) {
                let amount = column == 23 ? row.assets : column == 24 ? row.income : row.revenue
                sqlite3_bind_int64(handle, parameter, Int64(amount ?? 0))
            } else if column == 26 {
                bindCopy(bytes[field].lazy.map(Self.uppercased), at: parameter, handle)
            } else if !bytes[field].contains(where: { $0 >= 0x80 }) {
                let pointer = UnsafeRawPointer(bytes.baseAddress! + field.lowerBound).assumingMemoryBound(to: CChar.self)
                sqlite3_bind_text(handle, parameter, pointer, Int32(field.count), nil)
            } else {
                bindCopy(bytes[field], at: parameter, handle)
            }
        }
        let ntee = batch.range(index, 26)
        if let first = ntee.first {
            bindCopy(CollectionOfOne(Self.uppercased(bytes[first])), at: 28, handle)
        } else {
            sqlite3_bind_null(handle, 28)
        }
        bindCopy(row.ein.digits.utf8, at: 1, handle)
        bindCopy("bmf".utf8, at: 30, handle)
    }

    private static func uppercased(_ byte: UInt8) -> UInt8 { byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte }

    /// Binds text that SQLite copies, re-encoding latin-1 as UTF-8.
    private mutating func bindCopy<Bytes: Sequence<UInt8>>(_ bytes: Bytes, at index: Int32, _ handle: OpaquePointer?) {
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
