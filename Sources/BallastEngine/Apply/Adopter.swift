import BallastCore
import BallastDesiredState
import BallastGit
import BallastYAML
import FoundationEssentials

/// `ballast adopt`: the live value of each drifted owned property written into the YAML at the
/// line and column where its desired value is declared, nothing else in the file changed; the
/// result validated and policy-checked before anything is kept (a mistake or a deny puts every
/// file back). It returns what happened; it prints nothing.
public struct Adopter: Sendable {
    /// What to adopt: everything drifted, or one environment, one resource, some properties.
    public struct Request: Sendable {
        public var environment: String?
        public var type: String?
        public var id: String?
        public var properties: [String]
        /// Move a range's nearest bound to a live value outside it.
        public var widen: Bool

        public init(environment: String? = nil, type: String? = nil, id: String? = nil, properties: [String] = [],
                    widen: Bool = false) {
            self.environment = environment
            self.type = type
            self.id = id
            self.properties = properties
            self.widen = widen
        }
    }

    /// One property written from live.
    public struct Adoption: Sendable {
        public var resource: ResourceKey
        /// The id it was read by (a ref's resolved one), for what is said.
        public var id: String
        public var path: String
        /// As the repository said it (a value, or a range), and what it says now.
        public var old: Value
        public var new: Value
        /// Where it was written.
        public var location: SourceLocation
        /// Who made the live change, when CloudTrail could tell.
        public var by: Attribution.LiveChange?
    }

    public struct Result: Sendable {
        public var adopted: [Adoption] = []
        /// What was named and could not be adopted, each with why.
        public var refused: [String] = []
        /// Denies that put every file back.
        public var denied: [PolicyResult] = []
        /// Mistakes in the result that put every file back.
        public var mistakes: [Diagnostic] = []
        /// The files written (relative to the repository root).
        public var files: [String] = []
        public var warnings: [String] = []
    }

    let detector: DriftDetector
    /// Who made each live change (`drift --explain`'s attribution), for the commit's trailers; nil skips it.
    let explainer: Explainer?

    public init(detector: DriftDetector, explainer: Explainer? = nil) {
        self.detector = detector
        self.explainer = explainer
    }

