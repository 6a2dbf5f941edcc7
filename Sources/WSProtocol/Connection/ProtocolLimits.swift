/// Size limits enforced while decoding, checked as soon as a length is known.
public struct ProtocolLimits: Hashable, Sendable, Codable {
    /// Largest accepted frame payload in bytes (exceeding it fails with 1009).
    public var maxFrameSize: Int
    /// Largest accepted message (after decompression) in bytes (exceeding it fails with 1009).
    public var maxMessageSize: Int
    /// Most fragments accepted in one message (exceeding it fails with 1009).
    public var maxFragments: Int

    /// Creates limits.
    public init(maxFrameSize: Int = 16 << 20, maxMessageSize: Int = 16 << 20, maxFragments: Int = 1 << 20) {
        self.maxFrameSize = maxFrameSize; self.maxMessageSize = maxMessageSize; self.maxFragments = maxFragments
    }

    /// 16 MiB frames and messages, about a million fragments: enough for the Autobahn suite (9.x sends 16 MiB).
    public static let `default` = ProtocolLimits()
}

/// Which end of the connection this endpoint is (masking rules differ, RFC 6455 §5.1).
public enum Role: Sendable, Hashable {
    /// Masks what it sends; rejects masked frames.
    case client
    /// Never masks; requires masked frames.
    case server
}
