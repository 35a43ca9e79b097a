import BallastCore

/// `ballast validate`'s whole verdict on a loaded desired state: its mistakes, then (only when
/// there are none) the state policies' results. It needs no AWS and no kind's reader: this
/// target links neither, and a build of `validate` alone proves it (`ValidateWithoutAWSTests`).
public struct Validation: Sendable {
    public let loaded: LoadedState
    /// Policies run only on a desired state without mistakes.
    public let policy: [PolicyResult]

    public init(_ loaded: LoadedState) {
        self.loaded = loaded
        policy = loaded.diagnostics.isEmpty ? PolicyEngine(loaded.policies).check(loaded.state) : []
    }

    /// A mistake, or a deny policy that fails: exit 1.
    public var failed: Bool { !loaded.diagnostics.isEmpty || policy.contains(where: \.blocks) }

    /// What `validate` prints on standard output, line by line (untrusted text not yet escaped).
    public var report: String {
        var lines = loaded.diagnostics.map(\.description)
        guard loaded.diagnostics.isEmpty else {
            let files = Set(loaded.diagnostics.map(\.location.file)).count
            lines.append(
                "invalid: \(loaded.revisionLabel): \(loaded.diagnostics.count) mistake(s) in \(files) file(s)")
            return lines.map { $0 + "\n" }.joined()
        }
        let environments = loaded.state.environments
        return PolicyRendering.text(policy)
            + "valid: \(loaded.revisionLabel): \(environments.count) environment(s) "
            + "(\(environments.map(\.name).joined(separator: ", "))), "
            + "\(loaded.state.resourceCount) resource(s), \(loaded.policyFiles.count) policy file(s)\n"
    }

    /// The error line, when a deny policy fails on a valid desired state.
    public var denial: String? {
        guard loaded.diagnostics.isEmpty, policy.contains(where: \.blocks) else { return nil }
        return "a deny policy fails on the desired state"
    }
}
