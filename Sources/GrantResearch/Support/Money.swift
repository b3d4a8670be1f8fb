import Foundation

/// Dollar amounts and ratios as people read them.
public enum Money {
    /// `$1,234,567`.
    public static func full(_ amount: Int) -> String {
        (amount < 0 ? "−$" : "$") + abs(amount).formatted(.number.grouping(.automatic))
    }

    /// `$1.2M`, `$350k`, `$900`.
    public static func short(_ amount: Int) -> String {
        let sign = amount < 0 ? "−" : ""
        let value = Double(abs(amount))
        switch value {
        case 1_000_000_000...: return sign + String(format: "$%.1fB", value / 1_000_000_000)
        case 1_000_000...: return sign + String(format: "$%.1fM", value / 1_000_000)
        case 1_000...: return sign + String(format: "$%.0fk", value / 1_000)
        default: return sign + String(format: "$%.0f", value)
        }
    }

    /// An axis label: `$0`, `$2.5M`, `$750k`, `$12M` (no trailing `.0`).
    public static func axis(_ value: Double) -> String {
        let magnitude = abs(value)
        let (scaled, unit): (Double, String) = magnitude >= 1_000_000_000 ? (value / 1_000_000_000, "B")
            : magnitude >= 1_000_000 ? (value / 1_000_000, "M") : magnitude >= 1_000 ? (value / 1_000, "k") : (value, "")
        let digits = scaled == scaled.rounded() ? String(Int(scaled)) : String(format: "%.1f", scaled)
        return (value < 0 ? "−$" : "$") + digits.replacingOccurrences(of: "-", with: "") + unit
    }

    /// `12.3%`.
    public static func percent(_ ratio: Double, digits: Int = 1) -> String {
        String(format: "%.\(digits)f%%", ratio * 100)
    }
}
