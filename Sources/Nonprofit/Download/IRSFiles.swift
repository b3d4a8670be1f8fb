import Foundation

/// Where the IRS publishes the files Catalynx imports, by their official layout: the Exempt
/// Organizations Business Master File on `www.irs.gov/pub/irs-soi/` (a file per state, `eo_va.csv`,
/// or per region, `eo1.csv` … `eo4.csv`) and each year's e-filed returns on
/// `apps.irs.gov/pub/epostcard/990/xml/YYYY/` (`index_YYYY.csv` and the ZIP archives
/// `YYYY_TEOS_XML_MMx.zip`, months 01–12, letters A, B, …). A mirror replaces the scheme and host
/// of both and keeps the paths.
public struct IRSFiles: Sendable {
    public static let bmfHost = "https://www.irs.gov"
    public static let efileHost = "https://apps.irs.gov"

    /// The mirror's root (`http://127.0.0.1:8080`, `https://mirror.example.org/irs`); nil: the IRS's own hosts.
    public var mirror: String?

    public init(mirror: String? = nil) {
        self.mirror = mirror.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The two-letter codes of the BMF's state files: the states, DC and Puerto Rico.
    public static let states = ["AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "HI", "IA", "ID", "IL", "IN", "KS", "KY",
                                "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "OH",
                                "OK", "OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT", "WA", "WI", "WV", "WY"]

    /// A state's BMF file (`eo_va.csv`).
    public func bmfState(_ state: String) -> String { url(Self.bmfHost, "/pub/irs-soi/eo_\(state.lowercased()).csv") }
    /// A region's BMF file, 1–4 (`eo1.csv`; region 4 holds the international and territorial filers).
    public func bmfRegion(_ region: Int) -> String { url(Self.bmfHost, "/pub/irs-soi/eo\(region).csv") }
    /// The year's e-file index.
    public func efileIndex(year: Int) -> String { url(Self.efileHost, "/pub/epostcard/990/xml/\(year)/index_\(year).csv") }
    /// One of the year's archives, by name without `.zip` (`2024_TEOS_XML_01A`).
    public func efileArchive(year: Int, _ name: String) -> String { url(Self.efileHost, "/pub/epostcard/990/xml/\(year)/\(name).zip") }

    /// The name of the `letter`-th archive (0 = A) of a month (1–12) of a year.
    public static func archiveName(year: Int, month: Int, letter: Int) -> String {
        let letterCharacter = Character(Unicode.Scalar(UInt8(ascii: "A") + UInt8(letter)))
        return "\(year)_TEOS_XML_\(month < 10 ? "0" : "")\(month)\(letterCharacter)"
    }

    private func url(_ host: String, _ path: String) -> String { (mirror ?? host) + path }
}
