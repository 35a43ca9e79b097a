import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Policy results as SARIF and markdown, and `ballast policy test`.
@Suite struct PolicyOutputTests {
    static let policies = """
        policies:
          - id: log-retention-minimum
            description: Logs are kept at least 14 days
            severity: deny
            match: {type: AWS::Logs::LogGroup}
            assert: properties.RetentionInDays >= 14
        waivers:
          - {policy: log-retention-minimum, id: "/ballast/debug-*", until: 2999-12-31, reason: debug logs are short-lived}

        """

    /// Two log groups live at 30 days: one desired at 7 (denied), one debug group at 7 (waived);
    /// and a third, desired at 30, that does not exist.
    func repository() async throws -> (TempRepository, denied: String, waived: String) {
        let denied = "/ballast/" + uniqueName("sarif"), waived = "/ballast/debug-" + uniqueName("sarif")
        for group in [denied, waived] { try await seeder().create("AWS::Logs::LogGroup", id: group,
            ["RetentionInDays": 30]) }
        let repo = try TempRepository()
        let missing = Fixture.logGroup("/ballast/" + uniqueName("never-made"),
            days: 30).replacingOccurrences(of: "resources:\n", with: "")
        _ = try repo.commit(["desired-state/test/environment.yaml": Fixture.environment,
                             "desired-state/test/logs.yaml": Fixture.logGroup(denied, days: 7)
                                 + Fixture.logGroup(waived, days: 7)
                                .replacingOccurrences(of: "resources:\n", with: "") + missing,
                             "policies/p.yaml": Self.policies], message: "desired")
        return (repo, denied, waived)
    }

