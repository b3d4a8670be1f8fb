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
    /// - Parameter funderPages: where funders' giving pages are, to link them (the dashboard's `/funders/`).
    public func report(of analysis: Analysis, format: ReportFormat, funderPages: String? = nil) throws -> RenderedReport? {
        guard let report = analysis.outcome.renderableReport else { return nil }
        let body: String
        switch format {
        case .json: body = try Value(encoding: report).jsonString(pretty: true)
        case .html, .markdown:
            let renderer: ReportRenderer
            do { renderer = try ReportRenderer() } catch { throw ApplicationError(.failed, "\(error.localizedDescription)") }
            var run = analysis.outcome.runInfo
            run.funderPages = funderPages
            body = format == .html ? renderer.html(report, run: run) : renderer.markdown(report, run: run)
        }
        return RenderedReport(contentType: format.contentType, body: body)
    }

    /// Whether a run has a report to show (without rendering it).
    public func hasReport(_ state: RunState, definition: WorkflowDefinition) -> Bool {
        analysis(of: state, definition: definition)?.outcome.renderableReport != nil
    }
}
