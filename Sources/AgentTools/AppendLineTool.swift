import AgentCore
import Foundation

/// Appends a line to a file inside a sandbox directory: a tool with a visible side effect, for
/// examples of durable execution. Each line carries the call's idempotency key, so a reader can
/// tell a re-executed attempt (same key) from a new one.
public struct AppendLineTool: Tool {
    public struct Input: Codable, Sendable {
        /// A file name relative to the sandbox directory.
        public var file: String
        public var text: String
        /// Seconds to wait after writing, to model a long effect.
        public var hold_seconds: Double?
    }
    public struct Output: Codable, Sendable {
        public var text: String
        public var idempotency_key: String
    }

    /// The directory files may be written in.
    public let sandbox: String

    /// - Parameter sandbox: the only directory the tool writes in.
    public init(sandbox: String) { self.sandbox = sandbox }
    public let name = "append_line"
    public let description = "Appends `text` and the idempotency key as a line to `file` in the sandbox directory, then waits `hold_seconds`."

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        let file = input.file
        guard !file.isEmpty, !file.contains("/"), !file.hasPrefix(".") else {
            throw ToolError("InvalidInput", "inputs.file: expected a plain file name inside the sandbox, got '\(file)'")
        }
        let path = (sandbox as NSString).appendingPathComponent(file)
        let line = "\(input.text)\t\(context.idempotencyKey)\n"
        do {
            try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
        } catch {
            throw ToolError("IO", "cannot create \(sandbox): \(error.localizedDescription)", retryable: true)
        }
        // O_APPEND: each line lands whole at the end even when several processes append at once.
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else { throw ToolError("IO", "cannot open \(path): \(String(cString: strerror(errno)))", retryable: true) }
        defer { close(descriptor) }
        let bytes = Array(line.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
            throw ToolError("IO", "cannot append to \(path): \(String(cString: strerror(errno)))", retryable: true)
        }
        if let hold = input.hold_seconds, hold > 0 { try await Task.sleep(for: .milliseconds(Int64(hold * 1000))) }
        return Output(text: input.text, idempotency_key: context.idempotencyKey)
    }
}
