/// What a `wss://` run proved about the server: which identity its certificate was verified against and which
/// SNI was sent, or that verification was switched off (`--insecure` / `target.tls.insecure`).
public struct TLSVerificationSummary: Sendable, Codable, Equatable {
    /// The identity the certificate was checked against, as a subjectAltName (`DNS:ws.example.com`,
    /// `IP:203.0.113.10`); `nil` when `insecure`.
    public var verifiedIdentity: String?
    /// The SNI sent (`nil` for an IP-address identity).
    public var serverName: String?
    /// Whether certificate verification was off: anything that answered was accepted.
    public var insecure: Bool

    /// A summary; `verifiedIdentity` is dropped when `insecure`.
    public init(verifiedIdentity: String?, serverName: String?, insecure: Bool) {
        self.verifiedIdentity = insecure ? nil : verifiedIdentity
        self.serverName = serverName
        self.insecure = insecure
    }

    /// The summary for connections dialled with `identity` and `configuration`.
    public init(identity: TLSPeerIdentity?, configuration: TLSClientConfiguration?) {
        let insecure = !(configuration?.verifyPeer ?? true)
        self.init(verifiedIdentity: identity?.subjectAltName, serverName: identity?.sni, insecure: insecure)
    }

    /// One line for the renderers: `certificate checked against DNS:localhost (SNI localhost)` or
    /// `certificate NOT verified (--insecure)`.
    public var line: String {
        if insecure { return "certificate NOT verified (--insecure): any server was accepted" + (serverName.map { "; SNI \($0)" } ?? "") }
        guard let verifiedIdentity else { return "certificate chain verified, no name or address checked" }
        return "certificate checked against \(verifiedIdentity)" + (serverName.map { " (SNI \($0))" } ?? " (no SNI: IP address)")
    }
}
