/// What a change does beyond the values it sets (spec section 8, "Risk"): a destructive change deletes
/// data, or turns off a control, and writing the old value back does not undo it (the log events are
/// gone; the recovery window starts again). Derived from the kind's declarations and the change's
/// values, never read from a plan file: an edited plan cannot make a destructive change look safe.
public struct ChangeRisk: Sendable, Equatable {
    public enum Level: String, Sendable {
        case destructive
    }

    public var level: Level
    /// Why, one sentence per property the change makes destructive.
    public var reason: String

    public init(_ level: Level, reason: String) {
        self.level = level
        self.reason = reason
    }

    /// `{"class": "destructive", "reason": ...}`.
    public var json: Value { ["class": .string(level.rawValue), "reason": .string(reason)] }
}

/// One destructive case a kind declares: the property, the direction of its change that destroys,
/// why, and the AWS page that says what the change deletes.
public struct DestructiveChange: Sendable, Equatable {
    public enum Direction: String, Sendable {
        /// A number made smaller.
        case lowered
        /// `true` made `false` (a protection or a recovery turned off).
        case turnedOff
        /// `false` made `true` (a deletion turned on: DynamoDB's time to live).
        case turnedOn
    }

    /// The property's path, as a plan's `set` names it (`/RetentionInDays`).
    public let path: String
    public let direction: Direction
    /// What the change deletes or turns off, for the plan's reader.
    public let reason: String
    /// The AWS page that says so.
    public let source: String
    /// A property whose absence means "no limit" (a log group that never expires): any number set where
    /// there was none is a limit lowered from unlimited.
    public let unsetIsUnlimited: Bool

    public init(_ path: String, _ direction: Direction, reason: String, source: String,
                unsetIsUnlimited: Bool = false) {
        self.path = path
        self.direction = direction
        self.reason = reason
        self.source = source
        self.unsetIsUnlimited = unsetIsUnlimited
    }

    /// Whether moving the property from `from` (nil: AWS had none) to `to` is this case.
    public func applies(from: Value?, to: Value) -> Bool {
        switch direction {
        case .lowered:
            guard let new = to.number else { return false }
            guard let old = from?.number else { return unsetIsUnlimited && (from == nil || from == .null) }
            return new < old
        case .turnedOff: return from == .bool(true) && to == .bool(false)
        case .turnedOn: return from != .bool(true) && to == .bool(true)
        }
    }

    /// `lowered`, `turned off`, `turned on`: how the docs and the README table say the direction.
    public var said: String {
        switch direction {
        case .lowered: unsetIsUnlimited ? "lowered, or set where unset" : "lowered"
        case .turnedOff: "turned off"
        case .turnedOn: "turned on"
        }
    }
}
