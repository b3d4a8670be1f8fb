import Crypto
import Foundation
import GRDB
import SQLiteSupport

/// API keys: what each may do, stored only as SHA-256 hashes in `$CATALYNX_HOME/keys.sqlite`.
/// A key is shown once, when created: `cx_<id>_<secret>`.
public final class APIKeyStore: Sendable {
    /// What a key may do; each scope includes the ones before it.
    public enum Scope: String, Sendable, Codable, CaseIterable, Comparable {
        case read, write, admin
        public static func < (lhs: Scope, rhs: Scope) -> Bool { allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)! }
    }

    public struct Key: Sendable, Hashable {
        public var id: String
        public var name: String
        public var scope: Scope
        public var createdAt: Date
        public var revokedAt: Date?
    }

    let queue: DatabaseQueue

    /// Opens (creating if needed) the key file.
    public convenience init(path: String) throws {
        try SharedSQLiteFile.createFolder(of: path)
        try self.init(queue: try DatabaseQueue(path: path, configuration: SharedSQLiteFile.configuration()))
    }

    /// An in-memory store (tests).
    public convenience init() throws {
        try self.init(queue: try DatabaseQueue())
    }

    private init(queue: DatabaseQueue) throws {
        self.queue = queue
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: api keys") { db in
            try db.execute(sql: """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    secret_hash TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    revoked_at REAL
                )
                """)
        }
        migrator.registerMigration("v2: dashboard sessions") { db in
            try db.execute(sql: """
                CREATE TABLE sessions (
                    token_hash TEXT PRIMARY KEY NOT NULL,
                    key_id TEXT NOT NULL REFERENCES api_keys(id),
                    csrf TEXT NOT NULL,
                    expires_at REAL NOT NULL
                )
                """)
        }
        try SharedSQLiteFile.migrate(migrator, queue)
    }

    /// Creates a key and returns it with its token (the only time the secret exists outside the caller).
    public func create(name: String, scope: Scope) throws -> (key: Key, token: String) {
        let id = Self.randomHex(6)
        let secret = Self.randomHex(24)
        let key = Key(id: id, name: name, scope: scope, createdAt: Date(), revokedAt: nil)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO api_keys (id, name, scope, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, name, scope.rawValue, Self.hash(secret), key.createdAt.timeIntervalSince1970])
        }
        return (key, "cx_\(id)_\(secret)")
    }

    /// The key a token belongs to, if it is valid and not revoked.
    public func verify(_ token: String) throws -> Key? {
        let parts = token.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "cx" else { return nil }
        let id = String(parts[1]), secret = String(parts[2])
        return try queue.read { db -> Key? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?", arguments: [id]) else { return nil }
            let stored: String = row["secret_hash"]
            guard Self.constantTimeEqual(stored, Self.hash(secret)), row["revoked_at"] as Double? == nil else { return nil }
            return Self.key(row)
        }
    }

    /// Every key (without secrets), newest first.
    public func list() throws -> [Key] {
        try queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at DESC").compactMap(Self.key) }
    }

    /// Revokes a key; false when there is no such key.
    @discardableResult
    public func revoke(id: String) throws -> Bool {
        try queue.write { db in
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [Date().timeIntervalSince1970, id])
            return db.changesCount > 0
        }
    }

    static func key(_ row: Row) -> Key? {
        guard let scope = Scope(rawValue: row["scope"]) else { return nil }
        return Key(id: row["id"], name: row["name"], scope: scope, createdAt: Date(timeIntervalSince1970: row["created_at"]),
                   revokedAt: (row["revoked_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }

    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
