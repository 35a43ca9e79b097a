import BallastCore
import BallastRender
import FoundationEssentials
import Glibc

/// `ballast comment`: one comment per pull request and key, edited on every push
/// instead of piling up. It is found again by its marker `<!-- ballast:K -->`
/// through every page of the pull request's comments.
public struct PullRequestComment: Sendable {
    public enum Outcome: Sendable, Equatable {
        case created(url: String)
        case updated(url: String)
    }

    /// GitHub's limit on a comment body, in characters.
    public static let githubLimit = 65_536
    let client: any GitHubAPI

    public init(client: any GitHubAPI) {
        self.client = client
    }

    public func post(_ markdown: String, pullRequest: Int, key: String) async throws -> Outcome {
        let body = Self.body(markdown, key: key)
        guard body.count <= Self.githubLimit else {
            throw GitHubError("the comment is \(body.count) characters and GitHub takes at most \(Self.githubLimit); "
                + "`--output markdown` folds its comments to fit")
        }
        let marker = CommentMarker.make(key)
        let author = try await client.identity()
        let comments = try await client.list(client.repositoryPath("/issues/\(pullRequest)/comments"))
        if let earlier = comments.first(where: { CommentMarker.marks($0, marker, author: author) }),
           let id = earlier["id"]?.int {
            let updated = try await client.send("PATCH", client.repositoryPath("/issues/comments/\(id)"),
                                                     body: ["body": .string(body)])
            return .updated(url: updated["html_url"]?.string ?? "(GitHub gave no URL)")
        }
        let created = try await client.send("POST", client.repositoryPath("/issues/\(pullRequest)/comments"),
                                                 body: ["body": .string(body)])
        return .created(url: created["html_url"]?.string ?? "(GitHub gave no URL)")
    }

    /// The markdown with exactly the marker for `key` first: a marker the file has for another key is replaced.
    static func body(_ markdown: String, key: String) -> String {
        let marker = CommentMarker.make(key)
        var text = markdown
        if let existing = CommentMarker.key(in: markdown) {
            text = text.replacing(CommentMarker.make(existing) + "\n", with: "")
        }
        return marker + "\n" + text
    }

    /// The key when `--key` is not given: the marker `--output markdown` wrote (its environments).
    public static func defaultKey(for markdown: String) -> String {
        CommentMarker.key(in: markdown) ?? "default"
    }

    /// The pull request of the event that started the workflow (`GITHUB_EVENT_PATH`): a
    /// `pull_request` event's number, or an issue comment's issue when it is a pull request.
    public static func pullRequest(eventFile: String) throws -> Int {
        guard let data = FileManager.default.contents(atPath: eventFile) else {
            throw GitHubError("cannot read the event file \(eventFile) (GITHUB_EVENT_PATH)")
        }
        let event = try JSON.parse(String(decoding: data, as: UTF8.self))
        if let number = event["pull_request"]?["number"]?.int { return number }
        if event["issue"]?["pull_request"] != nil, let number = event["issue"]?["number"]?.int { return number }
        throw GitHubError("the workflow's event (\(eventFile)) is not about a pull request; pass --pr N")
    }
}

/// `$GITHUB_STEP_SUMMARY`: the job's summary page, appended to (created when missing, as the
/// runner's own `>>` does).
public enum StepSummary {
    public static func append(_ markdown: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw GitHubError("cannot open GITHUB_STEP_SUMMARY (\(path)) for writing: \(reason)")
        }
        defer { close(descriptor) }
        let text = Secrets.scrub(markdown.hasSuffix("\n") ? markdown : markdown + "\n")
        guard StandardStream(descriptor: descriptor).write(text) else {
            throw GitHubError("cannot write GITHUB_STEP_SUMMARY (\(path)): \(String(cString: strerror(errno)))")
        }
    }
}
