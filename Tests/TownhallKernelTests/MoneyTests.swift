import Foundation
import Testing
import TownhallKernel

/// The kernel's money type: exact pence, one rounding rule, and amounts written and read as people write them.
@Suite struct MoneyTests {
    @Test func arithmeticIsExactPence() {
        let a = Money(pence: 1835_56), b = Money.pounds(12)
        #expect((a + b).pence == 1847_56 && (a - b).pence == 1823_56 && (-b).pence == -12_00 && (b * 3).pence == 36_00)
        #expect([a, b, .zero].reduce(.zero, +) == Money(pence: 1847_56))
        #expect(b < a && Money.zero - b < .zero && (Money.zero - b).isNegative)
        // Seven ninths of £2,360.00 is £1,835.555…, which rounds half-up to the penny.
        #expect(Money.pounds(2360).times(7, over: 9) == Money(pence: 1835_56))
        #expect(Money(pence: -5).times(1, over: 2) == Money(pence: -3))
    }

    @Test func writtenAndReadAsPeopleWriteIt() throws {
        #expect(Money(pence: 1_234_567_89).description == "£1,234,567.89")
        #expect(Money(pence: -12_00).description == "-£12.00" && Money(pence: 5).description == "£0.05")
        #expect(Money(pence: -1234_50).decimal == "-1234.50")
        #expect(try Money(parsing: "£1,234.5", field: "amount") == Money(pence: 1234_50))
        #expect(try Money(parsing: " 125.50 ", field: "amount").pence == 125_50)
        for bad in ["-1.00", "1.234", "12a", "", "£", "1.2.3"] {
            let error = #expect(throws: TownhallError.self) { try Money(parsing: bad, field: "amount") }
            #expect(error?.field == "amount", "\(bad)")
        }
    }

    @Test func encodedAsWholePence() throws {
        let data = try JSONEncoder().encode(["amount": Money(pence: 125_50)])
        #expect(String(decoding: data, as: UTF8.self) == #"{"amount":12550}"#)
        #expect(try JSONDecoder().decode([String: Money].self, from: data)["amount"] == Money(pence: 125_50))
    }
}
