import AgentSchema
import Synchronization

/// Calls a BAML function: renders its prompt, asks its client, reads the answer as the return
/// type with schema-aligned parsing, and, when that fails, asks again once with the parse error
/// fed back. Every attempt's tokens, cost and latency are returned for the run's record.
public struct FunctionCaller: Sendable {
    public let schema: BAMLSchema
    let factory: ClientFactory
    /// How many times to ask again after an unreadable answer.
    public var parseRetries: Int

    public init(schema: BAMLSchema, factory: ClientFactory, parseRetries: Int = 1) {
        self.schema = schema
        self.factory = factory
        self.parseRetries = parseRetries
    }

    public struct Success: Sendable {
        public var value: BAMLValue
        public var raw: String
        public var calls: [LLMCallRecord]
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var error: LLMError
        public var calls: [LLMCallRecord]
        public var description: String { error.description }
    }

    /// Calls `function` with `arguments`; `client` overrides the function's own client; relative
    /// media files are read from `directory`.
    public func call(_ function: String, arguments: [String: BAMLValue], client override: String? = nil,
                     stream: Bool = false, filesRelativeTo directory: String? = nil) async throws(Failure) -> Success {
        do {
            let success = try await attempt(function, arguments: arguments, client: override, stream: stream, directory: directory)
            LLMMetrics.function(function, succeeded: true)
            return success
        } catch {
            LLMMetrics.function(function, succeeded: false)
            throw error
        }
    }

    private func attempt(_ function: String, arguments: [String: BAMLValue], client override: String?, stream: Bool,
                         directory: String?) async throws(Failure) -> Success {
        let records = Mutex<[LLMCallRecord]>([])
        let record: @Sendable (LLMCallRecord) -> Void = { call in records.withLock { $0.append(call) } }
        func fail(_ error: LLMError) -> Failure { Failure(error: error, calls: records.withLock { $0 }) }
        guard let definition = schema.functions[function] else {
            throw fail(LLMError(.badRequest, "no BAML function named \(function)", client: override ?? "?"))
        }
        let client = factory.client(named: override ?? definition.client)
        var messages: [PromptMessage]
        do {
            messages = try PromptRenderer(schema: schema).render(function: function, arguments: arguments, filesRelativeTo: directory)
        } catch {
            throw fail(LLMError(.badRequest, error.message, client: client.name))
        }
        let parser = SchemaAlignedParser(schema: schema)
        var attempt = 0
        while true {
            let response: LLMResponse
            do {
                response = try await client.complete(LLMRequest(messages: messages, stream: stream), record: record)
            } catch {
                throw fail(error)
            }
            do {
                let value = try parser.parse(response.text, as: definition.returnType)
                return Success(value: value, raw: response.text, calls: records.withLock { $0 })
            } catch {
                guard attempt < parseRetries else {
                    throw fail(LLMError(.unparseable, "the answer could not be read as \(definition.returnType): \(error)", client: response.client))
                }
                attempt += 1
                messages.append(PromptMessage(role: "assistant", content: response.text))
                messages.append(PromptMessage(role: "user", content: "That answer could not be read as \(definition.returnType): \(error.description). Answer again, following the schema exactly."))
            }
        }
    }
}
