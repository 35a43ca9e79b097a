import BallastCore
import FoundationEssentials
import Glibc

/// The shared-files source: the profile named by `AWS_PROFILE` (or `default`),
/// with static keys, `role_arn` + `source_profile` (STS AssumeRole, chains
/// allowed), or `credential_process`.
public struct ProfileCredentials: CredentialProvider {
    let files: ProfileFiles
    let profileName: String
    let explicitProfile: Bool
    let sts: STSContext
    /// How long a `credential_process` may run: `BALLAST_CREDENTIAL_PROCESS_TIMEOUT` seconds, else 60.
    let processTimeout: TimeInterval

    public init(environment: [String: String], files: ProfileFiles, sts: STSContext) {
        self.files = files
        processTimeout = environment["BALLAST_CREDENTIAL_PROCESS_TIMEOUT"].flatMap(TimeInterval.init) ?? 60
        let chosen = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        profileName = chosen ?? "default"
        explicitProfile = chosen != nil
        self.sts = sts
    }

    public var name: String { "profile \(profileName) (\(files.credentialsPath), \(files.configPath))" }

    public func credentials() async throws -> Credentials? {
        guard files.profile(profileName) != nil else {
            if explicitProfile {
                throw CredentialError(
                    "AWS_PROFILE names profile '\(profileName)', which is in neither \(files.credentialsPath) "
                        + "nor \(files.configPath)"
                )
            }
            return nil
        }
        return try await resolve(profileName, visited: [])
    }

    func resolve(_ name: String, visited: [String]) async throws -> Credentials? {
        guard let profile = files.profile(name) else {
            throw CredentialError(
                "profile '\(visited.last ?? name)' names source_profile '\(name)', which does not exist")
        }
        if let role = profile["role_arn"] {
            return try await assumeRole(role, profile: profile, name: name, visited: visited)
        }
        if let id = profile["aws_access_key_id"], let secret = profile["aws_secret_access_key"] {
            return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: profile["aws_session_token"])
        }
        if let command = profile["credential_process"] {
            let timeout = processTimeout
            return try await onOwnThread { try CredentialProcess.run(command, profile: name, timeout: timeout) }
        }
        if profile["sso_session"] != nil || profile["sso_start_url"] != nil {
            throw CredentialError(
                "profile '\(name)' uses AWS IAM Identity Center (SSO), which ballast does not read yet; "
                    + "set credential_process = aws configure export-credentials --profile \(name) --format process")
        }
        if profile["aws_access_key_id"] != nil || profile["aws_secret_access_key"] != nil {
            throw CredentialError("profile '\(name)' has only one of aws_access_key_id and aws_secret_access_key")
        }
        return nil  // a profile with only settings (region) holds no credentials
    }

    func assumeRole(
        _ role: String, profile: [String: String], name: String, visited: [String]
    ) async throws -> Credentials {
        guard !visited.contains(name) else {
            throw CredentialError(
                "profiles form a source_profile loop: \((visited + [name]).joined(separator: " -> "))")
        }
        let source: Credentials?
        if let sourceName = profile["source_profile"] {
            // A source profile's own keys are used even if it also names a role (CLI behaviour for self-reference).
            if sourceName == name, let id = profile["aws_access_key_id"],
               let secret = profile["aws_secret_access_key"] {
                source = Credentials(
                    accessKeyId: id, secretAccessKey: secret, sessionToken: profile["aws_session_token"])
            } else {
                source = try await resolve(sourceName, visited: visited + [name])
            }
        } else if let credentialSource = profile["credential_source"] {
            throw CredentialError(
                "profile '\(name)': credential_source = \(credentialSource) is not supported; use source_profile")
        } else {
            throw CredentialError("profile '\(name)' has role_arn but neither source_profile nor credential_source")
        }
        guard let source else {
            throw CredentialError("profile '\(name)': its source_profile holds no credentials")
        }
        do {
            return try await sts.assumeRole(
                roleArn: role, sessionName: profile["role_session_name"] ?? STSContext.sessionName(),
                externalId: profile["external_id"],
                durationSeconds: profile["duration_seconds"].flatMap { Int($0) }, with: source)
        } catch let error as AWSError {
            throw CredentialError(
                "profile '\(name)': STS AssumeRole for \(role) failed: \(error.code) \(error.message)")
        }
    }
}

/// `credential_process`: run the command, read its JSON (Version 1) from stdout.
/// It runs in a process group of its own, so a command that hangs, or leaves a
/// child holding stdout, is stopped whole when its time is up.
enum CredentialProcess {
    static func run(_ command: String, profile: String, timeout: TimeInterval) throws -> Credentials {
        let (status, data) = try capture(command, profile: profile, timeout: timeout)
        guard status == 0 else {
            throw CredentialError("profile '\(profile)': credential_process exited with status \(status)")
        }
        guard let json = try? JSON.parse(String(decoding: data, as: UTF8.self)), json["Version"] == 1,
            let id = json["AccessKeyId"]?.string, let secret = json["SecretAccessKey"]?.string
        else {
            throw CredentialError(
                "profile '\(profile)': credential_process must print JSON with Version 1, AccessKeyId and "
                    + "SecretAccessKey"
            )
        }
        return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: json["SessionToken"]?.string,
                           expiration: json["Expiration"]?.string.flatMap(ISO8601.parse))
    }

    /// At most this much output is kept (a credential document is a few hundred bytes).
    static let maxOutput = 1 << 20

    /// Runs `/bin/sh -c command` with stdin and stderr on /dev/null (it may echo secrets)
    /// and returns its exit status and stdout. After the command exits, output still
    /// held open by a child is waited for one second more, then its group is killed.
    static func capture(_ command: String, profile: String, timeout: TimeInterval) throws -> (Int32, [UInt8]) {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw CredentialError("profile '\(profile)': credential_process: no pipe") }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        defer { close(readEnd) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addclose(&actions, writeEnd)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK))
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        close(writeEnd)
        guard spawned == 0 else {
            throw CredentialError(
                "profile '\(profile)': credential_process could not start: \(String(cString: strerror(spawned)))")
        }
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)

        let deadline = Date().addingTimeInterval(timeout)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var status: Int32?
        var exitedAt: Date?
        var open = true
        while open || status == nil {
            if status == nil {
                var raw: Int32 = 0
                if waitpid(pid, &raw, WNOHANG) == pid {
                    status = (raw & 0x7F) == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
                    exitedAt = Date()
                }
            }
            if let exitedAt, open, Date().timeIntervalSince(exitedAt) > 1 { break }  // a child kept stdout open
            if Date() > deadline {
                kill(-pid, SIGKILL)
                if status == nil { _ = waitpid(pid, nil, 0) }
                throw CredentialError(
                    "profile '\(profile)': credential_process did not finish within \(Int(timeout)) s; "
                        + "it was stopped (its whole process group)")
            }
            guard open else { usleep(20_000); continue }
            var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let count = read(readEnd, &buffer, buffer.count)
            if count > 0 {
                output += buffer.prefix(min(count, max(0, maxOutput - output.count)))
            } else if count == 0 || errno != EAGAIN {
                open = false
            }
        }
        if open { kill(-pid, SIGKILL) }  // the child that kept stdout open
        return (status ?? 1, output)
    }
}
