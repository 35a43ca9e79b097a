import ArgumentParser
import BallastAWS
import BallastCore
import BallastEngine
import BallastWatch
import FoundationEssentials
import Logging

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Run drift on an interval, serve Prometheus metrics, and optionally heal drift.",
        discussion: """
            One long-lived process: every interval it reads the repository afresh (with --pull, \
            fetches the branch's upstream and fast-forwards first), reads the live settings, and \
            logs one line on stderr. GET /metrics answers in Prometheus text format \
            (ballast_resources{environment,status}, ballast_last_run_timestamp_seconds, \
            ballast_last_run_duration_seconds, ballast_api_requests_total, ballast_runs_total{outcome}); \
            GET /healthz answers 200 {"status":"ok"} with the last pass, or 503 \
            {"status":"unhealthy"} after 3 failed passes in a row or no pass for 3 intervals. \
            An address it cannot bind stops it before the first pass.

            With --self-heal, drift is applied as `ballast apply --auto-approve` would: under the \
            same lock and journal, only when policies pass and the change window is open (a refusal \
            is logged, never overridden).

            With --events QUEUE_URL (the queue `ballast events template` makes), it also long-polls \
            that queue for CloudTrail's events of the calls that change what ballast owns, re-reads \
            only the resources an event names (events for one resource within a quarter second are one read), \
            and reports their drift within seconds, attributed to the event's caller (no LookupEvents \
            call); a change ballast's own user agent made is read but put on no one. A message is \
            removed once handled; one that is not an event is left for the dead-letter queue. The \
            interval's full pass goes on as the backstop. /metrics adds ballast_events_received_total, \
            ballast_events_matched_total, ballast_events_malformed_total, ballast_detection_seconds (event \
            to drift reported), ballast_drift_age_seconds per drifted resource and \
            ballast_drift_resolved_seconds (how long drift lasted); /healthz says when no event has come \
            for longer than the interval, and the queue's last problem.

            The status page is served on the same listener: / (every environment), /env/NAME (its \
            resources, ?status= and ?type= filter), /resource/ENV/TYPE/REGION/ID (one resource and its \
            history: commits, ballast's writes, drift episodes, events) and /api/status.json. Beyond \
            loopback the pages are served only with BALLAST_WEB_TOKEN set (16 characters or more), and \
            then want it as a bearer token or a first visit's ?token= (kept in an HttpOnly cookie).

            SIGTERM or SIGINT stops it after the current pass; exit code 0.

            EXAMPLES:
              ballast watch --interval 15m --listen 127.0.0.1:9464
              ballast watch --interval 5m --listen 0.0.0.0:9464 --env prod --pull --self-heal
              ballast watch --interval 1h --env prod \\
                --events https://sqs.us-east-1.amazonaws.com/123456789012/ballast-events
            """)

    @OptionGroup var source: RepositoryOptions

    @Option(name: .long, help: ArgumentHelp("Time between passes: 30s, 15m, 1h.", valueName: "duration"))
    var interval: String = "15m"

    @Option(name: .long, help: ArgumentHelp("Where /metrics, /healthz and the status page are served.",
                                            valueName: "host:port"))
    var listen: String = "127.0.0.1:9464"

    @Flag(name: .long, help: "Apply the plan when drift is found, policies pass and the change window is open.")
    var selfHeal = false

    @Flag(name: .long, help: "Fetch the branch's upstream and fast-forward before each pass.")
    var pull = false

    @Option(name: .long, help: ArgumentHelp("Also read the resources CloudTrail's events on this SQS queue "
        + "name, within seconds (see `ballast events template`).", valueName: "queue-url"))
    var events: String?

    @Option(name: .long, help: ArgumentHelp("POST {\"text\": ...} (Slack-compatible) to this webhook when an "
        + "environment's drift changes, as `drift --notify` does (the state it keeps is shared with it); with "
        + "--events, within seconds of a hand change and naming who made it.", valueName: "url"))
    var notify: String?

    @Flag(name: .long, help: "Log each AWS request (credentials redacted) on stderr.")
    var debug = false

    func validate() throws {
        guard (ApplyOptions.seconds(interval) ?? 0) >= 1 else {
            throw ApplyOptions.durationError("--interval", interval, least: "1s")
        }
        guard address != nil else {
            throw ValidationError("--listen takes host:port, like 127.0.0.1:9464, not '\(listen)'")
        }
        if let events, EventQueue.parse(events) == nil {
            throw ValidationError("--events takes an SQS queue URL like "
                + "https://sqs.us-east-1.amazonaws.com/123456789012/ballast-events, "
                + "not '\(UntrustedText.line(events))'")
        }
        if let notify, !(notify.hasPrefix("https://") || notify.hasPrefix("http://")) {
            // Not echoed: a webhook URL is a secret.
            throw ValidationError("--notify takes a webhook URL (https://...)")
        }
        if source.revision != nil || source.worktree {
            throw ValidationError("watch reads the checked-out branch's HEAD on every pass; "
                + "--revision and --worktree do not apply")
        }
    }

    var address: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (0...65_535).contains(port) else { return nil }
        let host = String(listen[..<colon])
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    func run() async throws {
        LoggingSystem.bootstrap { ScrubbedLogHandler(label: $0) }
        let seconds = ApplyOptions.seconds(interval) ?? 900
        let token = ProcessInfo.processInfo.environment["BALLAST_WEB_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        Secrets.register(token)
        if let token, token.count < 16 {
            Terminal.error("BALLAST_WEB_TOKEN has \(token.count) characters: the status page wants at least 16")
            throw Failure.error
        }
        if let host = address?.host, !WatchServer.isLoopback(host) {
            Terminal.note("listening on \(listen), beyond loopback: anyone who can reach it reads /metrics and "
                + "/healthz (resource counts per environment); bind 127.0.0.1 unless a scraper elsewhere needs it; "
                + (token == nil ? "the status page is not served there without BALLAST_WEB_TOKEN"
                    : "the status page wants BALLAST_WEB_TOKEN"))
        }
        var settings = WatchServer.Settings(request: source.request, interval: .milliseconds(Int64(seconds * 1000)),
                                            host: address?.host ?? "127.0.0.1", port: address?.port ?? 9464,
                                            selfHeal: selfHeal, pull: pull)
        settings.holdKey = try RunContext.key()
        settings.clock = try RunContext.clock()
        settings.events = events.flatMap(EventQueue.parse)
        settings.notify = notify
        settings.webToken = token
        let debug = self.debug
        do {
            try await WatchServer(settings: settings, kinds: builtInKinds)
                .run(aws: { AWSSetup(debug: debug, transport: $0) })
        } catch {
            // Only the server's own failure ends the group with an error: no pass has run.
            Terminal.error("cannot serve on \(listen): \(error); nothing was read or applied")
            throw Failure.error
        }
    }

}
