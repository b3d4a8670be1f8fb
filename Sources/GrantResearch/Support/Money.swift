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

    /// `12.3%`.
    public static func percent(_ ratio: Double, digits: Int = 1) -> String {
        String(format: "%.\(digits)f%%", ratio * 100)
    }
}
