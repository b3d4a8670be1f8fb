import Foundation
import Testing

/// Where a test keeps its data: the embedded SQLite file or a real PostgreSQL server.
public enum TestBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    public var testDescription: String { rawValue }
}

/// The PostgreSQL server the tests use: `CATALYNX_TEST_POSTGRES_URL` (`.ci/run` starts one and
/// sets it), else a throwaway cluster this process starts with `.ci/start_postgres.sh` and stops
/// when it exits. Each caller gets a fresh, empty database on it.
public enum TestPostgres {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    nonisolated(unsafe) private static var stopScript: String?

    /// The server, started at most once a process.
    public static let serverURL: Result<String, Failure> = {
        if let url = ProcessInfo.processInfo.environment["CATALYNX_TEST_POSTGRES_URL"], !url.isEmpty { return .success(url) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".ci/start_postgres.sh").path
        let port = Int.random(in: 55_000...59_000)
        let (status, out, err) = run("/bin/bash", [script], environment: ["PGTEST_PORT": String(port), "PGTEST_ROOT": NSTemporaryDirectory()])
        guard status == 0, let url = out.split(separator: "\n").last.map(String.init), url.hasPrefix("postgres://") else {
            return .failure(Failure(description: "no PostgreSQL for the tests: set CATALYNX_TEST_POSTGRES_URL or install Debian's postgresql (\(err))"))
        }
        stopScript = err.components(separatedBy: "stop + delete with: ").last?.trimmingCharacters(in: .whitespacesAndNewlines)
        atexit {
            guard let stop = TestPostgres.stopScript else { return }
            TestPostgres.run("/bin/sh", [stop], environment: [:])
            try? FileManager.default.removeItem(atPath: stop)
        }
        return .success(url)
    }()

    /// A new empty database on the server; returns its URL. The server's start and `psql` block,
    /// so they run on a dispatch thread, never on one of the few threads every test's tasks share.
    public static func freshDatabase() async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try createDatabase() }) }
        }
    }

    private static func createDatabase() throws -> String {
        let server = try serverURL.get()
        let name = "catalynx_test_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        let (status, _, err) = run("/usr/bin/psql", [server, "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE DATABASE \(name)"], environment: [:])
        guard status == 0 else { throw Failure(description: "cannot create a test database: \(err)") }
        guard let slash = server.range(of: "/", options: .backwards), server[..<slash.lowerBound].contains("@") || server.contains("//") else {
            throw Failure(description: "unexpected server URL \(server)")
        }
        return String(server[..<slash.lowerBound]) + "/" + name
    }

    /// Runs a command to its end (posix_spawn and waitpid: Foundation's Process can miss the exit
    /// of a script whose grandchild, the server, lives on), its output going through files.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) -> (Int32, String, String) {
        let base = NSTemporaryDirectory() + "catalynx-cmd-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: base + ".out"); try? FileManager.default.removeItem(atPath: base + ".err") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, base + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, base + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + env).forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, nil, argv, env) == 0 else { return (-1, "", "cannot run \(executable)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let read = { (suffix: String) in (try? String(contentsOfFile: base + suffix, encoding: .utf8)) ?? "" }
        let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
        return (exited, read(".out"), read(".err"))
    }
}
