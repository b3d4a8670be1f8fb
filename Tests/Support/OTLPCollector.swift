import Foundation
import Synchronization

/// An OTLP/HTTP trace collector on 127.0.0.1: it keeps the spans of every `POST /v1/traces`
/// (protobuf `ExportTraceServiceRequest`), read with a small reader of the protobuf wire format.
public final class OTLPCollector: Sendable {
    /// A received span: ids in hex, its name and its string and integer attributes.
    public struct Span: Sendable, CustomStringConvertible {
        public var traceID: String
        public var spanID: String
        public var parentSpanID: String
        public var name: String
        public var attributes: [String: String]
        public var description: String { "\(name) [\(spanID) ← \(parentSpanID)] \(attributes)" }
    }

    public let server: LocalHTTPServer
    private final class Received: Sendable {
        let spans = Mutex<[Span]>([])
        let contentTypes = Mutex<[String]>([])
    }
    private let received = Received()

    public init() throws {
        let received = self.received
        server = try LocalHTTPServer { path, headers, body in
            guard path == "/v1/traces" else { return .init(status: 404, body: Data()) }
            received.contentTypes.withLock { $0.append(headers["content-type"] ?? "") }
            let spans = Self.spans(in: [UInt8](body))
            received.spans.withLock { $0 += spans }
            return .init(status: 200, body: Data(), headers: [("Content-Type", "application/x-protobuf")])
        }
    }

    public var endpoint: String { server.baseURL }
    public var spans: [Span] { received.spans.withLock { $0 } }
    /// The content type of each export received.
    public var exportContentTypes: [String] { received.contentTypes.withLock { $0 } }
    public func shutdown() { server.shutdown() }

    // ExportTraceServiceRequest: 1 resource_spans → ResourceSpans: 2 scope_spans → ScopeSpans: 2 spans.
    static func spans(in request: [UInt8]) -> [Span] {
        field(1, of: request).flatMap { field(2, of: $0) }.flatMap { field(2, of: $0) }.map { span in
            var attributes: [String: String] = [:]
            for pair in field(9, of: span) {
                guard let key = field(1, of: pair).first.map({ String(decoding: $0, as: UTF8.self) }), let any = field(2, of: pair).first else { continue }
                if let text = field(1, of: any).first {
                    attributes[key] = String(decoding: text, as: UTF8.self)
                } else if let number = varint(3, of: any) {
                    attributes[key] = String(Int64(bitPattern: number))
                }
            }
            return Span(traceID: hex(field(1, of: span).first), spanID: hex(field(2, of: span).first), parentSpanID: hex(field(4, of: span).first),
                        name: field(5, of: span).first.map { String(decoding: $0, as: UTF8.self) } ?? "", attributes: attributes)
        }
    }

    private static func hex(_ bytes: [UInt8]?) -> String { (bytes ?? []).map { String(format: "%02x", $0) }.joined() }

    /// The length-delimited fields numbered `number` of a message.
    static func field(_ number: Int, of message: [UInt8]) -> [[UInt8]] {
        walk(message).compactMap { $0.number == number ? $0.bytes : nil }
    }

    static func varint(_ number: Int, of message: [UInt8]) -> UInt64? {
        walk(message).first { $0.number == number && $0.bytes == nil }?.varint
    }

    private static func walk(_ message: [UInt8]) -> [(number: Int, bytes: [UInt8]?, varint: UInt64?)] {
        var fields: [(number: Int, bytes: [UInt8]?, varint: UInt64?)] = []
        var index = 0
        func readVarint() -> UInt64? {
            var result: UInt64 = 0, shift: UInt64 = 0
            while index < message.count, shift < 64 {
                let byte = message[index]
                index += 1
                result |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
            return nil
        }
        while index < message.count, let key = readVarint() {
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: guard let value = readVarint() else { return fields }; fields.append((number, nil, value))
            case 1: index += 8
            case 5: index += 4
            case 2:
                guard let length = readVarint(), index + Int(length) <= message.count else { return fields }
                fields.append((number, Array(message[index..<index + Int(length)]), nil))
                index += Int(length)
            default: return fields
            }
        }
        return fields
    }
}
