import BallastAWS
import BallastEngine

/// The adapters a command hands the engine for its ports, made from one `AWSSetup`.
public extension AWSSetup {
    /// AWS for a region, as a role (an environment's `assumeRole`) or the credential chain's identity.
    var clients: AWSClients { { self.client(region: $0, role: $1) } }

    /// Each environment's lock table in DynamoDB, reached as its role in its region.
    var lockTables: LockTables { DynamoDBLockTable.tables(clients) }
}
