import AgentCore
import AgentLLM
import AgentSchema
import Foundation

/// The model of agent steps: the step's BAML function, asked on its own client. The function
/// returns one of several classes, each with an `intent` string literal (`class OrgShow { intent
/// "org_show" ein string }`); the chosen class's other fields are the call's arguments. Its
/// parameter `thread` receives the step's history; other parameters get the step's inputs of
/// the same name.
public struct BAMLAgentModel: AgentModel {
    let ai: AIServices

    public init(ai: AIServices) { self.ai = ai }

    public func nextStep(function: String, inputs: [String: Value], thread: String) async throws(AgentModelError) -> AgentDecision {
        guard let caller = ai.caller else {
            throw AgentModelError(.notConfigured, ai.unavailableReason ?? "no AI configured")
        }
        guard let definition = caller.schema.functions[function] else {
            throw AgentModelError(.invalidFunction, "no BAML function named \(function) in baml_src"
                                  + (Spelling.didYouMean(function, among: Array(caller.schema.functions.keys)).map { " (\($0))" } ?? ""))
        }
        let intents = try Self.intents(of: definition, in: caller.schema)
        guard ai.isConfigured else {
            throw AgentModelError(.notConfigured, AIServices.notConfiguredReason)
        }
        var arguments: [String: BAMLValue] = [:]
        for parameter in definition.parameters {
            if parameter.name == "thread" {
                arguments["thread"] = .string(thread)
            } else if let input = inputs[parameter.name] {
                arguments[parameter.name] = BAMLValue(input)
            } else if !parameter.type.isOptional {
                throw AgentModelError(.invalidFunction, "\(function) takes '\(parameter.name)', which the step's inputs do not give")
            }
        }
        let success: FunctionCaller.Success
        do {
            success = try await caller.call(function, arguments: arguments)
        } catch {
            let kind: AgentModelError.Kind = switch error.error.kind {
            case .unparseable: .unreadable
            case .notConfigured: .notConfigured
            case .badRequest: .invalidFunction
            default: .unavailable
            }
            throw AgentModelError(kind, error.description, llm: Self.record(error.calls))
        }
        let llm = Self.record(success.calls)
        guard case .object(let fields) = success.value, case .string(let intent)? = success.value["intent"], intents.contains(intent) else {
            throw AgentModelError(.unreadable, "the answer names none of the intents \(intents.sorted().joined(separator: ", "))", llm: llm)
        }
        var members: [String: Value] = [:]
        for field in fields where field.key != "intent" { members[field.key] = Value(field.value) }
        return AgentDecision(intent: intent, arguments: .object(members), llm: llm)
    }

    /// The intent literals of the classes `definition` returns.
    /// - Throws: `.invalidFunction` when it returns anything but such classes.
    static func intents(of definition: FunctionDefinition, in schema: BAMLSchema) throws(AgentModelError) -> Set<String> {
        var intents: Set<String> = []
        var problems: [String] = []
        func collect(_ type: FieldType) {
            switch type.base {
            case .union(let options): options.forEach(collect)
            case .named(let name) where schema.aliases[name] != nil: collect(schema.aliases[name]!.type)
            case .named(let name):
                guard let definition = schema.classes[name],
                      case .literal(.string(let intent))? = definition.fields.first(where: { $0.name == "intent" })?.type.base else {
                    problems.append(name)
                    return
                }
                intents.insert(intent)
            default: problems.append(type.description)
            }
        }
        collect(definition.returnType)
        guard problems.isEmpty, !intents.isEmpty else {
            throw AgentModelError(.invalidFunction, "\(definition.name) must return classes with an `intent` string literal"
                                  + (problems.isEmpty ? "" : "; these have none: \(problems.joined(separator: ", "))"))
        }
        return intents
    }

    private static func record(_ calls: [LLMCallRecord]) -> Value {
        guard let data = try? JSONEncoder().encode(calls), let value = try? JSONDecoder().decode(Value.self, from: data) else { return .null }
        return value
    }
}
