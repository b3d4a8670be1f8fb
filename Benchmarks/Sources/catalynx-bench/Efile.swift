import AgentCore
import Foundation
import Nonprofit

/// `catalynx-bench efile-import --archives DIR [--db PATH | --postgres URL] [--root DIR]`
///
/// Imports an e-file year (the index and ZIP archives `make_efile_year.py` writes, as the IRS lays
/// them out) into an organization database holding the embedded dataset, as `catalynx data
/// import-990 DIR` does: every archive read in place, returns parsed on every core, written in
/// batches. Prints one `result` line of JSON: returns, grants, seconds, returns/s.
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
    let counts = try await database.counts()
    let result: Value = [
        "benchmark": "efile-import", "database": .string(postgres.isEmpty ? "sqlite" : "postgres"),
        "returns": .int(summary.importedCount), "already_present": .int(summary.alreadyPresentCount), "rejected": .int(summary.rejected.count),
        "by_form": .object(summary.imported.mapValues(Value.int)), "grants": .int(summary.grants), "grants_stored": .int(counts["grants"] ?? 0),
        "filings": .int(counts["filings"] ?? 0), "seconds": .double(seconds), "returns_per_s": .double(Double(summary.importedCount) / seconds),
    ]
    print("result \(result.jsonString())")
}
