import Foundation

/// The shared-files source: the profile named by `AWS_PROFILE` (or `default`),
/// with static keys, `role_arn` + `source_profile` (STS AssumeRole, chains
/// allowed), or `credential_process`.
public struct ProfileCredentials: CredentialProvider {
    let files: ProfileFiles
    let profileName: String
    let explicitProfile: Bool
    let sts: STSContext

    public init(environment: [String: String], files: ProfileFiles, sts: STSContext) {
        self.files = files
        let chosen = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        profileName = chosen ?? "default"
        explicitProfile = chosen != nil
        self.sts = sts
    }

    public var name: String { "profile \(profileName) (\(files.credentialsPath), \(files.configPath))" }

    public func credentials() async throws -> Credentials? {
        guard files.profile(profileName) != nil else {
            if explicitProfile {
                throw CredentialError("AWS_PROFILE names profile '\(profileName)', which is in neither \(files.credentialsPath) nor \(files.configPath)")
            }
            return nil
        }
        return try await resolve(profileName, visited: [])
    }

    func resolve(_ name: String, visited: [String]) async throws -> Credentials? {
        guard let profile = files.profile(name) else {
            throw CredentialError("profile '\(visited.last ?? name)' names source_profile '\(name)', which does not exist")
        }
        if let role = profile["role_arn"] {
            return try await assumeRole(role, profile: profile, name: name, visited: visited)
        }
        if let id = profile["aws_access_key_id"], let secret = profile["aws_secret_access_key"] {
            return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: profile["aws_session_token"])
        }
        if let command = profile["credential_process"] {
            return try await CredentialProcess.run(command, profile: name)
        }
        if profile["sso_session"] != nil || profile["sso_start_url"] != nil {
            throw CredentialError("profile '\(name)' uses AWS IAM Identity Center (SSO), which ballast does not read yet; "
                + "set credential_process = aws configure export-credentials --profile \(name) --format process")
        }
        if profile["aws_access_key_id"] != nil || profile["aws_secret_access_key"] != nil {
            throw CredentialError("profile '\(name)' has only one of aws_access_key_id and aws_secret_access_key")
        }
        return nil  // a profile with only settings (region) holds no credentials
    }

    func assumeRole(_ role: String, profile: [String: String], name: String, visited: [String]) async throws -> Credentials {
        guard !visited.contains(name) else {
            throw CredentialError("profiles form a source_profile loop: \((visited + [name]).joined(separator: " -> "))")
        }
        let source: Credentials?
        if let sourceName = profile["source_profile"] {
            // A source profile's own keys are used even if it also names a role (CLI behaviour for self-reference).
            if sourceName == name, let id = profile["aws_access_key_id"], let secret = profile["aws_secret_access_key"] {
                source = Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: profile["aws_session_token"])
            } else {
                source = try await resolve(sourceName, visited: visited + [name])
            }
        } else if let credentialSource = profile["credential_source"] {
            throw CredentialError("profile '\(name)': credential_source = \(credentialSource) is not supported; use source_profile")
        } else {
            throw CredentialError("profile '\(name)' has role_arn but neither source_profile nor credential_source")
        }
        guard let source else {
            throw CredentialError("profile '\(name)': its source_profile holds no credentials")
        }
        do {
            return try await sts.assumeRole(roleArn: role, sessionName: profile["role_session_name"] ?? STSContext.sessionName(),
                                            externalId: profile["external_id"],
                                            durationSeconds: profile["duration_seconds"].flatMap { Int($0) }, with: source)
        } catch let error as AWSError {
            throw CredentialError("profile '\(name)': STS AssumeRole for \(role) failed: \(error.code) \(error.message)")
        }
    }
}

/// `credential_process`: run the command, read its JSON (Version 1) from stdout.
enum CredentialProcess {
    static func run(_ command: String, profile: String) async throws -> Credentials {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice  // it may echo secrets
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw CredentialError("profile '\(profile)': credential_process could not start: \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CredentialError("profile '\(profile)': credential_process exited with status \(process.terminationStatus)")
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              (json["Version"] as? Int) == 1,
              let id = json["AccessKeyId"] as? String, let secret = json["SecretAccessKey"] as? String else {
            throw CredentialError("profile '\(profile)': credential_process must print JSON with Version 1, AccessKeyId and SecretAccessKey")
        }
        return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: json["SessionToken"] as? String,
                           expiration: (json["Expiration"] as? String).flatMap(ISO8601.parse))
    }
}
