import FoundationEssentials

/// A UTC time slot in which applies are allowed.
public struct ChangeWindow: Sendable, Hashable {
    public var days: Set<Weekday>
    /// Minutes after midnight UTC.
    public var start: Int
    /// Minutes after midnight UTC; at or before `start` means the window runs past midnight.
    public var end: Int

    public init(days: Set<Weekday>, start: Int, end: Int) {
        self.days = days
        self.start = start
        self.end = end
    }

    /// True when `date` falls inside the window. A window that crosses midnight
    /// belongs to the day it starts on.
    public func contains(_ date: Date) -> Bool {
        let parts = Self.utc.dateComponents([.weekday, .hour, .minute], from: date)
        guard let weekday = parts.weekday.flatMap(Weekday.init(rawValue:)) else { return false }
        let minute = parts.hour! * 60 + parts.minute!
        if start < end {
            return days.contains(weekday) && minute >= start && minute < end
        }
        let yesterday = Weekday(rawValue: (weekday.rawValue + 5) % 7 + 1)!
        return (days.contains(weekday) && minute >= start) || (days.contains(yesterday) && minute < end)
    }

    /// Parses "HH:MM" (00:00 to 24:00) into minutes after midnight.
    public static func minutes(from text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let h = Int(parts[0]), let m = Int(parts[1]), (0...59).contains(m),
              (0...23).contains(h) || (h == 24 && m == 0) else { return nil }
        return h * 60 + m
    }
}

/// Day names as `changeWindows` writes them; raw values follow `Calendar`'s weekday (Sunday = 1).
public enum Weekday: Int, Sendable, Hashable, CaseIterable {
    case sunday = 1, monday, tuesday, wednesday, thursday, friday, saturday

    public var shortName: String {
        ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][rawValue - 1]
    }

    public var fullName: String {
        ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][rawValue - 1]
    }

    /// Accepts `Mon` or `Monday`.
    public init?(name: String) {
        guard let day = Weekday.allCases.first(where: { $0.shortName == name || $0.fullName == name }) else {
            return nil
        }
        self = day
    }
}
