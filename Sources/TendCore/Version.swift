public enum TendCoreVersion { public static let version = "0.1.0" }
