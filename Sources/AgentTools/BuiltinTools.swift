import AgentCore
import Foundation

/// The generic tools every Catalynx process registers.
public enum BuiltinTools {
    /// Registers `echo`, `sleep`, `fail_n_times`, `append_line` and `http_get`, configured from the environment.
    /// - Parameters:
    ///   - registry: the registry to add to.
    ///   - home: `$CATALYNX_HOME`; `append_line` writes under `home/files` unless `CATALYNX_SANDBOX_DIR` is set.
    ///   - environment: reads `CATALYNX_SANDBOX_DIR` and `CATALYNX_HTTP_ALLOWED_HOSTS` (comma-separated).
    public static func register(in registry: inout ToolRegistry, home: String, environment: [String: String]) {
        registry.register(EchoTool())
        registry.register(SleepTool())
        registry.register(FailNTimesTool())
        registry.register(AppendLineTool(sandbox: environment["CATALYNX_SANDBOX_DIR"] ?? (home as NSString).appendingPathComponent("files")))
        let hosts = (environment["CATALYNX_HTTP_ALLOWED_HOSTS"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        registry.register(HTTPGetTool(allowedHosts: Set(hosts)))
    }
}
