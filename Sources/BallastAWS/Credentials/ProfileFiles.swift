import BallastCore
import FoundationEssentials

/// `~/.aws/credentials` and `~/.aws/config` (or `AWS_SHARED_CREDENTIALS_FILE`,
/// `AWS_CONFIG_FILE`), parsed as the AWS CLI reads them.
public struct ProfileFiles: Sendable {
    public let credentialsPath: String
    public let configPath: String
    /// Profile name -> key -> value; credentials file first, then config.
    let credentialsFile: [String: [String: String]]
    let configFile: [String: [String: String]]

    public init(environment: [String: String]) {
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        credentialsPath = Self.expand(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials", home: home)
        configPath = Self.expand(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config", home: home)
        credentialsFile = Self.parse(path: credentialsPath, isConfig: false)
        configFile = Self.parse(path: configPath, isConfig: true)
    }

    /// A profile's settings: the credentials file wins over config for the same key.
    public func profile(_ name: String) -> [String: String]? {
        let fromCredentials = credentialsFile[name], fromConfig = configFile[name]
        if fromCredentials == nil, fromConfig == nil { return nil }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { _, credentials in credentials }
    }

    public func region(profile: String) -> String? {
        configFile[profile]?["region"]
    }

    static func expand(_ path: String, home: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst(1) : path
    }

    /// The profile a section header names: in the credentials file, the header
    /// itself; in config, `[default]` or `[profile NAME]`, and nothing for other
    /// sections (`[sso-session ...]`, `[services ...]`).
    static func profileName(section: String, isConfig: Bool) -> String? {
        guard isConfig, section != "default" else { return section }
        guard section.hasPrefix("profile ") else { return nil }
        return section.dropFirst("profile ".count).trimmingSpaces()
    }

    /// INI sections of profile settings, keyed by profile name.
    static func parse(path: String, isConfig: Bool) -> [String: [String: String]] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            return [:]
        }
        var profiles: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                current = profileName(section: line.dropFirst().dropLast().trimmingSpaces(),
                                      isConfig: isConfig)
                if let current, profiles[current] == nil { profiles[current] = [:] }
                continue
            }
            guard let current, let eq = line.firstIndex(of: "="), !rawLine.first!.isWhitespace else { continue }
            let key = line[..<eq].trimmingSpaces().lowercased()
            profiles[current]![key] = line[line.index(after: eq)...].trimmingSpaces()
        }
        return profiles
    }
}
