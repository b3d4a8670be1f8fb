import Foundation

/// A streaming CSV reader for the IRS files: RFC 4180 quoting (commas, quotes and line breaks
/// inside quoted fields), CRLF or LF line ends, and latin-1 text (every byte is one character).
/// Reads the file in chunks, so a 350 MB file never sits in memory whole. Fields come back
/// without leading and trailing spaces.
public struct CSVReader {
    /// One record as raw bytes: field `i` is `bytes[starts[i]..<ends[i]]`. Reused from record to
    /// record, so reading allocates nothing per row.
    public struct RawRecord {
        public var bytes: [UInt8] = []
        public var starts: [Int] = []
        public var ends: [Int] = []
        /// The line the record starts on (1-based; the header is line 1).
        public var line = 0

        public var count: Int { starts.count }

        /// Field `index` as bytes.
        public func field(_ index: Int) -> ArraySlice<UInt8> { bytes[starts[index]..<ends[index]] }

        /// Field `index` as text (latin-1).
        public func string(_ index: Int) -> String { CSVReader.latin1(bytes[starts[index]..<ends[index]]) }

        mutating func reset() {
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
    private var atEnd = false
    private var line = 1
    /// Bytes consumed so far, for progress.
    public private(set) var bytesRead = 0

    /// Opens `path` for reading.
    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    private mutating func refill() throws {
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
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
        var fieldStart = 0
        var inQuotes = false
        var sawAnything = false
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
                    if byte == 0x0A { line += 1 }
                    record.bytes.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                record.endField(from: fieldStart)
                fieldStart = record.bytes.count
            case UInt8(ascii: "\"") where record.bytes.count == fieldStart:
                inQuotes = true
            case 0x0D:
                continue
            case 0x0A:
                line += 1
                record.endField(from: fieldStart)
                return true
            default:
                record.bytes.append(byte)
            }
        }
        guard sawAnything else { return false }
        record.endField(from: fieldStart)
        return true
    }

    /// Latin-1: each byte is the Unicode scalar of the same value (ASCII takes a fast path).
    static func latin1(_ bytes: ArraySlice<UInt8>) -> String {
        if !bytes.contains(where: { $0 >= 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }
}
