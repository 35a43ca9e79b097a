public enum BallastVersion { public static let current = "0.1.0" }
