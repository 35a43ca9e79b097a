import BallastAWS
import BallastCore
import Foundation

/// Where and as whom ballast talks to GitHub: Actions' own variables.
public struct GitHubSettings: Sendable {
    public var apiURL: String
    /// `owner/name`.
    public var repository: String
    public var token: String

    public init(apiURL: String = "https://api.github.com", repository: String, token: String) {
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.repository = repository
        self.token = token
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
        return GitHubSettings(apiURL: apiURL, repository: repository, token: token)
    }
}

public struct GitHubError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// GitHub's REST API over ballast's libcurl transport: JSON in and out, every page
/// of a list (the `Link` header), and errors that say what to do. The token goes in
/// one header and in nothing ballast prints.
public struct GitHubClient: Sendable {
    let settings: GitHubSettings
    let transport: any HTTPTransport
    /// Pages read for one list at most (100 items each): bounds what a huge thread costs.
    static let maxPages = 50

    public init(settings: GitHubSettings, transport: any HTTPTransport) {
        self.settings = settings
        self.transport = transport
    }

    /// `/repos/{owner}/{repo}` + `path`, with owner and name from the settings.
    func repositoryPath(_ path: String) -> String {
        "/repos/\(settings.repository)\(path)"
    }

    func send(_ method: String, _ path: String, body: Value? = nil) async throws -> (Value, HTTPResponse) {
        let url = path.hasPrefix("http") ? path : settings.apiURL + path
        var request = HTTPRequest(method: method, url: url)
        request.setHeader("Accept", "application/vnd.github+json")
        request.setHeader("Authorization", "Bearer " + settings.token)
        request.setHeader("X-GitHub-Api-Version", "2022-11-28")
        request.setHeader("User-Agent", "ballast/\(BallastVersion.current)")
        if let body {
            request.setHeader("Content-Type", "application/json")
            request.body = Array(JSON.encode(body).utf8)
        }
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw GitHubError("GitHub could not be reached at \(settings.apiURL): \(error)")
        }
        guard (200..<300).contains(response.status) else { throw Self.error(response, method: method, path: path) }
        let text = String(decoding: response.body, as: UTF8.self)
        return (text.isEmpty ? .null : try JSON.parse(text), response)
    }

    /// Every item of a list endpoint, following `Link: <…>; rel="next"` (same host only).
    func list(_ path: String) async throws -> [Value] {
        var items: [Value] = []
        var next: String? = path + (path.contains("?") ? "&" : "?") + "per_page=100"
        var pages = 0
        while let current = next, pages < Self.maxPages {
            let (page, response) = try await send("GET", current)
            items += page.list ?? []
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
        let call = "\(method) \(path.split(separator: "?").first ?? "")"
        let remaining = response.headers["x-ratelimit-remaining"]
        let limited = remaining == "0" || response.headers["retry-after"] != nil
        if response.status == 429 || (response.status == 403 && limited) {
            var wait = response.headers["retry-after"].map { " Retry after \($0) s." } ?? ""
            if wait.isEmpty, let reset = response.headers["x-ratelimit-reset"].flatMap(Double.init) {
                wait = " The limit resets at \(Timestamp.iso8601(Date(timeIntervalSince1970: reset)))."
            }
            return GitHubError("GitHub's rate limit stopped \(call) (HTTP \(response.status)).\(wait)")
        }
        switch response.status {
        case 401:
            return GitHubError("GitHub refused the token for \(call) (HTTP 401: \(message)); check GITHUB_TOKEN")
        case 403:
            return GitHubError("GitHub forbade \(call) (HTTP 403: \(message)); the workflow needs "
                + "`permissions: pull-requests: write` (comments) or `issues: write` (drift issues)")
        case 404:
            return GitHubError("GitHub has no \(call) (HTTP 404: \(message)); check GITHUB_REPOSITORY, "
                + "the pull request "
                + "number, and that the token can see the repository")
        case 422:
            let errors = (body["errors"]?.list ?? []).prefix(3)
                .map { UntrustedText.line($0["message"]?.string ?? $0.description) }
            let detail = errors.isEmpty ? "" : "; " + errors.joined(separator: "; ")
            return GitHubError("GitHub rejected \(call) (HTTP 422: \(message)\(detail))")
        default:
            return GitHubError("GitHub answered HTTP \(response.status) to \(call)"
                + (message.isEmpty ? "" : ": " + message))
        }
    }
}
