import Foundation

/// A throwaway git repository in a temp folder, driven by the real git CLI
/// (independent of the libgit2 code under test). Removed on deinit.
public final class TempRepository {
    public let path: String

    public init(bare: Bool = false) throws {
        path = NSTemporaryDirectory() + "ballast-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try git(bare ? ["init", "-q", "--bare", "-b", "main"] : ["init", "-q", "-b", "main"])
        if !bare {
            try git(["config", "user.name", "Ballast Test"])
            try git(["config", "user.email", "test@example.com"])
            try git(["config", "commit.gpgsign", "false"])
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes files (repository-relative path -> content), creating folders.
    public func write(_ files: [String: String]) throws {
        for (relative, content) in files {
            let url = URL(fileURLWithPath: path).appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: url, atomically: true, encoding: .utf8)
        }
    }

    /// Writes, stages everything and commits; returns the new commit's sha.
    @discardableResult
    public func commit(_ files: [String: String] = [:], message: String) throws -> String {
        try write(files)
        try git(["add", "-A"])
        try git(["commit", "-q", "--allow-empty", "-m", message])
        return try git(["rev-parse", "HEAD"])
    }

    @discardableResult
    public func git(_ arguments: [String]) throws -> String {
        let result = try Run.process("/usr/bin/env", ["git", "-C", path] + arguments)
        guard result.status == 0 else {
            throw TestFailure("git \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A bare clone of this repository, in its own temp folder.
    public func bareClone() throws -> TempRepository {
        let clone = try TempRepository(bare: true)
        try FileManager.default.removeItem(atPath: clone.path)
        _ = try Run.process("/usr/bin/env", ["git", "clone", "-q", "--bare", path, clone.path])
        return clone
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs a program to completion and captures its output.
public enum Run {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    public static func process(_ executable: String, _ arguments: [String], cwd: String? = nil,
                               environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Drain stderr on another thread while reading stdout, so a chatty child
        // never blocks on a full pipe.
        let stderrBox = DataBox()
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            stderrBox.data = err.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        let stderrData = stderrBox.data
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// The `ballast` binary built beside the test bundle (`swift build` first), or
    /// `BALLAST_TEST_BINARY` (to run today's tests against an older build).
    public static var ballastBinary: String {
        if let binary = ProcessInfo.processInfo.environment["BALLAST_TEST_BINARY"], !binary.isEmpty { return binary }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // The xctest bundle may sit in .build/<triple>/debug/ballastPackageTests.xctest/...
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("ballast").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return exe.deletingLastPathComponent().appendingPathComponent("ballast").path
    }

    public static func ballast(_ arguments: [String], cwd: String? = nil, environment: [String: String] = [:]) throws -> Result {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        // Tests never reach for the real instance-metadata address.
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        env.merge(environment) { _, new in new }
        return try process(ballastBinary, arguments, cwd: cwd, environment: env)
    }
}

/// A minimal valid environment file and a resource file, for repositories in tests.
public enum Fixture {
    public static let environment = "region: us-east-1\n"

    public static func logGroup(_ id: String, days: Int) -> String {
        """
        resources:
          - type: AWS::Logs::LogGroup
            id: \(id)
            properties:
              RetentionInDays: \(days)

        """
    }
}

private final class DataBox: @unchecked Sendable {
    var data = Data()
}
