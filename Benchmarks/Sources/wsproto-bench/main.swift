import WSProtocol

// Throughput of the sans-I/O WebSocket core. Fixed iteration counts, best of 5 runs; prints a
// Markdown table. Every benchmark folds its results into `sink` so nothing is optimised away.

nonisolated(unsafe) var sink = 0

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// Runs `body` `runs` times and returns the fastest wall time in seconds.
func best(of runs: Int = 5, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    body()  // warm-up
    var fastest = Double.infinity
    for _ in 0..<runs { fastest = min(fastest, seconds(clock.measure(body))) }
    return fastest
}

struct Row {
    var name: String
    var work: String
    var time: Double
    var rate: String
    var throughput: String
}
nonisolated(unsafe) var rows: [Row] = []

func fmt(_ x: Double, _ digits: Int = 1) -> String {
    var s = String(Int(x * pow10(digits) + 0.5))
    if digits > 0 {
        while s.count <= digits { s = "0" + s }
        s.insert(".", at: s.index(s.endIndex, offsetBy: -digits))
    }
    return s
}
func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { a, _ in a * 10 } }
func grouped(_ n: Int) -> String {
    let s = String(n)
    var out = ""
    for (i, c) in s.reversed().enumerated() { if i > 0 && i % 3 == 0 { out.append(",") }; out.append(c) }
    return String(out.reversed())
}

func record(_ name: String, count: Int, bytes: Int, time: Double, unit: String) {
    let mb = Double(bytes) / 1e6 / time
    let tp: String
    switch unit {
    case "GB/s": tp = fmt(mb / 1000, 2) + " GB/s"
    default: tp = fmt(mb, 1) + " MB/s"
    }
    rows.append(Row(name: name, work: "\(grouped(count)) × \(bytes / count) B", time: time,
                    rate: count > 1 ? grouped(Int(Double(count) / time)) + " /s" : "–", throughput: tp))
}

// MARK: Inputs

let key = MaskingKey(0x37, 0xFA, 0x21, 0x3D)
func maskedStream(frames: Int, payloadSize: Int) -> [UInt8] {
    let payload = (0..<payloadSize).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    var keys = MaskingKeySource.seeded(7)
    var out: [UInt8] = []
    out.reserveCapacity(frames * (payloadSize + 14))
    for _ in 0..<frames { FrameEncoder.encode(opcode: .binary, payload: payload, maskingKey: keys.next(), into: &out) }
    return out
}

