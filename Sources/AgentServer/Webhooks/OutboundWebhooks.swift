import AgentCore
import AsyncHTTPClient
import Foundation
import GRDB
import Logging
import NIOCore
import SQLiteSupport

/// Tells other systems when a run ends or asks a person: a signed JSON POST to each configured
/// target that wants the event, retried with exponential back-off on network errors, 429 and
/// 5xx, every attempt recorded in the delivery log.
public final class OutboundWebhooks: Sendable {
    let targets: [WebhookConfiguration.Outbound]
    public let log: DeliveryLog
    let maxAttempts: Int
    let firstBackoff: Duration
    let logger = Logger(label: "catalynx.webhooks")

    public init(targets: [WebhookConfiguration.Outbound], log: DeliveryLog, maxAttempts: Int = 5, firstBackoff: Duration = .seconds(1)) {
        self.targets = targets
        self.log = log
        self.maxAttempts = maxAttempts
        self.firstBackoff = firstBackoff
    }

    /// The event a run's new state calls for, if any.
    static func event(for state: RunState) -> String? {
        switch state.status {
        case .completed: "run.completed"
        case .failed: "run.failed"
        case .cancelled: "run.cancelled"
        case .waiting where state.steps.values.contains { $0.status == .waiting && $0.human?.response == nil }: "human_input.requested"
        default: nil
        }
    }

    /// `runStopped` as a worker's callback (`RunDriver.worker(onStop:)`, `RunDriver.Background.notify`).
    public var onStop: @Sendable (RunState) async -> Void { { state in await self.runStopped(state) } }

    /// Sends the event of a run's state to every target that wants it; returns when all are delivered or given up.
    public func runStopped(_ state: RunState) async {
        guard let event = Self.event(for: state) else { return }
        var payload: [String: Value] = [
            "event": .string(event), "run_id": .string(state.runID), "workflow": .string(state.workflowName),
            "status": .string(state.status.rawValue), "occurred_at": .double(Date().timeIntervalSince1970),
            "links": ["run": .string("/api/v1/runs/\(state.runID)"), "report": .string("/api/v1/runs/\(state.runID)/report")],
        ]
        if let reason = state.failureReason { payload["error"] = .string(reason) }
        if event == "human_input.requested" { payload["waiting_for"] = state.document(definition: nil)["waiting_for"] ?? .null }
        let (body, runID) = (Value.object(payload), state.runID)
        await withTaskGroup(of: Void.self) { group in
            for target in targets where target.events.contains(event) {
                group.addTask { await self.deliver(body, event: event, runID: runID, to: target) }
            }
        }
    }

    func deliver(_ payload: Value, event: String, runID: String, to target: WebhookConfiguration.Outbound) async {
        let delivery = "dlv_" + APIKeyStore.randomHex(8)
        let body = Array(payload.jsonString().utf8)
        let timestamp = String(Int(Date().timeIntervalSince1970))
        var backoff = firstBackoff
        for attempt in 1...maxAttempts {
            var request = HTTPClientRequest(url: target.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "catalynx-webhooks")
            request.headers.add(name: "X-Catalynx-Event", value: event)
            request.headers.add(name: "X-Catalynx-Delivery", value: delivery)
            request.headers.add(name: WebhookSignature.timestampHeader, value: timestamp)
            request.headers.add(name: WebhookSignature.header, value: WebhookSignature.sign(body, timestamp: timestamp, secret: target.secret))
            request.body = .bytes(ByteBuffer(bytes: body))
            var status: Int?
            var failure: String?
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                status = Int(response.status.code)
                _ = try? await response.body.collect(upTo: 1 << 16)
            } catch {
                failure = String(describing: error)
            }
            let delivered = status.map { (200..<300).contains($0) } ?? false
            try? log.record(.init(delivery: delivery, url: target.url, event: event, runID: runID, attempt: attempt,
                                  statusCode: status, error: failure, delivered: delivered, at: Date()))
            let retryable = status.map { $0 == 429 || $0 >= 500 } ?? true
            if delivered || !retryable { return }
            if attempt < maxAttempts { try? await Task.sleep(for: backoff) }
            backoff *= 2
        }
        logger.warning("webhook not delivered", metadata: ["run_id": .string(runID), "event": .string(event), "url": .string(target.url)])
    }
}

