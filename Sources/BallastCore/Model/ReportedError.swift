/// An error whose description is the whole message for the user: the CLI prints it as it is
/// and exits 1 (one place maps errors to exit codes). Each concern has its own type: loading
/// the desired state, plan files, report merges, the journal, notifications, writes, import.
public protocol ReportedError: Error, Sendable, CustomStringConvertible {}
