/// A question a waiting run has put to a person (factor 7).
public struct OpenHumanRequest: Sendable {
    public var run: RunState
    public var step: String
    public var request: HumanRequestState
}

extension RunStore {
    /// Every unanswered request of the waiting runs, oldest first.
    public func openHumanRequests(limit: Int = 500) async throws -> [OpenHumanRequest] {
        var found: [OpenHumanRequest] = []
        for summary in try await runs(RunQuery(status: .waiting, limit: limit)) {
            let state = try await state(of: summary.id)
            for (name, step) in state.steps.sorted(by: { $0.key < $1.key }) where step.status == .waiting {
                if let human = step.human, human.response == nil { found.append(OpenHumanRequest(run: state, step: name, request: human)) }
            }
        }
        return found.sorted { $0.request.requestedAt < $1.request.requestedAt }
    }
}
