import Foundation
import GRDBSQLite

/// The EIN look-up, the hottest read: one read-only SQLite connection with one prepared
/// statement, used under a lock through the C API. It answers in a few microseconds where a
/// pooled GRDB read costs several times that; everything else goes through GRDB.
final class OrganizationLookup: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: OpaquePointer?
    private var statement: OpaquePointer?

    struct OpenError: Error, CustomStringConvertible {
        var description: String
    }

    /// Opens `path` read-only. The schema must already exist (migrations run first).
    init(path: String) throws {
        guard sqlite3_open_v2(path, &connection, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(connection)
            throw OpenError(description: "cannot open \(path) for look-ups: \(message)")
        }
        sqlite3_busy_timeout(connection, 5000)
        sqlite3_exec(connection, "PRAGMA mmap_size = 1073741824", nil, nil, nil)
        let columns = Organization.CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")
        guard sqlite3_prepare_v3(connection, "SELECT \(columns) FROM organizations WHERE ein = ?", -1, UInt32(SQLITE_PREPARE_PERSISTENT),
                                 &statement, nil) == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(connection))
            sqlite3_close(connection)
            throw OpenError(description: "cannot prepare the look-up: \(message)")
        }
    }

    deinit {
        sqlite3_finalize(statement)
        sqlite3_close(connection)
    }

    /// The organization with these nine digits, if any.
    func organization(_ digits: String) throws -> Organization? {
        lock.lock()
        defer { lock.unlock() }
        defer { sqlite3_reset(statement) }
        var digits = digits
        digits.withUTF8 { bytes in
            _ = sqlite3_bind_text(statement, 1, UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self),
                                  Int32(bytes.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        }
        switch sqlite3_step(statement) {
        case SQLITE_ROW: break
        case SQLITE_DONE: return nil
        default: throw OpenError(description: "look-up failed: \(String(cString: sqlite3_errmsg(connection)))")
        }
        func text(_ column: Int32) -> String? {
            guard sqlite3_column_type(statement, column) != SQLITE_NULL, let pointer = sqlite3_column_text(statement, column) else { return nil }
            return String(decoding: UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(statement, column))), as: UTF8.self)
        }
        func integer(_ column: Int32) -> Int? {
            sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : Int(sqlite3_column_int64(statement, column))
        }
        return Organization(
            ein: text(0) ?? digits, name: text(1) ?? "", inCareOf: text(2), street: text(3), city: text(4), state: text(5), zip: text(6),
            groupExemption: text(7), subsection: text(8), affiliation: text(9), classification: text(10), ruling: text(11),
            deductibility: text(12), foundation: text(13), activity: text(14), organizationCode: text(15), status: text(16),
            taxPeriod: text(17), assetCode: text(18), incomeCode: text(19), filingRequirement: text(20), pfFilingRequirement: text(21),
            accountingPeriod: text(22), assets: integer(23), income: integer(24), revenue: integer(25), nteeCode: text(26),
            nteeMajor: text(27), sortName: text(28), source: text(29) ?? "")
    }
}
