import ArgumentParser
import FoundationEssentials

/// `--guard-window` (plan, apply, rollback, revert): how far back a capacity cut's load is read.
struct GuardOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "How far back to read the load of a capacity the plan lowers: 30m, 1h, 24h (1m to 168h).",
        valueName: "duration"))
    var guardWindow = "1h"

    /// The window in seconds.
    var seconds: TimeInterval { ApplyOptions.seconds(guardWindow) ?? 3_600 }

    func validate() throws {
        // At least one period of one minute; at most a week, inside the 15 days CloudWatch keeps one-minute
        // data points ("Data points with a period of 60 seconds (1 minute) are available for 15 days",
        // Amazon CloudWatch User Guide, "Metrics concepts", Metrics retention).
        guard let seconds = ApplyOptions.seconds(guardWindow), seconds >= 60 else {
            throw ApplyOptions.durationError("--guard-window", guardWindow, least: "1m")
        }
    }
}
