import BallastCore
import CBuildInfo

/// What `ballast --version` prints: the version, the commit and the build date. A release
/// build (`scripts/release.sh`) has the two built in; a source build says it has none.
enum BuildInfo {
    static var versionText: String {
        let commit = String(cString: ballast_build_commit())
        let date = String(cString: ballast_build_date())
        return """
            ballast \(BallastVersion.current)
            commit: \(commit.isEmpty ? "unknown (a source build; scripts/release.sh records it)" : commit)
            built: \(date.isEmpty ? "unknown" : date)
            platform: \(platform)
            """
    }

    static var platform: String {
        #if arch(x86_64)
        let arch = "x86_64"
        #elseif arch(arm64)
        let arch = "aarch64"
        #else
        let arch = "unknown"
        #endif
        #if os(Linux)
        return "linux-" + arch
        #else
        return "darwin-" + arch
        #endif
    }
}
