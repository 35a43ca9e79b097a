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
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
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

    /// Started with posix_spawn, not Foundation's `Process`: on Linux `Process.run()` reads past a
    /// buffer while it lists `/proc/self/fd` (swift-corelibs-foundation #5472, fixed after this
    /// toolchain) and crashed the suite about once in twenty runs, more often the more sockets the
    /// loopback servers held open. Like `Process`, the child gets no descriptor but its three.
    public static func process(_ executable: String, _ arguments: [String], cwd: String? = nil,
                               environment: [String: String]? = nil) throws -> Result {
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
        guard pipe(&out) == 0 else { throw TestFailure("no pipe for \(executable)") }
        guard pipe(&err) == 0 else {
            close(out[0]); close(out[1])
            throw TestFailure("no pipe for \(executable)")
        }
        defer { close(out[0]); close(err[0]) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        if let cwd { _ = GlibcSpawn.addChdir(&actions, cwd) }
        _ = GlibcSpawn.addCloseFrom(&actions, 3)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let variables = environment ?? ProcessInfo.processInfo.environment
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(out[1])
        close(err[1])
        guard spawned == 0 else {
            throw TestFailure("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        // Both pipes drained together, so a chatty child never blocks on a full one.
        var captured: [Int32: [UInt8]] = [out[0]: [], err[0]: []]
        var open: Set<Int32> = [out[0], err[0]]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            var polled = open.sorted().map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&polled, nfds_t(polled.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in polled where entry.revents != 0 {
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    captured[entry.fd, default: []] += buffer[0..<count]
                } else if count == 0 || errno != EINTR {
                    open.remove(entry.fd)
                }
            }
        }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0, errno == EINTR {}
        // As `Process.terminationStatus`: the exit code, or the signal that ended it.
        let status = (raw & 0x7F) == 0 ? (raw >> 8) & 0xFF : raw & 0x7F
        return Result(status: status, stdout: String(decoding: captured[out[0]] ?? [], as: UTF8.self),
                      stderr: String(decoding: captured[err[0]] ?? [], as: UTF8.self))
    }

    /// Starts a program that runs on its own (a server's watchdog shell): stdin, stdout and stderr
    /// on /dev/null, no other descriptor, never waited for. posix_spawn, as `process`.
    public static func detached(_ executable: String, _ arguments: [String]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        _ = GlibcSpawn.addCloseFrom(&actions, 3)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw TestFailure("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        return pid
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

    public static func ballast(
        _ arguments: [String], cwd: String? = nil, environment: [String: String] = [:]
    ) throws -> Result {
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
    /// This project's example repository: its `desired-state/` and `policies/` YAML files by path.
    public static func exampleFiles(root: URL) throws -> [String: String] {
        var files: [String: String] = [:]
        for folder in ["desired-state", "policies"] {
            let base = root.appendingPathComponent(folder)
            let urls = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) ?? .init()
            for case let url as URL in urls where url.pathExtension == "yaml" {
                files[folder + url.path.dropFirst(base.path.count)] = try String(contentsOf: url, encoding: .utf8)
            }
        }
        return files
    }

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

/// glibc's spawn file actions Swift's Glibc module does not declare (they need `_GNU_SOURCE`),
/// found by name: glibc 2.29 (chdir) and 2.34 (closefrom) have them; Debian 12 has 2.36.
enum GlibcSpawn {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>,
                                         UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChdir: AddChdir = unsafeBitCast(symbol("posix_spawn_file_actions_addchdir_np"), to: AddChdir.self)
    static let addCloseFrom: AddCloseFrom = unsafeBitCast(symbol("posix_spawn_file_actions_addclosefrom_np"),
                                                          to: AddCloseFrom.self)

    static func symbol(_ name: String) -> UnsafeMutableRawPointer {
        guard let found = dlsym(dlopen(nil, RTLD_NOW), name) else {
            fatalError("glibc has no \(name): the tests need glibc 2.34 or later")
        }
        return found
    }
}
