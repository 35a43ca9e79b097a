import BallastAWS
import BallastCore
import BallastEngine

/// What `doctor` learns from AWS: who we are, where calls go, and whether each
/// environment's account guard matches.
struct AWSFacts {
    /// The services ballast calls, for the endpoint list.
    static let services: [AWSService] = [
        .sts, .cloudFormation, .autoScaling, .ecs, .dynamodb, .applicationAutoScaling, .lambda, .logs, .cloudWatch,
        .secretsManager, .kms, .rds, .s3, .timestreamWrite, .events,
    ]

    let setup: AWSSetup

    /// Prints the AWS section; returns the problems found.
    func report(for environments: [Environment]) async -> [String] {
        var problems: [String] = []
        let regions = environments.map(\.region)
        let firstRegion = setup.region(environmentFile: regions.first)
        Terminal.out("")
        Terminal.out("aws")
        do {
            let resolved = try await setup.credentials.resolve()
            Terminal.out(
                "  credentials  \(resolved.source), key \(Redaction.accessKey(resolved.credentials.accessKeyId))"
                    + (resolved.credentials.expiration.map { ", expires \($0)" } ?? ""))
        } catch {
            Terminal.out("  credentials  problem: \(error)")
            return ["credentials: \(error)"]
        }
        var account: String?
        do {
            let identity = try await setup.client(region: firstRegion?.name ?? "us-east-1").callerIdentity()
            account = identity.account
            Terminal.out("  identity     \(UntrustedText.line(identity.arn)) (account \(identity.account))")
        } catch {
            Terminal.out("  identity     problem: \(error)")
            problems.append("identity: \(error)")
        }
        if let region = setup.region() {
            Terminal.out(
                "  region       \(region.name) (\(region.source)); each environment uses its environment.yaml region")
        }
        printEndpoints(region: firstRegion?.name ?? "us-east-1")
        for environment in environments {
            guard let account, let line = AccountGuard.mismatch(environment, account: account) else { continue }
            Terminal.out("  problem      \(line)")
            problems.append(line)
        }
        return problems
    }

    /// One line when every service goes to the same override, else one per service.
    func printEndpoints(region: String) {
        let endpoints = Self.services.map { ($0, setup.endpoints.endpoint(for: $0, region: region)) }
        let overridden = endpoints.filter { $0.1.source != "default" }
        if overridden.count == endpoints.count, Set(overridden.map(\.1.url)).count == 1 {
            Terminal.out("  endpoints    every service -> \(overridden[0].1.url) (\(overridden[0].1.source))")
            return
        }
        Terminal.out("  endpoints    (\(region))")
        for (service, endpoint) in endpoints {
            let why = endpoint.source == "default" ? "" : " (\(endpoint.source))"
            Terminal.out(
                "    \(Figures.padded(service.serviceId, to: 24)) \(endpoint.url)\(why)")
        }
    }
}
