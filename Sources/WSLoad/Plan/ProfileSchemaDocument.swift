/// `docs/profile.schema.json`, generated from the key table (`ProfileKeys`): `wsload profiles schema` prints it,
/// and a test fails when the committed file differs, so the schema editors use cannot drift from the reader.
public enum ProfileSchemaDocument {
    /// The JSON Schema (draft 2020-12) of a profile, as text ending in a newline.
    public static var text: String { document.pretty() + "\n" }

    static var document: SchemaJSON {
        let keys = ProfileKeys.root.map { $0.describe() }
        return .object([
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("$id", .string("https://github.com/wsload/wsload/docs/profile.schema.json")),
            ("title", .string("wsload profile")),
            ("description", .string("A wsload load-distribution profile (see docs/profiles.md). Keys are snake_case; unknown keys are rejected.")),
            ("type", .string("object")),
            ("additionalProperties", .bool(false)),
            ("properties", .object(keys.map { ($0.name, $0.schema) })),
            ("$defs", .object(ProfileKeys.definitions)),
        ])
    }
}
