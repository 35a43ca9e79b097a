import CGit2

/// A failed libgit2 call, with what ballast was doing and libgit2's own words.
public struct GitError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    /// Wraps the last libgit2 error after `call` returned `code`.
    static func last(_ doing: String, code: Int32) -> GitError {
        let detail = git_error_last().flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "error \(code)"
        return GitError("\(doing): \(detail)")
    }

    public var description: String { message }
}

/// libgit2 needs one global initialisation per process; it is never shut down.
enum Libgit2 {
    static let initialized: Bool = { git_libgit2_init() > 0 }()

    @discardableResult
    static func check(_ code: Int32, _ doing: @autoclosure () -> String) throws(GitError) -> Int32 {
        if code < 0 { throw GitError.last(doing(), code: code) }
        return code
    }
}
