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
