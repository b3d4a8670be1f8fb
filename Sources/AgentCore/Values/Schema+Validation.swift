/// A value that does not match a schema, at a field path (`inputs.organization.ein`).
public struct SchemaViolation: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String { "\(path): \(message)" }
}

extension Schema {
    /// Checks `value` against the schema and returns every violation, each with its field path.
    /// - Parameters:
    ///   - value: the value to check.
    ///   - path: the path of `value` itself, used as the prefix of every reported path.
    public func violations(of value: Value, at path: String) -> [SchemaViolation] {
        var found: [SchemaViolation] = []
        collectViolations(of: value, at: path, into: &found)
        return found
    }

    private func collectViolations(of value: Value, at path: String, into found: inout [SchemaViolation]) {
        func mismatch() {
            found.append(SchemaViolation(path: path, message: "expected \(displayName), got \(value.typeName)"))
        }
        switch (self, value) {
        case (.any, _), (.optional, .null): return
        case (.optional(let inner), _): inner.collectViolations(of: value, at: path, into: &found)
        case (.string, .string), (.integer, .int), (.number, .int), (.number, .double), (.boolean, .bool): return
        case (.integer, .double(let d)) where d.rounded() == d && abs(d) < 9e15: return
        case (.enumeration(let allowed), .string(let s)):
            if !allowed.contains(s) {
                found.append(SchemaViolation(path: path, message: "expected one of \(allowed.joined(separator: ", ")), got \"\(s)\""))
            }
        case (.array(let element), .array(let items)):
            for (index, item) in items.enumerated() {
                element.collectViolations(of: item, at: "\(path)[\(index)]", into: &found)
            }
        case (.map(let element), .object(let members)):
            for key in members.keys.sorted() {
                element.collectViolations(of: members[key] ?? .null, at: "\(path).\(key)", into: &found)
            }
        case (.object(let fields), .object(let members)):
            for field in fields {
                let member = members[field.name] ?? .null
                if members[field.name] == nil, field.isRequired {
                    found.append(SchemaViolation(path: "\(path).\(field.name)", message: "required field is missing (expected \(field.schema.displayName))"))
                } else {
                    field.schema.collectViolations(of: member, at: "\(path).\(field.name)", into: &found)
                }
            }
        default:
            mismatch()
        }
    }

    /// Whether a value of schema `other` can always be given where this schema is expected.
    /// Used to type-check `{{ references }}` before a run; `.any` on either side is accepted.
    public func accepts(_ other: Schema) -> Bool {
        switch (self, other) {
        case (.any, _), (_, .any): return true
        case (.optional(let a), .optional(let b)): return a.accepts(b)
        case (.optional(let a), _): return a.accepts(other)
        case (_, .optional(let b)): return accepts(b)  // null is caught when the step runs
        case (.number, .integer), (.string, .enumeration): return true
        case (.enumeration(let a), .enumeration(let b)): return Set(b).isSubset(of: Set(a))
        case (.array(let a), .array(let b)), (.map(let a), .map(let b)): return a.accepts(b)
        case (.object, .object), (.map, .object), (.object, .map): return true
        default: return self == other
        }
    }
}
