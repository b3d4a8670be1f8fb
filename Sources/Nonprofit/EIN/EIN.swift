/// An IRS Employer Identification Number: nine digits, the first two a prefix the IRS assigns.
public struct EIN: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The nine digits, leading zeros kept (`010631747`).
    public let digits: String

    /// Prefixes the IRS has never assigned.
    public static let unassignedPrefixes: Set<String> = ["00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89", "96", "97"]

    /// Parses an EIN written as `12-3456789`, `123456789`, or with spaces and stray separators.
    /// - Throws: `EINError` saying exactly what is wrong.
    public init(_ text: String) throws(EINError) {
        var digits = text
        // The common case, nine plain digits, skips the character-by-character walk.
        if !(text.utf8.count == 9 && text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw EINError(input: text, reason: "it is empty") }
            let separators: Set<Character> = ["-", " ", ".", "/", "_", "\t"]
            digits = ""
            for character in trimmed where !separators.contains(character) {
                guard character.isASCII, character.isNumber else {
                    throw EINError(input: text, reason: "'\(character)' is not a digit (an EIN has nine digits, e.g. 54-1230284)")
                }
                digits.append(character)
            }
            guard digits.count == 9 else {
                throw EINError(input: text, reason: "it has \(digits.count) digit\(digits.count == 1 ? "" : "s"); an EIN has 9")
            }
        }
        let prefix = String(digits.prefix(2))
        guard !Self.unassignedPrefixes.contains(prefix) else {
            throw EINError(input: text, reason: "the prefix \(prefix) is never assigned by the IRS")
        }
        self.digits = digits
    }

    /// Wraps nine digits already known to be valid (read back from the database), without checks.
    public init(trusted digits: String) { self.digits = digits }

    /// `XX-XXXXXXX`.
    public var formatted: String { "\(digits.prefix(2))-\(digits.dropFirst(2))" }

    public var description: String { formatted }

    public static func < (lhs: EIN, rhs: EIN) -> Bool { lhs.digits < rhs.digits }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(digits)
    }
}

/// Why a text is not a valid EIN.
public struct EINError: Error, Sendable, Hashable, CustomStringConvertible {
    public var input: String
    public var reason: String
    public var description: String { "'\(input)' is not a valid EIN: \(reason)" }
}

import Foundation
