import BallastAdapters
import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
import BallastKinds
import FoundationEssentials
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `ballast watch`: the reconcile loop beside an HTTP server for `/metrics` (Prometheus
/// text) and `/healthz`, stopped cleanly by SIGTERM or SIGINT after the current pass.
public struct WatchServer: Sendable {
    public struct Settings: Sendable {
        public var request: LoadRequest
        public var interval: Duration
        public var host: String
        public var port: Int
        public var selfHeal: Bool
        public var pull: Bool
        /// `BALLAST_PLAN_KEY`, for the holds' MACs.
        public var holdKey: [UInt8]?
        /// The passes' clock.
        public var clock: @Sendable () -> Date = { Date() }
        /// `--events QUEUE_URL`: the queue `ballast events template` made, and its region when its
        /// URL names one (else the environments').
        public var events: EventQueue.Address?
        /// `--notify URL`: a Slack-compatible webhook told of each change of an environment's drift.
        public var notify: String?
        /// `BALLAST_WEB_TOKEN`: what the status page wants (always, when set; beyond loopback, it is served
        /// only with one).
        public var webToken: String?

        public init(request: LoadRequest, interval: Duration, host: String, port: Int, selfHeal: Bool, pull: Bool) {
            self.request = request
            self.interval = interval
            self.host = host
            self.port = port
            self.selfHeal = selfHeal
            self.pull = pull
        }
    }

    let settings: Settings
    /// Connections served at once. Past it new ones wait in the kernel's backlog and cost the
    /// process no descriptor, so a flood of half-open connections cannot starve the passes.
    static let maxConnections = 64
    /// A connection that sends nothing for this long is closed (a client trickling half a request).
    static let idleSeconds: Int64 = 10
    /// Header bytes a request may carry: /metrics and /healthz need a few hundred.
    static let maxHeaderBytes = 16 * 1024

    /// The kinds the passes read and heal.
    let kinds: Kinds

    public init(settings: Settings, kinds: Kinds) {
        self.settings = settings
        self.kinds = kinds
    }

    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// Runs until a signal. `transport` is the one AWS calls go through (counted here).
    public func run(aws: @escaping @Sendable (any HTTPTransport) -> AWSSetup) async throws {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = WatchMetrics.buckets
        MetricsSystem.bootstrap(factory)
        let logger = Logger(label: "ballast.watch")
        let curl = CurlTransport()
        let requests = CountingTransport(curl)
        let setup = aws(requests)
        let clients: AWSClients = { setup.client(region: $0, role: $1) }
        let pass = ReconcilePass(kinds: kinds, request: settings.request, pull: settings.pull,
                                 selfHeal: settings.selfHeal, clients: clients,
                                 lockTables: DynamoDBLockTable.tables(clients), clock: settings.clock,
                                 holdKey: settings.holdKey)
        let health = WatchHealth(interval: settings.interval, events: settings.events != nil)
        // The first pass waits for the server to be listening: a watch that cannot bind its
        // address stops before it reads or heals anything.
        let (listening, listeningGate) = AsyncStream<Void>.makeStream()
        let (firstPass, firstPassGate) = AsyncStream<Void>.makeStream()
        let (metrics, shared) = (WatchMetrics(), WatchShared())
        // The webhook is not AWS: its calls are not counted as API requests.
        let announcer = settings.notify.map {
            WatchAnnouncer(url: $0, pass: pass, transport: curl, lockTables: DynamoDBLockTable.tables(clients),
                           logger: logger)
        }
        let loop = WatchLoop(pass: pass, interval: settings.interval, requests: requests, metrics: metrics,
                             logger: logger, health: health, listening: listening, shared: shared,
                             firstPass: settings.events == nil ? nil : firstPassGate, announcer: announcer)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let events = settings.events {
            let region = events.region ?? (try? pass.load().get())?.state.environments.first?.region ?? "us-east-1"
            let queue = EventQueue(url: events.url, client: setup.client(region: region, role: nil))
            services.append(.init(service: EventLoop(queue: queue, pass: pass, metrics: metrics, logger: logger,
                                                     health: health, shared: shared, ready: firstPass,
                                                     announcer: announcer)))
        }

        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/healthz") { _, _ -> Response in
            let (healthy, json) = health.state(at: Date())
            return Response(status: healthy ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: JSON.encode(json) + "\n")))
        }
        StatusRoutes(pass: pass, shared: shared, token: settings.webToken, loopback: Self.isLoopback(settings.host),
                     clock: settings.clock).add(to: router)
        var serverLogger = logger
        serverLogger.logLevel = .warning  // one line per pass, not per scrape
        var http = HTTP1Channel.Configuration(idleTimeout: .seconds(Self.idleSeconds))
        http.httpDecoder = .init(maxHeaderFieldSize: Self.maxHeaderBytes, maxHeaderListSize: Self.maxHeaderBytes,
                                 maxHeaderFieldCount: 100)
        let app = Application(router: router, server: .http1(configuration: http),
                              configuration: .init(address: .hostname(settings.host, port: settings.port),
                                                   serverName: "ballast",
                                                   availableConnectionsDelegate: .maximum(Self.maxConnections,
                                                                                          logger: serverLogger)),
                              onServerRunning: { _ in listeningGate.yield() },
                              logger: serverLogger)
        // Shut down in reverse: the loop first (finishing its pass), then the server.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: app), .init(service: loop)] + services,
            gracefulShutdownSignals: [.sigterm, .sigint], logger: serverLogger))
        var said: Logger.Metadata = [
            "listen": "\(settings.host):\(settings.port)", "interval": "\(settings.interval)",
            "self_heal": "\(settings.selfHeal)", "pull": "\(settings.pull)",
        ]
        if let events = settings.events { said["events"] = "\(UntrustedText.line(events.url))" }
        if settings.notify != nil { said["notify"] = "true" }
        logger.info("watching", metadata: said)
        try await group.run()
    }
}
