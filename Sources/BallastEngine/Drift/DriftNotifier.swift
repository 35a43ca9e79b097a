import BallastCrypto
import BallastCore
import BallastDesiredState
import BallastGit
import BallastRender
import FoundationEssentials

/// `ballast drift --notify URL`: a Slack-compatible webhook POST (`{"text": ...}`) per
/// environment whose drift differs from the last run's. The last run's drift is kept
/// with the repository, where a scheduled job with no disk of its own finds it again:
/// a git note under `refs/notes/ballast-drift` on the history's first commit (push it
/// as you push the journal's), and the environment's lock table when it has one (a
/// fresh clone on a CI runner finds it there without fetching notes; the table wins).
public struct DriftNotifier: Sendable {
    public static let notesRef = "refs/notes/ballast-drift"
    let repositoryPath: String
    let transport: any HTTPTransport
    /// Lock tables by environment name.
    let tables: [String: any LockTable]

    public init(repositoryPath: String, transport: any HTTPTransport, tables: [String: any LockTable] = [:]) {
        self.repositoryPath = repositoryPath
        self.transport = transport
        self.tables = tables
    }

    /// The notifier of a loaded revision: each environment's drift state kept in its lock table too, when
    /// it names one.
    public init(loaded: LoadedState, transport: any HTTPTransport, lockTables: LockTables) {
        let tables = Dictionary(loaded.state.environments.compactMap { environment in
            environment.lockTable.map { (environment.name, lockTables($0, environment)) }
        }, uniquingKeysWith: { first, _ in first })
        self.init(repositoryPath: loaded.repositoryRoot, transport: transport, tables: tables)
    }

    /// Sends what changed (everything with `always`), records the new state, and returns
    /// the environments notified and the problems met.
    public func notify(_ report: DriftReport, url: String, always: Bool,
                       now: Date = Date()) async -> (sent: [String], problems: [String]) {
        var problems: [String] = []
        // The history's first commit, found once: a long history is walked once a run.
        let place = try? placeOfState()
        var state = place.flatMap { try? readState($0) } ?? [:]
        var sent: [String] = []
        for environment in report.environments {
            let fingerprint = Self.fingerprint(environment)
            let table = tables[environment.name]
            var kept: String?
            do { kept = try await table?.notifiedDrift(environment: environment.name) } catch {
                problems.append("the drift state could not be read from \(table?.place ?? ""): \(error)")
            }
            // No earlier run is an environment in sync: a first run that finds none says nothing.
            let before = kept ?? state[environment.name] ?? Self.inSync
            guard always || before != fingerprint else { continue }
            var request = HTTPRequest(method: "POST", url: url)
            request.setHeader("Content-Type", "application/json")
            let text = Self.message(environment, revision: report.revision)
            request.body = Array(JSON.encode(Secrets.scrub(["text": .string(text)])).utf8)
            do {
                let response = try await transport.send(request)
                guard (200..<300).contains(response.status) else {
                    problems.append("the webhook answered HTTP \(response.status) for \(environment.name)")
                    continue
                }
                sent.append(environment.name)
                state[environment.name] = fingerprint
                do { try await table?.keepNotifiedDrift(fingerprint, environment: environment.name) } catch {
                    problems.append("the drift state could not be kept in \(table?.place ?? ""): \(error)")
                }
            } catch {
                problems.append("the webhook could not be reached for \(environment.name): \(error)")
            }
        }
        state = Self.keepingFirstSeen(report, in: state, now: now)
        do {
            guard let place else { throw NotifyError("the repository has no commit to keep it on") }
            try writeState(state, place)
        } catch {
            problems.append("the drift state could not be kept: \(error)")
        }
        return (sent, problems)
    }

    static let inSync = fingerprint(EnvironmentDrift(name: "", region: "", resources: []))

    /// The state's per-resource entries: when each drift was first seen by a run that notifies (the
    /// scheduled one), kept while the same drift stays (`since<US>env<US>type<US>id` ->
    /// `fingerprint@time`); a resource back in sync, or drifted anew, starts again.
    static func keepingFirstSeen(_ report: DriftReport, in state: [String: String], now: Date) -> [String: String] {
        let environments = Set(report.environments.map(\.name))
        var kept = state.filter { key, _ in
            let parts = key.split(separator: "\u{1F}", maxSplits: 2)
            return parts.first != "since" || parts.count < 2 || !environments.contains(String(parts[1]))
        }
        for environment in report.environments {
            for drift in environment.resources where drift.status == .modified || drift.status == .deleted {
                let key = sinceKey(drift, home: environment.region)
                let fingerprint = fingerprint(EnvironmentDrift(name: "", region: environment.region,
                                                               resources: [drift]))
                if let earlier = state[key], earlier.hasPrefix(fingerprint + "@") {
                    kept[key] = earlier
                } else {
                    kept[key] = fingerprint + "@" + Timestamp.iso8601(now)
                }
            }
        }
        return kept
    }

    /// `since<US>env<US>type<US>id`, and `<US>region` for a resource outside its environment's own
    /// region: one name in two regions is two entries (a key without a region, as earlier runs kept
    /// it, stays the home region's).
    static func sinceKey(_ drift: ResourceDrift, home: String) -> String {
        let key = ["since", drift.resource.environment, drift.resource.type, drift.displayId]
        return (key + (drift.resource.region == home ? [] : [drift.resource.region])).joined(separator: "\u{1F}")
    }

