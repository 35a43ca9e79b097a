import BallastCore
import ArgumentParser
import BallastAWS
import BallastDesiredState
import BallastEngine
import FoundationEssentials

/// `--max-requests` and `--max-duration` (drift, plan): what a run may spend; when it is
/// spent the resources not read yet are NOT_CHECKED with the reason (exit 1), never guessed.
struct BudgetOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Stop calling AWS after this many requests (retries count).",
                                            valueName: "n"))
    var maxRequests: Int?

    @Option(name: .long, help: ArgumentHelp("Stop calling AWS after this long: 90s, 10m, 1h.", valueName: "duration"))
    var maxDuration: String?

    @Flag(name: .long, help: "Print the calls the run would make (per region and role, per operation) and make none.")
    var dryRunReads = false

    /// With --dry-run-reads: prints the read plan of `loaded` and says the command is done.
    /// With `explainMax` (`--explain`), the lookups it may add are said too: they depend on what drifted.
    /// With `guardWindow` (plan), the `GetMetricData` calls its capacity cuts may add.
    /// With `shards` (`--shard I/N`), each rate is this shard's share of it (`RequestRates.shared(among:)`).
    func printedReadPlan(_ loaded: LoadedState, explainMax: Int? = nil, guardWindow: TimeInterval? = nil,
                         shards: Int = 1) -> Bool {
        guard dryRunReads else { return false }
        let rates = Self.rates(shards: shards)
        if shards > 1 {
            Terminal.write("One of \(shards) shards: each rate below is this shard's share of the account's, "
                + "1/\(shards) of it (the shards read every account at once)\n")
        }
        Terminal.write(ReadPlan(loaded.state).text(at: rates))
        if let explainMax {
            let most = min(explainMax, loaded.state.resourceCount)
            let rate = rates.rate(forKey: rates.key(Explainer.operations[0]))
            let seconds = Figures.fixed(max(0, Double(most) - rate.burst) / rate.perSecond, digits: 1)
            let perSecond = Figures.general(rate.perSecond)
            Terminal.write("\nWith --explain, after the reads: one cloudtrail:LookupEvents per "
                + "MODIFIED or DELETED resource (up to \(Explainer.maxPages) pages of \(Explainer.pageSize) events), "
                + "for at most \(most) resources: "
                + "up to \(most) calls, at least \(seconds) s at \(perSecond)/s (one "
                + "autoscaling:DescribeScalingActivities more per Auto Scaling group whose capacity drifted)\n")
        }
        if let guardWindow {
            let most = LoadGuards.mostCalls(loaded.state, window: guardWindow)
            if most > 0 {
                let rate = rates.rate(forKey: rates.key(LoadGuards.getMetricData))
                let seconds = Figures.fixed(max(0, Double(most) - rate.burst) / rate.perSecond, digits: 1)
                let perSecond = Figures.general(rate.perSecond)
                Terminal.write("\nAfter the reads, for the capacities the plan lowers: up to \(most) "
                    + "cloudwatch:GetMetricData call(s) (one per environment and region for up to "
                    + "\(LoadGuards.metricsPerCall(window: guardWindow)) metrics), at least \(seconds) s at "
                    + "\(perSecond)/s\n")
                let lookups = LoadGuards.mostLookups(loaded.state).sorted { $0.key.iamAction < $1.key.iamAction }
                if !lookups.isEmpty {
                    Terminal.write("and, first, what only a call can say of those capacities: "
                        + lookups.map { "up to \($0.value) \($0.key.iamAction)" }.joined(separator: ", ") + "\n")
                }
            }
        }
        return true
    }

    func validate() throws {
        if let maxRequests, maxRequests < 1 { throw ValidationError("--max-requests takes a count of at least 1") }
        if let maxDuration, ApplyOptions.seconds(maxDuration) == nil {
            throw ApplyOptions.durationError("--max-duration", maxDuration)
        }
    }

    /// The AWS setup, its transport within the budget when one is set, and the counter of its calls.
    /// One of `shards` shards paces at its share of every rate (`RequestRates.shared(among:)`).
    func setup(debug: Bool, shards: Int = 1) -> (AWSSetup, calls: CountingTransport) {
        var transport: any HTTPTransport = CurlTransport()
        if maxRequests != nil || maxDuration != nil {
            transport = BudgetTransport(transport, maxRequests: maxRequests,
                                        maxDuration: maxDuration.flatMap(ApplyOptions.seconds))
        }
        let calls = CountingTransport(transport)
        return (AWSSetup(debug: debug, transport: calls, rates: Self.rates(shards: shards)), calls)
    }

    /// `BALLAST_API_RATES` over the defaults, one of `shards` shards' share of each (`Ballast.main` has
    /// refused a malformed value before any command runs).
    static func rates(shards: Int) -> RequestRates {
        ((try? RequestRates.fromEnvironment(ProcessInfo.processInfo.environment)) ?? .defaults).shared(among: shards)
    }
}
