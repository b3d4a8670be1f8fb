import AgentCore
import Foundation

/// Runs the built `catalynx` binary as a user would: a subprocess with its own `CATALYNX_HOME`.
struct CLIHarness {
    let home: String
    var extraEnvironment: [String: String] = [:]

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary: `CATALYNX_BIN`, or `catalynx` beside the test bundle (SwiftPM builds it first).
    static let binary: String = {
        if let configured = ProcessInfo.processInfo.environment["CATALYNX_BIN"] { return configured }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("catalynx").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/catalynx").path
    }()

    init() throws {
        home = NSTemporaryDirectory() + "catalynx-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    }

    var sandbox: String { home + "/files" }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: Value? { try? Value(json: stdout) }
    }

    /// Starts the binary without waiting for it (`input`: a pipe for its standard input).
    func launch(_ arguments: [String], input: Pipe? = nil) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: home)
        var environment = ProcessInfo.processInfo.environment
        environment["CATALYNX_HOME"] = home
        environment.removeValue(forKey: "CATALYNX_DATABASE_URL")
        for (key, value) in extraEnvironment { environment[key] = value }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let input { process.standardInput = input }
        try process.run()
        return (process, out, err)
    }

    /// Runs the binary to its end and collects its output.
    @discardableResult
    func run(_ arguments: String...) throws -> Result { try run(arguments) }

    /// Runs the binary to its end and collects its output.
    @discardableResult
    func run(_ arguments: [String]) throws -> Result {
        let (process, out, err) = try launch(arguments)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A path under the package's `workflows/examples`.
    static func example(_ name: String) -> String {
        packageRoot.appendingPathComponent("workflows/examples/\(name)").path
    }

    /// Writes a workflow file into the home directory and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let path = home + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Polls until `condition` holds or `timeout` passes.
    static func waitUntil(timeout: Double = 30, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}
