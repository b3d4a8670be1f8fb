import AgentCore
import Foundation
import GrantResearch
import Nonprofit

/// Seeded random hostile input for the parsers people hand files and text to: workflow YAML
/// (mutated real workflows, alias bombs, deep nesting), conditions and templates (random tokens,
/// deep parentheses) and 990 e-file XML (real returns cut, corrupted, given entities).
struct HostileInputs {
    private var state: UInt64
    let workflow: String
    let returns: [Data]

    init(seed: UInt64, workflow: String, returns: [Data]) {
        state = seed &* 6364136223846793005 &+ 1442695040888963407
        self.workflow = workflow
        self.returns = returns
    }

    mutating func random(_ bound: Int) -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state % UInt64(max(1, bound)))
    }

    static let yamlFragments = ["&a ", "*a", "[", "]", "{", "}", ": ", "- ", "\n", "  ", "'", "\"", "{{ ", " }}", "#", "|", ">", "!!str ",
                                "? ", ",", "\t", "\u{0}", "é", "null", "~", "<<: *a", "%YAML 1.2\n", "---\n", "..."]
    static let expressionFragments = ["(", ")", "{{", "}}", " and ", " or ", "not ", "a.b", "x[0]", "y['k']", "1", "-2.5", "'s'", "\"t\"",
                                      " > ", " >= ", " == ", " != ", " < ", "null", "true", ".", "[", "]", " ", "\\", "é"]

    /// A mutated workflow, a bomb or a deep nest.
    mutating func yaml() -> String {
        switch random(10) {
        case 0:
            let levels = 2 + random(12), width = 2 + random(12)
            var lines = ["workflow: bomb", "steps:", "  - name: a", "    tool: echo", "    inputs:", "      l0: &l0 [x, x]"]
            for level in 1..<levels { lines.append("      l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: width).joined(separator: ", ") + "]") }
            return lines.joined(separator: "\n")
        case 1:
            let depth = random(20_000)
            return "workflow: deep\nsteps:\n  - name: a\n    tool: echo\n    inputs:\n      v: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        default:
            var text = Array(workflow)
            for _ in 0..<(1 + random(12)) {
                let fragment = Self.yamlFragments[random(Self.yamlFragments.count)]
                text.insert(contentsOf: fragment, at: random(text.count + 1))
            }
            return String(text)
        }
    }

    /// A random or deeply nested condition.
    mutating func expression() -> String {
        if random(8) == 0 {
            let depth = random(50_000)
            return String(repeating: random(2) == 0 ? "(" : "not ", count: depth) + "a > 1" + String(repeating: ")", count: random(depth + 1))
        }
        return (0..<random(60)).map { _ in Self.expressionFragments[random(Self.expressionFragments.count)] }.joined()
    }

    /// A real return cut short, with bytes changed, or given a DOCTYPE or entity.
    mutating func xml() -> Data {
        var bytes = [UInt8](returns[random(returns.count)])
        switch random(4) {
        case 0: bytes = Array(bytes.prefix(random(bytes.count)))
        case 1: for _ in 0..<(1 + random(20)) { bytes[random(bytes.count)] = UInt8(random(256)) }
        case 2: bytes.insert(contentsOf: Array("<!DOCTYPE Return [<!ENTITY x \"\(String(repeating: "x", count: random(100)))\">]>".utf8), at: 0)
        default: bytes.insert(contentsOf: Array("&x\(random(9));".utf8), at: random(bytes.count))
        }
        return Data(bytes)
    }
}

/// `catalynx-bench hostile-fuzz --inputs N --seed S`: N seeded hostile inputs through the workflow
/// loader, the condition parser and the 990 XML reader; exits 1 if any takes a second or more
/// (a crash ends the process on its own).
func measureHostileFuzz() throws {
    let inputs = Int(option("inputs", "100000")) ?? 100_000
    let seed = UInt64(option("seed", "1")) ?? 1
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let workflow = try String(contentsOf: root.appendingPathComponent("workflows/complete_tier.yaml"), encoding: .utf8)
    let folder = root.appendingPathComponent("data/irs990_xml")
    let returns = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".xml") }.sorted()
        .map { try Data(contentsOf: folder.appendingPathComponent($0)) }
    // The tier workflows' own tools (never run here), so that mutated workflows can also pass.
    var registry = ToolRegistry()
    registry.register(EchoStub())
    GrantResearchTools.register(in: &registry, source: OrganizationSource { throw CocoaError(.featureUnsupported) }, exportsDirectory: NSTemporaryDirectory())
    var generator = HostileInputs(seed: seed, workflow: workflow, returns: returns)
    let clock = ContinuousClock()
    var slowest: [String: (seconds: Double, input: String)] = [:]
    var refused: [String: Int] = [:]
    let start = clock.now
    for index in 0..<inputs {
        let kind = ["yaml", "expression", "xml"][index % 3]
        let began = clock.now
        var sample = ""
        var accepted = false
        switch kind {
        case "yaml":
            sample = generator.yaml()
            accepted = (try? WorkflowLoader.load(source: sample, file: "fuzz.yaml", registry: registry)) != nil
        case "expression":
            sample = generator.expression()
            accepted = (try? ExpressionParser.parse(sample)) != nil
        default:
            let data = generator.xml()
            sample = String(decoding: data.prefix(200), as: UTF8.self)
            accepted = (try? Form990Parser.parse(data, source: "fuzz.xml")) != nil
        }
        if !accepted { refused[kind, default: 0] += 1 }
        let seconds = (clock.now - began).seconds
        if seconds > (slowest[kind]?.seconds ?? 0) { slowest[kind] = (seconds, sample) }
    }
    let total = (clock.now - start).seconds
    let worst = slowest.values.map(\.seconds).max() ?? 0
    let result: Value = [
        "benchmark": "hostile-fuzz", "inputs": .int(inputs), "seed": .int(Int(seed)), "seconds": .double(total),
        "refused": .object(refused.mapValues { .int($0) }),
        "slowest_ms": .object(slowest.mapValues { .double(($0.seconds * 10_000).rounded() / 10) }),
    ]
    print("result \(result.jsonString())")
    print("hostile-fuzz: \(inputs) inputs (YAML, conditions, 990 XML), no crash, slowest \(String(format: "%.1f", worst * 1000)) ms")
    if worst >= 1, let (kind, input) = slowest.max(by: { $0.value.seconds < $1.value.seconds }).map({ ($0.key, $0.value.input) }) {
        FileHandle.standardError.write(Data("a \(kind) input took \(worst) s: \(input.debugDescription.prefix(300))\n".utf8))
        exit(1)
    }
}

/// `echo`, so that fuzzed workflows have a tool to name.
struct EchoStub: Tool {
    struct Input: Codable, Sendable { var value: Value? }
    struct Output: Codable, Sendable { var value: Value? }
    let name = "echo"
    let description = "echoes"
    func execute(_ input: Input, context: ToolContext) async throws -> Output { Output(value: input.value) }
}
