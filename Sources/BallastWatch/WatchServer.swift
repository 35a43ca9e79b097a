import BallastAWS
import BallastCore
import BallastEngine
import Foundation
import Hummingbird
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

    public init(settings: Settings) {
        self.settings = settings
    }

    /// Runs until a signal. `transport` is the one AWS calls go through (counted here).
    public func run(aws: @escaping @Sendable (any HTTPTransport) -> AWSSetup) async throws {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "ballast.watch")
        let requests = CountingTransport(CurlTransport())
        let setup = aws(requests)
        let pass = ReconcilePass(request: settings.request, pull: settings.pull, selfHeal: settings.selfHeal,
                                 clients: { setup.client(region: $0, role: $1) })
        let health = WatchHealth()
        let loop = WatchLoop(pass: pass, interval: settings.interval, requests: requests, metrics: WatchMetrics(),
                             logger: logger, health: health)

        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/healthz") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: JSON.encode(health.json) + "\n")))
        }
        var serverLogger = logger
        serverLogger.logLevel = .warning  // one line per pass, not per scrape
        let app = Application(router: router,
                              configuration: .init(address: .hostname(settings.host, port: settings.port),
                                                   serverName: "ballast"),
                              logger: serverLogger)
        // Shut down in reverse: the loop first (finishing its pass), then the server.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: app), .init(service: loop)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: serverLogger))
        logger.info("watching", metadata: [
            "listen": "\(settings.host):\(settings.port)", "interval": "\(settings.interval)",
            "self_heal": "\(settings.selfHeal)", "pull": "\(settings.pull)",
        ])
        try await group.run()
    }
}
