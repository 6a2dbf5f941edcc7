import Testing

@testable import WSLoad

/// `clients.sources` items: parsing and expansion.
@Suite struct ProfileSourceSpecTests {
    @Test func parsesEveryKind() throws {
        #expect(try SourceSpec(parsing: "127.0.0.2") == .single(.v4(0x7F00_0002)))
        #expect(try SourceSpec(parsing: "::1") == .single(.v6(1)))
        #expect(try SourceSpec(parsing: "127.0.0.2-127.0.0.21") == .range(.v4(0x7F00_0002), .v4(0x7F00_0015)))
        #expect(try SourceSpec(parsing: "127.0.1.0/28") == .cidr(.v4(0x7F00_0100), prefixLength: 28))
        #expect(try SourceSpec(parsing: "interface:lo") == .interface("lo"))
        #expect(try SourceSpec(parsing: " 10.0.0.1 ").description == "10.0.0.1")
        #expect(try SourceSpec(parsing: "fd00::1-fd00::3").description == "fd00::1-fd00::3")
    }

    @Test(arguments: [
        ("127.0.0.256", #"bad source address "127.0.0.256"; expected an IPv4/IPv6 address, a range a-b, a CIDR a/n or interface:NAME"#),
        ("127.0.0.9-127.0.0.2", #"range "127.0.0.9-127.0.0.2" is reversed: 127.0.0.9 comes after 127.0.0.2; did you mean 127.0.0.2-127.0.0.9?"#),
        ("127.0.0.1-::1", #"bad range "127.0.0.1-::1": both ends must be IPv4 or both IPv6"#),
        ("127.0.0.1-x", #"bad range "127.0.0.1-x": "x" is not an IPv4 or IPv6 address"#),
        ("10.0.0.0/33", #"bad CIDR "10.0.0.0/33": prefix length must be 0-32, got "33""#),
        ("fd00::/129", #"bad CIDR "fd00::/129": prefix length must be 0-128, got "129""#),
        ("10.0.0.1/24", #"bad CIDR "10.0.0.1/24": host bits are set; did you mean 10.0.0.0/24?"#),
        ("host/24", #"bad CIDR "host/24": "host" is not an IPv4 or IPv6 address"#),
        ("interface:", #"bad interface name in "interface:"; expected interface:NAME, e.g. interface:lo"#),
    ])
    func rejects(text: String, message: String) {
        #expect(throws: SourceSpec.ParseError(message)) { try SourceSpec(parsing: text) }
    }

    @Test func rangeCrossesOctetBoundary() throws {
        let addresses = try SourceSpec(parsing: "127.0.0.250-127.0.1.5").expand(limit: 100)
        #expect(addresses.count == 12)
        #expect(addresses.first == "127.0.0.250")
        #expect(addresses[5] == "127.0.0.255")
        #expect(addresses[6] == "127.0.1.0")
        #expect(addresses.last == "127.0.1.5")
    }

    @Test func cidrSlash30IncludesEveryAddress() throws {
        #expect(try SourceSpec(parsing: "127.0.1.4/30").expand() == ["127.0.1.4", "127.0.1.5", "127.0.1.6", "127.0.1.7"])
        #expect(try SourceSpec(parsing: "10.1.2.3/32").expand() == ["10.1.2.3"])
        #expect(try SourceSpec(parsing: "127.0.1.0/28").count == 16)
    }

    @Test func smallIPv6RangeAndBlock() throws {
        #expect(try SourceSpec(parsing: "fd00::fffe-fd00::1:1").expand() == ["fd00::fffe", "fd00::ffff", "fd00::1:0", "fd00::1:1"])
        #expect(try SourceSpec(parsing: "fd00::/126").expand() == ["fd00::", "fd00::1", "fd00::2", "fd00::3"])
        #expect(try SourceSpec(parsing: "::1").expand() == ["::1"])
    }

    @Test func limitIsEnforced() throws {
        #expect(throws: SourceSpec.ParseError(#""10.0.0.0/16" expands to 65536 addresses, more than the limit of 1000"#)) {
            try SourceSpec(parsing: "10.0.0.0/16").expand(limit: 1000)
        }
        #expect(throws: SourceSpec.ParseError(#""fd00::/64" expands to too many addresses, more than the limit of 10"#)) {
            try SourceSpec(parsing: "fd00::/64").expand(limit: 10)
        }
    }

    @Test func loopbackInterfaceHasAddresses() throws {
        let addresses = try SourceSpec(parsing: "interface:lo").expand()
        #expect(addresses.contains("127.0.0.1"))
        #expect(throws: SourceSpec.ParseError(#"no interface "nope0" with an IPv4 or IPv6 address"#)) {
            try SourceSpec(parsing: "interface:nope0").expand()
        }
    }

    @Test func profileSourcesParse() throws {
        let profile = try ProfileLoader.parse(
            yaml: #"clients: {sources: ["127.0.0.2-127.0.0.21", "127.0.1.0/28", "::1", "interface:lo"]}"#, file: "s.yaml")
        let specs = try profile.clients.sourceSpecs()
        #expect(specs.count == 4)
        #expect(specs[0].count == 20)
        #expect(specs[3] == .interface("lo"))
    }
}
