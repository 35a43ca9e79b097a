import BallastCore
import BallastRender

/// `ballast drift --github-issue`: one open issue per drifted environment, titled
/// `Drift in <env>` and labelled `ballast-drift`; created when drift appears, edited
/// when it changes, closed with a comment when the environment is back in sync.
/// Found again by label and by the marker in its body, so it is never duplicated.
public struct DriftIssues: Sendable {
    public static let label = "ballast-drift"

    public enum Action: Sendable, Equatable {
        case created(url: String), updated(url: String), closed(url: String), unchanged
    }

    let client: any GitHubAPI

    public init(client: any GitHubAPI) {
        self.client = client
    }

    /// What was done for each environment. An environment with resources not checked
    /// and no drift keeps its issue as it is: nothing is known to be back in sync.
    public func sync(_ report: DriftReport) async throws -> [(environment: String, action: Action)] {
        let author = try await client.identity()
        let open = try await client.list(client.repositoryPath("/issues?state=open&labels=\(Self.label)"))
        var done: [(String, Action)] = []
        for environment in report.environments {
            let marker = CommentMarker.make("drift-issue:" + environment.name)
            let existing = open.first { CommentMarker.marks($0, marker, author: author) && $0["pull_request"] == nil }
            let summary = DriftSummary(environment.resources)
            let fingerprint = DriftNotifier.fingerprint(environment)
            // An overdue or failed rotation is reported as drift is, though nothing differs.
            if summary.hasDrift || environment.resources.contains(where: { $0.rotation?.isFinding == true }) {
                let body = Self.body(environment, report: report, marker: marker, fingerprint: fingerprint)
                if let existing, let number = existing["number"]?.int {
                    guard Self.fingerprint(in: existing["body"]?.string ?? "") != fingerprint else {
                        done.append((environment.name, .unchanged))
                        continue
                    }
                    let issue = try await client.send("PATCH", client.repositoryPath("/issues/\(number)"),
                                                           body: ["body": .string(body)])
                    done.append((environment.name, .updated(url: issue["html_url"]?.string ?? "")))
                } else {
                    let title = "Drift in " + UntrustedText.line(environment.name)
                    let issue = try await client.send("POST", client.repositoryPath("/issues"), body: [
                        "title": .string(String(title.prefix(256))), "body": .string(body),
                        "labels": [.string(Self.label)]])
                    done.append((environment.name, .created(url: issue["html_url"]?.string ?? "")))
                }
            } else if summary.notChecked == 0, let existing, let number = existing["number"]?.int {
                let state = summary.held > 0 ? "has no open drift (\(summary.held) held: hand changes kept for now)"
                    : "is back in sync"
                let note = "**\(Markdown.text(environment.name))** \(state): \(summary.resources) resources at "
                    + "\(Markdown.code(report.revision)), read \(Timestamp.iso8601(report.generatedAt)). Closing."
                _ = try await client.send("POST", client.repositoryPath("/issues/\(number)/comments"),
                                          body: ["body": .string(note)])
                let issue = try await client.send("PATCH", client.repositoryPath("/issues/\(number)"),
                                                       body: ["state": "closed"])
                done.append((environment.name, .closed(url: issue["html_url"]?.string ?? "")))
            } else {
                done.append((environment.name, .unchanged))
            }
        }
        return done
    }

    static func fingerprintMarker(_ fingerprint: String) -> String { "<!-- ballast-drift:\(fingerprint) -->" }

    /// The fingerprint on the body's second line, where `body` puts it (nowhere else counts).
    static func fingerprint(in body: String) -> String? {
        let lines = body.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        guard lines.count > 1, lines[1].hasPrefix("<!-- ballast-drift:"), lines[1].hasSuffix(" -->") else {
            return nil
        }
        return String(lines[1].dropFirst("<!-- ballast-drift:".count).dropLast(" -->".count))
    }

    /// The environment's drift as the comment shows it, with the issue's own marker and
    /// what it has drifted to (the fingerprint: a new read of the same drift edits nothing).
    static func body(_ environment: EnvironmentDrift, report: DriftReport, marker: String,
                     fingerprint: String) -> String {
        var one = report
        one.environments = [environment]
        // The issue's own two marker lines take the place of the comment's one.
        let comment = CommentRenderer(report: one).render(limit: PlanRendering.commentLimit - 100)
        let lines = comment.split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
        return marker + "\n" + fingerprintMarker(fingerprint) + "\n" + lines.joined(separator: "\n")
    }
}
