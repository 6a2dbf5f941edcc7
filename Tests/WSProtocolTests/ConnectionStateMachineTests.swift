import Testing

@testable import WSProtocol

/// The sans-I/O connection (RFC 6455 §5–§7, RFC 7692): message assembly, control frames,
/// fail-fast validation, limits, the closing handshake and masking of its output, for both roles.
@Suite struct ConnectionStateMachineTests {
    static let roles: [Role] = [.client, .server]
    static let peerKey = MaskingKey(0x11, 0x22, 0x33, 0x44)

    // MARK: Helpers

    /// A frame as the peer of `role` sends it: masked toward a server, unmasked toward a client.
    static func peer(_ role: Role, _ opcode: Opcode, _ payload: [UInt8], fin: Bool = true, rsv1: Bool = false) -> [UInt8] {
        FrameEncoder.encode(opcode: opcode, payload: payload, fin: fin, rsv1: rsv1, maskingKey: role == .server ? peerKey : nil)
    }

    static func peerClose(_ role: Role, _ code: UInt16?, _ reason: String = "") -> [UInt8] {
        peer(role, .close, CloseFrameBody(code: code.map(CloseCode.init(rawValue:)), reason: reason).payload)
    }

    static func drain(_ sm: inout ConnectionStateMachine) -> [ConnectionEvent] {
        var events: [ConnectionEvent] = []
        while let event = sm.nextEvent() { events.append(event) }
        return events
    }

    static func feed(_ sm: inout ConnectionStateMachine, _ bytes: [UInt8]) -> [ConnectionEvent] {
        sm.receive(bytes)
        return drain(&sm)
    }

    /// Decodes what `sm` wrote, as its peer would: a server-role decoder requires masks (client output),
    /// a client-role decoder forbids them (server output).
    static func written(_ sm: inout ConnectionStateMachine, allowsRSV1: Bool = false) throws -> [Frame] {
        let peerRole: Role = sm.role == .client ? .server : .client
        return try RFCVectors.decodeWhole([sm.takeOutput()], role: peerRole, allowsRSV1: allowsRSV1)
    }

    static func machine(_ role: Role, limits: ProtocolLimits = .default, deflate: PerMessageDeflate? = nil) -> ConnectionStateMachine {
        ConnectionStateMachine(role: role, limits: limits, deflate: deflate, maskingKeys: .seeded(2024))
    }

    static func failedCode(_ events: [ConnectionEvent]) -> CloseCode? {
        guard case .failed(let error)? = events.last else { return nil }
        return error.closeCode
    }

    /// Asserts the §7.1.7 failure contract: last event `.failed(code)`, state closed, output exactly one close frame with `code`.
    static func expectFailed(
        _ sm: inout ConnectionStateMachine, _ events: [ConnectionEvent], _ code: CloseCode,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(failedCode(events) == code, "events: \(events)", sourceLocation: sourceLocation)
        #expect(sm.state == .closed && sm.isClosed, sourceLocation: sourceLocation)
        let frames = try written(&sm)
        #expect(frames.count == 1, "output frames: \(frames)", sourceLocation: sourceLocation)
        #expect(frames.first?.header.opcode == .close, sourceLocation: sourceLocation)
        let body = try CloseFrameBody.parse(frames.first?.payload ?? [])
        #expect(body.code == code, sourceLocation: sourceLocation)
        #expect((frames.first?.payload.count ?? 0) <= 125, sourceLocation: sourceLocation)
        // Nothing more is decoded or written after failing.
        #expect(feed(&sm, peer(sm.role, .text, Array("late".utf8))).isEmpty, sourceLocation: sourceLocation)
        #expect(sm.nextEvent() == nil && !sm.hasOutput, sourceLocation: sourceLocation)
    }

    // MARK: Data messages

