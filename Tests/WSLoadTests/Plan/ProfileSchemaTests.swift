import Foundation
import Testing

@testable import WSLoad

/// docs/profile.schema.json declares exactly the keys the reader accepts, at the same places.
@Suite struct ProfileSchemaTests {
    static func loadSchema() throws -> [String: Any] {
        let data = try Data(contentsOf: ProfileTestPaths.packageRoot.appendingPathComponent("docs/profile.schema.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Follows `properties`/`items` along a ProfileSchema path such as `pods.static[]`.
    static func node(at path: String, in schema: [String: Any]) -> [String: Any]? {
        var current: [String: Any]? = schema
        for component in path.split(separator: ".") where !path.isEmpty {
            let isList = component.hasSuffix("[]")
            let key = isList ? String(component.dropLast(2)) : String(component)
            current = (current?["properties"] as? [String: Any])?[key] as? [String: Any]
            if isList { current = current?["items"] as? [String: Any] }
        }
        return current
    }

    @Test func isDraft2020_12() throws {
        #expect(try Self.loadSchema()["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    }

    @Test(arguments: ProfileSchema.allowedKeys.keys.sorted())
    func schemaDeclaresExactlyTheAllowedKeys(path: String) throws {
        let schema = try Self.loadSchema()
        let object = try #require(Self.node(at: path, in: schema), "no schema object at \(path.isEmpty ? "<root>" : path)")
        let properties = try #require(object["properties"] as? [String: Any])
        #expect(Set(properties.keys) == Set(ProfileSchema.allowedKeys[path]!), "at \(path.isEmpty ? "<root>" : path)")
        #expect(object["additionalProperties"] as? Bool == false, "at \(path) unknown keys must be rejected")
    }

    @Test func everyFixedObjectInTheSchemaIsInTheTable() throws {
        // The reverse direction: no closed object in the schema that the reader does not know about.
        var found: [String] = []
        func walk(_ node: [String: Any], _ path: String) {
            guard let properties = node["properties"] as? [String: Any] else { return }
            if node["additionalProperties"] as? Bool == false { found.append(path) }
            for (key, value) in properties {
                guard let child = value as? [String: Any] else { continue }
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                walk(child, childPath)
                if let items = child["items"] as? [String: Any] { walk(items, childPath + "[]") }
            }
        }
        walk(try Self.loadSchema(), "")
        #expect(Set(found) == Set(ProfileSchema.allowedKeys.keys))
    }

    @Test func enumsMatchTheSwiftTypes() throws {
        let schema = try Self.loadSchema()
        let cookies = try #require(Self.node(at: "clients.cookies", in: schema))
        #expect(cookies["enum"] as? [String] == Profile.CookiePolicy.allCases.map(\.rawValue))
        let format = try #require((schema["$defs"] as? [String: Any])?["format"] as? [String: Any])
        #expect(format["enum"] as? [String] == Profile.OutputFormat.allCases.map(\.rawValue))
    }
}

/// The committed schema is the one the key table generates, byte for byte: a key added to `ProfileKeys`
/// without regenerating `docs/profile.schema.json` (`wsload profiles schema > docs/profile.schema.json`) fails here, in CI.
@Suite struct ProfileSchemaGenerationTests {
    @Test func committedSchemaIsTheGeneratedOne() throws {
        let committed = try String(contentsOf: ProfileTestPaths.packageRoot.appendingPathComponent("docs/profile.schema.json"), encoding: .utf8)
        #expect(
            committed == ProfileSchemaDocument.text,
            "docs/profile.schema.json is stale: run `swift run wsload profiles schema > docs/profile.schema.json`")
    }

    @Test func generatedSchemaIsValidJSON() throws {
        let object = try JSONSerialization.jsonObject(with: Data(ProfileSchemaDocument.text.utf8)) as? [String: Any]
        #expect(object?["additionalProperties"] as? Bool == false)
    }

    /// Defaults come from the sections' default values, not from a second list: spot-check them against the
    /// documented defaults (docs/profiles.md).
    @Test func defaultsComeFromTheSections() throws {
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(ProfileSchemaDocument.text.utf8)) as? [String: Any])
        func node(_ path: String) -> [String: Any]? { ProfileSchemaTests.node(at: path, in: schema) }
        #expect(node("ramp.rate")?["default"] as? Double == 200)
        #expect(node("ramp.max_in_flight")?["default"] as? Int == 64)
        #expect(node("hold")?["default"] as? String == "10s")
        #expect(node("reconnect.initial_backoff")?["default"] as? String == "500ms")
        #expect(node("clients.cookies")?["default"] as? String == "per-client")
        #expect(node("target.tls.session_resumption")?["default"] as? Bool == true)
        #expect(node("limits.max_frame_size")?["default"] as? String == "16MiB")
        #expect(node("gate.max_failed")?["default"] == nil, "an unset gate threshold has no default")
        #expect(node("ramp.rate")?["exclusiveMinimum"] as? Double == 0, "the bound is in the schema")
    }

    /// A key's bound is checked after flags are applied, with the key's path and the value.
    @Test func boundsAreCheckedAfterOverrides() throws {
        var profile = Profile()
        profile.target.url = "ws://127.0.0.1:1/"
        profile.portforward = Profile.PortForwardSection()
        profile.portforward?.restart.jitter = 1.5
        profile.pods.staticPods = [Profile.StaticPod(name: "a", weight: -1)]
        let error = try #require(throws: ProfileError.self) { try profile.validate() }
        let texts = error.description.split(separator: "\n").map(String.init)
        #expect(texts.contains { $0.contains("portforward.restart.jitter: must be a fraction between 0 and 1, got 1.5") }, "\(texts)")
        #expect(texts.contains { $0.contains("pods.static[0].weight: must be >= 0, got -1") }, "\(texts)")
    }
}
