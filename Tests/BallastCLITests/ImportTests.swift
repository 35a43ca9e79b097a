import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `ballast import --from-live`: "we changed it by hand during the incident; make git the truth".
@Suite struct ImportTests {
    @Test func aGlobAdoptsWhatIsLiveSortedAndInSyncAndNothingIsOverwritten() async throws {
        let folder = "/import/" + uniqueName("svc") + "/"
        for (name, days) in [("b-api", 14), ("a-worker", 7), ("c-cron", 30)] {
            try await seeder().create("AWS::Logs::LogGroup", id: folder + name, ["RetentionInDays": .int(days)])
        }
        try await seeder().create("AWS::Logs::LogGroup", id: folder + "other/x", ["RetentionInDays": 1])
        let repo = try TempRepository()
        try repo.commit(["desired-state/test/environment.yaml": "region: us-east-1\n"], message: "environment")
        func importing(_ extra: [String] = []) throws -> Run.Result {
            try repo.ballast(["import", "--env", "test", "--from-live", "--type", "AWS::Logs::LogGroup",
                              "--id", folder + "?-*"] + extra)
        }
        let first = try importing()
        #expect(first.status == 0, "\(first.stderr)")
        let file = repo.path + "/desired-state/test/logs-log-group.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text == """
            # Imported by ballast import from live values (us-east-1).
            # Every property ballast owns is as it was when imported: edit, commit, and ballast keeps it so.
            resources:
              # from \(folder)a-worker
              - type: AWS::Logs::LogGroup
                id: "\(folder)a-worker"
                properties:
                  RetentionInDays: 7
              # from \(folder)b-api
              - type: AWS::Logs::LogGroup
                id: "\(folder)b-api"
                properties:
                  RetentionInDays: 14
              # from \(folder)c-cron
              - type: AWS::Logs::LogGroup
                id: "\(folder)c-cron"
                properties:
                  RetentionInDays: 30

            """)
        #expect(try repo.ballast(["drift", "--worktree"]).status == 0)
        // The file exists now: nothing is written over it without --force, and --force writes the same bytes.
        try FileManager.default.removeItem(atPath: file)
        try "resources: []\n".write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try importing()
        #expect(refused.status == 1
            && refused.stderr.contains("exists; import writes nothing over a file unless --force"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "resources: []\n")
        #expect(try importing(["--force"]).status == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == text)
    }

    /// A resource is one name in one region: the same log group name declared in another region of the
    /// environment (a per-resource `region:`) is another resource, so the home region's is imported.
    @Test func aNameDeclaredInAnotherRegionIsAnotherResource() async throws {
        let name = "/import/" + uniqueName("regional")
        try await seeder().create("AWS::Logs::LogGroup", id: name, ["RetentionInDays": 7])
        let repo = try TempRepository()
        try repo.commit(["desired-state/test/environment.yaml": "region: us-east-1\n",
                         "desired-state/test/regional.yaml": """
                            resources:
                              - {type: AWS::Logs::LogGroup, id: "\(name)", region: eu-west-1, properties: {RetentionInDays: 30}}

                            """], message: "the name in eu-west-1")
        let result = try repo.ballast(["import", "--env", "test", "--from-live", "--type", "AWS::Logs::LogGroup",
                                       "--id", name])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!result.stderr.contains("declared already"), "\(result.stderr)")
        let text = try? String(contentsOfFile: repo.path + "/desired-state/test/logs-log-group.yaml", encoding: .utf8)
        #expect(text?.contains("id: \"\(name)\"") == true && text?.contains("RetentionInDays: 7") == true)
        let validate = try repo.ballast(["validate", "--worktree"])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
    }

    /// Queues listed by a name prefix (ListQueues), their owned attributes read and written as
    /// numbers and the redrive policy as a mapping, in sync with live straight after.
    @Test func queuesAreAdoptedByAGlob() async throws {
        let prefix = uniqueName("import-queue")
        let dlq = "arn:aws:sqs:us-east-1:123456789012:\(prefix)-dlq"
        let redrive: Value = ["maxReceiveCount": 4, "deadLetterTargetArn": .string(dlq)]
        try await seeder().create("AWS::SQS::Queue", id: prefix + "-a",
                                  ["VisibilityTimeout": 45, "RedrivePolicy": redrive])
        try await seeder().create("AWS::SQS::Queue", id: prefix + "-b", ["DelaySeconds": 7])
        let repo = try TempRepository()
        try repo.commit(["desired-state/test/environment.yaml": "region: us-east-1\n"], message: "environment")
        let result = try repo.ballast(["import", "--env", "test", "--from-live", "--type", "AWS::SQS::Queue",
                                       "--id", prefix + "-?"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let text = try String(contentsOfFile: repo.path + "/desired-state/test/sqs-queue.yaml", encoding: .utf8)
        #expect(text.contains("id: \"\(prefix)-a\"") && text.contains("id: \"\(prefix)-b\""))
        #expect(!text.contains("\(prefix)-dlq\"\n"), "the glob names two queues, not the dead-letter one")
        #expect(text.contains("VisibilityTimeout: 45") && text.contains("DelaySeconds: 7"))
        #expect(text.contains(#""maxReceiveCount":4"#), "the redrive policy as a mapping")
        let drift = try repo.ballast(["drift", "--worktree"])
        #expect(drift.status == 0, "\(drift.stdout)\(drift.stderr)")
    }

    @Test func mistakesInTheRequestAreErrorsBeforeAnyCall() throws {
        let repo = try TempRepository()
        try repo.commit(["desired-state/test/environment.yaml": "region: us-east-1\n"], message: "environment")
        let cases: [([String], String)] = [
            (["--from-live", "--type", "AWS::Logs::LogGroup"], "--from-live needs --type TYPE and --id ID"),
            (["--from-live", "--type", "AWS::SNS::Topic", "--id", "x"], "ballast has no kind AWS::SNS::Topic"),
            (["--from-terraform", "a", "--from-cloudformation", "b"], "give one source"),
            (["--from-terraform", "/nonexistent/terraform.tfstate"],
                "cannot read the Terraform state /nonexistent/terraform.tfstate"),
            (["--from-live", "--type", "AWS::KMS::Key", "--id", "alias/*"], "--id with wildcards needs a listing"),
        ]
        for (arguments, message) in cases {
            let result = try repo.ballast(["import", "--env", "test"] + arguments)
            #expect(result.status != 0)
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        let noEnvironment = try repo.ballast(["import", "--env", "prod", "--from-live", "--type",
            "AWS::Logs::LogGroup", "--id", "x"])
        #expect(noEnvironment.status == 1
            && noEnvironment.stderr.contains("unknown environment 'prod'; environments: test"))
    }

    /// An environment whose environment.yaml has a mistake is not "missing": import says the
    /// mistake where it is (the Terraform benchmark once met only "no environment bench").
    @Test func anEnvironmentThatDoesNotLoadSaysWhy() throws {
        let repo = try TempRepository()
        try repo.commit(["desired-state/bench/environment.yaml":
                            "region: us-east-1\nterraform:\n  states: [\"/elsewhere/terraform.tfstate\"]\n"],
                        message: "environment")
        let result = try repo.ballast(["import", "--env", "bench", "--from-terraform", "/elsewhere/terraform.tfstate"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("desired-state/bench/environment.yaml:3:12: a Terraform state is a path "
            + "relative to the repository's root"), "\(result.stdout)\(result.stderr)")
        #expect(!result.stderr.contains("no environment bench"), "\(result.stderr)")
    }
}
