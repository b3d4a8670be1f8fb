import AgentStore
import Foundation

/// Everything Catalynx reads from its environment, read once when the process starts (12-factor):
/// where data lives, which databases to use, where workflows, prompts and the embedded dataset are,
/// who reviews analyses and whether analyses may fetch from ProPublica. Front ends pass it to
/// `CatalynxApplication`; nothing below reads the environment again, except secrets resolved by name
/// where they are used (LLM keys, webhook secrets), so that they never sit in a configuration value.
public struct Configuration: Sendable {
    /// The environment the configuration was read from (LLM clients and webhook secrets look names up in it).
    public let environment: [String: String]
    /// `$CATALYNX_HOME`, default `~/.catalynx`.
    public let home: String
    /// Where runs are stored (`CATALYNX_DATABASE_URL`), or why that setting cannot be used.
    public let runStore: Result<RunStoreLocation, ConfigurationError>
    /// `CATALYNX_SYNCHRONOUS=full`: fsync every SQLite commit.
    public let durability: SQLiteRunStore.Durability
    /// Folders searched for workflows by name: `CATALYNX_WORKFLOWS_DIR`, `./workflows`, the installation's.
    public let workflowDirectories: [String]
    /// The AI tools' `.baml` files: the first of `CATALYNX_BAML_DIR`, `./baml_src` and the installation's that exists.
    public let bamlDirectory: String?
    /// The embedded dataset's folder: the first of `CATALYNX_DATA_DIR`, `./data` and the installation's holding BMF files.
    public let dataDirectory: String?
    /// `CATALYNX_REVIEWERS`: who answers expert reviews (comma-separated); empty, reviews approve themselves.
    public let reviewers: [String]
    /// `CATALYNX_PROPUBLICA_ONLINE=1`: analyses fetch missing filings from ProPublica.
    public let proPublicaOnline: Bool
    /// `CATALYNX_PROPUBLICA_URL`: the ProPublica API (a local mirror in tests).
    public let proPublicaURL: String?
    /// `CATALYNX_IRS_MIRROR`: a mirror of the IRS's files (scheme and host replacing `www.irs.gov` and `apps.irs.gov`).
    public let irsMirror: String?
    /// `CATALYNX_HTTP_BACKOFF_MS`: the first retry's delay of ProPublica fetches, IRS downloads and outbound webhooks.
    public let httpBackoff: Duration?
    /// The user running the process (`USER`), who answers a review from the CLI by default.
    public let user: String?

    /// Reads the configuration.
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - executable: the program's path (the installation's folders are found upwards from it).
    ///   - currentDirectory: the working directory (`./workflows`, `./data`, `./baml_src`).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                executable: String = CommandLine.arguments.first ?? "",
                currentDirectory: String = FileManager.default.currentDirectoryPath) {
        self.environment = environment
        home = RunStoreLocation.home(environment: environment)
        do {
            runStore = .success(try RunStoreLocation.from(environment: environment))
        } catch let error as ConfigurationError {
            runStore = .failure(error)
        } catch {
            runStore = .failure(ConfigurationError("\(error)"))
        }
        durability = environment["CATALYNX_SYNCHRONOUS"]?.lowercased() == "full" ? .full : .normal
        func folders(_ name: String, _ override: String) -> [String] {
            Self.installationFolders(named: name, override: environment[override], executable: executable, currentDirectory: currentDirectory)
        }
        workflowDirectories = folders("workflows", "CATALYNX_WORKFLOWS_DIR")
        bamlDirectory = folders("baml_src", "CATALYNX_BAML_DIR").first { FileManager.default.fileExists(atPath: $0) }
        dataDirectory = folders("data", "CATALYNX_DATA_DIR")
            .first { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("eo_bmf")) }
        reviewers = (environment["CATALYNX_REVIEWERS"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        proPublicaOnline = ["1", "true", "yes"].contains(environment["CATALYNX_PROPUBLICA_ONLINE"]?.lowercased() ?? "")
        proPublicaURL = environment["CATALYNX_PROPUBLICA_URL"].flatMap { $0.isEmpty ? nil : $0 }
        irsMirror = environment["CATALYNX_IRS_MIRROR"].flatMap { $0.isEmpty ? nil : $0 }
        httpBackoff = environment["CATALYNX_HTTP_BACKOFF_MS"].flatMap(Int.init).map { .milliseconds($0) }
        user = environment["USER"]
    }

    /// A file or folder under `$CATALYNX_HOME`.
    public func inHome(_ name: String) -> String { (home as NSString).appendingPathComponent(name) }

    /// The folder named by `override`, `./name`, and every existing `name` folder upwards from the
    /// executable (so that `swift run` and a copied binary find them), without repeats.
    static func installationFolders(named name: String, override: String?, executable: String, currentDirectory: String) -> [String] {
        var directories: [String] = []
        if let override, !override.isEmpty { directories.append(override) }
        directories.append((currentDirectory as NSString).appendingPathComponent(name))
        // From the absolute path: a relative one (`./catalynx`) would walk up to "." and stop making sense.
        var directory = URL(fileURLWithPath: executable).standardizedFileURL.deletingLastPathComponent()
        for _ in 0..<6 where directory.path != "/" {
            let candidate = directory.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: candidate) { directories.append(candidate) }
            directory = directory.deletingLastPathComponent()
        }
        var seen: Set<String> = []
        return directories.filter { seen.insert(($0 as NSString).standardizingPath).inserted }
    }
}
