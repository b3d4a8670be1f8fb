extension StringProtocol {
    /// The text without leading and trailing whitespace (newlines included).
    var trimmingWhitespace: String {
        // Fast path: nothing to trim when both ends are visible ASCII.
        let bytes = utf8
        if let first = bytes.first, first > 0x20, first < 0x7F {
            let last = bytes[bytes.index(bytes.endIndex, offsetBy: -1)]
            if last > 0x20, last < 0x7F { return String(self) }
        }
        var text = self[...]
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