    /// Reads live values, writes each adoptable one into its file, and checks the result; the files are
    /// left as they were unless every check passes.
    public func adopt(_ loaded: LoadedState, _ request: Request, now: Date) async -> Result {
        var result = Result()
        var state = loaded
        state.state.environments = loaded.state.environments.compactMap { environment in
            guard request.environment.map({ $0 == environment.name }) ?? true else { return nil }
            var kept = environment
            kept.resources = environment.resources.filter { resource in
                (request.type.map { $0 == resource.type } ?? true)
                    && (request.id.map { $0 == resource.identity.description } ?? true)
            }
            return kept
        }
        var (report, _) = await detector.detect(state, now: now)
        if let explainer { report = await explainer.explain(report, loaded: state, now: now) }
        result.warnings = report.warnings
        if state.state.resourceCount == 0 {
            let named = [request.environment, request.type, request.id].compactMap { $0 }.joined(separator: " ")
            result.refused.append("nothing declared matches \(named)")
            return result
        }
        var edits:
            [(file: String, key: SourceLocation, field: String?, index: Int?, value: Value, adoption: Adoption)] = []
        let wanted = request.properties.map(PropertyPath.argument)
        for drift in report.resources {
            let name = "\(drift.resource.type) \(UntrustedText.line(drift.displayId)) (\(drift.resource.environment))"
            switch drift.status {
            case .inSync: continue
            case .deleted: result.refused.append("\(name) does not exist: nothing to adopt"); continue
            case .notChecked:
                result.refused.append("\(name) was not checked: \(drift.reason ?? "unknown reason")"); continue
            case .modified: break
            }
            let live = drift.live ?? [:]
            for leaf in drift.resource.leaves {
                let touched = drift.differences.contains { $0.path == leaf.path || $0.path.hasPrefix(leaf.path + "/") }
                guard touched,
                    wanted.isEmpty || wanted.contains(where: { leaf.path == $0 || leaf.path.hasPrefix($0 + "/") })
                else { continue }
                let property = "\(name) \(PropertyPath.readable(leaf.path))"
                guard let key = drift.resource.propertySources[leaf.path] else {
                    result.refused.append("\(property): where it is declared is not known"); continue
                }
                let unsettable = drift.resource.kind?.schema.resource.unsettable[leaf.path] != nil
                let current = value(at: leaf.path, in: live)
                switch leaf.expectation {
                case .exact(let old):
                    guard let now = current ?? (unsettable ? .null : nil) else {
                        result.refused.append("\(property): AWS has no value for it"); continue
                    }
                    edits.append((key.file, key, nil, nil, now, Adoption(
                        resource: drift.key, id: drift.displayId,
                        path: leaf.path, old: old, new: now, location: key, by: drift.attribution?.live)))
                case .range(let range):
                    guard let now = current, range.nearestBound(to: now) != nil else { continue }
                    guard request.widen else {
                        result.refused.append(
                            "\(property): live \(now) is outside \(range) (--widen moves the nearest "
                                + "bound to it)")
                        continue
                    }
                    // Below the range: the lower bound moves; above it: the upper one.
                    let lower = range.lower?.number.map { (now.number ?? 0) < $0 } ?? false
                    let (field, index): (String, Int?) = range.lower != nil && range.upper != nil
                        ? ("within", lower ? 0 : 1) : (lower ? "atLeast" : "atMost", nil)
                    var widened = range
                    if lower { widened.lower = now } else { widened.upper = now }
                    edits.append((key.file, key, field, index, now, Adoption(
                        resource: drift.key, id: drift.displayId,
                        path: leaf.path, old: range.asValue, new: widened.asValue, location: key,
                        by: drift.attribution?.live)))
                case .object: continue
                }
            }
        }
        guard !edits.isEmpty else { return result }
        // Each file's edits from its end to its start: an edit never moves a place still to be edited.
        var originals: [String: [UInt8]] = [:]
        var texts: [String: [UInt8]] = [:]
        let root = loaded.repositoryRoot
        let ordered = edits.sorted { a, b in
            a.file != b.file ? a.file < b.file : (a.key.line, a.key.column) > (b.key.line, b.key.column)
        }
        for edit in ordered {
            guard let bytes = texts[edit.file] ?? Self.readOwn(root + "/" + edit.file) else {
                result.refused.append("\(edit.file) cannot be read as a regular file of at most "
                    + "\(SourceFiles.maxFileBytes) bytes"); continue
            }
            originals[edit.file] = originals[edit.file] ?? bytes
            do throws(YAMLEditor.Refusal) {
                texts[edit.file] = try YAMLEditor.replace(in: bytes, file: edit.file, key: edit.key, field: edit.field,
                                                          index: edit.index, with: edit.value)
                result.adopted.append(edit.adoption)
            } catch {
                let adoption = edit.adoption
                result.refused.append("\(adoption.resource.type) \(UntrustedText.line(adoption.id)) "
                    + "(\(adoption.resource.environment)) \(PropertyPath.readable(adoption.path)) at \(edit.key): "
                    + error.description)
            }
        }
        result.adopted.sort {
            ($0.location.file, $0.location.line, $0.location.column) < (
                $1.location.file,
                $1.location.line, $1.location.column
            )
        }
        // Written only where a regular file was read: a link put there since is not followed.
        for (file, bytes) in texts where Self.readOwn(root + "/" + file) == nil
            || !FileManager.default.createFile(atPath: root + "/" + file, contents: Data(bytes)) {
            restore(originals, root: root)
            result.mistakes = [Diagnostic(SourceLocation(file: file), "cannot be written; every file is as it was")]
            return result
        }
        result.files = texts.keys.sorted()
        // The result must be a valid desired state that every deny policy passes; else every file goes back.
        let check: LoadedState
        do {
            check = try DesiredStateLoader(kinds: loaded.kinds).load(LoadRequest(repositoryPath: root, worktree: true))
        } catch {
            result.mistakes = [Diagnostic(SourceLocation(file: root), "\(error)")]
            restore(originals, root: root)
            result.files = []
            return result
        }
        // A deny the adopted values bring in: one that already failed before them is not adopt's to judge.
        let key = { (result: PolicyResult) in
            [result.policy, result.environment, result.resource].joined(separator: "\u{0}")
        }
        let before = Set(PolicyEngine(loaded.policies).check(loaded.state).filter(\.blocks).map(key))
        let denied = PolicyEngine(check.policies).check(check.state).filter { $0.blocks && !before.contains(key($0)) }
        if !check.diagnostics.isEmpty || !denied.isEmpty {
            result.mistakes = check.diagnostics
            result.denied = denied
            restore(originals, root: root)
            result.files = []
        }
        return result
    }

    func restore(_ originals: [String: [UInt8]], root: String) {
        for (file, bytes) in originals {
            _ = FileManager.default.createFile(atPath: root + "/" + file, contents: Data(bytes))
        }
    }

    /// A desired-state file's bytes when it is a regular file (not a link) within the loader's bound.
    static func readOwn(_ path: String) -> [UInt8]? {
        guard (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType == .typeRegular
        else { return nil }
        return try? BoundedFile.read(path, maxBytes: SourceFiles.maxFileBytes, what: path)
    }

    /// The commit message: a subject, then each adopted property with its old and new value, and who
    /// made the live change as trailers where CloudTrail could tell.
    public static func message(_ adopted: [Adoption], subject: String?) -> String {
        let first = subject ?? "Adopt \(adopted.count) live value\(adopted.count == 1 ? "" : "s") into git"
        var lines = [UntrustedText.line(first), ""]
        for adoption in adopted {
            lines.append("- \(adoption.resource.type) \(UntrustedText.line(adoption.id)) "
                + "(\(adoption.resource.environment)) \(PropertyPath.readable(adoption.path)): "
                + "\(adoption.old) -> \(adoption.new)")
        }
        let trailers = adopted.compactMap { adoption -> String? in
            guard let by = adoption.by else { return nil }
            return "Live-Changed-By: \(UntrustedText.line(by.by)) via \(by.via) at \(Timestamp.iso8601(by.at))"
                + (by.eventId.map { " (event \(UntrustedText.line($0)))" } ?? "")
        }
        if !trailers.isEmpty { lines += [""] + Array(Set(trailers)).sorted() }
        // A commit is pushed and read by anyone with the repository: through the one scrubber.
        return Secrets.scrub(lines.joined(separator: "\n") + "\n")
    }
}
