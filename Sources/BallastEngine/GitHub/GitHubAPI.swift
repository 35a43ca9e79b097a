import BallastCore

/// GitHub as the engine sees it: the port `comment` and the drift issues talk through. The REST
/// client over libcurl (BallastAdapters' `GitHubClient`) implements it; a test may hand in another.
public protocol GitHubAPI: Sendable {
    /// `/repos/{owner}/{repo}` + `path`, for the repository the token works on.
    func repositoryPath(_ path: String) -> String

    /// One call: its JSON answer (null when the answer is empty); an error answer throws `GitHubError`.
    func send(_ method: String, _ path: String, body: Value?) async throws -> Value

    /// Every item of a list endpoint, every page (bounded).
    func list(_ path: String) async throws -> [Value]

    /// The login GitHub puts on what this token writes: ballast acts only on what it authored.
    func identity() async throws -> String
}

public struct GitHubError: Error, Sendable, CustomStringConvertible {
    public let description: String
    /// GitHub's HTTP status, when GitHub answered with an error.
    public let status: Int?
    public init(_ description: String, status: Int? = nil) {
        self.description = description
        self.status = status
    }
}

