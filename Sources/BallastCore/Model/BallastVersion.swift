/// The version ballast reports (`--version`, SARIF, the comment footer, its User-Agent).
public enum BallastVersion { public static let current = "0.1.0" }
