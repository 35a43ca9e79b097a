@testable import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// A client for the shared moto server, as ballast would build it from the environment.
func motoClient(_ extra: [String: String] = [:], transport: (any HTTPTransport)? = nil) -> AWSClient {
    AWSSetup(environment: MotoServer.shared.environment.merging(extra) { _, new in new }, transport: transport)
        .client(region: "us-east-1")
}

let iam = AWSService(
    serviceId: "IAM", signingName: "iam", endpointPrefix: "iam", apiVersion: "2010-05-08", wire: .query)

@Suite struct MotoProtocolTests {
    @Test func queryProtocolGetCallerIdentity() async throws {
        let result = try await motoClient().query(.sts, "GetCallerIdentity")
        #expect(result.child("Account")?.text == "123456789012")
        #expect(result.child("Arn")?.text.hasPrefix("arn:aws:") == true)
    }

    @Test func jsonOneOnePaginatesDescribeLogGroups() async throws {
        let client = motoClient()
        let prefix = "/ballast/" + uniqueName("pages") + "/"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<120 {
                group.addTask {
                    _ = try await client.json(
                        .logs, "CreateLogGroup", .map(["logGroupName": .string(prefix + "g\(i)")]))
                }
            }
            try await group.waitForAll()
        }
        let pages = try await client.jsonPages(.logs, "DescribeLogGroups",
                                               ["logGroupNamePrefix": .string(prefix), "limit": .int(50)])
        let names = pages.flatMap { $0["logGroups"]?.list ?? [] }.compactMap { $0["logGroupName"]?.string }
        #expect(pages.count == 3)
        #expect(names.count == 120)
        #expect(Set(names).count == 120)
    }

    @Test func jsonOneZeroDescribeTable() async throws {
        let client = motoClient()
        let table = uniqueName("positions")
        _ = try await client.json(.dynamodb, "CreateTable", .map([
            "TableName": .string(table),
            "AttributeDefinitions": .list([.map(["AttributeName": .string("id"), "AttributeType": .string("S")])]),
            "KeySchema": .list([.map(["AttributeName": .string("id"), "KeyType": .string("HASH")])]),
            "ProvisionedThroughput": .map(["ReadCapacityUnits": .int(5), "WriteCapacityUnits": .int(3)]),
        ]))
        let described = try await client.json(.dynamodb, "DescribeTable", .map(["TableName": .string(table)]))
        #expect(described["Table"]?["TableName"]?.string == table)
        #expect(described["Table"]?["ProvisionedThroughput"]?["ReadCapacityUnits"] == .int(5))
    }

    @Test func restJSONGetFunctionConfiguration() async throws {
        let client = motoClient()
        let role = try await client.query(iam, "CreateRole", [
            "RoleName": uniqueName("lambda-role"),
            "AssumeRolePolicyDocument": #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        ])
        let roleArn = try #require(role.first("Arn")?.text)
        let name = uniqueName("vehicle-tracking")
        // The smallest valid zip archive: an empty central directory.
        let emptyZip = Data([0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)).base64EncodedString()
        _ = try await client.restJSON(
            .lambda, "CreateFunction", method: "POST", segments: ["2015-03-31", "functions"],
            body: .map([
                "FunctionName": .string(name), "Runtime": .string("python3.12"), "Role": .string(roleArn),
                "Handler": .string("index.handler"), "Code": .map(["ZipFile": .string(emptyZip)]),
                "MemorySize": .int(256), "Timeout": .int(30),
            ]))
        let configuration = try await client.restJSON(
            .lambda, "GetFunctionConfiguration", method: "GET",
            segments: ["2015-03-31", "functions", name, "configuration"])
        #expect(configuration["FunctionName"]?.string == name)
        #expect(configuration["MemorySize"] == .int(256))
        #expect(configuration["Timeout"] == .int(30))
    }

    @Test func restXMLGetBucketLifecycleConfiguration() async throws {
        let client = motoClient()
        let bucket = uniqueName("frames")
        _ = try await client.restXML(.s3, "CreateBucket", method: "PUT", segments: [bucket])
        let rules = """
            <LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>expire-raw</ID>\
            <Filter><Prefix>raw/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>\
            </LifecycleConfiguration>
            """
        _ = try await client.restXML(
            .s3, "PutBucketLifecycleConfiguration", method: "PUT", segments: [bucket],
            query: [("lifecycle", "")], body: rules)
        let lifecycle = try await client.restXML(
            .s3, "GetBucketLifecycleConfiguration", method: "GET", segments: [bucket],
            query: [("lifecycle", "")])
        #expect(lifecycle.name == "LifecycleConfiguration")
        #expect(lifecycle["Rule", "ID"]?.text == "expire-raw")
        #expect(lifecycle["Rule", "Expiration", "Days"]?.text == "30")
    }

    @Test func queryProtocolPaginatesWithMarker() async throws {
        let client = motoClient()
        let path = "/" + uniqueName("pages") + "/"
        for i in 0..<5 {
            _ = try await client.query(iam, "CreateRole", ["RoleName": uniqueName("role\(i)"), "Path": path,
                                                          "AssumeRolePolicyDocument": #"{"Version":"2012-10-17","Statement":[]}"#])
        }
        let pages = try await client.queryPages(
            iam, "ListRoles", ["PathPrefix": path, "MaxItems": "2"], token: "Marker")
        let roles = pages.flatMap { $0.child("Roles")?.children ?? [] }
        #expect(pages.count == 3)
        #expect(roles.count == 5)
        #expect(roles.allSatisfy { $0.child("Path")?.text == path })
    }

    // MARK: One parsed error per protocol

    @Test func queryErrorIsTyped() async throws {
        let error = await #expect(throws: AWSError.self) {
            _ = try await motoClient().query(.cloudFormation, "DescribeStacks", ["StackName": uniqueName("missing")])
        }
        #expect(error?.service == "CloudFormation")
        #expect(error?.operation == "DescribeStacks")
        #expect(error?.code == "ValidationError")
        #expect(error?.status == 400)
        #expect(error?.message.contains("does not exist") == true)
    }

    @Test func jsonErrorIsTyped() async throws {
        let error = await #expect(throws: AWSError.self) {
            _ = try await motoClient().json(
                .dynamodb, "DescribeTable", .map(["TableName": .string(uniqueName("missing"))]))
        }
        #expect(error?.service == "DynamoDB")
        #expect(error?.code == "ResourceNotFoundException")
        #expect(error?.status == 400)
        #expect(error?.requestId?.isEmpty == false)
    }

    @Test func restJSONErrorIsTyped() async throws {
        let error = await #expect(throws: AWSError.self) {
            _ = try await motoClient().restJSON(
                .lambda, "GetFunctionConfiguration", method: "GET",
                segments: ["2015-03-31", "functions", uniqueName("missing"), "configuration"])
        }
        #expect(error?.service == "Lambda")
        #expect(error?.code == "ResourceNotFoundException")
        #expect(error?.status == 404)
    }

    @Test func restXMLErrorIsTyped() async throws {
        let error = await #expect(throws: AWSError.self) {
            _ = try await motoClient().restXML(.s3, "GetBucketLifecycleConfiguration", method: "GET",
                                               segments: [uniqueName("missing")], query: [("lifecycle", "")])
        }
        #expect(error?.service == "S3")
        #expect(error?.code == "NoSuchBucket")
        #expect(error?.status == 404)
        #expect(error?.description.hasPrefix("S3 GetBucketLifecycleConfiguration failed: NoSuchBucket") == true)
    }

    @Test func endpointsFollowTheSDKOrder() {
        let resolver = EndpointResolver(environment: [
            "AWS_ENDPOINT_URL": "http://a:1/", "AWS_ENDPOINT_URL_DYNAMODB": "http://b:2",
        ])
        #expect(resolver.endpoint(for: .dynamodb, region: "eu-west-1").url == "http://b:2")
        #expect(
            resolver.endpoint(for: .logs, region: "eu-west-1") == .init(url: "http://a:1", source: "AWS_ENDPOINT_URL"))
        #expect(AWSService.logs.endpointVariable == "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS")
        #expect(AWSService.applicationAutoScaling.endpointVariable == "AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING")
        #expect(
            EndpointResolver(environment: [:]).endpoint(for: .logs, region: "eu-west-1").url
                == "https://logs.eu-west-1.amazonaws.com")
    }

    @Test func regionOrder() {
        let setup = AWSSetup(environment: ["AWS_DEFAULT_REGION": "eu-west-1", "AWS_CONFIG_FILE": "/nonexistent"])
        #expect(setup.region(flag: "ap-south-1", environmentFile: "us-east-1")?.source == "--region")
        #expect(setup.region(environmentFile: "us-east-1")?.name == "us-east-1")
        #expect(setup.region() == .init(name: "eu-west-1", source: "AWS_DEFAULT_REGION"))
        let withBoth = AWSSetup(environment: ["AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "eu-west-1"])
        #expect(withBoth.region()?.name == "us-west-2")
    }
}
