import BallastCore
import BallastEngine
import FoundationEssentials

/// Where and as whom ballast talks to GitHub: Actions' own variables.
public struct GitHubSettings: Sendable {
    public var apiURL: String
    /// `owner/name`.
    public var repository: String
    public var token: String
    /// GitHub's GraphQL endpoint: `GITHUB_GRAPHQL_URL`, else beside the REST API (`/graphql`
    /// on api.github.com, `/api/graphql` on GitHub Enterprise Server's `/api/v3`).
    public var graphQLURL: String

    public init(apiURL: String = "https://api.github.com", repository: String, token: String,
                graphQLURL: String? = nil) {
        let api = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.apiURL = api
        self.repository = repository
        self.token = token
        self.graphQLURL = graphQLURL
            ?? (api.hasSuffix("/api/v3") ? String(api.dropLast("/v3".count)) + "/graphql" : api + "/graphql")
    }

    /// `GITHUB_TOKEN`, `GITHUB_REPOSITORY`, `GITHUB_API_URL` (GitHub Enterprise; default api.github.com).
    public static func from(_ environment: [String: String]) throws -> GitHubSettings {
        guard let token = environment["GITHUB_TOKEN"], !token.isEmpty else {
            throw GitHubError("GITHUB_TOKEN is not set (in a workflow: `env: GITHUB_TOKEN: ${{ github.token }}`)")
        }
        guard let repository = environment["GITHUB_REPOSITORY"], repository.split(separator: "/").count == 2 else {
            throw GitHubError("GITHUB_REPOSITORY is not set to owner/name")
        }
        let apiURL = environment["GITHUB_API_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.github.com"
        return GitHubSettings(apiURL: apiURL, repository: repository, token: token,
                              graphQLURL: environment["GITHUB_GRAPHQL_URL"].flatMap { $0.isEmpty ? nil : $0 })
    }
}

/// GitHub's REST API over ballast's libcurl transport: JSON in and out, every page
/// of a list (the `Link` header), and errors that say what to do. The token goes in
/// one header and in nothing ballast prints.
public struct GitHubClient: GitHubAPI {
    let settings: GitHubSettings
    let transport: any HTTPTransport
    /// Pages read for one list at most (100 items each): bounds what a huge thread costs.
    static let maxPages = 50

    public init(settings: GitHubSettings, transport: any HTTPTransport) {
        self.settings = settings
        self.transport = transport
    }

    /// `/repos/{owner}/{repo}` + `path`, with owner and name from the settings.
    public func repositoryPath(_ path: String) -> String {
        "/repos/\(settings.repository)\(path)"
    }

    public func send(_ method: String, _ path: String, body: Value?) async throws -> Value {
        try await exchange(method, path, body: body).0
    }

    func exchange(_ method: String, _ path: String, body: Value? = nil) async throws -> (Value, HTTPResponse) {
        let url = path.hasPrefix("http") ? path : settings.apiURL + path
        var request = HTTPRequest(method: method, url: url)
        request.setHeader("Accept", "application/vnd.github+json")
        request.setHeader("Authorization", "Bearer " + settings.token)
        request.setHeader("X-GitHub-Api-Version", "2022-11-28")
        request.setHeader("User-Agent", "ballast/\(BallastVersion.current)")
        if let body {
            request.setHeader("Content-Type", "application/json")
            request.body = Array(JSON.encode(Secrets.scrub(body)).utf8)
        }
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw GitHubError("GitHub could not be reached at \(settings.apiURL): \(error)")
        }
        guard (200..<300).contains(response.status) else { throw Self.error(response, method: method, path: path) }
        let text = String(decoding: response.body, as: UTF8.self)
        guard !text.isEmpty else { return (.null, response) }
        do {
            return (try JSON.parse(text), response)
        } catch {
            throw GitHubError("GitHub's answer to \(Self.call(method, path)) (HTTP \(response.status)) is not JSON: "
                + "\(error); check GITHUB_API_URL (\(settings.apiURL))")
        }
    }

    /// `GET /repos/o/r/issues` for messages: the method and the path without its query.
    static func call(_ method: String, _ path: String) -> String {
        "\(method) \(path.split(separator: "?").first ?? "")"
    }

