import AgentCore
import AgentSchema
import Foundation

/// `ai_content_analyzer_tool`: mission, programs and activities from the 990's own text.
public struct AIContentAnalyzerTool: Tool {
    public struct Input: Codable, Sendable { public var organization: OrganizationProfile }
    public struct Output: Codable, Sendable { public var content: ContentReport }

    let ai: AIServices
    public init(ai: AIServices) { self.ai = ai }
    public let name = "ai_content_analyzer_tool"
    public let description = "Reads the mission and program descriptions of the 990 with a model (rules when none is configured)."
    public var estimatedDuration: Double { ai.isConfigured ? 5 : 0 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        let profile = input.organization
        let source = profile.filings.first { $0.mission != nil || $0.programDescriptions != nil }
        let mission = source?.mission
        let programs = source?.programDescriptions?.components(separatedBy: "\n\n").filter { !$0.isEmpty } ?? []
        let rules = ContentAnalysis(rulesFor: profile, mission: mission, programs: programs)
        guard mission != nil || !programs.isEmpty else {
            let provenance = AIProvenance(ai: false, degraded: true,
                                          reason: "no mission or program text is on record (it comes from 990 e-file XML)", model: nil, usage: AIUsage(calls: []))
            return Output(content: ContentReport(taxYear: nil, mission: nil, programs: [], analysis: rules, provenance: provenance))
        }
        let outcome = await ai.call("AnalyzeContent", [
            "name": .string(profile.name), "ntee": profile.nteeCode.map(BAMLValue.string) ?? .null,
            "mission": mission.map(BAMLValue.string) ?? .null, "programs": .list(programs.map(BAMLValue.string)),
        ], as: ContentAnalysis.self)
        return Output(content: ContentReport(taxYear: source?.taxYear, mission: mission, programs: programs, analysis: outcome.value ?? rules,
                                             provenance: .from(outcome)))
    }
}
