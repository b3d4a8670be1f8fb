/// English as a report should read: counts with their noun in the right number, ordinals, lists.
public enum Plural {
    /// `1 officer`, `47 officers`, `1,234 grants` (`plural` for irregular nouns).
    public static func count(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(count.formatted()) \(count == 1 ? singular : plural ?? singular + "s")"
    }
}

public enum Ordinal {
    /// `1st`, `2nd`, `3rd`, `11th`, `72nd`, `103rd`.
    public static func text(_ number: Int) -> String {
        let suffix: String
        switch (abs(number) % 100, abs(number) % 10) {
        case (11...13, _): suffix = "th"
        case (_, 1): suffix = "st"
        case (_, 2): suffix = "nd"
        case (_, 3): suffix = "rd"
        default: suffix = "th"
        }
        return "\(number)\(suffix)"
    }
}

public enum ListText {
    /// `a`, `a and b`, `a, b and c`.
    public static func joined(_ items: [String]) -> String {
        switch items.count {
        case 0: ""
        case 1: items[0]
        default: items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
        }
    }
}
