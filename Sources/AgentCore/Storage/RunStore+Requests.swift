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
            found += try await state(of: summary.id).openRequests
        }
        return found.sorted { $0.request.requestedAt < $1.request.requestedAt }
    }
}

extension RunState {
    /// The run's unanswered requests to people, by step name.
    public var openRequests: [OpenHumanRequest] {
        steps.sorted { $0.key < $1.key }.compactMap { name, step in
            guard step.status == .waiting, let human = step.human, human.response == nil else { return nil }
            return OpenHumanRequest(run: self, step: name, request: human)
        }
    }
}
