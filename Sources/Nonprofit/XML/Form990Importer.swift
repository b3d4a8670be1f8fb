import Foundation

/// Imports 990 / 990-EZ / 990-PF e-file XML files: each return's filing (merged with other
/// sources for the same period), its grants and its officers. A malformed file is reported
/// and skipped; the others are imported.
public struct Form990Importer {
    public let database: any OrganizationDatabase

    public init(database: any OrganizationDatabase) { self.database = database }

    public struct Summary: Sendable {
        public var returns: [Form990Return] = []
        /// Files that were not imported, each with where and why.
        public var skipped: [Form990Parser.ParseError] = []
        public var grants: Int { returns.reduce(0) { $0 + $1.grants.count } }
        public var officers: Int { returns.reduce(0) { $0 + $1.officers.count } }
    }

    /// Imports files, and the `.xml` files of directories. A file that is not a complete,
    /// well-formed return is skipped whole (nothing of it is stored), with its reason and, for
    /// broken XML, its line and column; the others are stored in one transaction.
    public func importPaths(_ paths: [String]) async throws -> Summary {
        var summary = Summary()
        for file in Self.expand(paths) {
            guard let data = FileManager.default.contents(atPath: file) else {
                summary.skipped.append(.init(source: file, reason: "cannot read the file"))
                continue
            }
            do {
                summary.returns.append(try Form990Parser.parse(data, source: file))
            } catch {
                summary.skipped.append(error)
            }
        }
        try await database.save(RecordBatch(
            organizations: summary.returns.map(\.organization), filings: summary.returns.map(\.filing),
            grants: summary.returns.flatMap(\.grants), officers: summary.returns.flatMap(\.officers)))
        return summary
    }

    /// The files named, with directories replaced by the `.xml` files in them (sorted).
    static func expand(_ paths: [String]) -> [String] {
        paths.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return names.filter { $0.lowercased().hasSuffix(".xml") }.sorted().map { (path as NSString).appendingPathComponent($0) }
        }
    }
}

extension Organization {
    /// A minimal organization known only from a return's header.
    init(ein: String, name: String, source: String) {
        self.init(ein: ein, name: name, inCareOf: nil, street: nil, city: nil, state: nil, zip: nil, groupExemption: nil, subsection: nil,
                  affiliation: nil, classification: nil, ruling: nil, deductibility: nil, foundation: nil, activity: nil,
                  organizationCode: nil, status: nil, taxPeriod: nil, assetCode: nil, incomeCode: nil, filingRequirement: nil,
                  pfFilingRequirement: nil, accountingPeriod: nil, assets: nil, income: nil, revenue: nil, nteeCode: nil,
                  nteeMajor: nil, sortName: nil, source: source)
    }
}
