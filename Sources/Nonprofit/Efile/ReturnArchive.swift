import Foundation
import SystemZlib
import ZIPFoundation

/// Where an e-file return's XML is read from: a loose file, or one entry of a ZIP archive
/// (the IRS publishes each year's returns as `YYYY_TEOS_XML_MMx.zip`, entries `OBJECTID_public.xml`).
public struct ReturnSource: Sendable, Hashable {
    /// The file, or the archive the entry is in.
    public var path: String
    /// The entry's path inside the archive; nil for a loose file.
    public var entry: String?

    /// The e-file object id the file or entry is named after (`202403589349300950_public.xml`), if it is.
    public var objectID: String? { Form990Parser.objectID(of: entry ?? path) }

    /// The archive's or file's name, and the entry's, for messages: `2024_TEOS_XML_01A.zip: 2024…_public.xml`.
    public var description: String {
        guard let entry else { return path }
        return "\((path as NSString).lastPathComponent): \(entry)"
    }
}

/// Reads the XML entries of one ZIP archive of returns without unpacking it to disk. One reader
/// per task: the archive's file handle is not shared. A ZIP whose central directory is missing or
/// damaged is refused when opened; an entry is read whole into memory only up to `maximumEntryBytes`
/// (its stated size is not trusted: a bomb is cut off when its inflated bytes pass the bound).
final class ReturnArchiveReader: @unchecked Sendable {
    /// The largest return read (the largest real returns, hospitals' Schedule I lists, are a few tens of megabytes).
    static let maximumEntryBytes = 256 << 20

    let path: String
    private let archive: Archive
    /// The archive's XML entries by path, in the archive's order (a look-up by path in the archive itself is a scan).
    private let entries: [(path: String, entry: Entry)]
    private lazy var entryByPath: [String: Entry] = Dictionary(entries.map { ($0.path, $0.entry) }, uniquingKeysWith: { first, _ in first })

    /// Why an archive or an entry cannot be read.
    struct ReadError: Error, CustomStringConvertible {
        var description: String
    }

    init(path: String) throws(ReadError) {
        self.path = path
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw ReadError(description: "not a readable ZIP archive (\(error)): its central directory is missing or damaged; download it again")
        }
        entries = archive.compactMap { entry in
            entry.type == .file && entry.path.lowercased().hasSuffix(".xml") ? (entry.path, entry) : nil
        }
    }

    /// The paths of the archive's XML entries, in the archive's order.
    var xmlEntries: [String] { entries.map(\.path) }

    /// The inflated bytes of one entry, checked against its CRC-32 (by zlib's, many times faster
    /// than the byte-at-a-time one ZIPFoundation uses on Linux).
    func contents(of entryPath: String) throws(ReadError) -> Data {
        guard let entry = entryByPath[entryPath] else { throw ReadError(description: "the entry is not in the archive") }
        var data = Data()
        data.reserveCapacity(Int(min(entry.uncompressedSize, UInt64(Self.maximumEntryBytes))))
        do {
            _ = try archive.extract(entry, bufferSize: 64 << 10, skipCRC32: true) { chunk in
                guard data.count + chunk.count <= Self.maximumEntryBytes else { throw EntryTooLarge() }
                data.append(chunk)
            }
        } catch is EntryTooLarge {
            throw ReadError(description: "the entry inflates to more than \(Self.maximumEntryBytes >> 20) MB: refused")
        } catch {
            throw ReadError(description: "the entry cannot be inflated (\(error)): the archive is damaged")
        }
        let checksum = data.withUnsafeBytes { bytes in crc32(0, bytes.bindMemory(to: UInt8.self).baseAddress, UInt32(bytes.count)) }
        guard checksum == UInt(entry.checksum) else {
            throw ReadError(description: "the entry's CRC-32 does not match its contents: the archive is damaged")
        }
        return data
    }

    private struct EntryTooLarge: Error {}
}
