import Foundation
import Testing
@testable import Cases
@testable import TownhallKernel

/// Working time, London civil time and service-level clocks, with the real 2026 England and Wales bank holidays.
@Suite struct WorkingCalendarTests {
    static let holidays: Set<LocalDate> = {
        // The copy shipped with Townhall: ../shared/samples/bank-holidays.json unchanged (the clean CI clone has no ../shared).
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/TownhallApp/Resources/bank-holidays.json")
        let data = (try? Data(contentsOf: url)) ?? Data()
        return Set(((try? BankHolidays.parse(data)) ?? []).map(\.date))
    }()
    let calendar = WorkingCalendar.standard(holidays: holidays)

    /// Seconds since the epoch of a London wall-clock time.
    func london(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ min: Int = 0) throws -> Int {
        LondonTime.utcSeconds(date: try LocalDate(year: y, month: m, day: d), minute: h * 60 + min)
    }
    func local(_ seconds: Int) -> String {
        let (date, minute) = LondonTime.local(utcSeconds: seconds)
        return String(format: "%@ %02d:%02d", date.description, minute / 60, minute % 60)
    }

    @Test func dayArithmeticMatchesFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        for offset in stride(from: -40_000, to: 40_000, by: 997) {
            let date = Date(timeIntervalSince1970: Double(offset) * 86_400)
            let c = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            let local = LocalDate(dayNumber: offset)
            #expect((local.year, local.month, local.day) == (c.year!, c.month!, c.day!))
            #expect(local.dayNumber == offset)
            #expect(local.weekday == (c.weekday! + 5) % 7 + 1)
            // The written form, by integer arithmetic, against printf's.
            #expect(local.description == String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!))
            #expect(try LocalDate(parsing: local.description, field: "date") == local)
        }
    }

    @Test func londonTimeFollowsSummerTimeLikeTheTimeZoneDatabase() throws {
        let zone = TimeZone(identifier: "Europe/London")!
        // Every six hours across three years, including both changes each year.
        for step in 0..<(3 * 365 * 4) {
            let seconds = 1_767_225_600 + step * 21_600   // from 2026-01-01
            #expect(LondonTime.offset(utcSeconds: seconds) == zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds))), "at \(seconds)")
        }
        // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        #expect(LondonTime.offset(utcSeconds: try london(2026, 3, 29, 0, 59)) == 0)
        #expect(LondonTime.offset(utcSeconds: try london(2026, 7, 1, 12)) == 3600)
        #expect(try london(2026, 7, 1, 12) == 1_782_903_600)   // 11:00 UTC
    }

    @Test func bankHolidaysComeFromTheGovUKFeed() {
        #expect(Self.holidays.count > 20)
        #expect(Self.holidays.contains(try! LocalDate(year: 2026, month: 12, day: 28)))   // Boxing Day substitute
        #expect(!calendar.isWorkingDay(try! LocalDate(year: 2026, month: 12, day: 25)))
        #expect(calendar.isWorkingDay(try! LocalDate(year: 2026, month: 12, day: 24)))
    }

    @Test func workingDaysSkipWeekendsAndBankHolidays() throws {
        // Received Friday 20 November 2026 at 10:00; 1 working day → close on Monday 23rd.
        #expect(local(calendar.closeOfWorkingDay(1, after: try london(2026, 11, 20, 10))) == "2026-11-23 17:00")
        // Received after closing on Friday: counts from Monday, so 1 working day is Tuesday.
        #expect(local(calendar.closeOfWorkingDay(1, after: try london(2026, 11, 20, 18))) == "2026-11-24 17:00")
        // Received on Christmas Eve: 25th, 26th–27th (weekend) and 28th (substitute holiday) are skipped.
        #expect(local(calendar.closeOfWorkingDay(1, after: try london(2026, 12, 24, 11))) == "2026-12-29 17:00")
        // Over Easter 2026 (Good Friday 3 April, Easter Monday 6 April).
        #expect(local(calendar.closeOfWorkingDay(2, after: try london(2026, 4, 2, 9))) == "2026-04-08 17:00")
    }

    @Test func workingHoursRunOnlyInOpeningHours() throws {
        // 4 working hours from Friday 15:00: two on Friday, two on Monday morning.
        #expect(local(calendar.adding(workingSeconds: 4 * 3600, to: try london(2026, 11, 20, 15))) == "2026-11-23 11:00")
        // Across the clock change: Saturday 24 → Monday 26 October 2026 (BST ends on the 25th); 2 hours from Friday 16:00.
        #expect(local(calendar.adding(workingSeconds: 2 * 3600, to: try london(2026, 10, 23, 16))) == "2026-10-26 10:00")
        #expect(calendar.workingSeconds(from: try london(2026, 11, 20, 15), to: try london(2026, 11, 23, 11)) == 4 * 3600)
        #expect(calendar.workingSeconds(from: try london(2026, 11, 21, 9), to: try london(2026, 11, 22, 17)) == 0)
    }

    /// The day table gives exactly what walking the days gives, across summer time, bank holidays, odd hours and weekend
    /// working, for instants before, during and after opening, spans of minutes to years, and instants outside the table.
    @Test func theDayTableAgreesWithWalkingTheDays() throws {
        var random = SystemRandomNumberGenerator()
        let calendars = [calendar, try WorkingCalendar(workingDays: [1, 2, 3, 4, 5, 6], opensAt: 8 * 60 + 30, closesAt: 20 * 60, holidays: Self.holidays),
                         try WorkingCalendar(workingDays: [1, 2, 3, 4, 5, 6, 7], opensAt: 0, closesAt: 1440),
                         try WorkingCalendar(workingDays: [3], opensAt: 60, closesAt: 150, holidays: [try LocalDate(year: 2026, month: 3, day: 25)])]
        let from2025 = try london(2025, 1, 1, 0), to2028 = try london(2028, 1, 1, 0)
        for c in calendars {
            for n in 0..<3000 {
                let from = Int.random(in: from2025..<to2028, using: &random)
                let span = [Int.random(in: 0..<3600, using: &random), Int.random(in: 0..<86_400 * 14, using: &random), Int.random(in: 0..<86_400 * 800, using: &random)][n % 3]
                #expect(c.workingSeconds(from: from, to: from + span) == c.dayByDay(from: from, to: from + span), "\(c.workingDays) \(from) +\(span)")
                #expect(c.adding(workingSeconds: span / 7, to: from) == c.addingDayByDay(workingSeconds: span / 7, to: from), "\(c.workingDays) \(from) +\(span / 7)")
                let days = n % 40
                #expect(c.closeOfWorkingDay(days, after: from) == c.closeOfWorkingDayByDay(days, after: from), "\(c.workingDays) \(from) \(days)")
            }
            // Outside 2000–2099 the walk itself answers.
            let old = try london(1999, 12, 31, 16)
            #expect(c.workingSeconds(from: old, to: old + 86_400 * 3) == c.dayByDay(from: old, to: old + 86_400 * 3))
            #expect(c.closeOfWorkingDay(2, after: try london(2099, 12, 30, 12)) == c.closeOfWorkingDayByDay(2, after: try london(2099, 12, 30, 12)))
        }
        // A changed copy gets its own table; the original keeps its answers.
        var saturday = calendar
        _ = saturday.workingSeconds(from: from2025, to: to2028)
        saturday.workingDays.insert(6)
        let week = try london(2026, 11, 16, 0)
        #expect(calendar.workingSeconds(from: week, to: week + 7 * 86_400) == 5 * 8 * 3600)
        #expect(saturday.workingSeconds(from: week, to: week + 7 * 86_400) == 6 * 8 * 3600)
        #expect(saturday != calendar && saturday.workingDays == [1, 2, 3, 4, 5, 6])
        // The same calendar read afresh (as each status change reads it) finds the table already made.
        #expect(WorkingCalendar.standard(holidays: Self.holidays).table === calendar.table)
        #expect(saturday.table !== calendar.table)
    }

    @Test func aCalendarMustBeSensible() {
        #expect(throws: TownhallError.self) { try WorkingCalendar(workingDays: [], opensAt: 540, closesAt: 1020) }
        #expect(throws: TownhallError.self) { try WorkingCalendar(workingDays: [1], opensAt: 1020, closesAt: 540) }
        #expect(throws: TownhallError.self) { try WorkingCalendar(workingDays: [8], opensAt: 540, closesAt: 1020) }
    }

    // MARK: Service-level clocks

    let fiveDays = try! ServiceLevelTarget(amount: 5, unit: .workingDays)

    @Test func aNewCaseIsDueAtTheEndOfItsTarget() throws {
        let start = try london(2026, 11, 20, 10)
        let clock = ServiceLevelClock.compute(changes: [.init(at: start, status: .new)], target: fiveDays, calendar: calendar, now: start)
        #expect(local(clock.dueAt) == "2026-11-27 17:00")
        #expect(clock.allowedSeconds == 7 * 3600 + 4 * 8 * 3600 + 8 * 3600)   // rest of Friday, Mon–Thu, Friday
        #expect(clock.state == .onTrack)
        #expect(clock.warningAt < clock.dueAt)
    }

    @Test func waitingOnTheCustomerPausesTheClock() throws {
        let start = try london(2026, 11, 20, 10)
        let changes: [ServiceLevelClock.Change] = [.init(at: start, status: .new), .init(at: try london(2026, 11, 23, 9), status: .waitingOnCustomer),
                                                   .init(at: try london(2026, 11, 25, 9), status: .inProgress)]
        let clock = ServiceLevelClock.compute(changes: changes, target: fiveDays, calendar: calendar, now: try london(2026, 11, 25, 9))
        // Two working days spent waiting push the due time two working days later.
        #expect(local(clock.dueAt) == "2026-12-01 17:00")
        #expect(clock.elapsedSeconds == 7 * 3600)
        let paused = ServiceLevelClock.compute(changes: Array(changes.prefix(2)), target: fiveDays, calendar: calendar, now: try london(2026, 12, 10, 9))
        #expect(paused.state == .paused)
        #expect(paused.elapsedSeconds == 7 * 3600)
    }

    @Test func resolvingStopsTheClockAndRecordsMetOrMissed() throws {
        let start = try london(2026, 11, 20, 10)
        let met = ServiceLevelClock.compute(changes: [.init(at: start, status: .new), .init(at: try london(2026, 11, 24, 12), status: .resolved)],
                                            target: fiveDays, calendar: calendar, now: try london(2026, 12, 20, 9))
        #expect(met.state == .met)
        #expect(met.stoppedAt == (try london(2026, 11, 24, 12)))
        let missed = ServiceLevelClock.compute(changes: [.init(at: start, status: .new), .init(at: try london(2026, 11, 30, 12), status: .resolved)],
                                               target: fiveDays, calendar: calendar, now: try london(2026, 12, 20, 9))
        #expect(missed.state == .missed)
        #expect(local(missed.dueAt) == "2026-11-27 17:00")
        // Reopened: the clock runs again from the reopening, with the time used before.
        let reopened = ServiceLevelClock.compute(changes: [.init(at: start, status: .new), .init(at: try london(2026, 11, 23, 10), status: .resolved),
                                                           .init(at: try london(2026, 11, 24, 10), status: .inProgress)],
                                                 target: fiveDays, calendar: calendar, now: try london(2026, 11, 24, 10))
        #expect(reopened.stoppedAt == nil)
        #expect(local(reopened.dueAt) == "2026-11-30 17:00")
    }

    @Test func anOpenCasePastItsDueTimeIsBreachedAndWarnedBefore() throws {
        let start = try london(2026, 11, 20, 10)
        let changes: [ServiceLevelClock.Change] = [.init(at: start, status: .new)]
        #expect(ServiceLevelClock.compute(changes: changes, target: fiveDays, calendar: calendar, now: try london(2026, 11, 27, 12)).state == .warning)
        #expect(ServiceLevelClock.compute(changes: changes, target: fiveDays, calendar: calendar, now: try london(2026, 11, 30, 9, 30)).state == .breached)
    }
}

