import Tracing

/// The spans of runs: one per drive of a run (`run WORKFLOW`), one per step attempt or agent turn
/// under it, and whatever the tools and model clients open under those. A run's trace id is
/// derived from its id, and every drive of it (after a pause, a crash, on another worker) is a child
/// of the same parent, so the whole life of a run is one trace wherever and whenever it ran.
/// Without a tracer bootstrapped (`InstrumentationSystem`) the spans are no-ops.
public enum EngineTracing {
    /// The W3C trace id of a run's trace: 32 hex digits, the same in every process.
    public static func traceID(ofRun runID: String) -> String {
        hex(fnv(runID, seed: 0xcbf2_9ce4_8422_2325)) + hex(fnv(runID, seed: 0x8422_2325_cbf2_9ce4))
    }

    /// The context every drive of the run starts from: its trace, under the run's own parent span id.
    static func context(ofRun runID: String) -> ServiceContext {
        var context = ServiceContext.topLevel
        let traceparent = "00-\(traceID(ofRun: runID))-\(hex(fnv(runID, seed: 0x1000_0000_01b3) | 1))-01"
        InstrumentationSystem.instrument.extract(["traceparent": traceparent], into: &context, using: HeaderExtractor())
        return context
    }

    private struct HeaderExtractor: Extractor {
        func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
    }

    private static func fnv(_ text: String, seed: UInt64) -> UInt64 {
        var hash = seed
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash == 0 ? 1 : hash
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
