/// The IRS's codes (BMF columns, return checkboxes) in the words people use.
public enum IRSCodes {
    /// The exemption a BMF subsection code means: `03` → `501(c)(3)`, `92` → `4947(a)(1) trust`; nil for none.
    public static func subsection(_ code: String?) -> String? {
        guard let code, let number = Int(code.trimmingCharacters(in: .whitespaces)), number > 0 else { return nil }
        switch number {
        case 92: return "4947(a)(1) trust"
        case 40: return "501(d)"
        case 50: return "501(e)"
        case 60: return "501(f)"
        case 70: return "501(k)"
        case 71: return "501(n)"
        default: return number <= 40 ? "501(c)(\(number))" : nil
        }
    }

    /// A BMF ruling date (`YYYYMM`) as `June 1984`; nil when it is not one.
    public static func ruling(_ code: String?) -> String? {
        guard let code, code.count == 6, let year = Int(code.prefix(4)), let month = Int(code.suffix(2)), (1...12).contains(month), year > 1800
        else { return nil }
        return "\(monthNames[month - 1]) \(year)"
    }

    /// A BMF tax period (`YYYYMM`) as `March 2024`.
    public static func period(_ code: String?) -> String? { ruling(code) }

    /// What a BMF foundation code says about the organization.
    public static func foundation(_ code: String?) -> String? {
        switch code {
        case "02": "private operating foundation (exempt from the excise tax)"
        case "03": "private operating foundation"
        case "04": "private non-operating foundation"
        case "09": "suspense (status being determined)"
        case "10": "church"
        case "11": "school"
        case "12": "hospital or medical research organization"
        case "13": "organization supporting a government college or university"
        case "14": "governmental unit"
        case "15": "public charity supported by the public"
        case "16": "public charity supported by gifts, fees and admissions"
        case "17": "supporting organization"
        case "18": "organization testing for public safety"
        case "21", "22", "23", "24": "supporting organization"
        default: nil
        }
    }

    /// Whether gifts are tax-deductible, from the BMF deductibility code.
    public static func deductibility(_ code: String?) -> String? {
        switch code {
        case "1": "contributions are deductible"
        case "2": "contributions are not deductible"
        case "4": "contributions are deductible by treaty (a foreign organization)"
        default: nil
        }
    }

    /// The exemption status, from the BMF status code (the IRS's EO BMF documentation).
    public static func status(_ code: String?) -> String? {
        switch code {
        case "01": "unconditional exemption"
        case "02": "conditional exemption"
        case "12": "trust described in section 4947(a)(2)"
        case "25": "terminating its private foundation status"
        default: nil
        }
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                             "November", "December"]
}
