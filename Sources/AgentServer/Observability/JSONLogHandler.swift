import AgentCore
import Foundation
import Logging

/// Writes each log record as one JSON object a line on standard error: time, level, logger,
/// message, and the metadata (a run's records carry its `run_id`). Secrets are never metadata.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    /// Metadata read at each record (the current trace and span, when tracing is on).
    public var metadataProvider: Logger.MetadataProvider?
    let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Value] = [:]
        let provided = metadataProvider?.get() ?? [:]
        for (key, value) in provided.merging(metadata, uniquingKeysWith: { $1 }).merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = Self.value(value)
        }
        fields["time"] = .string(Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        fields["level"] = .string(event.level.rawValue)
        fields["logger"] = .string(label)
        fields["message"] = .string(event.message.description)
        FileHandle.standardError.write(Data((Value.object(fields).jsonString() + "\n").utf8))
    }

    static func value(_ metadata: Logger.MetadataValue) -> Value {
        switch metadata {
        case .string(let text): .string(text)
        case .stringConvertible(let item): .string(item.description)
        case .array(let items): .array(items.map(value))
        case .dictionary(let entries): .object(entries.mapValues(value))
        }
    }
}
