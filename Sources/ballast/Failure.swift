import ArgumentParser
import BallastCore
import BallastDesiredState
import BallastEngine

/// The one place an error becomes a message and an exit code (spec section 3).
enum Failure {
    /// Exit 1: a mistake, an unreadable repository, a failed call.
    static let error = ExitCode(1)

    /// Runs a command step; known errors print one clear line and exit 1.
    static func guarding<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw reported(error) }
    }

    static func guarding<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw reported(error) }
    }

    /// A known error printed, as exit 1; any other passes through as it is.
    private static func reported(_ error: any Error) -> any Error {
        switch error {
        case let error as any ReportedError: Terminal.error(error.description)
        case let error as GitHubError: Terminal.error(error.description)
        case let error as SavedPlanRefusal: Terminal.error(error.description + "; nothing was changed")
        default: return error
        }
        return Failure.error
    }

    /// Commands that touch AWS read nothing while the desired state has mistakes.
    static func refuseMistakes(_ loaded: LoadedState) throws {
        guard !loaded.diagnostics.isEmpty else { return }
        for diagnostic in loaded.diagnostics { Terminal.out(diagnostic.description) }
        Terminal.error(
            "\(loaded.diagnostics.count) mistake(s) in the desired state at \(loaded.revisionLabel); nothing "
                + "was read from AWS"
        )
        throw Failure.error
    }
}
