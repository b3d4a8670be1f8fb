import Foundation

/// A one-line progress display on stderr (only when stderr is a terminal): a bar, the count,
/// the rate and the time left.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let unit: String
    private let started = Date()
    private var lastDraw = Date.distantPast
    private let enabled = Console.stderrIsTerminal

    init(label: String, unit: String) {
        self.label = label
        self.unit = unit
    }

    /// Redraws, at most ten times a second.
    /// - Parameters:
    ///   - count: units done.
    ///   - fraction: how much of the whole is done, 0…1, when known.
    func update(count: Int, fraction: Double?) {
        guard enabled, Date().timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = Date()
        let elapsed = max(0.001, Date().timeIntervalSince(started))
        let rate = Double(count) / elapsed
        var line = "\(label) "
        if let fraction {
            let width = 24
            let filled = Int((min(1, max(0, fraction)) * Double(width)).rounded())
            line += "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "] "
            line += String(format: "%3.0f%% ", fraction * 100)
        }
        line += "\(count.formatted()) \(unit)  \(Int(rate).formatted()) \(unit)/s"
        if let fraction, fraction > 0.01 {
            line += "  ETA \(RunPresenter.formatDuration(elapsed / fraction - elapsed))"
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
    }

    /// Clears the line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
