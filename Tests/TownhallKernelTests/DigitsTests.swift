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
