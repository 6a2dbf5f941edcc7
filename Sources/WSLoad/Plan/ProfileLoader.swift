import Foundation

/// Where `--profile NAME` was found.
public enum ProfileSource: Sendable, Equatable, CustomStringConvertible {
    /// NAME was itself a path to an existing file.
    case path
    /// `profiles/NAME.yaml` in the working directory.
    case workingDirectory
    /// `NAME.yaml` in this directory of `$WSLOAD_PROFILES`.
    case searchPath(String)
    /// Compiled into the binary (``BuiltinProfiles``).
    case builtin

    /// Human-readable origin, e.g. `built-in` or `$WSLOAD_PROFILES (/etc/wsload)`.
    public var description: String {
        switch self {
        case .path: return "file"
        case .workingDirectory: return "./profiles"
        case .searchPath(let directory): return "$WSLOAD_PROFILES (\(directory))"
        case .builtin: return "built-in"
        }
    }
}

/// Finds, reads and parses profiles.
public enum ProfileLoader {
    /// Prefix of the pseudo-path of built-in profiles (`builtin:local-demo`), accepted by ``load(path:)``.
    public static let builtinPrefix = "builtin:"

    /// Reads and parses the profile at `path` (or `builtin:NAME`). Does not run ``Profile/validate(requireURL:)``.
    public static func load(path: String) throws(ProfileError) -> Profile {
        if path.hasPrefix(builtinPrefix), !FileManager.default.fileExists(atPath: path) {
            let name = String(path.dropFirst(builtinPrefix.count))
            guard let text = BuiltinProfiles.all[name] else {
                throw ProfileError(
                    file: path, line: nil, column: nil, keyPath: "",
                    message: "no built-in profile \"\(name)\"; built-ins: \(BuiltinProfiles.names.joined(separator: ", "))"
                        + Suggest.hint(for: name, in: BuiltinProfiles.names))
            }
            return try parse(yaml: text, file: path)
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ProfileError(file: path, line: nil, column: nil, keyPath: "", message: "cannot read profile: \(Self.reason(error))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ProfileError(file: path, line: nil, column: nil, keyPath: "", message: "profile is not valid UTF-8")
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses profile YAML; `file` is used in error messages and for the default name (its stem).
    /// Does not run ``Profile/validate(requireURL:)``.
    public static func parse(yaml: String, file: String) throws(ProfileError) -> Profile {
        var reader = ProfileReader(file: file)
        return try reader.read(yaml: yaml)
    }

    /// Resolves `--profile NAME`: (1) NAME as a path to an existing file, (2) `profiles/NAME.yaml` in
    /// `workingDirectory`, (3) `NAME.yaml` in each directory of `$WSLOAD_PROFILES` (colon-separated),
    /// (4) a built-in profile (path `builtin:NAME`). Relative paths are taken from `workingDirectory`.
    public static func resolve(name: String, workingDirectory: String, environment: [String: String])
        throws(ProfileError) -> (path: String, source: ProfileSource)
    {
        let fm = FileManager.default
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : (workingDirectory as NSString).appendingPathComponent(path)
        }
        func isFile(_ path: String) -> Bool {
            var isDirectory: ObjCBool = false
            return fm.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        var looked: [String] = []

        let direct = absolute(name)
        if !name.isEmpty, isFile(direct) { return (direct, .path) }
        looked.append(direct)

        let fileName = name.hasSuffix(".yaml") || name.hasSuffix(".yml") ? name : "\(name).yaml"
        let local = absolute("profiles/\(fileName)")
        if isFile(local) { return (local, .workingDirectory) }
        looked.append(local)

        for directory in (environment["WSLOAD_PROFILES"] ?? "").split(separator: ":").map(String.init) where !directory.isEmpty {
            let candidate = (absolute(directory) as NSString).appendingPathComponent(fileName)
            if isFile(candidate) { return (candidate, .searchPath(directory)) }
            looked.append(candidate)
        }

        let builtinName = ProfileReader.stem(of: name)
        if BuiltinProfiles.all[builtinName] != nil, !name.contains("/") {
            return (builtinPrefix + builtinName, .builtin)
        }
        throw ProfileError(
            file: name, line: nil, column: nil, keyPath: "",
            message: "no such profile; looked for \(looked.joined(separator: ", ")) and the built-ins "
                + BuiltinProfiles.names.joined(separator: ", ") + Suggest.hint(for: builtinName, in: BuiltinProfiles.names))
    }

    /// Resolves `--profile NAME` and loads it; returns the profile with where it came from.
    public static func load(name: String, workingDirectory: String, environment: [String: String])
        throws(ProfileError) -> (profile: Profile, path: String, source: ProfileSource)
    {
        let (path, source) = try resolve(name: name, workingDirectory: workingDirectory, environment: environment)
        return (try load(path: path), path, source)
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
            let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError { return "No such file or directory" }
        return nsError.localizedDescription
    }
}
