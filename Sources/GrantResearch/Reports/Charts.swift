import Foundation
import Nonprofit

/// The report's charts as self-contained SVG (no scripts, no external fonts), sized to print on A4.
public enum Charts {
    static let palette = ["#1f5f8b", "#e07b39", "#4f9d69", "#b8426b", "#7a6fb0"]

    /// Revenue and expenses by fiscal year, as paired bars on a scale of round numbers.
    public static func revenueAndExpenses(_ filings: [Filing]) -> String? {
        let years = filings.filter { $0.totalRevenue != nil || $0.totalExpenses != nil }.sorted { $0.taxPeriod < $1.taxPeriod }
        guard !years.isEmpty else { return nil }
        let width = 640.0, height = 260.0, left = 64.0, bottom = 28.0, top = 24.0
        let scale = Scale(maximum: Double(years.flatMap { [$0.totalRevenue ?? 0, $0.totalExpenses ?? 0] }.max() ?? 1))
        let slot = (width - left - 8) / Double(years.count)
        let bar = min(22, slot * 0.38)
        var svg = SVG(width: width, height: height, title: "Revenue and expenses by fiscal year")
        svg.axis(left: left, top: top, bottom: height - bottom, right: width - 8, scale: scale, format: Money.axis)
        for (index, filing) in years.enumerated() {
            let x = left + slot * Double(index) + slot / 2
            for (offset, value, color, label) in [(-bar, filing.totalRevenue, palette[0], "revenue"), (0.0, filing.totalExpenses, palette[1], "expenses")] {
                guard let value else { continue }
                let h = max(0, Double(value)) / scale.top * (height - top - bottom)
                svg.rect(x: x + offset, y: height - bottom - h, width: bar, height: h, fill: color,
                         tooltip: "\(filing.fiscalYear.label) \(label): \(Money.full(value))")
            }
            let label = slot >= 44 ? filing.fiscalYear.label : "’" + String(filing.fiscalYear.year % 100)
            svg.text(label, x: x, y: height - bottom + 16, anchor: "middle", size: 11)
        }
        svg.legend([("Revenue", palette[0]), ("Expenses", palette[1])], x: left, y: 14)
        return svg.rendered
    }

    /// The latest functional-expense split (Part IX) as one stacked bar with shares.
    public static func expenseBreakdown(_ filings: [Filing]) -> String? {
        guard let filing = filings.first(where: { $0.programExpenses != nil }), let program = filing.programExpenses else { return nil }
        let parts = [("Program services", program), ("Management & general", filing.managementExpenses ?? 0), ("Fundraising", filing.fundraisingExpenses ?? 0)]
        let total = Double(parts.reduce(0) { $0 + max(0, $1.1) }).nonZero
        let width = 640.0, height = 110.0
        var svg = SVG(width: width, height: height, title: "How expenses divide, \(filing.fiscalYear.label)")
        var x = 8.0
        for (index, part) in parts.enumerated() {
            let w = Double(max(0, part.1)) / total * (width - 16)
            svg.rect(x: x, y: 30, width: w, height: 34, fill: palette[index], tooltip: "\(part.0): \(Money.full(part.1))")
            x += w
        }
        svg.legend(parts.enumerated().map { ("\($0.element.0) \(Money.percent(Double(max(0, $0.element.1)) / total, digits: 0))", palette[$0.offset]) },
                   x: 8, y: 90)
        svg.text("How expenses divide, \(filing.fiscalYear.label)", x: 8, y: 18, anchor: "start", size: 12)
        return svg.rendered
    }

    /// Horizontal bars on a 0–100 scale, with an optional reference line; the label column is as
    /// wide as the longest label needs (up to half the chart), and a longer label is cut at a word.
    static func bars(title: String, _ rows: [(label: String, value: Double, color: String)], reference: (value: Double, label: String)? = nil,
                     maximum: Double = 100, format: (Double) -> String = { String(Int($0.rounded())) }) -> String? {
        guard !rows.isEmpty else { return nil }
        // Text at 11 px runs about 6.2 px a character (capitals wider: 7.5).
        func textWidth(_ text: String) -> Double { text.reduce(0) { $0 + ($1.isUppercase ? 7.5 : 6.2) } }
        let width = 640.0, rowHeight = 24.0, top = 26.0
        let labelWidth = min(width / 2, max(120, (rows.map { textWidth($0.label) }.max() ?? 0) + 16))
        let height = top + rowHeight * Double(rows.count) + 12
        let plot = width - labelWidth - 56
        var svg = SVG(width: width, height: height, title: title)
        svg.text(title, x: 8, y: 16, anchor: "start", size: 12)
        for (index, row) in rows.enumerated() {
            let y = top + rowHeight * Double(index)
            svg.text(Self.fit(row.label, width: labelWidth - 12, measure: textWidth), x: labelWidth - 8, y: y + 15, anchor: "end", size: 11)
            svg.rect(x: labelWidth, y: y + 4, width: plot, height: rowHeight - 8, fill: "#eef1f4", tooltip: nil)
            svg.rect(x: labelWidth, y: y + 4, width: max(0, min(1, row.value / maximum)) * plot, height: rowHeight - 8, fill: row.color,
                     tooltip: "\(row.label): \(format(row.value))")
            svg.text(format(row.value), x: labelWidth + plot + 6, y: y + 15, anchor: "start", size: 11)
        }
        if let reference {
            let x = labelWidth + reference.value / maximum * plot
            svg.line(x1: x, y1: top - 4, x2: x, y2: height - 8, stroke: "#333", dashed: true)
            svg.text(reference.label, x: x, y: top - 6, anchor: "middle", size: 10)
        }
        return svg.rendered
    }

