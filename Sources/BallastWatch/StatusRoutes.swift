import BallastCore
import BallastCrypto
import BallastDesiredState
import BallastEngine
import BallastRender
import FoundationEssentials
import HTTPTypes
import Hummingbird

/// The status page on the watch's listener (spec section 8): `/`, `/env/NAME`, `/resource/ENV/TYPE/REGION/ID`
/// and `/api/status.json`, built from the watch's latest picture at each request. Read-only: nothing on it
/// posts or changes anything. With `BALLAST_WEB_TOKEN` set, every page wants it (a bearer token, the cookie
/// a first `?token=` visit sets, HttpOnly and SameSite=Strict); without one, the pages are served on loopback
/// only.
struct StatusRoutes: Sendable {
    let pass: ReconcilePass
    let shared: WatchShared
    /// `BALLAST_WEB_TOKEN`, registered with the scrubber before the listener opens.
    let token: String?
    /// The listener is on a loopback address.
    let loopback: Bool
    let clock: @Sendable () -> Date
    /// Every resource's repository history for the last revision read (the JSON page reads them all).
    let kept = KeptHistory()

    static let cookie = "ballast_token"
    /// A token shorter than this is refused at start: it must not be guessable.
    static let minimumTokenLength = 16

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in respond(request) { $0.overview() } }
        // A browser asks for it on every first visit: nothing, rather than a 404 in its console.
        router.get("/favicon.ico") { _, _ in Response(status: .noContent) }
        router.get("/env/:name") { request, _ in
            respond(request) { page in
                let name = Self.segments(request.uri.path).dropFirst().first ?? ""
                let query = request.uri.queryParameters
                let status = query.get("status").flatMap { $0.isEmpty ? nil : $0 }
                let type = query.get("type").flatMap { $0.isEmpty ? nil : $0 }
                return page.environment(name, status: status, type: type)
            }
        }
        router.get("/resource/**") { request, _ in
            let parts = Array(Self.segments(request.uri.path).dropFirst())
            guard parts.count == 4 else { return Self.text(.notFound, "a resource is /resource/ENV/TYPE/REGION/ID\n") }
            let key = ResourceKey(environment: parts[0], type: parts[1], id: parts[3], region: parts[2])
            return respond(request, history: [key]) { $0.resource(key) }
        }
        router.get("/api/status.json") { request, _ in
            if let refused = refusal(request) { return refused }
            guard let page = page(history: nil) else {
                return Self.text(.serviceUnavailable, "{\"status\":\"no pass has ended yet\"}\n", json: true)
            }
            return Response(status: .ok, headers: Self.headers("application/json"),
                            body: .init(byteBuffer: ByteBuffer(string: JSON.encode(page.json(), pretty: true) + "\n")))
        }
    }

    /// A page, or why not: refused without the token, 503 before the first pass, 404 for nothing so named.
    func respond(_ request: Request, history: Set<ResourceKey>? = [], _ render: (StatusPage) -> String?) -> Response {
        if let refused = refusal(request) { return refused }
        guard let page = page(history: history) else {
            return Self.text(.serviceUnavailable, "No pass has ended yet: the page appears after the first one.\n")
        }
        guard let html = render(page) else { return Self.text(.notFound, "Nothing is declared by that name.\n") }
        return Response(status: .ok, headers: Self.headers("text/html; charset=utf-8"),
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The page's data as it now stands; `history` names the resources whose repository history is read
    /// (nil: all of them), since the file versions and the journal cost a read of the repository. The
    /// environments' accounts come from the repository too; when it cannot be read, the page goes on without.
    func page(history keys: Set<ResourceKey>?) -> StatusPage? {
        let snapshot = shared.snapshot
        guard let report = snapshot.report else { return nil }
        var history = snapshot.seen
        var accounts: [String: String] = [:]
        if case .success(let loaded) = pass.load() {
            let read: [ResourceKey: [HistoryEntry]]
            if let keys {
                read = keys.isEmpty ? [:] : StatusHistory.entries(loaded, keys: keys)
            } else {
                read = kept.entries(loaded)
            }
            for (key, entries) in read { history[key, default: []] += entries }
            for environment in loaded.state.environments { accounts[environment.name] = environment.account }
        }
        let facts = Dictionary(report.environments.map {
            ($0.name, StatusPage.EnvironmentFacts(account: accounts[$0.name], lastPass: snapshot.lastFull))
        }, uniquingKeysWith: { a, _ in a })
        return StatusPage(plan: Planner.plan(report), facts: facts, history: history, now: clock(), mode: .served)
    }

    /// Nil when the request may see the page. A first visit's `?token=` is answered with a redirect to the
    /// same page without it, and the cookie that stands for it from then on.
    func refusal(_ request: Request) -> Response? {
        guard let token else {
            return loopback ? nil : Self.text(.forbidden, "The status page is served beyond loopback only with "
                + "BALLAST_WEB_TOKEN set on the watch.\n")
        }
        if let bearer = request.headers[.authorization], bearer.hasPrefix("Bearer "),
           Checksum.constantTimeEqual(String(bearer.dropFirst(7)), token) {
            return nil
        }
        let cookies = (request.headers[.cookie] ?? "").split(separator: ";").map {
            $0.trimmingSpaces()
        }
        let named = Self.cookie + "="
        let presented = cookies.filter { $0.hasPrefix(named) }.map { String($0.dropFirst(named.count)) }
        if presented.contains(where: { Checksum.constantTimeEqual($0, token) }) {
            return nil
        }
        if let given = request.uri.queryParameters.get("token"), Checksum.constantTimeEqual(given, token) {
            var headers = Self.headers("text/plain; charset=utf-8")
            // The same page, said as its segments: `//host` in a path never becomes a redirect elsewhere.
            headers[.location] = "/" + request.uri.path.split(separator: "/").joined(separator: "/")
            headers[.setCookie] = "\(Self.cookie)=\(token); Path=/; HttpOnly; SameSite=Strict"
            return Response(status: .seeOther, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "")))
        }
        var headers = Self.headers("text/plain; charset=utf-8")
        headers[.wwwAuthenticate] = "Bearer realm=\"ballast\""
        return Response(status: .unauthorized, headers: headers, body: .init(byteBuffer: ByteBuffer(
            string: "The status page wants BALLAST_WEB_TOKEN: a bearer token, or ?token= on a first visit.\n")))
    }

    /// The path's segments, each percent-decoded (an id's `/` arrives as `%2F` and stays in its segment).
    static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { PercentEncoding.decode($0) }
    }

    static func headers(_ type: String) -> HTTPFields {
        var fields: HTTPFields = [.contentType: type, .contentSecurityPolicy: StatusPage.contentSecurityPolicy,
                                  .xContentTypeOptions: "nosniff", .cacheControl: "no-store"]
        // The page's address may hold a first visit's token: no other site is told it.
        if let referrer = HTTPField.Name("Referrer-Policy") { fields[referrer] = "no-referrer" }
        return fields
    }

    static func text(_ status: HTTPResponse.Status, _ said: String, json: Bool = false) -> Response {
        Response(status: status, headers: headers(json ? "application/json" : "text/plain; charset=utf-8"),
                 body: .init(byteBuffer: ByteBuffer(string: said)))
    }
}

/// Every resource's repository history, read again only when the commit read or the journal's tip moved: at
/// 2,000 resources a read costs about 0.2 s (docs/benchmarks.md), and the JSON page may be polled.
final class KeptHistory: @unchecked Sendable {
    private let lock = Lock()
    private var kept: (revision: String, entries: [ResourceKey: [HistoryEntry]])?

    func entries(_ loaded: LoadedState) -> [ResourceKey: [HistoryEntry]] {
        guard let revision = StatusHistory.revision(loaded) else { return StatusHistory.entries(loaded) }
        if let kept = lock.withLock({ kept }), kept.revision == revision { return kept.entries }
        let entries = StatusHistory.entries(loaded)
        lock.withLock { kept = (revision, entries) }
        return entries
    }
}
