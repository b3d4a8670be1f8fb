import AgentCore
import AgentStore
import Foundation
import Testing
import TestSupport

/// The stores the engine's tests run on: in memory, the embedded SQLite file, a real PostgreSQL server.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible {
    case memory, sqlite, postgres

    var testDescription: String { rawValue }

    /// A new, empty store of the kind.
    func open() async throws -> any RunStore {
        switch self {
        case .memory:
            return MemoryRunStore()
        case .sqlite:
            let directory = NSTemporaryDirectory() + "catalynx-engine-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            return try SQLiteRunStore(path: directory + "/catalynx.sqlite")
        case .postgres:
            return try await RunStoreLocation.postgres(url: try await TestPostgres.freshDatabase()).open()
        }
    }

    /// Two handles on one new, empty store, as two processes open it (the same object in memory).
    func openTwice() async throws -> (any RunStore, any RunStore) {
        switch self {
        case .memory:
            let store = MemoryRunStore()
            return (store, store)
        case .sqlite:
            let directory = NSTemporaryDirectory() + "catalynx-engine-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            return (try SQLiteRunStore(path: directory + "/catalynx.sqlite"), try SQLiteRunStore(path: directory + "/catalynx.sqlite"))
        case .postgres:
            let url = try await TestPostgres.freshDatabase()
            return (try await RunStoreLocation.postgres(url: url).open(), try await RunStoreLocation.postgres(url: url).open())
        }
    }
}
