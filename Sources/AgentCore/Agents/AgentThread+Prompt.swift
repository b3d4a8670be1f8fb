extension AgentThread {
    /// At most this many characters of one event go into the prompt; the rest is cut with a note.
    public static let eventCharacterLimit = 4_000

    /// The thread as the model reads it (factor 3): the step's inputs, then each event. Errors
    /// that a later success of the same tool resolved are left out.
    /// - Parameters:
    ///   - inputs: the step's resolved inputs.
    ///   - serializer: XML-ish blocks (the default) or JSON lines.
    public func prompt(inputs: Value, serializer: AgentSpec.Serializer) -> String {
        let visible = visibleEntries()
        switch serializer {
        case .xml:
            var blocks = [Self.block("inputs", body: Self.lines(inputs))]
            for entry in visible { blocks.append(Self.xmlBlock(entry)) }
            return blocks.joined(separator: "\n\n")
        case .json:
            var lines = [Value.object(["type": "inputs", "inputs": inputs]).compactJSON]
            for entry in visible { lines.append(Self.clip(Self.jsonObject(entry).compactJSON)) }
            return lines.joined(separator: "\n")
        }
    }

    private func visibleEntries() -> [Entry] {
        var resolvedTools: Set<String> = []
        var kept: [Entry] = []
        for entry in entries.reversed() {
            if case .observation(_, let observation) = entry, let tool = observation.tool {
                if observation.isError, resolvedTools.contains(tool) { continue }
                if !observation.isError { resolvedTools.insert(tool) }
            }
            kept.append(entry)
        }
        return kept.reversed()
    }

    private static func xmlBlock(_ entry: Entry) -> String {
        switch entry {
        case .call(_, let intent, let arguments):
            return block(intent, body: lines(arguments))
        case .observation(_, let observation):
            if let error = observation.errorDescription {
                let attribute = observation.tool.map { " tool=\"\($0)\"" } ?? " source=\"\(observation.source.rawValue)\""
                return "<error\(attribute)>\n\(clip(error))\n</error>"
            }
            return block("\(observation.tool ?? "tool")_result", body: lines(observation.output ?? .null))
        case .question(let request):
            return block("human_request", body: lines(request))
        case .answer(let response, let respondent):
            return "<human_response from=\"\(respondent)\">\n\(clip(lines(response)))\n</human_response>"
        }
    }

    private static func jsonObject(_ entry: Entry) -> Value {
        switch entry {
        case .call(let turn, let intent, let arguments):
            return ["type": "call", "turn": .int(turn), "intent": .string(intent), "arguments": arguments]
        case .observation(let turn, let observation):
            var object: [String: Value] = ["type": observation.isError ? "error" : "result", "turn": .int(turn)]
            object["tool"] = observation.tool.map(Value.string)
            object["output"] = observation.output
            object["error"] = observation.errorDescription.map(Value.string)
            return .object(object)
        case .question(let request):
            return ["type": "human_request", "request": request]
        case .answer(let response, let respondent):
            return ["type": "human_response", "from": .string(respondent), "response": response]
        }
    }

    private static func block(_ tag: String, body: String) -> String {
        "<\(tag)>\n\(clip(body))\n</\(tag)>"
    }

    /// An object as `key: value` lines (nested values as compact JSON); anything else as itself.
    private static func lines(_ value: Value) -> String {
        guard case .object(let members) = value else { return value.displayString }
        return members.keys.sorted().map { key in "\(key): \(members[key]?.displayString ?? "null")" }.joined(separator: "\n")
    }

    private static func clip(_ text: String) -> String {
        guard text.count > eventCharacterLimit else { return text }
        return String(text.prefix(eventCharacterLimit)) + "… (\(text.count - eventCharacterLimit) more characters left out)"
    }
}
