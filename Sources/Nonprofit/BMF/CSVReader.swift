import Foundation

/// A streaming CSV reader for the IRS files: RFC 4180 quoting (commas, quotes and line breaks
/// inside quoted fields), CRLF or LF line ends, and latin-1 text (every byte is one character).
/// Reads the file in chunks, so a 350 MB file never sits in memory whole. Fields come back
/// without leading and trailing spaces and without control characters (NUL and the like; tabs stay);
/// a lone CR ends a line as LF and CRLF do.
public struct CSVReader {
    /// One record as raw bytes: field `i` is `bytes[starts[i]..<ends[i]]`. Reused from record to
    /// record, so reading allocates nothing per row.
    public struct RawRecord {
        public var bytes: [UInt8] = []
        public var starts: [Int] = []
        public var ends: [Int] = []
        /// The line the record starts on (1-based; the header is line 1).
        public var line = 0
        /// Why the record is not a record (a quoted field left open past its line), when it is not.
        public var malformed: String?

        public var count: Int { starts.count }

        /// Field `index` as bytes.
        public func field(_ index: Int) -> ArraySlice<UInt8> { bytes[starts[index]..<ends[index]] }

        /// Field `index` as text (latin-1).
        public func string(_ index: Int) -> String { CSVReader.latin1(bytes[starts[index]..<ends[index]]) }

        mutating func reset() {
            malformed = nil
            bytes.removeAll(keepingCapacity: true)
            starts.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
        }

        mutating func endField(from start: Int) {
            var begin = start, end = bytes.count
            while begin < end, bytes[begin] == 0x20 { begin += 1 }
            while end > begin, bytes[end - 1] == 0x20 { end -= 1 }
            starts.append(begin)
            ends.append(end)
        }
    }

    /// One record as strings.
    public struct Record {
        public var fields: [String]
        public var line: Int
    }

    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    /// Where the record being read starts in `buffer` (kept across refills, so the reader can go back to its second line).
    private var recordStart = 0
    /// The most lines one record may span (a quoted field with line breaks); nil: any number.
    private let maximumRecordLines: Int?
    private var atEnd = false
    private var line = 1
    /// Bytes consumed so far, for progress.
    public private(set) var bytesRead = 0

    /// Opens `path` for reading.
    /// - Parameter maximumRecordLines: the most lines a record may span; a quoted field still open
    ///   past them is reported as a malformed record at its first line, and reading resumes on the
    ///   line after it (a stray quote then costs one row, not the rest of the file).
    public init(path: String, maximumRecordLines: Int? = nil) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
        self.maximumRecordLines = maximumRecordLines
    }

    private mutating func refill() throws {
        if recordStart > 0 {
            buffer.removeFirst(recordStart)
            position -= recordStart
            recordStart = 0
        }
        let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
        if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
    }

    /// The next record, as strings, or `nil` at the end of the file.
    public mutating func next() throws -> Record? {
        var raw = RawRecord()
        guard try next(into: &raw) else { return nil }
        return Record(fields: (0..<raw.count).map { raw.string($0) }, line: raw.line)
    }

    /// Reads the next record into `record`, replacing its contents.
    /// - Returns: `false` at the end of the file.
    public mutating func next(into record: inout RawRecord) throws -> Bool {
        record.reset()
        recordStart = position
        let bytesAtStart = bytesRead
        var fieldStart = 0
        var inQuotes = false
        var sawAnything = false
        var quoteLine = 0
        while true {
            if position >= buffer.count {
                if atEnd { break }
                try refill()
                continue
            }
            let byte = buffer[position]
            position += 1
            bytesRead += 1
            if !sawAnything {
                sawAnything = true
                record.line = line
            }
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if position >= buffer.count, !atEnd { try refill() }
                    if position < buffer.count, buffer[position] == UInt8(ascii: "\"") {
                        record.bytes.append(byte)
                        position += 1
                        bytesRead += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == 0x0A {
                        line += 1
                        if let maximum = maximumRecordLines, line - record.line >= maximum {
                            // Back to the line after the record's first: that is where the next record starts.
                            position = recordStart
                            bytesRead = bytesAtStart
                            while buffer[position] != 0x0A { position += 1; bytesRead += 1 }
                            position += 1
                            bytesRead += 1
                            line = record.line + 1
                            record.malformed = "a quoted field opened on line \(quoteLine) is not closed on its line (a stray quote?)"
                            return true
                        }
                    }
                    if byte == 0x0A || byte == 0x0D || !Self.isControl(byte) { record.bytes.append(byte) }
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                record.endField(from: fieldStart)
                fieldStart = record.bytes.count
            case UInt8(ascii: "\"") where record.bytes.count == fieldStart:
                inQuotes = true
                quoteLine = line
            case 0x0D, 0x0A:
                // CRLF, LF or a lone CR (old Mac files) ends the record.
                if byte == 0x0D {
                    if position >= buffer.count, !atEnd { try refill() }
                    if position < buffer.count, buffer[position] == 0x0A { position += 1; bytesRead += 1 }
                }
                line += 1
                record.endField(from: fieldStart)
                return true
            case _ where Self.isControl(byte):
                continue  // NUL and other control characters never belong in a field
            default:
                record.bytes.append(byte)
            }
        }
        guard sawAnything else { return false }
        record.endField(from: fieldStart)
        return true
    }

    /// C0 control characters but tab, and DEL.
    static func isControl(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != 0x09) || byte == 0x7F }

    /// Latin-1: each byte is the Unicode scalar of the same value (ASCII takes a fast path).
    static func latin1(_ bytes: ArraySlice<UInt8>) -> String {
        if !bytes.contains(where: { $0 >= 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }
}
