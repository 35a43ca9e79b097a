import ArgumentParser
import BallastEngine

/// The one place an error becomes a message and an exit code (spec section 3).
enum Failure {
    /// Exit 1: a mistake, an unreadable repository, a failed call.
    static let error = ExitCode(1)

    /// Runs a command body; known errors print one clear line and exit 1.
    static func guarding(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as LoadError {
            Terminal.error(error.description)
            throw Failure.error
        }
    }
}
