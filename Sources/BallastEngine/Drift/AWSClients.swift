import BallastCore

/// A client for a region, as a role (an environment's `assumeRole`) or, with nil, as the
/// credential chain's own identity. The CLI makes them from one `AWSSetup`.
public typealias AWSClients = @Sendable (_ region: String, _ role: RoleToAssume?) -> any AWSAPI