/// Splits a stream into 64 KiB "socket reads".
let readSize = 64 * 1024
func feedChunks(_ stream: [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) {
    stream.withUnsafeBytes { raw in
        var i = 0
        while i < raw.count {
            let end = min(i + readSize, raw.count)
            body(UnsafeRawBufferPointer(rebasing: raw[i..<end]))
            i = end
        }
    }
}

// MARK: Decode

for (frames, size) in [(200_000, 16), (1_000, 65536)] {
    let stream = maskedStream(frames: frames, payloadSize: size)
    let t = best {
        var sm = ConnectionStateMachine(role: .server)
        var n = 0
        feedChunks(stream) { chunk in
            sm.receive(chunk)
            while let event = sm.nextEvent() {
                if case .message(let m) = event { n += m.payload.count }
            }
        }
        precondition(n == frames * size)
        sink &+= n
    }
    record("decode, ConnectionStateMachine server (masked binary, \(size == 16 ? "16 B" : "64 KiB"))", count: frames, bytes: frames * size, time: t, unit: "MB/s")

    let t2 = best {
        var decoder = FrameDecoder(role: .server)
        var n = 0, ends = 0
        feedChunks(stream) { chunk in
            decoder.append(chunk)
            while let part = try! decoder.next() {
                switch part {
                case .payload(let p): n += p.count
                case .end: ends += 1
                case .header: break
                }
            }
        }
        precondition(n == frames * size && ends == frames)
        sink &+= n
    }
    record("decode, raw FrameDecoder.next() (masked, \(size == 16 ? "16 B" : "64 KiB"))", count: frames, bytes: frames * size, time: t2, unit: "MB/s")
}

// MARK: Encode

// `flushEvery`: how many sends queue up before the output is taken (1 = a writer that keeps up;
// 256 = a backed-up socket, where the output array keeps growing).
for (frames, size, seeded, flushEvery) in [(200_000, 16, true, 256), (200_000, 16, false, 256), (1_000, 65536, true, 1), (1_000, 65536, true, 256)] {
    let message = Message.binary((0..<size).map { UInt8(truncatingIfNeeded: $0) })
    let t = best {
        var sm = ConnectionStateMachine(role: .client, maskingKeys: seeded ? .seeded(1) : .random)
        var written = 0
        for i in 0..<frames {
            sm.send(message)
            if i % flushEvery == flushEvery - 1 { written += sm.takeOutput().count }
        }
        written += sm.takeOutput().count
        sink &+= written
    }
    let label = size == 16 ? "16 B" : "64 KiB"
    record("encode, ConnectionStateMachine client (masked, \(label), \(seeded ? "seeded keys" : "system random keys"), output taken every \(flushEvery))",
           count: frames, bytes: frames * size, time: t, unit: "MB/s")
}

// MARK: Masking

do {
    var buffer = [UInt8](repeating: 0x5A, count: 1 << 20)
    let iterations = 2_000
    let t = best {
        buffer.withUnsafeMutableBytes { raw in
            for i in 0..<iterations { key.apply(to: raw, offset: i) }
        }
        sink &+= Int(buffer[12345])
    }
    record("MaskingKey.apply, 1 MiB buffer", count: iterations, bytes: iterations << 20, time: t, unit: "GB/s")
}

// MARK: UTF-8

do {
    let ascii = Array(String(repeating: "The quick brown fox jumps over the lazy dog. 0123456789 ", count: 20_000).utf8.prefix(1 << 20))
    var mixedString = ""
    while mixedString.utf8.count < 1 << 20 { mixedString += "Hello κόσμε — 日本語のテキスト, emoji 😀🎉, ASCII again. " }
    var mixed = Array(mixedString.utf8)
    // Trim to a character boundary at ~1 MiB.
    while mixed.count > 1 << 20 || !UTF8Validator.isValid(mixed) { mixed.removeLast() }
    for (name, data) in [("ASCII", ascii), ("mixed (Greek, CJK, emoji; 41% ASCII bytes)", mixed)] {
        let iterations = 500
        let t = best {
            var ok = 0
            data.withUnsafeBytes { raw in
                for _ in 0..<iterations {
                    var v = UTF8Validator()
                    if v.validate(raw) && v.isComplete { ok += 1 }
                }
            }
            precondition(ok == iterations)
            sink &+= ok
        }
        record("UTF8Validator, \(name), \(grouped(data.count)) B", count: iterations, bytes: iterations * data.count, time: t, unit: "GB/s")
    }
    let asciiShare = Double(mixed.filter { $0 < 0x80 }.count) / Double(mixed.count)
    print("mixed text: \(fmt(asciiShare * 100, 0))% ASCII bytes")
}

// MARK: Deflate

do {
    var json = "["
    var i = 0
    while json.utf8.count < 65536 - 200 {
        json += #"{"id":\#(i),"user":"user\#(i % 97)","event":"\#(["click", "view", "scroll", "buy"][i % 4])","ts":\#(1_700_000_000 + i * 37),"price":\#(i % 1000).\#(i % 100),"tags":["a\#(i % 7)","b\#(i % 11)"]},"#
        i += 1
    }
    json += "{}]"
    let message = Array(json.utf8.prefix(65536))
    let iterations = 300

    // No context takeover: every message is compressed independently (the worst case for ratio, a fair one for speed).
    let sendCodec = try! PerMessageDeflate(DeflateParameters(sendNoContextTakeover: true))
    var compressed: [UInt8] = []
    let tc = best {
        for _ in 0..<iterations { compressed = try! sendCodec.compress(message) }
        sink &+= compressed.count
    }
    record("permessage-deflate compress, 64 KiB JSON-like (no context takeover)", count: iterations, bytes: iterations * message.count, time: tc, unit: "MB/s")

    let receiveCodec = try! PerMessageDeflate(DeflateParameters(receiveNoContextTakeover: true))
    let ti = best {
        var n = 0
        for _ in 0..<iterations { n += try! receiveCodec.decompress(compressed, isFinal: true, maxMessageSize: 1 << 20).count }
        precondition(n == iterations * message.count)
        sink &+= n
    }
    record("permessage-deflate inflate, 64 KiB JSON-like (no context takeover)", count: iterations, bytes: iterations * message.count, time: ti, unit: "MB/s")
    print("deflate: 64 KiB JSON-like message → \(compressed.count) B (ratio \(fmt(Double(message.count) / Double(compressed.count), 1)):1)")

    // End to end: client SM send → server SM receive, with context takeover (the negotiated default).
    let te = best {
        var client = ConnectionStateMachine(role: .client, deflate: try! PerMessageDeflate(DeflateParameters()), maskingKeys: .seeded(3))
        var server = ConnectionStateMachine(role: .server, deflate: try! PerMessageDeflate(DeflateParameters()))
        var n = 0
        for _ in 0..<iterations {
            client.send(Message(opcode: .text, payload: message))
            server.receive(client.takeOutput())
            while let event = server.nextEvent() { if case .message(let m) = event { n += m.payload.count } }
        }
        precondition(n == iterations * message.count)
        sink &+= n
    }
    record("deflate end to end: client SM send → server SM receive (text, context takeover)", count: iterations, bytes: iterations * message.count, time: te, unit: "MB/s")
}

// MARK: Report

print("")
print("| Benchmark | Work per run | Best of 5 | Rate | Throughput |")
print("|---|---|---:|---:|---:|")
for r in rows {
    print("| \(r.name) | \(r.work) | \(fmt(r.time * 1000, 1)) ms | \(r.rate) | \(r.throughput) |")
}
let sm = ConnectionStateMachine(role: .server)
print("")
print("Idle ConnectionStateMachine: MemoryLayout size \(MemoryLayout<ConnectionStateMachine>.size) B, stride \(MemoryLayout<ConnectionStateMachine>.stride) B; "
      + "its arrays (decoder buffer, output, message and control buffers) are empty, so they point at the shared empty-array storage "
      + "and allocate nothing (hasOutput: \(sm.hasOutput)); a PerMessageDeflate codec adds no zlib memory until first use.")
print("(checksum \(sink & 0xFFFF))")