    /// The state's `since` entries, read from git notes once for `drift --explain`; empty when there are none.
    static func firstSeen(in repository: GitRepository) -> [String: String] {
        guard let root = try? repository.rootCommit(of: repository.commit("HEAD")),
              let text = try? repository.note(ref: notesRef, on: root), case .map(let fields)? = try? JSON.parse(text)
        else { return [:] }
        return fields.filter { $0.key.hasPrefix("since\u{1F}") }.compactMapValues(\.string)
    }

    /// When a notifying run first saw this resource's drift (`driftSince`): only while its drift is
    /// the one then seen.
    static func driftSince(_ drift: ResourceDrift, home: String, in entries: [String: String]) -> Date? {
        let fingerprint = fingerprint(EnvironmentDrift(name: "", region: home, resources: [drift]))
        guard let entry = entries[sinceKey(drift, home: home)], entry.hasPrefix(fingerprint + "@") else { return nil }
        return Timestamp.parse(String(entry.dropFirst(fingerprint.count + 1)))
    }

    /// What is not in sync, and how, as one hash: a change in any value is a change.
    public static func fingerprint(_ environment: EnvironmentDrift) -> String {
        let lines = environment.resources.filter { $0.status != .inSync }.map { drift in
            // The region only where it is not the environment's own: earlier fingerprints stay valid.
            ([drift.status.rawValue, drift.resource.type, drift.displayId]
                + (drift.resource.region == environment.region ? [] : [drift.resource.region])
                + drift.differences.map { "\($0.path)=\($0.actual?.description ?? "-")" }).joined(separator: "\u{1F}")
        }
        // A rotation that did not happen is news too; none adds nothing, so earlier fingerprints stay valid.
        let rotations = environment.resources.compactMap { drift -> String? in
            guard let rotation = drift.rotation, rotation.isFinding else { return nil }
            let last = rotation.last.map { Timestamp.iso8601($0) } ?? "-"
            return ["rotation", drift.resource.type, drift.displayId, last, rotation.lastError ?? ""]
                .joined(separator: "\u{1F}")
        }
        let all = (lines + rotations).sorted()
        return Checksum.sha256Hex(Array(all.joined(separator: "\n").utf8))
    }

    /// Slack's mrkdwn: `&`, `<` and `>` escaped, so no value can mention, link or format a channel.
    static func message(_ environment: EnvironmentDrift, revision: String) -> String {
        func safe(_ text: String) -> String {
            UntrustedText.line(text).replacing("&", with: "&amp;")
                .replacing("<", with: "&lt;").replacing(">", with: "&gt;")
        }
        let summary = DriftSummary(environment.resources)
        let name = safe(environment.name)
        guard summary.modified + summary.deleted + summary.notChecked > 0 else {
            return "ballast: \(name) is back in sync (\(summary.resources) resources) at \(revision.prefix(12))"
        }
        var lines = ["ballast: drift in \(name) at \(revision.prefix(12)): \(DriftRendering.counts(summary))"]
        let shown = environment.resources.filter { $0.status != .inSync }
        for drift in shown.prefix(5) {
            let detail: String
            switch drift.status {
            case .deleted: detail = "does not exist"
            case .notChecked: detail = "not checked: " + (drift.reason ?? "")
            default: detail = drift.differences.prefix(3).map { "\($0.path) \($0.actual?.description ?? "(none)") → "
                + "\($0.expected?.description ?? "(none)")" }.joined(separator: ", ")
            }
            // Who made the live value, where a CloudTrail event or `--explain` said.
            // (an autoscaler's cause text is long: cut, as every value here is)
            let who = drift.attribution?.live.map {
                " (by \($0.by) via \($0.via)\($0.cause.map { ", " + String($0.prefix(200)) } ?? ""))"
            }
            lines.append("• \(safe(drift.resource.type)) \(safe(drift.displayId)): \(safe(detail + (who ?? "")))")
        }
        if shown.count > 5 { lines.append("… and \(shown.count - 5) more") }
        return lines.joined(separator: "\n")
    }

    /// The repository and the commit the state is kept on.
    func placeOfState() throws -> (GitRepository, GitCommit) {
        let repository = try GitRepository(discoveringFrom: repositoryPath)
        return (repository, try repository.rootCommit(of: repository.commit("HEAD")))
    }

    func readState(_ place: (GitRepository, GitCommit)) throws -> [String: String] {
        guard let text = try place.0.note(ref: Self.notesRef, on: place.1),
              case .map(let fields) = try JSON.parse(text) else { return [:] }
        return fields.compactMapValues(\.string)
    }

    func writeState(_ state: [String: String], _ place: (GitRepository, GitCommit)) throws {
        let text = JSON.encode(.map(state.mapValues(Value.string))) + "\n"
        try place.0.setNote(ref: Self.notesRef, on: place.1, text: text)
    }
}

public struct NotifyError: ReportedError {
    public let description: String

    public init(_ message: String) { description = message }
}