/// Every outbound webhook attempt: which delivery, where, what came back.
public final class DeliveryLog: Sendable {
    public struct Attempt: Sendable, Hashable {
        public var delivery: String
        public var url: String
        public var event: String
        public var runID: String
        public var attempt: Int
        public var statusCode: Int?
        public var error: String?
        public var delivered: Bool
        public var at: Date
    }

    private let queue: DatabaseQueue

    /// Opens (creating if needed) the log file, or an in-memory log.
    public init(path: String? = nil) throws {
        if let path { try SharedSQLiteFile.createFolder(of: path) }
        queue = try path.map { try DatabaseQueue(path: $0, configuration: SharedSQLiteFile.configuration()) } ?? DatabaseQueue()
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: webhook deliveries") { db in
            try db.execute(sql: """
                CREATE TABLE deliveries (
                    delivery TEXT NOT NULL, url TEXT NOT NULL, event TEXT NOT NULL, run_id TEXT NOT NULL,
                    attempt INTEGER NOT NULL, status_code INTEGER, error TEXT, delivered INTEGER NOT NULL, at REAL NOT NULL
                )
                """)
        }
        migrator.registerMigration("v2: inbound deliveries received") { db in
            try db.execute(sql: """
                CREATE TABLE inbound_deliveries (
                    hook TEXT NOT NULL, key TEXT NOT NULL, run_id TEXT, received_at REAL NOT NULL,
                    PRIMARY KEY (hook, key)
                )
                """)
        }
        try SharedSQLiteFile.migrate(migrator, queue)
    }

    /// How long an inbound delivery is remembered (a replay within it is refused).
    public static let inboundMemory: TimeInterval = 24 * 3600

    /// Records that an inbound delivery arrived, unless it already did: nil when it is new, else
    /// the run the first arrival started (or "" while that one is still starting).
    func receive(hook: String, key: String, at date: Date = Date()) throws -> String? {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM inbound_deliveries WHERE received_at < ?", arguments: [date.timeIntervalSince1970 - Self.inboundMemory])
            if let first = try Row.fetchOne(db, sql: "SELECT run_id FROM inbound_deliveries WHERE hook = ? AND key = ?", arguments: [hook, key]) {
                return (first["run_id"] as String?) ?? ""
            }
            try db.execute(sql: "INSERT INTO inbound_deliveries (hook, key, received_at) VALUES (?, ?, ?)",
                           arguments: [hook, key, date.timeIntervalSince1970])
            return nil
        }
    }

    /// Notes the run an inbound delivery started, or forgets the delivery when it started none (so it may be sent again).
    func received(hook: String, key: String, runID: String?) throws {
        try queue.write { db in
            if let runID {
                try db.execute(sql: "UPDATE inbound_deliveries SET run_id = ? WHERE hook = ? AND key = ?", arguments: [runID, hook, key])
            } else {
                try db.execute(sql: "DELETE FROM inbound_deliveries WHERE hook = ? AND key = ?", arguments: [hook, key])
            }
        }
    }

    func record(_ attempt: Attempt) throws {
        try queue.write { db in
            try db.execute(sql: "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", arguments: [
                attempt.delivery, attempt.url, attempt.event, attempt.runID, attempt.attempt, attempt.statusCode, attempt.error,
                attempt.delivered, attempt.at.timeIntervalSince1970,
            ])
        }
    }

    /// The latest attempts, newest first.
    public func recent(limit: Int = 100) throws -> [Attempt] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM deliveries ORDER BY at DESC, attempt DESC LIMIT ?", arguments: [limit]).map { row in
                Attempt(delivery: row["delivery"], url: row["url"], event: row["event"], runID: row["run_id"], attempt: row["attempt"],
                        statusCode: row["status_code"], error: row["error"], delivered: row["delivered"], at: Date(timeIntervalSince1970: row["at"]))
            }
        }
    }
}