@Suite struct TimestampTests {
    @Test func theFastStoredFormMatchesFoundationsISO8601() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let ms = Int64.random(in: -2_000_000_000_000...5_000_000_000_000, using: &rng)
            let t = Timestamp(Date(timeIntervalSince1970: Double(ms) / 1000))
            // Compare with Foundation's calendar fields; its ISO style truncates whole milliseconds stored in a Double.
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(ms.floorDiv(1000))))
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!, Int(ms.floorMod(1000)))
            #expect(t.iso == expected)
            #expect(Timestamp(iso: t.iso) == t)
        }
        #expect(Timestamp(iso: "2026-11-22T01:27:39.123Z")?.date.timeIntervalSince1970 == 1_795_310_859.123)
        #expect(Timestamp(iso: "2026-02-30T01:27:39.123Z") == nil)
        #expect(Timestamp(iso: "2026-11-22T01:27:39Z") != nil)            // other ISO forms still parse
        #expect(Timestamp(iso: "2026-11-22T01:27:39+01:00")?.iso == "2026-11-22T00:27:39.000Z")
        #expect(Timestamp(iso: "yesterday") == nil)
    }
}

extension Int64 {
    func floorDiv(_ d: Int64) -> Int64 { let q = self / d; return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q }
    func floorMod(_ d: Int64) -> Int64 { self - floorDiv(d) * d }
}