    /// `text`, or as many of its words as fit in `width`, with an ellipsis.
    static func fit(_ text: String, width: Double, measure: (String) -> Double) -> String {
        guard measure(text) > width else { return text }
        var kept = ""
        for word in text.split(separator: " ") {
            let next = kept.isEmpty ? String(word) : kept + " " + word
            if measure(next + " …") > width { break }
            kept = next
        }
        return (kept.isEmpty ? String(text.prefix(Int(width / 7.5))) : kept) + " …"
    }

    /// Each risk dimension's score (higher is riskier).
    public static func riskDimensions(_ risk: RiskAssessment) -> String? {
        bars(title: "Risk by area (0 = no concern, 100 = severe)", risk.dimensions.compactMap { dimension in
            dimension.score.map { (ReportWording.dimension(dimension.name) + " (weight \(Int((dimension.weight * 100).rounded()))%)", $0,
                                   $0 >= 60 ? palette[3] : $0 >= 30 ? palette[1] : palette[2]) }
        })
    }

    /// The organization's percentile among its peers, for each figure enough peers have.
    public static func peerPercentiles(_ peers: PeerComparison) -> String? {
        bars(title: "Rank among peers (percentile)", peers.ranked.map {
            (MetricCatalog.label($0.metric) + ($0.higherIsBetter ? "" : " (lower is better)"), $0.percentile, palette[0])
        }, reference: (50, "median"))
    }

    /// The best funders' composite scores with the pass mark.
    public static func funderScores(_ funders: FunderScoring) -> String? {
        bars(title: "How well the best funders fit (0 to 1)", funders.funders.prefix(10).map {
            (NameCase.display($0.name), $0.score, $0.passes ? palette[2] : "#9aa5b1")
        }, reference: (funders.threshold, "good fit from \(String(format: "%.2f", funders.threshold))"), maximum: 1, format: { String(format: "%.2f", $0) })
    }

    /// Every chart the report has data for, by name.
    public static func all(for report: AnalysisReport) -> [String: String] {
        var charts: [String: String] = [:]
        charts["revenue_expenses"] = revenueAndExpenses(report.organization.filings)
        charts["expense_breakdown"] = expenseBreakdown(report.organization.filings)
        charts["risk_dimensions"] = report.risk.flatMap(riskDimensions)
        charts["peer_percentiles"] = report.peers.flatMap(peerPercentiles)
        charts["funder_scores"] = report.funders.flatMap(funderScores)
        return charts
    }
}

/// A minimal SVG writer: every text is escaped, every number printed with one decimal.
struct SVG {
    private var body: [String] = []
    let width: Double
    let height: Double
    let title: String

    init(width: Double, height: Double, title: String) {
        self.width = width
        self.height = height
        self.title = title
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private func n(_ value: Double) -> String { String(format: "%.1f", value) }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, tooltip: String?) {
        let title = tooltip.map { "<title>\(Self.escape($0))</title>" } ?? ""
        body.append("<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"\(fill)\">\(title)</rect>")
    }

    mutating func text(_ text: String, x: Double, y: Double, anchor: String, size: Double) {
        body.append("<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(n(size))\">\(Self.escape(text))</text>")
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, dashed: Bool = false) {
        body.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\"\(dashed ? " stroke-dasharray=\"4 3\"" : "")/>")
    }

    mutating func legend(_ items: [(String, String)], x: Double, y: Double) {
        var cursor = x
        for (label, color) in items {
            rect(x: cursor, y: y - 9, width: 10, height: 10, fill: color, tooltip: nil)
            text(label, x: cursor + 14, y: y, anchor: "start", size: 11)
            cursor += 24 + Double(label.count) * 6.2
        }
    }

    /// Gridlines at the scale's round steps, labelled.
    mutating func axis(left: Double, top: Double, bottom: Double, right: Double, scale: Scale, format: (Double) -> String) {
        for step in 0...scale.steps {
            let value = scale.step * Double(step)
            let y = bottom - (bottom - top) * value / scale.top
            line(x1: left, y1: y, x2: right, y2: y, stroke: step == 0 ? "#666" : "#dde2e7")
            text(format(value), x: left - 6, y: y + 4, anchor: "end", size: 10)
        }
    }

    var rendered: String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"100%\" role=\"img\" aria-label=\"\(Self.escape(title))\" font-family=\"Helvetica, Arial, sans-serif\">"
            + "<title>\(Self.escape(title))</title>" + body.joined() + "</svg>"
    }
}

/// An axis from 0 to a round number at or above the data's maximum, in 3 to 6 round steps (1, 2, 2.5 or 5 times a power of ten).
struct Scale {
    let step: Double
    let steps: Int
    var top: Double { step * Double(steps) }

    init(maximum: Double) {
        let maximum = max(maximum, 1)
        let raw = maximum / 4
        let power = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        self.step = step
        steps = max(1, Int((maximum / step).rounded(.up)))
    }
}

extension Double {
    /// The value, or 1 when it is zero (a safe divisor for scales).
    var nonZero: Double { self == 0 ? 1 : self }
}
