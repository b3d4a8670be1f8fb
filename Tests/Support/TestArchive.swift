import Foundation
import ZIPFoundation

/// ZIP archives for tests, laid out as the IRS publishes e-file returns (entries `OBJECTID_public.xml`).
public enum TestArchive {
    /// Writes an archive of these entries (deflated, or stored as they are) at `path`, replacing any file there.
    public static func write(_ path: String, entries: [(name: String, data: Data)], stored: Bool = false) throws {
        try? FileManager.default.removeItem(atPath: path)
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (name, data) in entries {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: stored ? .none : .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    /// The XML files of a folder as archive entries, by their file names.
    public static func entries(ofFolder folder: String) throws -> [(name: String, data: Data)] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".xml") }.sorted().map { name in
            (name, try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
        }
    }

    /// An index CSV in the IRS's layout for these returns: (object id, EIN, return type).
    public static func index(_ rows: [(objectID: String, ein: String, returnType: String)]) -> String {
        "RETURN_ID,FILING_TYPE,EIN,TAX_PERIOD,SUB_DATE,TAXPAYER_NAME,RETURN_TYPE,DLN,OBJECT_ID\n"
            + rows.enumerated().map { number, row in
                "\(number + 1),EFILE,\(row.ein),202312,2024-05-01,\"NAME, INC\",\(row.returnType),9349\(number),\(row.objectID)"
            }.joined(separator: "\n") + "\n"
    }
}
