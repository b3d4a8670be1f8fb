import Testing
@testable import Nonprofit

@Suite("EINs")
struct EINTests {
    @Test(arguments: ["54-1230284", "541230284", " 54 1230284 ", "54.123.0284", "EIN:"])
    func writtenInManyWays(text: String) throws {
        if text == "EIN:" {
            #expect(throws: EINError.self) { try EIN(text) }
        } else {
            let ein = try EIN(text)
            #expect(ein.digits == "541230284")
            #expect(ein.formatted == "54-1230284")
        }
    }

    @Test func leadingZerosAreKept() throws {
        #expect(try EIN("010631747").formatted == "01-0631747")
    }

    @Test(arguments: [
        ("", "it is empty"),
        ("12345678", "it has 8 digits; an EIN has 9"),
        ("1234567890", "it has 10 digits; an EIN has 9"),
        ("54-123O284", "'O' is not a digit (an EIN has nine digits, e.g. 54-1230284)"),
        ("00-1234567", "the prefix 00 is never assigned by the IRS"),
        ("07-1234567", "the prefix 07 is never assigned by the IRS"),
        ("89-1234567", "the prefix 89 is never assigned by the IRS"),
        ("97-1234567", "the prefix 97 is never assigned by the IRS"),
    ])
    func rejectedWithAPreciseReason(text: String, reason: String) {
        do {
            _ = try EIN(text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.reason == reason)
        }
    }

    @Test func everyUnassignedPrefixIsRefusedAndTheOthersAccepted() {
        for prefix in 0..<100 {
            let text = String(format: "%02d", prefix) + "1234567"
            let accepted = (try? EIN(text)) != nil
            #expect(accepted == !EIN.unassignedPrefixes.contains(String(format: "%02d", prefix)), "\(text)")
        }
        #expect(EIN.unassignedPrefixes.count == 17)
    }
}
