/// Checked BMF rows as PostgreSQL's `COPY … FROM STDIN` text format, straight from the CSV's bytes
/// (as `BMFRowBinder` binds them for SQLite): one line a row, its columns in
/// `Organization.CodingKeys` order separated by tabs, `\N` for an empty field, latin-1 re-encoded
/// as UTF-8, backslashes and control characters escaped. A later row for the same EIN replaces the
/// earlier one (one statement may not touch a row twice).
struct BMFCopyRows {
    private var lines: [[UInt8]] = []
    private var position: [String: Int] = [:]

    var isEmpty: Bool { lines.isEmpty }

    /// The rows' text, ready to send.
    var bytes: [UInt8] { Array(lines.joined()) }

    mutating func append(_ record: CSVReader.RawRecord, _ row: BMFRowSource.Row) {
        var line: [UInt8] = []
        line.reserveCapacity(record.bytes.count + 64)
        for (index, column) in BMFRowSource.organizationColumnSource.enumerated() {
            if index > 0 { line.append(UInt8(ascii: "\t")) }
            guard let column else {
                switch index {
                case 0: line.append(contentsOf: row.ein.digits.utf8)
                case 27: Self.appendNTEEMajor(record, to: &line)
                default: line.append(contentsOf: "bmf".utf8)
                }
                continue
            }
            let field = record.field(column)
            if field.isEmpty {
                line.append(contentsOf: #"\N"#.utf8)
            } else if (23...25).contains(column) {
                let amount = column == 23 ? row.assets : column == 24 ? row.income : row.revenue
                line.append(contentsOf: String(amount ?? 0).utf8)
            } else {
                Self.appendText(field, uppercased: column == 26, to: &line)
            }
        }
        line.append(UInt8(ascii: "\n"))
        if let earlier = position[row.ein.digits] {
            lines[earlier] = line
        } else {
            position[row.ein.digits] = lines.count
            lines.append(line)
        }
    }

    private static func appendNTEEMajor(_ record: CSVReader.RawRecord, to line: inout [UInt8]) {
        if let first = record.field(26).first { appendText([first][...], uppercased: true, to: &line) } else { line.append(contentsOf: #"\N"#.utf8) }
    }

    private static func appendText(_ bytes: ArraySlice<UInt8>, uppercased: Bool, to line: inout [UInt8]) {
        for var byte in bytes {
            if uppercased, byte >= 0x61, byte <= 0x7A { byte -= 0x20 }
            switch byte {
            case UInt8(ascii: "\\"): line.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\t"): line.append(contentsOf: #"\t"#.utf8)
            case UInt8(ascii: "\n"): line.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): line.append(contentsOf: #"\r"#.utf8)
            case 0x80...:
                line.append(0xC0 | (byte >> 6))
                line.append(0x80 | (byte & 0x3F))
            default: line.append(byte)
            }
        }
    }
}