@Suite struct IdentifierParsingTests {
    @Test func theFastParserAgreesWithFoundation() {
        for _ in 0..<1000 {
            let uuid = UUID()
            #expect(Identifier<OrganisationTag>(uuid.uuidString.lowercased())?.uuid == uuid)
            #expect(Identifier<OrganisationTag>(uuid.uuidString)?.uuid == uuid)
        }
        #expect(Identifier<OrganisationTag>(" 3F2B6C1E-8D4A-4B7E-9C3D-2A1F0E5B6C7D ") != nil)   // trimmed by the slow path
        #expect(Identifier<OrganisationTag>("3f2b6c1e-8d4a-4b7e-9c3d-2a1f0e5b6c7g") == nil)
        #expect(Identifier<OrganisationTag>("3f2b6c1e8d4a-4b7e-9c3d-2a1f0e5b6c7d0") == nil)
        #expect(Identifier<OrganisationTag>("") == nil)
    }

    @Test func newIdentifiersAreVersion7AndSortByTime() throws {
        let t = Date(timeIntervalSince1970: 1_795_000_000.123)   // 2026-11-18
        let ids = (0..<200).map { UUID.timeOrdered(at: Date(timeIntervalSince1970: Double(1_795_000_000_123 + $0) / 1000)) }
        for id in ids {
            let s = id.uuidString.lowercased()
            #expect(Array(s)[14] == "7")                                   // version 7
            #expect("89ab".contains(Array(s)[19]))                         // RFC 9562 variant
            #expect(String(s.prefix(8) + s.dropFirst(9).prefix(4)) == String(1_795_000_000_123 + ids.firstIndex(of: id)!, radix: 16).leftPadded(12))
        }
        #expect(ids.map { $0.uuidString } == ids.map { $0.uuidString }.sorted())   // a millisecond later sorts later
        #expect(Set(ids).count == ids.count)
        let sameMillisecond = (0..<1000).map { _ in UUID.timeOrdered(at: t) }
        #expect(Set(sameMillisecond).count == 1000)                       // the random bits keep them apart
        #expect(Identifier<OrganisationTag>().string.dropFirst(14).first == "7")
    }

    @Test func identifiersAreWrittenAndOrderedAsFoundationWritesThem() {
        var random = SystemRandomNumberGenerator()
        let ids = (0..<2000).map { n in n % 2 == 0 ? UUID() : UUID.timeOrdered(at: Date(timeIntervalSince1970: Double(random.next() % 4_000_000_000))) }
        for id in ids { #expect(id.lowercasedString == id.uuidString.lowercased()) }
        let typed = ids.map { Identifier<OrganisationTag>($0) }
        #expect(typed.sorted().map(\.string) == ids.map { $0.uuidString.lowercased() }.sorted())
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
