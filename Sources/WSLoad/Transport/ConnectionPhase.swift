/// The phases of a connection's life, used to time it and to say where it failed.
public enum ConnectionPhase: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Name resolution (done once per run, before connecting).
    case resolve
    /// Socket creation, source bind and the TCP three-way handshake.
    case tcpConnect = "tcp-connect"
    /// The TLS handshake.
    case tls
    /// The HTTP upgrade: request sent until a valid 101 is parsed.
    case upgrade
    /// The open WebSocket connection (protocol errors, pong deadlines, resets).
    case open
    /// The closing handshake.
    case close

    /// The phase name as shown in reports.
    public var description: String { rawValue }
}

/// Why a connection failed: the phase and a classified cause, for humans and for failure buckets.
public struct ConnectionFailure: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// What kind of failure, independent of the phase.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A system call failed; `errno` is set.
        case system
        /// A deadline passed.
        case timeout
        /// TLS setup, handshake or certificate verification failed.
        case tls
        /// The server answered the upgrade with a non-101 status; `httpStatus` is set.
        case httpStatus = "http-status"
        /// The 101 response did not validate (accept key, tokens, extensions).
        case handshake
        /// The peer violated RFC 6455; `closeCode` is what we sent.
        case protocolViolation = "protocol"
        /// The peer closed the connection (EOF or reset) where it should not have.
        case peerClosed = "peer-closed"
        /// The peer's pings/pongs stopped: no pong arrived in time (half-open detection).
        case pongTimeout = "pong-timeout"
        /// The run was stopped before this connection finished.
        case cancelled
        /// A local resource ran out (file descriptors, ports).
        case resource
    }

    /// The phase in which it failed.
    public var phase: ConnectionPhase
    /// The classified cause.
    public var kind: Kind
    /// The `errno` for system failures.
    public var errno: Int32?
    /// The HTTP status for upgrade failures.
    public var httpStatus: Int?
    /// The close code involved, if any.
    public var closeCode: UInt16?
    /// A human explanation.
    public var message: String
    /// A short stable cause within `kind` that names the bucket, e.g. `certificate expired` for a TLS
    /// certificate check (``TLSError/check``); `nil` when `kind` says enough.
    public var reason: String?

    /// Creates a failure.
    public init(
        phase: ConnectionPhase, kind: Kind, errno: Int32? = nil, httpStatus: Int? = nil, closeCode: UInt16? = nil, message: String,
        reason: String? = nil
    ) {
        self.phase = phase; self.kind = kind; self.errno = errno; self.httpStatus = httpStatus
        self.closeCode = closeCode; self.message = message; self.reason = reason
    }

    /// A TLS failure in `phase`: the bucket names the failed certificate check, if that is what failed.
    public static func tls(_ phase: ConnectionPhase, _ error: any Error) -> ConnectionFailure {
        ConnectionFailure(phase: phase, kind: .tls, message: "\(error)", reason: (error as? TLSError)?.check)
    }

    /// A failure from a system call's errno, with the system's text for it.
    public static func system(_ phase: ConnectionPhase, _ call: String, errno code: Int32) -> ConnectionFailure {
        ConnectionFailure(phase: phase, kind: .system, errno: code, message: "\(call): \(SystemError.describe(code))")
    }

    /// A short stable key for grouping failures: `tcp-connect: ECONNREFUSED`, `upgrade: HTTP 503`.
    public var bucket: String {
        switch kind {
        case .system: return "\(phase): \(SystemError.name(errno ?? 0))"
        case .httpStatus: return "\(phase): HTTP \(httpStatus ?? 0)"
        case .protocolViolation: return "\(phase): protocol error \(closeCode ?? 0)"
        case .tls where reason != nil: return "\(phase): \(reason!)"
        default: return "\(phase): \(kind.rawValue)"
        }
    }

    /// `tcp-connect failed: connect: Connection refused (ECONNREFUSED)`.
    public var description: String { "\(phase) failed: \(message)" }
}
