import Foundation

/// A one-line progress display on stderr (only when stderr is a terminal): a bar, the count,
/// the rate and the time left.
final class ProgressBar: @unchecked Sendable {
    private var label: String
    private let unit: String
    private let started = Date()
    private var lastDraw = Date.distantPast
    private let enabled = Console.stderrIsTerminal

    /// Changes the label (the file being fetched).
    func relabel(_ label: String) { self.label = label }

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

    /// Redraws a download's line (at most ten times a second): the bar, bytes of the whole, the rate and the time left.
    func update(bytes: Int, total: Int?, bytesPerSecond: Double) {
        guard enabled, Date().timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = Date()
        var line = "\(label) "
        if let total, total > 0 {
            let fraction = min(1, Double(bytes) / Double(total))
            let filled = Int((fraction * 24).rounded())
            line += "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: 24 - filled) + "] "
            line += String(format: "%3.0f%% ", fraction * 100) + "\(Self.bytes(bytes)) of \(Self.bytes(total))"
        } else {
            line += Self.bytes(bytes)
        }
        line += "  \(Self.bytes(Int(bytesPerSecond)))/s"
        if let total, total > bytes, bytesPerSecond > 0 {
            line += "  ETA \(RunPresenter.formatDuration(Double(total - bytes) / bytesPerSecond))"
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
    }

    /// `1.5 MB`, `820 kB`, `12 B` (powers of 1,000).
    static func bytes(_ count: Int) -> String {
        switch count {
        case ..<1_000: "\(count) B"
        case ..<1_000_000: String(format: "%.0f kB", Double(count) / 1e3)
        case ..<1_000_000_000: String(format: "%.1f MB", Double(count) / 1e6)
        default: String(format: "%.2f GB", Double(count) / 1e9)
        }
    }

    /// Clears the line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