    @Test(arguments: roles)
    func textAndBinaryEcho(_ role: Role) throws {
        var sm = Self.machine(role)
        let events = Self.feed(
            &sm, Self.peer(role, .text, Array("Hello ✓".utf8)) + Self.peer(role, .binary, [0, 1, 2, 255]) + Self.peer(role, .text, []))
        #expect(events == [.message(.text("Hello ✓")), .message(.binary([0, 1, 2, 255])), .message(.text(""))])
        #expect(!sm.hasOutput)
        for case .message(let m) in events {
            let queued = sm.send(m)
            #expect(queued)
        }
        let frames = try Self.written(&sm)
        #expect(frames.map(\.payload) == [Array("Hello ✓".utf8), [0, 1, 2, 255], []])
        #expect(frames.map(\.header.opcode) == [.text, .binary, .text])
        #expect(frames.allSatisfy { $0.header.fin && !$0.header.rsv1 })
        // §5.1/§5.3: a client masks every frame, a server none.
        #expect(frames.allSatisfy { ($0.header.maskingKey != nil) == (role == .client) })
        #expect(sm.state == .open)
    }

    /// Client frames use a fresh key per frame from the source.
    @Test func clientUsesAFreshKeyPerFrame() throws {
        var sm = Self.machine(.client)
        for _ in 0..<10 { sm.send(.binary([1, 2, 3])) }
        sm.ping([9])
        sm.close()
        let frames = try Self.written(&sm)
        #expect(frames.count == 12)
        #expect(Set(frames.compactMap(\.header.maskingKey)).count == 12)
    }

