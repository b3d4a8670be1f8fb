import Foundation

/// What a BMF refresh records, so that a user can see how an organization's IRS record moved:
/// each import's counts (`bmf_imports`), each organization's changed values (`organization_changes`,
/// one row per field), and the organizations the new files no longer list. An organization that
/// disappears is marked (`organizations.removed_from_bmf`, the import that found it gone), never
/// deleted; when a later file lists it again, it is unmarked and that is recorded too.
///
/// Changes are recorded only by a refresh of a database that already had organizations (the
/// first import has nothing to compare with). "Gone" is judged within the states the imported
/// files cover: importing `eo_va.csv` says nothing of Maryland.
enum BMFHistory {
    /// The columns whose changes are recorded: identity, address, exemption and status. Amounts and
    /// the latest tax period change with every filing and are in the filings themselves.
    static let watchedColumns = ["name", "in_care_of", "street", "city", "state", "zip", "group_exemption", "subsection", "affiliation",
                                 "classification", "ruling", "deductibility", "foundation", "activity", "organization_code", "status",
                                 "filing_requirement", "pf_filing_requirement", "ntee_code", "sort_name"]

    /// The kinds of change.
    enum Change: String { case changed, gone, returned }

    /// The table of the EINs a refresh saw (a temporary table of the importing connection).
    static let seenTable = "bmf_seen"

    /// Statements that mark, after a refresh numbered `importID`, the organizations of `states` it
    /// did not see as gone, and those it saw that were gone as listed again, recording both.
    /// Each statement comes with its own parameters (`parameters` makes an empty set).
    static func markGoneAndReturned<Parameters: SQLParameters>(importID: Int, states: [String],
                                                               parameters: () -> Parameters) -> [(sql: String, parameters: Parameters)] {
        let unseen = "NOT EXISTS (SELECT 1 FROM \(seenTable) s WHERE s.ein = o.ein)"
        let returned = "o.removed_from_bmf IS NOT NULL AND NOT \(unseen)"
        func gone(_ parameters: inout Parameters) -> String {
            "o.source = 'bmf' AND o.removed_from_bmf IS NULL AND o.state \(parameters.list(states)) AND \(unseen)"
        }
        var recordGone = parameters(), markGone = parameters()
        return [
            ("INSERT INTO organization_changes (import_id, ein, change) SELECT \(importID), o.ein, '\(Change.returned.rawValue)' FROM organizations o WHERE \(returned)",
             parameters()),
            ("UPDATE organizations SET removed_from_bmf = NULL WHERE ein IN (SELECT o.ein FROM organizations o WHERE \(returned))", parameters()),
            ("INSERT INTO organization_changes (import_id, ein, change) SELECT \(importID), o.ein, '\(Change.gone.rawValue)' FROM organizations o WHERE \(gone(&recordGone))",
             recordGone),
            ("UPDATE organizations SET removed_from_bmf = \(importID) WHERE ein IN (SELECT o.ein FROM organizations o WHERE \(gone(&markGone)))", markGone),
        ]
    }

    /// The next import's number.
    static let nextImportIDSQL = "SELECT coalesce(max(id), 0) + 1 FROM bmf_imports"

    /// How many organizations a refresh marked gone and listed again (after `markGoneAndReturned`).
    static func countsSQL(importID: Int) -> String {
        """
        SELECT coalesce(sum(CASE WHEN change = 'gone' THEN 1 ELSE 0 END), 0) AS gone,
               coalesce(sum(CASE WHEN change = 'returned' THEN 1 ELSE 0 END), 0) AS returned
        FROM organization_changes WHERE import_id = \(importID) AND change IN ('gone', 'returned')
        """
    }

    /// The `bmf_imports` row of a finished import.
    static func recordImportSQL<Parameters: SQLParameters>(importID: Int, summary: BMFImporter.Summary, files: [String],
                                                           _ parameters: inout Parameters) -> String {
        let names = files.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
        return """
            INSERT INTO bmf_imports (id, imported_at, files, rows, added, changed, gone, returned)
            VALUES (\(importID), \(parameters.number(Date().timeIntervalSince1970)), \(parameters.text(names)), \(summary.rows), \(summary.inserted),
                    \(summary.updated), \(summary.gone), \(summary.returned))
            """
    }

    /// An organization's history, oldest first: the imports' dates with each change.
    static let organizationHistorySQL = """
        SELECT c.import_id, i.imported_at, i.files, c.change, c.field, c.old_value, c.new_value
        FROM organization_changes c JOIN bmf_imports i ON i.id = c.import_id
        WHERE c.ein = ? ORDER BY c.import_id, c.change, c.field
        """
}

/// One change in an organization's IRS BMF record, found by a BMF refresh.
public struct BMFChange: Sendable, Hashable, Codable {
    /// Which import found it, and when it ran.
    public var importID: Int
    public var importedAt: Date
    /// The files that import read.
    public var files: String
    /// `changed` (a field's value), `gone` (no longer listed) or `returned` (listed again).
    public var change: String
    /// For `changed`: the column, its value before and after.
    public var field: String?
    public var oldValue: String?
    public var newValue: String?

    enum CodingKeys: String, CodingKey {
        case importID = "import_id", importedAt = "imported_at", files, change, field, oldValue = "old_value", newValue = "new_value"
    }

    public init(importID: Int, importedAt: Date, files: String, change: String, field: String?, oldValue: String?, newValue: String?) {
        (self.importID, self.importedAt, self.files, self.change) = (importID, importedAt, files, change)
        (self.field, self.oldValue, self.newValue) = (field, oldValue, newValue)
    }

    /// `imported_at` as an ISO 8601 time, as every other time in Catalynx's JSON.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(importID, forKey: .importID)
        try container.encode(importedAt.formatted(.iso8601), forKey: .importedAt)
        try container.encode(files, forKey: .files)
        try container.encode(change, forKey: .change)
        try container.encodeIfPresent(field, forKey: .field)
        try container.encodeIfPresent(oldValue, forKey: .oldValue)
        try container.encodeIfPresent(newValue, forKey: .newValue)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        importID = try container.decode(Int.self, forKey: .importID)
        importedAt = try Date(container.decode(String.self, forKey: .importedAt), strategy: .iso8601)
        files = try container.decode(String.self, forKey: .files)
        change = try container.decode(String.self, forKey: .change)
        field = try container.decodeIfPresent(String.self, forKey: .field)
        oldValue = try container.decodeIfPresent(String.self, forKey: .oldValue)
        newValue = try container.decodeIfPresent(String.self, forKey: .newValue)
    }
}
