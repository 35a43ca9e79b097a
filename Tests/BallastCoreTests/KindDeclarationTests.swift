import BallastCore
import BallastKinds
import Testing

/// A kind's writes are a table keyed by the operations it declares, checked when the registry is
/// built: a declared write without code, or code for an undeclared one, is refused by name.
@Suite struct KindDeclarationTests {
    /// Log groups' schema with the code for one of its two writes.
    struct HalfWritten: ResourceKind {
        static let schema = LogGroupKind.schema
        static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] { [:] }
        static let writes: [APIOperation: KindWrite] = [APIOperation(.logs, "PutRetentionPolicy"): { _, _, _ in }]
    }

    /// And with code for a write it does not declare.
    struct OverWritten: ResourceKind {
        static let schema = LogGroupKind.schema
        static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] { [:] }
        static let writes: [APIOperation: KindWrite] = [
            APIOperation(.logs, "PutRetentionPolicy"): { _, _, _ in },
            APIOperation(.logs, "DeleteRetentionPolicy"): { _, _, _ in },
            APIOperation(.logs, "DeleteLogGroup"): { _, _, _ in },
        ]
    }

    @Test func aDeclaredWriteWithoutCodeIsRefused() {
        #expect(throws: KindDeclarationError.self) { try Kinds.check(HalfWritten.self) }
        do { try Kinds.check(HalfWritten.self) } catch {
            #expect(error.description.contains("logs:DeleteRetentionPolicy"), "\(error)")
        }
        do { try Kinds.check(OverWritten.self) } catch {
            #expect(error.description.contains("logs:DeleteLogGroup"), "\(error)")
        }
        #expect(throws: KindDeclarationError.self) { try Kinds.check(OverWritten.self) }
    }

    @Test func everyBuiltInKindHasCodeForEachWriteItDeclares() throws {
        for kind in Kinds.builtInTypes { try Kinds.check(kind) }
    }
}
