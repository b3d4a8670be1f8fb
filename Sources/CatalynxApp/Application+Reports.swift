import AgentCore
import GrantResearch

/// The formats an analysis is written in.
public enum ReportFormat: String, Sendable, CaseIterable {
    case html, markdown, json

    /// The file extension.
    public var fileExtension: String {
        switch self {
        case .html: "html"
        case .markdown: "md"
        case .json: "json"
        }
    }

    public var contentType: String {
        switch self {
        case .html: "text/html; charset=utf-8"
        case .markdown: "text/markdown; charset=utf-8"
        case .json: "application/json"
        }
    }
}

/// A report ready to send: its body and content type.
public struct RenderedReport: Sendable {
    public var contentType: String
    public var body: String
}

extension CatalynxApplication {
    /// The report of an analysis (the one its workflow wrote, or one assembled from what the run
    /// found so far: a draft while it waits for a review); nil when the run found nothing to report.
    public func report(of analysis: Analysis, format: ReportFormat) throws -> RenderedReport? {
        guard let report = analysis.outcome.renderableReport else { return nil }
        let body: String
        switch format {
        case .json: body = try Value(encoding: report).jsonString(pretty: true)
        case .html, .markdown:
            let renderer: ReportRenderer
            do { renderer = try ReportRenderer() } catch { throw ApplicationError(.failed, "\(error.localizedDescription)") }
            body = format == .html ? renderer.html(report, run: analysis.outcome.runInfo) : renderer.markdown(report, run: analysis.outcome.runInfo)
        }
        return RenderedReport(contentType: format.contentType, body: body)
    }

    /// Whether a run has a report to show (without rendering it).
    public func hasReport(_ state: RunState, definition: WorkflowDefinition) -> Bool {
        analysis(of: state, definition: definition)?.outcome.renderableReport != nil
    }
}
