import BallastCore
import BallastEngine
import BallastGit
import BallastTestSupport
import Foundation
import Testing

/// A resource's history on the status page: the commits that changed its own declaration, along the
/// first-parent history, whatever else changed in its file or where in the file it moved.
@Suite struct StatusHistoryTests {
    static func file(_ groups: [(String, Int)]) -> String {
        "resources:\n" + groups.map { name, days in
            "  - type: AWS::Logs::LogGroup\n    id: \(name)\n    properties:\n      RetentionInDays: \(days)\n"
        }.joined()
    }

    @Test func aResourcesCommitsAreThoseThatChangedItsBlock() throws {
        let repo = try TempRepository()
        let path = "desired-state/prod/logs.yaml"
        let declared = try repo.commit([path: Self.file([("/a", 7), ("/b", 7)])], message: "declare a and b")
        let onlyB = try repo.commit([path: Self.file([("/a", 7), ("/b", 14)])], message: "b to 14")
        let aLonger = try repo.commit([path: Self.file([("/a", 30), ("/b", 14)])], message: "a to 30")
        // Moved below b, unchanged: not a change of a's.
        let moved = try repo.commit([path: Self.file([("/b", 14), ("/a", 30)])], message: "reorder")
        let git = try GitRepository(discoveringFrom: repo.path)
        let versions = try git.fileVersions(path, from: git.commit("HEAD"))
        #expect(versions.map(\.commit) == [moved, aLonger, onlyB, declared])
        func resource(_ id: String) -> DesiredResource {
            DesiredResource(type: "AWS::Logs::LogGroup", identity: .id(id), region: "us-east-1", environment: "prod",
                            properties: [:], source: SourceLocation(file: path, line: 2, column: 3))
        }
        #expect(StatusHistory.commits(changing: resource("/a"), in: versions).map(\.commit) == [aLonger, declared])
        #expect(StatusHistory.commits(changing: resource("/b"), in: versions).map(\.commit) == [onlyB, declared])
        #expect(StatusHistory.commits(changing: resource("/c"), in: versions).isEmpty)
    }

    @Test func aBlockIsFoundInFlowAndBlockStyleByItsExactId() {
        let text = """
            resources:
              - {type: AWS::Logs::LogGroup, id: /a/b, properties: {RetentionInDays: 7}}
              - type: AWS::Logs::LogGroup
                id: "/a/bc"
                properties:
                  RetentionInDays: 14   # two weeks
                  Tags:
                    - Key: id
                      Value: x

              - type: AWS::SQS::Queue
                id: jobs
            """
        #expect(StatusHistory.block(of: "AWS::Logs::LogGroup", id: "/a/b", in: text)?.count == 1)
        let quoted = StatusHistory.block(of: "AWS::Logs::LogGroup", id: "/a/bc", in: text)
        #expect(quoted?.count == 7 && quoted?.last?.contains("Value: x") == true, "\(quoted ?? [])")
        #expect(StatusHistory.block(of: "AWS::SQS::Queue", id: "jobs", in: text)?.count == 2)
        #expect(StatusHistory.block(of: "AWS::SQS::Queue", id: "job", in: text) == nil)
    }
}
