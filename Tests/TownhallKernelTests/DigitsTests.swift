import Foundation
import Testing
import TownhallKernel

@Suite struct DigitsTests {
    @Test func padsAsPrintfDidWithoutItsFormatter() {
        for (n, width) in [(0, 2), (7, 2), (42, 2), (123, 2), (5, 8), (-5, 3), (12_345_678, 8), (9, 11)] {
            #expect(Digits.padded(n, width: width) == String(format: "%0\(width)d", n), "\(n) \(width)")
        }
        #expect(Digits.padded(Int64.max, width: 3) == String(Int64.max))
    }

    @Test func hexIsTwoLowerCaseDigitsAByte() {
        let bytes: [UInt8] = [0, 1, 0x0f, 0x10, 0xab, 0xff]
        #expect(Digits.hex(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
        #expect(Digits.hex([UInt8]()) == "")
    }
}

@Suite struct LondonTodayTests {
    /// `LocalDate.today` by LondonTime's rule agrees with Foundation's calendar in the Europe/London zone, across both
    /// clock changes of several years and every hour of the day.
    @Test func todayInLondonAgreesWithTheZoneDatabase() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "Europe/London"))
        var t = Date(timeIntervalSince1970: 1_700_000_000)
        for _ in 0..<(24 * 365 * 3 / 7) {
            let c = calendar.dateComponents([.year, .month, .day], from: t)
            #expect(LocalDate.today(at: t) == (try LocalDate(year: c.year!, month: c.month!, day: c.day!)), "\(t)")
            t += 7 * 3600 + 61   // every hour of the day comes round
        }
    }
}
