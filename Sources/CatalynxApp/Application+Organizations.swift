import AgentCore
import Foundation
import GrantResearch
import Nonprofit

/// An organization as every front end shows it: everything on record, its newest figures with
/// their year and source, and its codes in words.
public struct OrganizationOverview: Sendable {
    public var record: OrganizationRecord
    /// The analysis tools' view of it (name spelled as people write it, latest figures).
    public var profile: OrganizationProfile
    /// What BMF refreshes found changed in its IRS record, oldest first.
    public var bmfHistory: [BMFChange] = []

    /// The BMF refresh that found it no longer listed, if the latest word on it is that.
    public var removedFromBMF: BMFChange? {
        bmfHistory.last { $0.change == "gone" || $0.change == "returned" }.flatMap { $0.change == "gone" ? $0 : nil }
    }

    /// One change in words: `2026-12-02 (eo_va.csv): status 01 → 12`, `… no longer listed in the BMF`.
    public static func describe(_ change: BMFChange) -> String {
        let day = ISO8601DateFormatter.string(from: change.importedAt, timeZone: .current, formatOptions: [.withFullDate])
        let when = "\(day) (\(change.files))"
        switch change.change {
        case "gone": return "\(when): no longer listed in the IRS BMF (marked, kept here)"
        case "returned": return "\(when): listed in the IRS BMF again"
        default:
            let field = change.field ?? "a value"
            func words(_ value: String?) -> String {
                guard let value, !value.isEmpty else { return "(none)" }
                let meaning: String? = switch field {
                case "subsection": IRSCodes.subsection(value)
                case "foundation": IRSCodes.foundation(value)
                case "deductibility": IRSCodes.deductibility(value)
                case "ruling": IRSCodes.ruling(value)
                case "status": IRSCodes.status(value)
                default: nil
                }
                return meaning.map { "\(value) (\($0))" } ?? value
            }
            return "\(when): \(field.replacingOccurrences(of: "_", with: " ")) \(words(change.oldValue)) → \(words(change.newValue))"
        }
    }

    public var organization: Organization { record.organization }

    /// `501(c)(3)`, `4947(a)(1) trust`.
    public var exemption: String? { IRSCodes.subsection(organization.subsection) }
    /// `June 1984`.
    public var ruling: String? { IRSCodes.ruling(organization.ruling) }
    /// `public charity supported by the public`.
    public var foundation: String? { IRSCodes.foundation(organization.foundation) }
    /// `E31 · Health Care`.
    public var cause: String? {
        organization.nteeCode.map { code in [code, profile.nteeDescription].compactMap { $0 }.joined(separator: " · ") }
    }
    /// `Henrico, VA 23233`.
    public var place: String? {
        let line = [profile.city, [profile.state, profile.zip].compactMap { $0 }.joined(separator: " ")].compactMap { $0 }
            .filter { !$0.isEmpty }.joined(separator: ", ")
        return line.isEmpty ? nil : line
    }

    /// The JSON of `org show --format json`, `GET /api/v1/organizations/{ein}` and MCP's
    /// `get_organization`: the record's sections as stored, each filing with its fiscal-year label,
    /// and `summary` with the latest figures and the codes in words.
    public var json: Value {
        guard case .object(var object)? = try? Value(encoding: record) else { return .null }
        object["filings"] = .array(record.filings.map { filing in
            guard case .object(var fields)? = try? Value(encoding: filing) else { return .null }
            fields["fiscal_year"] = .string(filing.fiscalYear.description)
            return .object(fields)
        })
        var summary: [String: Value] = ["ein": .string(organization.formattedEIN), "name": .string(profile.name)]
        summary["exemption"] = exemption.map(Value.string) ?? .null
        summary["ruling"] = ruling.map(Value.string) ?? .null
        summary["foundation"] = foundation.map(Value.string) ?? .null
        summary["cause"] = cause.map(Value.string) ?? .null
        summary["place"] = place.map(Value.string) ?? .null
        summary["latest_figures"] = (try? Value(encoding: profile.latestFigures)) ?? .null
        summary["removed_from_bmf"] = removedFromBMF.map { .string(ISO8601DateFormatter().string(from: $0.importedAt)) } ?? .null
        object["summary"] = .object(summary)
        object["bmf_history"] = (try? Value(encoding: bmfHistory)) ?? .array([])
        return .object(object)
    }
}

extension CatalynxApplication {
    /// Everything on record about the organization with this EIN.
    /// - Throws: `ApplicationError` `.badInput` for an invalid EIN, `.notFound` for an EIN the database does not know.
    public func organization(_ text: String) async throws -> OrganizationOverview {
        let ein = try Self.ein(text)
        let database = try await organizationDatabase()
        async let history = database.bmfHistory(ein)
        guard let record = try await database.record(ein) else {
            throw ApplicationError(.notFound, "no organization with EIN \(ein.formatted) in the database")
        }
        return OrganizationOverview(record: record, profile: OrganizationProfile(record.organization, filings: record.filings),
                                    bmfHistory: try await history)
    }

    /// Organizations matching a search, best first.
    public func searchOrganizations(_ search: OrganizationSearch) async throws -> [Organization] {
        var search = search
        search.limit = max(1, min(search.limit, 200))
        return try await organizationDatabase().search(search)
    }

    /// An EIN from what a person typed, or an `ApplicationError` `.badInput` saying what is wrong with it.
    public static func ein(_ text: String) throws -> EIN {
        do {
            return try EIN(text)
        } catch {
            throw ApplicationError(.badInput, error.description)
        }
    }
}
