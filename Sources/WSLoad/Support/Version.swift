import WSProtocol

/// The wsload engine library.
public enum WSLoadVersion { public static let string = "0.1.0" }
