import Foundation
import GRDB

/// Dashboard sessions: a browser signs in with an API key once and then carries a random session
/// token in a cookie. Only the token's hash is stored; revoking the key ends its sessions.
extension APIKeyStore {
    /// A signed-in browser: the key it signed in with and the CSRF token its forms must carry.
    public struct Session: Sendable, Hashable {
        public var key: Key
        public var csrf: String
    }

    /// Opens a session for a key; returns the token for the cookie and the session.
    public func openSession(for key: Key, lifetime: TimeInterval = 12 * 3600) throws -> (token: String, session: Session) {
        let token = Self.randomHex(32)
        let session = Session(key: key, csrf: Self.randomHex(16))
        try queue.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at < ?", arguments: [Date().timeIntervalSince1970])
            try db.execute(sql: "INSERT INTO sessions (token_hash, key_id, csrf, expires_at) VALUES (?, ?, ?, ?)",
                           arguments: [Self.hash(token), key.id, session.csrf, Date().addingTimeInterval(lifetime).timeIntervalSince1970])
        }
        return (token, session)
    }

    /// The live session a token belongs to: not expired, and its key not revoked.
    public func session(_ token: String) throws -> Session? {
        try queue.read { db -> Session? in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT api_keys.*, sessions.csrf FROM sessions JOIN api_keys ON api_keys.id = sessions.key_id
                WHERE sessions.token_hash = ? AND sessions.expires_at > ? AND api_keys.revoked_at IS NULL
                """, arguments: [Self.hash(token), Date().timeIntervalSince1970]),
                let key = Self.key(row) else { return nil }
            return Session(key: key, csrf: row["csrf"])
        }
    }

    /// Ends a session (signing out).
    public func closeSession(_ token: String) throws {
        try queue.write { db in try db.execute(sql: "DELETE FROM sessions WHERE token_hash = ?", arguments: [Self.hash(token)]) }
    }
}
