import BallastAWS
import BallastCore
import Foundation

/// `AWS::AutoScaling::AutoScalingGroup` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let autoScalingGroup = KindMaterial(
        type: "AWS::AutoScaling::AutoScalingGroup",
        seed: {
            try await $0.autoScalingGroup($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { uniqueName("asg") },
            live: ["MinSize": 1, "MaxSize": 8, "DesiredCapacity": 8],
            desired: "{MinSize: 2, MaxSize: 4, DesiredCapacity: {within: [2, 4]}}"),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::AutoScaling::AutoScalingGroup", "bench-asg-\(i)",
                ["MinSize": 0, "MaxSize": 4, "DesiredCapacity": 0],
                "{MinSize: 0, MaxSize: \(d ? 6 : 4), DesiredCapacity: {within: [0, 4]}}", drifted: d)
        })
}

extension LiveSeeder {
    func autoScalingGroup(_ name: String, _ p: [String: Value]) async throws {
        try await tolerant {
            _ = try await client.query(
                .autoScaling, "CreateLaunchConfiguration",
                [
                    "LaunchConfigurationName": "ballast-seed", "ImageId": "ami-12c6146b", "InstanceType": "t3.micro",
                ])
        }
        var parameters = [
            "AutoScalingGroupName": name, "LaunchConfigurationName": "ballast-seed",
            "AvailabilityZones.member.1": client.region + "a",
        ]
        for key in ["MinSize", "MaxSize", "DesiredCapacity"] { parameters[key] = p[key]?.plain }
        parameters["MinSize"] = parameters["MinSize"] ?? "0"
        parameters["MaxSize"] = parameters["MaxSize"] ?? max(parameters["DesiredCapacity"] ?? "1", "1")
        try await tolerant { _ = try await client.query(.autoScaling, "CreateAutoScalingGroup", parameters) }
    }
}
