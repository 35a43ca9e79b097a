import BallastAWS
import BallastCore
import Foundation

/// Capacity kinds: Auto Scaling groups, ECS services, scalable targets, Lambda.
extension LiveSeeder {
    func autoScalingGroup(_ name: String, _ p: [String: Value]) async throws {
        try await tolerant {
            _ = try await client.query(.autoScaling, "CreateLaunchConfiguration", [
                "LaunchConfigurationName": "ballast-seed", "ImageId": "ami-12c6146b", "InstanceType": "t3.micro"])
        }
        var parameters = ["AutoScalingGroupName": name, "LaunchConfigurationName": "ballast-seed",
                          "AvailabilityZones.member.1": client.region + "a"]
        for key in ["MinSize", "MaxSize", "DesiredCapacity"] { parameters[key] = p[key]?.plain }
        parameters["MinSize"] = parameters["MinSize"] ?? "0"
        parameters["MaxSize"] = parameters["MaxSize"] ?? max(parameters["DesiredCapacity"] ?? "1", "1")
        try await tolerant { _ = try await client.query(.autoScaling, "CreateAutoScalingGroup", parameters) }
    }

    func ecsService(_ id: String, _ p: [String: Value]) async throws {
        let parts = id.split(separator: "/").map(String.init)
        _ = try await client.json(.ecs, "CreateCluster", .map(["clusterName": .string(parts[0])]))
        _ = try await client.json(.ecs, "RegisterTaskDefinition", .map([
            "family": "ballast-seed",
            "containerDefinitions": .list([.map(["name": "app", "image": "nginx", "memory": .int(128)])]),
        ]))
        try await tolerant {
            _ = try await client.json(.ecs, "CreateService", .map([
                "cluster": .string(parts[0]), "serviceName": .string(parts[1]), "taskDefinition": "ballast-seed",
                "desiredCount": p["DesiredCount"] ?? .int(1),
            ]))
        }
    }

    func scalableTarget(_ id: String, _ p: [String: Value]) async throws {
        let segments = id.split(separator: "/").map(String.init)
        try await tolerant {
            _ = try await client.json(.applicationAutoScaling, "RegisterScalableTarget", .map([
                "ServiceNamespace": .string(segments[0]),
                "ResourceId": .string(segments.dropFirst().dropLast().joined(separator: "/")),
                "ScalableDimension": .string(segments.last!),
                "MinCapacity": p["MinCapacity"] ?? .int(1), "MaxCapacity": p["MaxCapacity"] ?? .int(1),
            ]))
        }
    }

    func lambdaFunction(_ name: String, _ p: [String: Value]) async throws {
        try await ensureFunction(name, memory: p["MemorySize"], timeout: p["Timeout"])
        if let reserved = p["ReservedConcurrentExecutions"] {
            _ = try await client.restJSON(.lambda, "PutFunctionConcurrency", method: "PUT",
                                          segments: ["2017-10-31", "functions", name, "concurrency"],
                                          body: .map(["ReservedConcurrentExecutions": reserved]))
        }
    }

    /// A function with an empty zip, its role created on first use.
    func ensureFunction(_ name: String, memory: Value? = nil, timeout: Value? = nil) async throws {
        let roleArn = "arn:aws:iam::\(account):role/ballast-seed"
        try await tolerant {
            _ = try await client.query(Self.iam, "CreateRole", [
                "RoleName": "ballast-seed",
                "AssumeRolePolicyDocument": #"{"Version":"2012-10-17","Statement":[]}"#])
        }
        // The smallest valid zip: an end-of-central-directory record.
        let zip = Data([0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)).base64EncodedString()
        var function: [String: Value] = ["FunctionName": .string(name), "Runtime": "python3.12", "Handler": "index.handler",
                                         "Role": .string(roleArn), "Code": .map(["ZipFile": .string(zip)])]
        function["MemorySize"] = memory
        function["Timeout"] = timeout
        try await tolerant {
            _ = try await client.restJSON(.lambda, "CreateFunction", method: "POST", segments: ["2015-03-31", "functions"],
                                          body: .map(function))
        }
    }
}

extension LiveSeeder {
    /// `FUNCTION:ALIAS`: the function, a published version and the alias on it, then its provisioned
    /// concurrency (the Lambda stand-in's), waited for until READY as a deployment would.
    func lambdaAlias(_ id: String, _ p: [String: Value]) async throws {
        let parts = id.split(separator: ":").map(String.init)
        let (function, alias) = (parts[0], parts.count > 1 ? parts[1] : "live")
        try await ensureFunction(function)
        let aliases = ["2015-03-31", "functions", function, "aliases"]
        if (try? await client.restJSON(.lambda, "GetAlias", method: "GET", segments: aliases + [alias])) == nil {
            let version = try await client.restJSON(.lambda, "PublishVersion", method: "POST",
                                                    segments: ["2015-03-31", "functions", function, "versions"],
                                                    body: .map([:]))
            _ = try await client.restJSON(.lambda, "CreateAlias", method: "POST", segments: aliases,
                                          body: ["Name": .string(alias), "FunctionVersion": version["Version"] ?? "1"])
        }
        guard let executions = p["ProvisionedConcurrencyConfig"]?["ProvisionedConcurrentExecutions"] else { return }
        let path = ["2019-09-30", "functions", function, "provisioned-concurrency"]
        _ = try await client.restJSON(.lambda, "PutProvisionedConcurrencyConfig", method: "PUT", segments: path,
                                      query: [("Qualifier", alias)],
                                      body: ["ProvisionedConcurrentExecutions": executions])
        for _ in 0..<50 {
            let config = try await client.restJSON(.lambda, "GetProvisionedConcurrencyConfig", method: "GET",
                                                   segments: path, query: [("Qualifier", alias)])
            if config["Status"]?.string != "IN_PROGRESS" { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
