import AgentCore
import Foundation
import Nonprofit

/// `catalynx-bench efile-import --archives DIR [--db PATH | --postgres URL] [--root DIR]`
///
/// Imports an e-file year (the index and ZIP archives `make_efile_year.py` writes, as the IRS lays
/// them out) into an organization database holding the embedded dataset, as `catalynx data
/// import-990 DIR` does: every archive read in place, returns parsed on every core, written in
/// batches. Prints one `result` line of JSON: returns, grants, seconds, returns/s, and the peak
/// resident memory of the import itself (taken before the stored rows are counted to check them:
/// counting reads every table through the memory map, which `data import-990` never does).
func measureEfileImport() async throws {
    let archives = option("archives", "")
    let root = option("root", FileManager.default.currentDirectoryPath)
    let postgres = option("postgres", "")
    guard !archives.isEmpty else { throw ToolError("Bench", "--archives DIR is required") }
    let database: any OrganizationDatabase = postgres.isEmpty
        ? try SQLiteOrganizationDatabase(path: option("db", NSTemporaryDirectory() + "catalynx-efile-\(UUID().uuidString).sqlite"))
        : try await PostgresOrganizationDatabase(url: postgres)
    _ = try await EmbeddedDataset(directory: root + "/data").loadIfNeeded(into: database)
    let clock = ContinuousClock()
    let start = clock.now
    let summary = try await Form990Importer(database: database).importPaths([archives]) { progress in
        if progress.done % 20_000 < 500 {
            FileHandle.standardError.write(Data("  \(progress.done) of \(progress.total) returns\n".utf8))
        }
    }
    let seconds = (clock.now - start).seconds
    let memory = ResidentMemory.current()
    let counts = try await database.counts()
    let result: Value = [
        "benchmark": "efile-import", "database": .string(postgres.isEmpty ? "sqlite" : "postgres"),
        "returns": .int(summary.importedCount), "already_present": .int(summary.alreadyPresentCount), "rejected": .int(summary.rejected.count),
        "by_form": .object(summary.imported.mapValues(Value.int)), "grants": .int(summary.grants), "grants_stored": .int(counts["grants"] ?? 0),
        "filings": .int(counts["filings"] ?? 0), "seconds": .double(seconds), "returns_per_s": .double(Double(summary.importedCount) / seconds),
        "peak_rss_mb": .int(memory.peak), "rss_anonymous_mb": .int(memory.anonymous), "rss_file_mb": .int(memory.file),
    ]
    print("result \(result.jsonString())")
}

/// The process's resident memory in megabytes, from `/proc/self/status`: its peak so far, and what is
/// resident now in anonymous memory (the heap) and in mapped files (the database's memory map).
struct ResidentMemory {
    var peak = 0, anonymous = 0, file = 0

    static func current() -> ResidentMemory {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func megabytes(_ field: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
                  let kilobytes = line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap({ Int($0) }) else { return 0 }
            return kilobytes / 1024
        }
        return ResidentMemory(peak: megabytes("VmHWM"), anonymous: megabytes("RssAnon"), file: megabytes("RssFile"))
    }
}
