import AgentCore
import Foundation
import Yams

/// The webhooks a server takes and sends, from a YAML file (`$CATALYNX_HOME/webhooks.yaml`):
///
///     inbound:                        # POST /api/v1/hooks/<name>
///       grant_portal:
///         secret_env: GRANT_PORTAL_SECRET     # the HMAC-SHA256 key, read from the environment
///         workflow: standard_tier_analysis
///         inputs:                     # the payload mapped to the workflow's inputs
///           organization_ein: "{{ payload.organization.ein }}"
///     outbound:                       # POSTed, signed, when a run ends or asks a person
///       - url: https://crm.example.org/hooks/catalynx
///         secret_env: CRM_WEBHOOK_SECRET
///         events: [run.completed, run.failed, human_input.requested]
public struct WebhookConfiguration: Sendable {
    public struct Inbound: Sendable {
        public var name: String
        var secret: String
        public var workflow: String
        /// The workflow inputs, as templates over `payload`.
        var inputs: Template
    }

    public struct Outbound: Sendable {
        public var url: String
        var secret: String
        public var events: Set<String>
    }

    public static let eventNames: Set<String> = ["run.completed", "run.failed", "run.cancelled", "human_input.requested"]

    public var inbound: [String: Inbound] = [:]
    public var outbound: [Outbound] = []

    public init() {}

    /// A configuration error, located `file:line:column`.
    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads a configuration file; secrets come from `environment` (a missing one is an error).
    public static func load(path: String, environment: [String: String]) throws -> WebhookConfiguration {
        let source = try String(contentsOfFile: path, encoding: .utf8)
        func fail(_ node: Node?, _ message: String) -> LoadError {
            let mark = node?.mark
            return LoadError(description: "\(path):\(mark?.line ?? 1):\(mark?.column ?? 1): error: \(message)")
        }
        if let tooLarge = YAMLBounds.sizeViolation(source) { throw LoadError(description: "\(path):1:1: error: \(tooLarge)") }
        let root: Node?
        do {
            root = try Yams.compose(yaml: source)
        } catch {
            throw LoadError(description: "\(path): error: not valid YAML: \(error)")
        }
        var configuration = WebhookConfiguration()
        guard let root else { return configuration }
        if let (node, reason) = YAMLBounds.violation(in: root) { throw fail(node, reason) }
        guard let top = root.mapping else { throw fail(root, "expected a mapping with `inbound` and `outbound`") }
        for (key, _) in top where !["inbound", "outbound"].contains(key.string ?? "") {
            throw fail(key, "unknown key '\(key.string ?? "")'; expected inbound or outbound")
        }
        func secret(_ fields: Node.Mapping, in node: Node) throws -> String {
            guard let name = fields["secret_env"]?.string else { throw fail(node, "missing `secret_env`: the environment variable holding the HMAC key") }
            guard let value = environment[name], !value.isEmpty else { throw fail(fields["secret_env"], "the environment variable \(name) is not set") }
            return value
        }
        if let inbound = top["inbound"] {
            guard let hooks = inbound.mapping else { throw fail(inbound, "`inbound` must map hook names to hooks") }
            for (key, node) in hooks {
                guard let name = key.string, name.range(of: "^[A-Za-z0-9_-]+$", options: .regularExpression) != nil else {
                    throw fail(key, "a hook name may hold letters, digits, _ and - only")
                }
                guard let fields = node.mapping else { throw fail(node, "hook '\(name)' must be a mapping") }
                guard let workflow = fields["workflow"]?.string else { throw fail(node, "hook '\(name)' needs `workflow`") }
                let inputs: Template
                do {
                    inputs = try Template.compile(Self.value(fields["inputs"]) ?? .object([:]))
                } catch {
                    throw fail(fields["inputs"], "hook '\(name)': \(error.error.message) at \(error.path)")
                }
                configuration.inbound[name] = Inbound(name: name, secret: try secret(fields, in: node), workflow: workflow, inputs: inputs)
            }
        }
        if let outbound = top["outbound"] {
            guard let targets = outbound.sequence else { throw fail(outbound, "`outbound` must be a list of targets") }
            for node in targets {
                guard let fields = node.mapping else { throw fail(node, "an outbound target must be a mapping") }
                guard let url = fields["url"]?.string, url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    throw fail(node, "an outbound target needs an http(s) `url`")
                }
                let events = Set((fields["events"]?.sequence ?? []).compactMap(\.string))
                if let unknown = events.subtracting(eventNames).first {
                    throw fail(fields["events"], "unknown event '\(unknown)'; events are \(eventNames.sorted().joined(separator: ", "))")
                }
                configuration.outbound.append(Outbound(url: url, secret: try secret(fields, in: node), events: events.isEmpty ? eventNames : events))
            }
        }
        return configuration
    }

    /// A YAML node as a value (scalars stay strings; the workflow's inputs type them).
    static func value(_ node: Node?) -> Value? {
        guard let node else { return nil }
        switch node {
        case .scalar(let scalar): return .string(scalar.string)
        case .sequence(let items): return .array(items.compactMap(value))
        case .mapping(let pairs): return .object(Dictionary(pairs.compactMap { key, item in key.string.flatMap { name in value(item).map { (name, $0) } } }, uniquingKeysWith: { $1 }))
        case .alias: return nil
        }
    }
}

extension WebhookConfiguration.Inbound {
    /// The workflow inputs this hook makes of a payload.
    func inputs(for payload: Value) throws -> [String: Value] {
        let resolved = try inputs.resolve { path in path.first == "payload" ? payload.value(atPath: Array(path.dropFirst())) : nil }
        guard case .object(let fields) = resolved else { return [:] }
        return fields
    }
}
