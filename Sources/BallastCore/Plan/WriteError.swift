/// A write ballast could not make for a reason of its own (no writer for the kind, a change
/// naming a write its kind does not make), as opposed to AWS's answer (`AWSError`).
public struct WriteError: ReportedError {
    public let description: String

    public init(_ message: String) { description = message }
}