    /// The same session gives the same events whether it arrives at once, byte by byte or in random chunks.
    @Test(arguments: roles)
    func splitsDoNotChangeEvents(_ role: Role) throws {
        let p = { (o: Opcode, s: [UInt8], fin: Bool) in Self.peer(role, o, s, fin: fin) }
        let stream =
            p(.text, Array("κό".utf8).dropLast().map { $0 }, false) + p(.ping, [1, 2], true)
            + p(.continuation, [0x8C] + Array("σμε".utf8), true) + p(.binary, [UInt8](repeating: 7, count: 300), true)
            + p(.pong, [], true) + Self.peerClose(role, 1000, "done")
        var reference = Self.machine(role)
        let expected = Self.feed(&reference, stream)
        #expect(
            expected == [
                .ping([1, 2]), .message(.text("κόσμε")), .message(.binary([UInt8](repeating: 7, count: 300))),
                .pong([]), .closeReceived(CloseFrameBody(code: .normalClosure, reason: "done")),
            ])
        let expectedOutput = reference.takeOutput()
        var rng = TestRNG(seed: 0xC0FFEE)
        let splits = [stream.map { [$0] }] + (0..<50).map { _ in RFCVectors.chunks(stream, cuts: RFCVectors.randomCuts(stream.count, using: &rng)) }
        for chunks in splits {
            var sm = Self.machine(role)
            var events: [ConnectionEvent] = []
            for chunk in chunks { events += Self.feed(&sm, chunk) }
            #expect(events == expected)
            #expect(sm.takeOutput() == expectedOutput)
        }
    }

    // MARK: Fragmentation (§5.4)

    /// A ping between fragments is answered at once with the same payload; the message still assembles.
    @Test(arguments: roles)
    func fragmentedMessageWithInterleavedPing(_ role: Role) throws {
        var sm = Self.machine(role)
        #expect(Self.feed(&sm, Self.peer(role, .text, Array("Hel".utf8), fin: false)).isEmpty)
        #expect(Self.feed(&sm, Self.peer(role, .ping, Array("ping!".utf8))) == [.ping(Array("ping!".utf8))])
        // The pong is already queued, before the message completes.
        let pongs = try Self.written(&sm)
        #expect(pongs.count == 1 && pongs[0].header.opcode == .pong && pongs[0].payload == Array("ping!".utf8))
        #expect((pongs[0].header.maskingKey != nil) == (role == .client))
        #expect(Self.feed(&sm, Self.peer(role, .continuation, [], fin: false)).isEmpty)
        #expect(Self.feed(&sm, Self.peer(role, .continuation, Array("lo".utf8))) == [.message(.text("Hello"))])
    }

    @Test(arguments: roles)
    func continuationWithoutStartFails1002(_ role: Role) throws {
        var sm = Self.machine(role)
        let events = Self.feed(&sm, Self.peer(role, .continuation, Array("x".utf8)))
        try Self.expectFailed(&sm, events, .protocolError)
    }

    /// A continuation after a completed message is also unexpected.
    @Test(arguments: roles)
    func continuationAfterFinishedMessageFails1002(_ role: Role) throws {
        var sm = Self.machine(role)
        let events = Self.feed(&sm, Self.peer(role, .text, Array("a".utf8)) + Self.peer(role, .continuation, Array("b".utf8)))
        #expect(events.first == .message(.text("a")))
        try Self.expectFailed(&sm, events, .protocolError)
    }

    @Test(arguments: roles)
    func newMessageInsideFragmentedMessageFails1002(_ role: Role) throws {
        for second in [Opcode.text, .binary] {
            var sm = Self.machine(role)
            let events = Self.feed(&sm, Self.peer(role, .binary, [1], fin: false) + Self.peer(role, second, [2]))
            try Self.expectFailed(&sm, events, .protocolError)
        }
    }

    // MARK: UTF-8 (§8.1)

    /// Invalid UTF-8 in the first fragment fails the connection before any later fragment arrives.
    @Test(arguments: roles)
    func invalidUTF8InFirstFragmentFailsFast(_ role: Role) throws {
        var sm = Self.machine(role)
        let events = Self.feed(&sm, Self.peer(role, .text, Array("ok".utf8) + [0xC0, 0x80] + Array("more".utf8), fin: false))
        try Self.expectFailed(&sm, events, .invalidFramePayloadData)
    }

    /// Inside one frame fed in chops: the failure comes as soon as the bad byte is in, before the frame completes.
    @Test(arguments: roles)
    func invalidUTF8InsideAFrameFailsBeforeTheFrameCompletes(_ role: Role) throws {
        var payload = Array(String(repeating: "κόσμε ", count: 20).utf8)
        let bad = 37
        payload[bad] = 0xFF
        let frame = Self.peer(role, .text, payload)
        let headerSize = frame.count - payload.count
        var sm = Self.machine(role)
        var events: [ConnectionEvent] = []
        var fedUpTo = 0
        for chunkStart in stride(from: 0, to: frame.count, by: 5) where events.isEmpty {
            let end = min(chunkStart + 5, frame.count)
            events = Self.feed(&sm, Array(frame[chunkStart..<end]))
            fedUpTo = end
        }
        #expect(fedUpTo < frame.count)
        #expect(fedUpTo > headerSize + bad && fedUpTo <= headerSize + bad + 5)
        try Self.expectFailed(&sm, events, .invalidFramePayloadData)
    }

    @Test(arguments: roles)
    func textEndingMidSequenceFails1007(_ role: Role) throws {
        // Single frame ending inside "€", and a fragmented message whose last fragment ends inside it.
        var sm = Self.machine(role)
        try Self.expectFailed(&sm, Self.feed(&sm, Self.peer(role, .text, [0x41, 0xE2, 0x82])), .invalidFramePayloadData)
        var sm2 = Self.machine(role)
        let events = Self.feed(&sm2, Self.peer(role, .text, [0xE2], fin: false) + Self.peer(role, .continuation, [0x82]))
        try Self.expectFailed(&sm2, events, .invalidFramePayloadData)
    }

    /// A character split across fragments (and an empty fragment between) is fine.
    @Test(arguments: roles)
    func characterSplitAcrossFragments(_ role: Role) {
        var sm = Self.machine(role)
        let events = Self.feed(
            &sm,
            Self.peer(role, .text, [0xE2], fin: false) + Self.peer(role, .continuation, [], fin: false)
                + Self.peer(role, .continuation, [0x82], fin: false) + Self.peer(role, .continuation, [0xAC]))
        #expect(events == [.message(.text("€"))])
    }

    /// Binary messages are never UTF-8 checked.
    @Test(arguments: roles)
    func binaryIsNotValidated(_ role: Role) {
        var sm = Self.machine(role)
        #expect(Self.feed(&sm, Self.peer(role, .binary, [0xFF, 0xC0, 0xE2])) == [.message(.binary([0xFF, 0xC0, 0xE2]))])
    }

    // MARK: Limits (1009)

    @Test(arguments: roles)
    func messageTooBigFails1009(_ role: Role) throws {
        let limits = ProtocolLimits(maxFrameSize: 100, maxMessageSize: 10, maxFragments: 100)
        // Exactly at the limit across fragments is fine…
        var ok = Self.machine(role, limits: limits)
        #expect(
            Self.feed(
                &ok,
                Self.peer(role, .binary, [UInt8](repeating: 1, count: 6), fin: false)
                    + Self.peer(role, .continuation, [UInt8](repeating: 2, count: 4))
            ).count == 1)
        // …one byte more is not.
        var sm = Self.machine(role, limits: limits)
        let events = Self.feed(
            &sm,
            Self.peer(role, .binary, [UInt8](repeating: 1, count: 6), fin: false)
                + Self.peer(role, .continuation, [UInt8](repeating: 2, count: 5)))
        try Self.expectFailed(&sm, events, .messageTooBig)
        // A single frame over maxFrameSize fails from its header.
        var big = Self.machine(role, limits: limits)
        let header = Array(Self.peer(role, .binary, [UInt8](repeating: 0, count: 101)).prefix(4))
        try Self.expectFailed(&big, Self.feed(&big, header), .messageTooBig)
    }

    @Test(arguments: roles)
    func tooManyFragmentsFails1009(_ role: Role) throws {
        let limits = ProtocolLimits(maxFragments: 3)
        var ok = Self.machine(role, limits: limits)
        let three =
            Self.peer(role, .text, Array("a".utf8), fin: false) + Self.peer(role, .continuation, Array("b".utf8), fin: false)
            + Self.peer(role, .continuation, Array("c".utf8))
        #expect(Self.feed(&ok, three + three) == [.message(.text("abc")), .message(.text("abc"))])
        var sm = Self.machine(role, limits: limits)
        let events = Self.feed(
            &sm,
            Self.peer(role, .text, Array("a".utf8), fin: false) + Self.peer(role, .continuation, [], fin: false)
                + Self.peer(role, .continuation, [], fin: false) + Self.peer(role, .continuation, [], fin: true))
        try Self.expectFailed(&sm, events, .messageTooBig)
    }

    // MARK: Control frames

    @Test(arguments: roles)
    func pingPongAndLimits(_ role: Role) throws {
        var sm = Self.machine(role)
        let payload125 = [UInt8](repeating: 0x5A, count: 125)
        #expect(Self.feed(&sm, Self.peer(role, .ping, payload125) + Self.peer(role, .pong, [1])) == [.ping(payload125), .pong([1])])
        let pong = try Self.written(&sm)
        #expect(pong.map(\.header.opcode) == [.pong] && pong[0].payload == payload125)
        // Our own ping is cut to 125 bytes.
        let pinged = sm.ping([UInt8](repeating: 1, count: 300))
        #expect(pinged)
        #expect(try Self.written(&sm).map(\.payload.count) == [125])
        // A control frame over 125 bytes from the peer is a protocol error.
        var bad = Self.machine(role)
        let frame = Self.peer(role, .ping, [UInt8](repeating: 0, count: 126))
        try Self.expectFailed(&bad, Self.feed(&bad, frame), .protocolError)
    }

    // MARK: Closing handshake (§5.5.1, §7.1)

    @Test(arguments: roles)
    func closeInitiatedByPeer(_ role: Role) throws {
        var sm = Self.machine(role)
        let events = Self.feed(&sm, Self.peerClose(role, 1001, "going"))
        #expect(events == [.closeReceived(CloseFrameBody(code: .goingAway, reason: "going"))])
        #expect(sm.state == .closed && sm.isClosed)
        let reply = try Self.written(&sm)
        #expect(reply.count == 1 && reply[0].header.opcode == .close)
        #expect(try CloseFrameBody.parse(reply[0].payload).code == .goingAway)  // the code is echoed
        #expect((reply[0].header.maskingKey != nil) == (role == .client))
        // Closed: nothing more is decoded, sent or written.
        #expect(Self.feed(&sm, Self.peer(role, .text, Array("x".utf8))).isEmpty)
        #expect(!sm.send(.text("x")) && !sm.ping() && !sm.close())
        #expect(!sm.hasOutput)
    }

    @Test(arguments: roles)
    func closeInitiatedByUs(_ role: Role) throws {
        var sm = Self.machine(role)
        let closing = sm.close(CloseFrameBody(code: .normalClosure, reason: "bye"))
        #expect(closing)
        #expect(sm.state == .closeSent && !sm.isClosed)
        let ours = try Self.written(&sm)
        #expect(ours.count == 1 && ours[0].header.opcode == .close)
        #expect(try CloseFrameBody.parse(ours[0].payload) == CloseFrameBody(code: .normalClosure, reason: "bye"))
        #expect(!sm.close() && !sm.send(.text("no")) && !sm.ping())
        let events = Self.feed(&sm, Self.peerClose(role, 1000))
        #expect(events == [.closeCompleted(CloseFrameBody(code: .normalClosure))])
        #expect(sm.state == .closed)
        #expect(!sm.hasOutput)  // no second close frame
    }

    @Test(arguments: roles)
    func emptyCloseBodyIsAnsweredWithEmptyBody(_ role: Role) throws {
        var sm = Self.machine(role)
        #expect(Self.feed(&sm, Self.peerClose(role, nil)) == [.closeReceived(CloseFrameBody(code: nil))])
        let reply = try Self.written(&sm)
        #expect(reply.count == 1 && reply[0].header.opcode == .close && reply[0].payload.isEmpty)
    }

    /// §7.1.2: after we sent close, data still arriving is discarded (pings are reported but not answered).
    @Test(arguments: roles)
    func dataAfterOurCloseIsDiscarded(_ role: Role) throws {
        var sm = Self.machine(role)
        sm.close()
        _ = sm.takeOutput()
        let events = Self.feed(
            &sm,
            Self.peer(role, .text, Array("late".utf8)) + Self.peer(role, .binary, [1], fin: false)
                + Self.peer(role, .ping, [7]) + Self.peer(role, .continuation, [2]) + Self.peerClose(role, 1000))
        #expect(events == [.ping([7]), .closeCompleted(CloseFrameBody(code: .normalClosure))])
        #expect(!sm.hasOutput)
    }

    /// Autobahn 7.1.5: a close inside a fragmented message is answered with a 1000 echo.
    @Test(arguments: roles)
    func closeInsideFragmentedMessage(_ role: Role) throws {
        var sm = Self.machine(role)
        let events = Self.feed(
            &sm,
            Self.peer(role, .text, Array("fragment1".utf8), fin: false) + Self.peerClose(role, 1000)
                + Self.peer(role, .continuation, Array("fragment2".utf8)))
        #expect(events == [.closeReceived(CloseFrameBody(code: .normalClosure))])
        let reply = try Self.written(&sm)
        #expect(reply.count == 1)
        #expect(try CloseFrameBody.parse(reply[0].payload).code == .normalClosure)
    }

    /// Invalid close bodies fail the connection with the right code.
    @Test(arguments: roles)
    func invalidCloseBodies(_ role: Role) throws {
        let cases: [([UInt8], CloseCode)] = [
            ([0x03], .protocolError),  // 1-byte body
            ([0x03, 0xED], .protocolError),  // 1005
            ([0x03, 0xEE], .protocolError),  // 1006
            ([0x03, 0xF7], .protocolError),  // 1015
            ([0x00, 0x00], .protocolError),  // 0
            ([0x13, 0x88], .protocolError),  // 5000
            ([0x03, 0xE8, 0xCE, 0xBA, 0xE1, 0xBD], .invalidFramePayloadData),  // truncated UTF-8 reason
            ([0x03, 0xE8, 0xFF], .invalidFramePayloadData),
        ]
        for (payload, code) in cases {
            var sm = Self.machine(role)
            try Self.expectFailed(&sm, Self.feed(&sm, Self.peer(role, .close, payload)), code)
        }
    }

    /// An invalid close reply while we wait for one completes nothing: the connection fails, no second close is sent.
    @Test(arguments: roles)
    func invalidCloseReplyAfterOurClose(_ role: Role) {
        var sm = Self.machine(role)
        sm.close()
        _ = sm.takeOutput()
        let events = Self.feed(&sm, Self.peer(role, .close, [0x03]))
        #expect(Self.failedCode(events) == .protocolError)
        #expect(sm.isClosed && !sm.hasOutput)
    }

    /// On `.failed` the output holds exactly one close frame with the error's code, for every kind of violation.
    @Test(arguments: roles)
    func failureWritesExactlyOneCloseFrame(_ role: Role) throws {
        let mask: UInt8 = role == .server ? 0x80 : 0
        let violations: [([UInt8], CloseCode)] = [
            ([0x83, mask], .protocolError),  // reserved opcode
            ([0xA1, mask], .protocolError),  // RSV2
            ([0xC1, mask], .protocolError),  // RSV1 without deflate
            ([0x09, mask], .protocolError),  // fragmented ping
            ([0x82, mask | 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0], .protocolError),  // 64-bit length MSB
            ([0x82, mask | 0x7F, 0, 0, 0, 0, 0x01, 0, 0, 1], .messageTooBig),  // 16 MiB + 1
            (Self.peer(role, .text, [0xED, 0xA0, 0x80]), .invalidFramePayloadData),
            // Wrong masking for the role.
            (FrameEncoder.encode(opcode: .text, payload: [0x41], maskingKey: role == .client ? Self.peerKey : nil), .protocolError),
        ]
        for (bytes, code) in violations {
            var sm = Self.machine(role)
            // A ping first: its pong is taken, so only the close frame remains.
            #expect(Self.feed(&sm, Self.peer(role, .ping, [])) == [.ping([])])
            _ = sm.takeOutput()
            try Self.expectFailed(&sm, Self.feed(&sm, bytes), code)
        }
    }

    /// The failure reason written into the close frame is cut to fit a control frame.
    @Test func longFailureReasonIsTruncated() throws {
        var sm = Self.machine(.client, limits: ProtocolLimits(maxFrameSize: 10))
        let events = Self.feed(&sm, [0x82, 0x7F, 0x00, 0x00, 0x00, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF])
        try Self.expectFailed(&sm, events, .messageTooBig)
    }

    @Test(arguments: roles)
    func transportClosedStopsEverything(_ role: Role) {
        var sm = Self.machine(role)
        sm.receive(Self.peer(role, .text, Array("pending".utf8)))
        sm.transportClosed()
        #expect(sm.isClosed && sm.nextEvent() == nil)
        let sent = sm.send(.text("x"))
        #expect(!sent)
    }

    // MARK: permessage-deflate (RFC 7692)

    static func deflatePair(_ client: DeflateParameters = DeflateParameters(), _ server: DeflateParameters = DeflateParameters()) throws
        -> (ConnectionStateMachine, ConnectionStateMachine)
    {
        (machine(.client, deflate: try PerMessageDeflate(client)), machine(.server, deflate: try PerMessageDeflate(server)))
    }

    @Test(arguments: [
        (DeflateParameters(), DeflateParameters()),
        (
            DeflateParameters(sendMaxWindowBits: 9, sendNoContextTakeover: true, receiveMaxWindowBits: 12, receiveNoContextTakeover: true),
            DeflateParameters(sendMaxWindowBits: 12, sendNoContextTakeover: true, receiveMaxWindowBits: 9, receiveNoContextTakeover: true)
        ),
    ])
    func compressedMessagesRoundTripClientToServerAndBack(_ parameters: (DeflateParameters, DeflateParameters)) throws {
        var (client, server) = try Self.deflatePair(parameters.0, parameters.1)
        let json = Array(String(repeating: #"{"id":12345,"name":"wsload","tags":["a","b","c"],"ok":true},"#, count: 200).utf8)
        let messages: [Message] = [
            Message(opcode: .text, payload: json), .text("Hello"), .text("Hello"), .binary([]),
            .binary((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }),
        ]
        for m in messages { client.send(m) }
        let wire = client.takeOutput()
        // On the wire: masked, RSV1 set, and the JSON shrank.
        let frames = try RFCVectors.decodeWhole([wire], role: .server, allowsRSV1: true)
        #expect(frames.count == messages.count)
        #expect(frames.allSatisfy { $0.header.rsv1 && $0.header.maskingKey != nil })
        #expect(frames[0].payload.count < json.count / 10)
        // The server decompresses them, also fed byte by byte into a second server.
        #expect(Self.feed(&server, wire) == messages.map { .message($0) })
        var server2 = Self.machine(.server, deflate: try PerMessageDeflate(parameters.1))
        var events: [ConnectionEvent] = []
        for b in wire { events += Self.feed(&server2, [b]) }
        #expect(events == messages.map { .message($0) })
        // And back.
        for m in messages { server.send(m) }
        let back = server.takeOutput()
        #expect(try RFCVectors.decodeWhole([back], role: .client, allowsRSV1: true).allSatisfy { $0.header.rsv1 && $0.header.maskingKey == nil })
        #expect(Self.feed(&client, back) == messages.map { .message($0) })
    }

    /// A compressed message split over fragments (RSV1 on the first only), with a ping in between.
    @Test func fragmentedCompressedMessage() throws {
        let codec = try PerMessageDeflate(DeflateParameters())
        let text = Array(String(repeating: "fragmented and compressed ", count: 50).utf8)
        let compressed = try codec.compress(text)
        let cut = compressed.count / 2
        var sm = Self.machine(.client, deflate: try PerMessageDeflate(DeflateParameters()))
        let events = Self.feed(
            &sm,
            Self.peer(.client, .text, Array(compressed[..<cut]), fin: false, rsv1: true)
                + Self.peer(.client, .ping, [1])
                + Self.peer(.client, .continuation, Array(compressed[cut...])))
        #expect(events == [.ping([1]), .message(Message(opcode: .text, payload: text))])
    }

    /// With deflate negotiated, an uncompressed message (RSV1 clear) is still accepted; RSV1 on a continuation is not.
    @Test func deflateNegotiatedRSV1Rules() throws {
        var sm = Self.machine(.client, deflate: try PerMessageDeflate(DeflateParameters()))
        #expect(Self.feed(&sm, Self.peer(.client, .text, Array("plain".utf8))) == [.message(.text("plain"))])
        let events = Self.feed(&sm, Self.peer(.client, .text, [0x00], fin: false, rsv1: true) + Self.peer(.client, .continuation, [0x00], rsv1: true))
        try Self.expectFailed(&sm, events, .protocolError)
        // Without deflate, RSV1 on a data frame fails too.
        var plain = Self.machine(.client)
        try Self.expectFailed(&plain, Self.feed(&plain, Self.peer(.client, .text, [0x00], rsv1: true)), .protocolError)
    }

    /// Corrupt compressed data fails with 1007; a decompression bomb fails with 1009 at the message limit.
    @Test func compressedViolations() throws {
        var corrupt = Self.machine(.client, deflate: try PerMessageDeflate(DeflateParameters()))
        try Self.expectFailed(&corrupt, Self.feed(&corrupt, Self.peer(.client, .binary, [0xFF, 0xFF, 0xFF], rsv1: true)), .invalidFramePayloadData)

        let codec = try PerMessageDeflate(DeflateParameters())
        let bomb = try codec.compress([UInt8](repeating: 0, count: 1 << 20))
        #expect(bomb.count < 2000)
        var sm = Self.machine(.client, limits: ProtocolLimits(maxMessageSize: 64 * 1024), deflate: try PerMessageDeflate(DeflateParameters()))
        try Self.expectFailed(&sm, Self.feed(&sm, Self.peer(.client, .binary, bomb, rsv1: true)), .messageTooBig)

        // Compressed invalid UTF-8 in a text message: 1007.
        var utf = Self.machine(.client, deflate: try PerMessageDeflate(DeflateParameters()))
        let badText = try PerMessageDeflate(DeflateParameters()).compress([0x41, 0xC0, 0x80])
        try Self.expectFailed(&utf, Self.feed(&utf, Self.peer(.client, .text, badText, rsv1: true)), .invalidFramePayloadData)
    }

    // MARK: Memory

    /// An idle connection is small: its arrays are empty and it holds no zlib context until used.
    @Test func idleMemoryLayout() throws {
        let size = MemoryLayout<ConnectionStateMachine>.size
        print("MemoryLayout<ConnectionStateMachine>.size = \(size), stride = \(MemoryLayout<ConnectionStateMachine>.stride)")
        #expect(size <= 256)
        let codec = try PerMessageDeflate(DeflateParameters())
        var sm = Self.machine(.server, deflate: codec)
        #expect(codec.hasContexts == (false, false))
        _ = Self.feed(&sm, Self.peer(.server, .text, Array("hi".utf8)))
        #expect(!sm.hasOutput)
    }
}