    /// The login GitHub puts on what this token writes, so ballast acts only on its own comments
    /// and issues. A user's token answers `GET /user`; an installation token (GitHub Actions'
    /// GITHUB_TOKEN, a GitHub App's) is refused there, and GraphQL's `viewer` names its bot
    /// (`github-actions[bot]`), the login the REST API shows. GITHUB_ACTOR is not proof: it names
    /// who started the workflow, not whose token this is.
    public func identity() async throws -> String {
        do {
            let (user, _) = try await exchange("GET", "/user")
            if let login = user["login"]?.string, !login.isEmpty { return login }
            throw GitHubError("GitHub's answer to GET /user has no login")
        } catch let error as GitHubError where error.status == 403 {
            let (answer, _) = try await exchange("POST", settings.graphQLURL,
                                             body: ["query": "query { viewer { login } }"])
            guard let login = answer["data"]?["viewer"]?["login"]?.string, !login.isEmpty else {
                let reason = answer["errors"]?[0]?["message"]?.string
                    .map { UntrustedText.line(String($0.prefix(300))) }
                throw GitHubError("cannot tell whose token GITHUB_TOKEN is: GET /user is forbidden to it and GitHub's "
                    + "GraphQL viewer query at \(settings.graphQLURL) answered no login"
                    + (reason.map { " (\($0))" } ?? ""))
            }
            return login
        }
    }

    /// Every item of a list endpoint, following `Link: <…>; rel="next"` (same host only).
    public func list(_ path: String) async throws -> [Value] {
        var items: [Value] = []
        var next: String? = path + (path.contains("?") ? "&" : "?") + "per_page=100"
        var pages = 0
        while let current = next, pages < Self.maxPages {
            let (page, response) = try await exchange("GET", current)
            guard let found = page.list else {
                throw GitHubError("GitHub's answer to \(Self.call("GET", current)) is not a list; check "
                    + "GITHUB_API_URL (\(settings.apiURL))")
            }
            items += found
            next = Self.nextLink(response.headers["link"]).flatMap { $0.hasPrefix(settings.apiURL + "/") ? $0 : nil }
            pages += 1
        }
        return items
    }

    static func nextLink(_ header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ",") where part.contains("rel=\"next\"") {
            guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">") else { continue }
            return String(part[part.index(after: open)..<close])
        }
        return nil
    }

    /// 401/403/404/422 and rate limits as what a workflow author needs to fix.
    static func error(_ response: HTTPResponse, method: String, path: String) -> GitHubError {
        let body = (try? JSON.parse(String(decoding: response.body.prefix(65_536), as: UTF8.self))) ?? .null
        let message = UntrustedText.line(String((body["message"]?.string ?? "").prefix(300)))
        let call = Self.call(method, path)
        let remaining = response.headers["x-ratelimit-remaining"]
        let limited = remaining == "0" || response.headers["retry-after"] != nil
        if response.status == 429 || (response.status == 403 && limited) {
            var wait = response.headers["retry-after"].map { " Retry after \($0) s." } ?? ""
            if wait.isEmpty, let reset = response.headers["x-ratelimit-reset"].flatMap(Double.init) {
                wait = " The limit resets at \(Timestamp.iso8601(Date(timeIntervalSince1970: reset)))."
            }
            return GitHubError("GitHub's rate limit stopped \(call) (HTTP \(response.status)).\(wait)")
        }
        let text: String
        switch response.status {
        case 401:
            text = "GitHub refused the token for \(call) (HTTP 401: \(message)); check GITHUB_TOKEN"
        case 403:
            text = "GitHub forbade \(call) (HTTP 403: \(message)); the workflow needs "
                + "`permissions: pull-requests: write` (comments) or `issues: write` (drift issues)"
        case 404:
            text = "GitHub has no \(call) (HTTP 404: \(message)); check GITHUB_REPOSITORY, "
                + "the pull request "
                + "number, and that the token can see the repository"
        case 422:
            let errors = (body["errors"]?.list ?? []).prefix(3)
                .map { UntrustedText.line($0["message"]?.string ?? $0.description) }
            let detail = errors.isEmpty ? "" : "; " + errors.joined(separator: "; ")
            text = "GitHub rejected \(call) (HTTP 422: \(message)\(detail))"
        default:
            text = "GitHub answered HTTP \(response.status) to \(call)"
                + (message.isEmpty ? "" : ": " + message)
        }
        return GitHubError(text, status: response.status)
    }
}
