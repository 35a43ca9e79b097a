import FoundationEssentials

public extension Environment {
    /// Nil when an apply may run at `date` (no windows declared, or inside one);
    /// otherwise the refusal, naming the windows and when the next one opens.
    func windowRefusal(at date: Date) -> String? {
        guard !changeWindows.isEmpty, !changeWindows.contains(where: { $0.contains(date) }) else { return nil }
        let listed = changeWindows.map(\.description).joined(separator: "; ")
        var refusal = "\(name) is outside its change windows (\(listed), UTC)"
        if let next = nextWindowOpening(after: date) {
            refusal += "; the next opens \(ChangeWindow.format(next))"
        }
        return refusal
    }

    /// The next window start after `date`, found on the week's minute clock.
    func nextWindowOpening(after date: Date) -> Date? {
        let week = 7 * 1440
        let now = ChangeWindow.minuteOfWeek(date)
        let waits = changeWindows.flatMap { window in
            window.days.map { day in
                let start = (day.rawValue - 1) * 1440 + window.start
                let wait = (start - now + week) % week
                return wait == 0 ? week : wait
            }
        }
        guard let wait = waits.min() else { return nil }
        let minute = (date.timeIntervalSince1970 / 60).rounded(.down) * 60
        return Date(timeIntervalSince1970: minute + Double(wait * 60))
    }
}

extension ChangeWindow: CustomStringConvertible {
    /// `Tue, Thu 13:00-14:00`.
    public var description: String {
        let names = days.sorted { $0.rawValue < $1.rawValue }.map(\.shortName).joined(separator: ", ")
        return "\(names) \(Self.clock(start))-\(Self.clock(end))"
    }

    static func clock(_ minutes: Int) -> String {
        let h = minutes / 60, m = minutes % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }

    /// Sunday 00:00 UTC is minute 0.
    static func minuteOfWeek(_ date: Date) -> Int {
        let parts = utc.dateComponents([.weekday, .hour, .minute], from: date)
        return (parts.weekday! - 1) * 1440 + parts.hour! * 60 + parts.minute!
    }

    /// `Sun 2026-11-29 02:00 UTC`.
    static func format(_ date: Date) -> String {
        let parts = utc.dateComponents([.weekday, .year, .month, .day, .hour, .minute], from: date)
        let day = Weekday(rawValue: parts.weekday!)!.shortName
        let two = { (n: Int) in (n < 10 ? "0" : "") + "\(n)" }
        return
            "\(day) \(parts.year!)-\(two(parts.month!))-\(two(parts.day!)) "
                + "\(two(parts.hour!)):\(two(parts.minute!)) UTC"
    }

    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()
}
