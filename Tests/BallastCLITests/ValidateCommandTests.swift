import BallastTestSupport
import Foundation
import Testing

/// Runs the built `ballast` binary and checks stdout, stderr and the exit code.
@Suite struct ValidateCommandTests {
    func repository() throws -> (TempRepository, old: String) {
        let repo = try TempRepository()
        let old = try repo.commit(
            [
                "desired-state/prod/environment.yaml": Fixture.environment,
                "desired-state/prod/logs.yaml": Fixture.logGroup("/aws/app", days: 7),
            ], message: "good")
        try repo.commit(
            ["desired-state/prod/logs.yaml": Fixture.logGroup("/aws/app", days: 8)], message: "bad retention")
        return (repo, old)
    }

    @Test func invalidHeadExitsOneWithFileLineColumn() throws {
        let (repo, _) = try repository()
        let result = try Run.ballast(["validate", "--repo", repo.path])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("desired-state/prod/logs.yaml:5:24: RetentionInDays must be one of") == true)
        #expect(lines.last?.hasSuffix(": 1 mistake(s) in 1 file(s)") == true)
        #expect(result.stderr.isEmpty)
    }

    @Test func olderRevisionIsValidatedFromItsOwnTree() throws {
        let (repo, old) = try repository()
        let result = try Run.ballast(["validate", "--repo", repo.path, "--revision", String(old.prefix(10))])
        #expect(result.status == 0)
        #expect(
            result.stdout == "valid: \(old.prefix(12)): 1 environment(s) (prod), 1 resource(s), 0 policy file(s)\n")
    }

    @Test func worktreeFlagReadsUncommittedFilesAndSaysSo() throws {
        let (repo, _) = try repository()
        try repo.write(["desired-state/prod/logs.yaml": Fixture.logGroup("/aws/app", days: 14)])
        let result = try Run.ballast(["validate", "--worktree"], cwd: repo.path)
        #expect(result.status == 0)
        #expect(
            result.stderr
                == "note: reading the working tree (--worktree): desired-state/prod/logs.yaml differs from HEAD\n")
        let head = try Run.ballast(["validate"], cwd: repo.path)
        #expect(head.status == 1, "HEAD still has the bad retention")
        #expect(head.stderr.contains("pass --worktree to read them"))
    }

    @Test func unknownRevisionIsOneErrorLine() throws {
        let (repo, _) = try repository()
        let result = try Run.ballast(["validate", "--repo", repo.path, "--revision", "v9.9"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "error: unknown revision 'v9.9' in \(repo.path)\n")
    }

    @Test func notARepositoryIsOneErrorLine() throws {
        let result = try Run.ballast(["validate", "--repo", "/proc"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: not a git repository: /proc (nor any folder above it)\n")
    }

    @Test func worktreeAndRevisionConflict() throws {
        let result = try Run.ballast(["validate", "--worktree", "--revision", "HEAD~1"])
        #expect(result.status == 1, "a usage error")
        #expect(result.stderr.contains("--worktree reads the working tree; it cannot be combined with --revision"))
    }

    @Test func envFilterAndUnknownEnvironment() throws {
        let (repo, old) = try repository()
        let ok = try Run.ballast(["validate", "--repo", repo.path, "--revision", old, "--env", "prod"])
        #expect(ok.status == 0)
        let unknown = try Run.ballast(["validate", "--repo", repo.path, "--env", "prd"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "error: unknown environment 'prd' (did you mean prod?); environments: prod\n")
    }

    @Test func helpShowsExamples() throws {
        for command in [["--help"], ["validate", "--help"], ["doctor", "--help"]] {
            let result = try Run.ballast(command)
            #expect(result.status == 0)
            #expect(result.stdout.contains("EXAMPLES:"), "\(command)")
        }
    }

    @Test func doctorShowsRepositoryRevisionAndEnvironments() throws {
        let (repo, old) = try repository()
        try repo.commit(["desired-state/prod/environment.yaml": """
            region: eu-west-1
            account: "123456789012"
            changeWindows: [{days: [Sat, Sun], start: "02:00", end: "04:00"}]

            """, "desired-state/prod/logs.yaml": Fixture.logGroup("/aws/app", days: 7)], message: "fix")
        let result = try Run.ballast(["doctor", "--no-aws", "--repo", repo.path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("repository   \(repo.path)\n"))
        #expect(result.stdout.contains("  fix\n"), "revision line carries the commit summary")
        #expect(result.stdout.contains("    region         eu-west-1\n"))
        #expect(result.stdout.contains("    change windows Sun,Sat 02:00-04:00 UTC\n"))
        let older = try Run.ballast(["doctor", "--no-aws", "--repo", repo.path, "--revision", old + "~0"])
        #expect(older.status == 0)
        let bad = try Run.ballast(["doctor", "--no-aws", "--repo", repo.path, "--revision", "HEAD~1"])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("problem: 1 mistake(s) in the desired state"))
    }

    @Test func theExampleDesiredStateIsValid() throws {
        // The repository's own example, read from the working tree of this checkout.
        let root = #filePath.components(separatedBy: "/Tests/").first!
        let result = try Run.ballast(["validate", "--worktree", "--repo", root])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("2 environment(s) (prod, staging)"))
    }

    @Test func doctorShowsCallerIdentityEndpointsAndCredentialSource() throws {
        let moto = MotoServer.shared
        let repo = try TempRepository()
        try repo.commit(["desired-state/prod/environment.yaml": "region: eu-west-1\naccount: \"123456789012\"\n",
                         "desired-state/staging/environment.yaml": "region: eu-west-1\naccount: \"210987654321\"\n"],
                        message: "two accounts")
        let result = try Run.ballast(["doctor", "--repo", repo.path], environment: moto.environment)
        let key = moto.credentials.id
        #expect(
            result.stdout.contains(
                "  credentials  environment variables (AWS_ACCESS_KEY_ID), key "
                    + String(repeating: "*", count: key.count - 4) + key.suffix(4) + "\n"))
        #expect(
            result.stdout.contains(
                "  identity     arn:aws:iam::123456789012:user/ballast-tests (account 123456789012)\n"))
        #expect(result.stdout.contains("  endpoints    (eu-west-1)\n"))
        #expect(
            result.stdout.contains(
                "    Lambda                   \(MotoServer.unauthenticated.endpoint) (AWS_ENDPOINT_URL_LAMBDA)\n"))
        #expect(result.stdout.contains("    DynamoDB                 \(moto.endpoint) (AWS_ENDPOINT_URL)\n"))
        #expect(
            result.stdout.contains(
                "  problem      environment staging is guarded to account 210987654321, but the credentials are "
                    + "for 123456789012"
            ))
        #expect(result.status == 1, "a mismatched account guard is a problem")
        #expect(!result.stdout.contains(moto.credentials.secret) && !result.stderr.contains(moto.credentials.secret),
                "no secret in any output")
        let prodOnly = try Run.ballast(["doctor", "--repo", repo.path, "--env", "prod"], environment: moto.environment)
        #expect(prodOnly.status == 0, "\(prodOnly.stdout)\(prodOnly.stderr)")
    }

    @Test func doctorWithoutCredentialsSaysWhatItTried() throws {
        let (repo, old) = try repository()
        let result = try Run.ballast(
            ["doctor", "--repo", repo.path, "--revision", old],
            environment: [
                "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "",
                "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent",
                "AWS_ROLE_ARN": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
            ])
        #expect(result.status == 1)
        #expect(
            result.stdout.contains("  credentials  problem: no AWS credentials found; tried environment variables"))
    }

    // MARK: Repository edge cases: each is a mistake with its place, never a silent pass.

    @Test func noEnvironmentFolderIsAnErrorNotACleanReport() throws {
        let repo = try TempRepository()
        try repo.commit(["desired-state/README.md": "nothing yet\n"], message: "empty")
        let result = try Run.ballast(["validate", "--repo", repo.path])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "error: no environments under desired-state/: add a folder per environment, each with an "
                    + "environment.yaml\n"
        )
        // A symbolic link where the folder should be is named.
        try FileManager.default.createSymbolicLink(
            atPath: repo.path + "/desired-state/prod", withDestinationPath: "/tmp")
        try repo.git(["add", "-A"])
        try repo.git(["commit", "-q", "-m", "a link"])
        let linked = try Run.ballast(["drift", "--repo", repo.path])
        #expect(linked.status == 1)
        #expect(linked.stderr.contains("no environments under desired-state/"))
        #expect(linked.stderr.contains("(desired-state/prod is a symbolic link)"))
    }

    @Test func bothEnvironmentYamlAndYmlIsAMistake() throws {
        let repo = try TempRepository()
        try repo.commit(["desired-state/prod/environment.yaml": Fixture.environment,
                         "desired-state/prod/environment.yml": "region: eu-west-1\n"], message: "two")
        let result = try Run.ballast(["validate", "--repo", repo.path])
        #expect(result.status == 1)
        #expect(
            result.stdout.hasPrefix(
                "desired-state/prod/environment.yml: both desired-state/prod/environment.yaml and "
                    + "desired-state/prod/environment.yml exist; keep one\n"))
    }

    @Test func aSubmoduleUnderDesiredStateIsAMistakeAndNotAnUncommittedChange() throws {
        let inner = try TempRepository()
        try inner.commit(["prod/logs.yaml": Fixture.logGroup("/aws/app", days: 7)], message: "vendored")
        let repo = try TempRepository()
        try repo.commit(["desired-state/prod/environment.yaml": Fixture.environment], message: "env")
        try repo.git([
            "-c", "protocol.file.allow=always", "submodule", "add", "-q", inner.path, "desired-state/vendored",
        ])
        try repo.git(["commit", "-q", "-m", "submodule"])
        let result = try Run.ballast(["validate", "--repo", repo.path])
        #expect(result.status == 1)
        #expect(
            result.stdout.hasPrefix(
                "desired-state/vendored: not read: it is a submodule; ballast reads the YAML files "
                    + "in this repository itself\n"))
        #expect(!result.stderr.contains("uncommitted"), "\(result.stderr)")
    }

    @Test func aHugeUntrackedFileIsNotReadToSayTheTreeDiffers() throws {
        let (repo, _) = try repository()
        try repo.commit(["desired-state/prod/logs.yaml": Fixture.logGroup("/aws/app", days: 7)], message: "fixed")
        let huge = repo.path + "/desired-state/prod/huge.yaml"
        #expect(FileManager.default.createFile(atPath: huge, contents: nil))
        #expect(truncate(huge, 2 << 30) == 0)  // 2 GiB, sparse: cheap to make, costly to read
        // Run under a Python parent that reports its one child's peak memory (KiB): the test
        // process's own RUSAGE_CHILDREN counts every child it ever waited for (moto servers too).
        let measure = "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
            + "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        let result = try Run.process("/usr/bin/env", ["python3", "-c", measure, Run.ballastBinary, "validate",
                                                      "--repo", repo.path], environment: environment)
        var lines = result.stderr.split(separator: "\n").map(String.init)
        let peak = Int(lines.popLast() ?? "") ?? Int.max
        #expect(result.status == 0)
        #expect(lines.joined(separator: "\n") + "\n" == "note: the working tree has uncommitted changes in "
            + "desired-state/prod/huge.yaml; they are not read (pass --worktree to read them)\n")
        // ballast's peak memory: it never held the file.
        #expect(peak < 512 * 1024, "peak RSS \(peak) KiB")
        let worktree = try Run.ballast(["validate", "--repo", repo.path, "--worktree"])
        #expect(worktree.status == 1)
        #expect(worktree.stdout.hasPrefix("desired-state/prod/huge.yaml: not read: it is 2147483648 bytes, over the "
            + "16777216-byte limit for a file"))
    }

    @Test func aRevisionBeyondAShallowClonesDepthSaysHowToDeepen() throws {
        let (repo, _) = try repository()
        try repo.commit(["desired-state/prod/logs.yaml": Fixture.logGroup("/aws/app", days: 14)], message: "third")
        let shallow = try TempRepository()
        try FileManager.default.removeItem(atPath: shallow.path)
        _ = try Run.process(
            "/usr/bin/env", ["git", "clone", "-q", "--depth", "1", "file://" + repo.path, shallow.path])
        let result = try Run.ballast(["validate", "--repo", shallow.path, "--revision", "HEAD~2"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("which is a shallow clone (it has only part of the history): fetch more with "
            + "`git fetch --deepen=50` or `git fetch --unshallow`"))
    }

    /// The alias bomb from the issue: 2 KB in a policy test's `change.set`, 9^9 nodes expanded.
    @Test func anAliasBombInAPolicyTestIsAMistakeAtItsPlace() throws {
        var bomb = "    change:\n      type: AWS::Logs::LogGroup\n      id: /aws/x\n      set:\n"
        bomb += "        /A0: {from: 1, to: &a0 [x, x, x, x, x, x, x, x, x]}\n"
        for level in 1...8 {
            bomb +=
                "        /A\(level): {from: 1, to: &a\(level) ["
                + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]}\n"
        }
        let repo = try TempRepository()
        try repo.commit(
            [
                "desired-state/prod/environment.yaml": Fixture.environment,
                "policies/p.yaml": "policies:\n  - {id: p, severity: deny, on: change, assert: \"true\"}\n"
                    + "tests:\n  - name: bomb\n    policy: p\n" + bomb + "    expect: pass\n",
            ], message: "bomb")
        let result = try Run.ballast(["validate", "--repo", repo.path])
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("policies/p.yaml:15:33: "))
        #expect(result.stdout.contains(": aliases expand this file past 100000 nodes"))
    }
}
