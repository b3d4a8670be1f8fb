import Foundation
import GRDB

/// Opening one SQLite file from several processes at once (CLI commands, a server, workers
/// sharing `$CATALYNX_HOME`): wait for each other's locks, and migrate a new file once.
public enum SharedSQLiteFile {
    /// A configuration that waits up to `busyTimeout` seconds for another process's lock instead of failing at once.
    public static func configuration(busyTimeout: TimeInterval = 10) -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        return configuration
    }

    /// Creates the folder of a database file unless it exists (a fresh `$CATALYNX_HOME`), readable by its owner only.
    public static func createFolder(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }

    /// Opens a pool on `path`. Switching a new file to WAL needs a lock SQLite does not wait for,
    /// so when two processes open the same new file together one fails at once with
    /// SQLITE_BUSY; it tries again, briefly, as `migrate` does.
    public static func openPool(path: String, configuration: Configuration, attempts: Int = 5) throws -> DatabasePool {
        var attempt = 1
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && attempt < attempts {
                Thread.sleep(forTimeInterval: 0.05 * Double(attempt))
                attempt += 1
            }
        }
    }

    /// Applies `migrator`'s pending migrations. GRDB reads which migrations are applied before it
    /// takes the write lock, so when two processes create the same new file together the one
    /// that waited then fails on tables the other created; read again, nothing is left to do.
    public static func migrate(_ migrator: DatabaseMigrator, _ writer: any DatabaseWriter, attempts: Int = 5) throws {
        for attempt in 1... {
            do {
                return try migrator.migrate(writer)
            } catch is DatabaseError where attempt < attempts {
                Thread.sleep(forTimeInterval: 0.05 * Double(attempt))
            }
        }
    }
}
