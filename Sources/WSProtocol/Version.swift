public enum WSProtocolVersion { public static let string = "0.1.0" }
