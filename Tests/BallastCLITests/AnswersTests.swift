import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Answers that never mislead: a plan that read nothing never says "No changes", an apply that did every
/// write it could says why its outcome is partial, a mistyped command gets the nearest name.
@Suite struct AnswersTests {
    @Test func aPlanThatReadNothingSaysSoNotNoChanges() throws {
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::Logs::LogGroup, id: /answers/a, properties: "
                + "{RetentionInDays: 30}}\n  - {type: AWS::Logs::LogGroup, id: /answers/b, properties: "
                + "{RetentionInDays: 30}}\n"
        )
        let offline = ["AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"]
        let plan = try repo.ballast(["plan"], offline)
        #expect(plan.status == 1, "\(plan.stdout)\(plan.stderr)")
        #expect(!plan.stdout.contains("No changes"), "\(plan.stdout)")
        #expect(plan.stdout.contains("Nothing could be read (2 resources not checked, the reason above): no plan can "
            + "be made"), "\(plan.stdout)")
        // The comment says a reason many resources share once, not once a row.
        let markdown = try repo.ballast(["drift", "--output", "markdown"], offline)
        #expect(markdown.stdout.components(separatedBy: "resources not checked: `").count == 2, "\(markdown.stdout)")
        #expect(markdown.stdout.components(separatedBy: "not checked (the reason above)").count == 3,
                "\(markdown.stdout)")
        #expect(!markdown.stdout.contains("Not checked: `"), "\(markdown.stdout)")
    }

    @Test func aMistypedCommandGetsTheNearestName() throws {
        let run = try Run.ballast(["drfit"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("unknown command 'drfit' (did you mean drift?); commands: validate, drift"),
                "\(run.stderr)")
        let option = try Run.ballast(["drift", "--outptu", "json"])
        #expect(option.status == 1 && option.stderr.contains("Did you mean '--output'?"), "\(option.stderr)")
    }

    /// Every write made, one resource gone: the outcome is partial (exit 1), and the line says why.
    @Test func aPartialApplySaysWhatItCouldNotDo() async throws {
        let group = "/answers/" + uniqueName("ok")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: "\(group)", properties: {RetentionInDays: 30}}
              - {type: AWS::Logs::LogGroup, id: "/answers/\(uniqueName("gone"))", properties: {RetentionInDays: 30}}

            """)
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
        #expect(
            apply.stdout.contains(
                "Apply: 1 of 1 changes applied, 1 verified by reading them back; outcome partial: "
                    + "every write was made; 1 resource cannot be fixed (it does not exist; ballast does not "
                    + "create resources)."
            ),
            "\(apply.stdout)")
    }

    @Test func theReadPlanNeverSaysAtLeastZeroSeconds() throws {
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: /answers/one, properties: "
            + "{RetentionInDays: 30}}\n")
        let run = try repo.ballast(["drift", "--dry-run-reads"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(!run.stdout.contains("at least 0.0 s"), "\(run.stdout)")
        #expect(run.stdout.contains("the burst allowances cover every call: no wait for pacing"), "\(run.stdout)")
    }
}
