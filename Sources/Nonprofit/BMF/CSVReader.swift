import Foundation

/// A streaming CSV reader for the IRS files: RFC 4180 quoting (commas, quotes and line breaks
/// inside quoted fields), CRLF or LF line ends, and latin-1 text (every byte is one character).
/// Reads the file in chunks, so a 350 MB file never sits in memory whole.
public struct CSVReader {
    /// One record and the line it starts on (1-based, the header is line 1).
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

    /// The next record, or `nil` at the end of the file.
    public mutating func next() throws -> Record? {
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var startLine = line
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
                startLine = line
            }
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if position >= buffer.count, !atEnd { try refill() }
                    if position < buffer.count, buffer[position] == UInt8(ascii: "\"") {
                        field.append(byte)
                        position += 1
                        bytesRead += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                fields.append(Self.latin1(field))
                field.removeAll(keepingCapacity: true)
            case UInt8(ascii: "\"") where field.isEmpty:
                inQuotes = true
            case 0x0D:
                continue
            case 0x0A:
                line += 1
                fields.append(Self.latin1(field))
                return Record(fields: fields, line: startLine)
            default:
                field.append(byte)
            }
        }
        guard sawAnything else { return nil }
        fields.append(Self.latin1(field))
        return Record(fields: fields, line: startLine)
    }

    /// Latin-1: each byte is the Unicode scalar of the same value (ASCII takes a fast path).
    static func latin1(_ bytes: [UInt8]) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}