    @Test func sarifOfPlanValidateAndDriftMatchesTheSchemaAndPointsAtTheYAMLLines() async throws {
        let (repo, denied, waived) = try await repository()
        let plan = try repo.ballast(["plan", "--output", "sarif"])
        #expect(plan.status == 3)
        try SARIFSchema.validate(plan.stdout)
        let run = try #require(try JSON.parse(plan.stdout)["runs"]?[0])
        let all = run["results"]?.list ?? []
        // Both groups go from 30 days to 7: each write is also a destructive-change warning, after the policies.
        let results = all.filter { $0["ruleId"] != "ballast/destructive-change" }
        #expect(results.count == 2)  // the passing policy results are not findings
        #expect(all.count == 4 && all.suffix(2).allSatisfy { $0["level"] == "warning" }, "\(all)")
        let deniedResult = try #require(results.first { $0["message"]?["text"]?.string?.contains(denied + " ")
            == true })
        #expect(deniedResult["ruleId"] == "log-retention-minimum")
        #expect(deniedResult["level"] == "error")
        #expect(
            deniedResult["locations"]?[0]?["physicalLocation"]
                == [
                    "artifactLocation": ["uri": "desired-state/test/logs.yaml"],
                    "region": ["startLine": 2, "startColumn": 5],
                ])
        #expect(deniedResult["suppressions"] == nil)
        let waivedResult = try #require(results.first { $0["message"]?["text"]?.string?.contains(waived) == true })
        #expect(waivedResult["suppressions"]?[0]?["kind"] == "external")
        #expect(
            waivedResult["suppressions"]?[0]?["justification"]?.string?.hasPrefix("debug logs are short-lived")
                == true)
        #expect(
            run["tool"]?["driver"]?["rules"]?[0]?["shortDescription"] == ["text": "Logs are kept at least 14 days"])

        // validate: the same finding without AWS, and a mistake at its line and column.
        _ = try repo.commit(
            [
                "desired-state/test/bad.yaml":
                    "resources:\n  - {type: AWS::Logs::LogGroup, id: x, properties: {RetentionInDays: 8}}\n"
            ],
            message: "a mistake")
        let validate = try repo.ballast(["validate", "--output", "sarif"])
        #expect(validate.status == 1)
        try SARIFSchema.validate(validate.stdout)
        let mistake = try #require(try JSON.parse(validate.stdout)["runs"]?[0]?["results"]?[0])
        #expect(mistake["ruleId"] == "ballast/invalid-file")
        #expect(mistake["locations"]?[0]?["physicalLocation"]?["region"] == ["startLine": 2, "startColumn": 70])

        // drift: each differing property at the line that declares it.
        let drift = try repo.ballast(["drift", "--output", "sarif", "--revision", "HEAD~1"])
        #expect(drift.status == 2)
        try SARIFSchema.validate(drift.stdout)
        let drifted = try JSON.parse(drift.stdout)["runs"]?[0]?["results"]?.list ?? []
        #expect(drifted.map { $0["ruleId"]?.string ?? "" } == ["ballast/drift", "ballast/drift", "ballast/deleted"])
        // The RetentionInDays lines for drift, the resource's line for the one that does not exist.
        #expect(drifted.map { $0["locations"]?[0]?["physicalLocation"]?["region"]?["startLine"] } == [5, 9, 10])
    }

    @Test func aDeniedPlanAsAPullRequestCommentListsTheDenialAndTheWaiver() async throws {
        let (repo, denied, waived) = try await repository()
        let markdown = try repo.ballast(["plan", "--output", "markdown"])
        #expect(markdown.status == 3)
        #expect(markdown.stdout.contains("**test**: 2 to change, 1 missing, 1 denied by policy · `"),
            "\(markdown.stdout)")
        #expect(markdown.stdout.contains("**Blocked**: a deny policy fails"))
        #expect(markdown.stdout.contains("#### Policies: 1 denied, 0 warnings, 1 waived, 1 passed"))
        #expect(
            markdown.stdout.contains(
                "| ⛔ deny | `log-retention-minimum` | `AWS::Logs::LogGroup \(denied)` (`test`) | Logs are kept "
                    + "at least 14 days |"
            ))
        #expect(
            markdown.stdout.contains(
                "| waived | `log-retention-minimum` | `AWS::Logs::LogGroup \(waived)` (`test`) | Logs are kept "
                    + "at least 14 days — waived\\: debug logs are short\\-lived"
            ))
    }

    @Test func theDefaultPoliciesPassTheirOwnTests() throws {
        let root = FileManager.default.currentDirectoryPath + "/policies"
        var files: [String: String] = ["desired-state/prod/environment.yaml": Fixture.environment]
        for name in try FileManager.default.contentsOfDirectory(atPath: root) where name.hasSuffix(".yaml") {
            files["policies/" + name] = try String(contentsOfFile: root + "/" + name, encoding: .utf8)
        }
        let repo = try TempRepository()
        _ = try repo.commit(files, message: "the default policies")
        let result = try repo.ballast(["policy", "test"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("policy tests: ") && result.stdout.contains(" passed, 0 failed"))
        #expect(!result.stdout.contains("policies without a test"), "every default policy has tests")
        let report = try JSON.parse(try repo.ballast(["policy", "test", "--output", "json"]).stdout)
        let tested = Set((report["tests"]?.list ?? []).compactMap { $0["policy"]?.string })
        let declared = files.values.flatMap { text in
            text.split(separator: "\n").filter { $0.hasPrefix("  - id: ") }.map { String($0.dropFirst(8)) }
        }
        #expect(tested == Set(declared) && declared.count >= 11, "\(tested) \(declared)")
        #expect(Set((report["tests"]?.list ?? []).compactMap { $0["actual"]?.string }) == ["pass", "fail", "skip"])
    }

    @Test func aPolicyTestThatGetsAnotherResultFailsAndSaysWhat() throws {
        let repo = try TempRepository()
        _ = try repo.commit(["desired-state/test/environment.yaml": Fixture.environment, "policies/p.yaml": Self.policies.replacingOccurrences(of: "waivers:", with: """
              - {id: kms-rotation, severity: warn, match: {type: AWS::KMS::Key}, assert: properties.EnableKeyRotation}
            waivers:
            """) + """
            tests:
              - name: two weeks pass
                policy: log-retention-minimum
                resource: {type: AWS::Logs::LogGroup, id: /app, properties: {RetentionInDays: 14}}
                expect: pass
              - name: a week passes (wrongly expected)
                policy: log-retention-minimum
                resource: {type: AWS::Logs::LogGroup, id: /app, properties: {RetentionInDays: 7}}
                expect: pass
              - name: a debug group is waived
                policy: log-retention-minimum
                resource: {type: AWS::Logs::LogGroup, id: /ballast/debug-1, properties: {RetentionInDays: 7}}
                expect: waived

            """], message: "tests")
        let result = try repo.ballast(["policy", "test"])
        #expect(result.status == 1)
        #expect(result.stdout == """
            ok    log-retention-minimum: two weeks pass
            FAIL  log-retention-minimum: a week passes (wrongly expected)
                  expected pass, got fail: Logs are kept at least 14 days (policies/p.yaml:15:5)
            ok    log-retention-minimum: a debug group is waived
            policy tests: 2 passed, 1 failed
            policies without a test: kms-rotation

            """)
    }

    @Test func aPolicyTestWithMistakesRunsNothingAndNamesEachMistake() throws {
        let repo = try TempRepository()
        _ = try repo.commit(["desired-state/test/environment.yaml": Fixture.environment, "policies/p.yaml": Self.policies + """
            tests:
              - name: misspelt
                policy: log-retention-minimun
                change: {type: AWS::Logs::LogGroup, id: /app, set: {RetentionInDays: {to: 1}}}
                expect: maybe
              - name: a state policy given a change
                policy: log-retention-minimum
                change: {type: AWS::Logs::LogGroup, id: /app, set: {/RetentionInDays: {from: 30, to: 7}}}
                expect: fail

            """], message: "broken tests")
        let result = try repo.ballast(["policy", "test"])
        #expect(result.status == 1)
        #expect(result.stdout == """
            policies/p.yaml:11:13: the test names an unknown policy 'log-retention-minimun' (did you mean log-retention-minimum?)
            policies/p.yaml:12:57: a property path starts with '/', like /RetentionInDays
            policies/p.yaml:13:13: expect must be one of pass, fail, error, waived, skip, found 'maybe'
            policies/p.yaml:16:13: 'log-retention-minimum' runs on the desired state; give the test a 'resource', not a 'change'

            """)
        #expect(result.stderr.contains("4 mistake(s) in the policy files"))
        #expect(try repo.ballast(["validate"]).status == 1)  // validate reports them too
    }
}

/// Validates a document against the SARIF 2.1.0 JSON schema (Tests/BallastCLITests/SARIF, from
/// OASIS) with Python's jsonschema, which scripts/install-deps.sh provides.
enum SARIFSchema {
    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("SARIF/sarif-schema-2.1.0.json").path

    static func validate(_ document: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-\(UUID().uuidString).sarif")
        try document.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
            errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(json.load(open(sys.argv[2])))]
            print("\\n".join(errors)); sys.exit(1 if errors else 0)
            """
        let result = try Run.process(python(), ["-c", script, schema, file.path])
        #expect(result.status == 0, "SARIF schema violations:\n\(result.stdout)\(result.stderr)")
    }

    /// The project's virtualenv when install-deps made one, else python3 on PATH.
    static func python() -> String {
        let venv = FileManager.default.currentDirectoryPath + "/.build-tools/venv/bin/python3"
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        return path.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/python3"
    }
}
