import ArgumentParser
import Foundation
import WSLoad

/// `wsload profiles`: list and show profiles.
struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List the profiles wsload can find, or show one.",
        discussion: """
            Lookup order for --profile NAME: a path, profiles/NAME.yaml here, each directory in \
            $WSLOAD_PROFILES, then the profiles built into the binary.

            Examples:
              wsload profiles
              wsload profiles show ingress-20conns
              wsload profiles schema > profile.schema.json
            """,
        subcommands: [List.self, Show.self, Schema.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List profiles.")
        func run() throws {
            let cwd = FileManager.default.currentDirectoryPath
            for name in ProfileLoader.availableNames(workingDirectory: cwd, environment: ProcessInfo.processInfo.environment) {
                let loaded = try? ProfileLoader.load(name: name, workingDirectory: cwd, environment: ProcessInfo.processInfo.environment)
                let desc = loaded?.profile.description ?? ""
                print("\(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(loaded.map { "\($0.source)" } ?? "?")  \(desc)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a profile's YAML and where it was found.")
        @Argument(help: "Profile name or path.", completion: .profileNames) var name: String
        func run() throws {
            let cwd = FileManager.default.currentDirectoryPath
            let found: (path: String, source: ProfileSource)
            do { found = try ProfileLoader.resolve(name: name, workingDirectory: cwd, environment: ProcessInfo.processInfo.environment) } catch {
                throw CLIError(exitCode: .usageError, message: error.description)
            }
            print("# \(found.path) (\(found.source))")
            if found.path.hasPrefix(ProfileLoader.builtinPrefix) {
                print(BuiltinProfiles.yaml(named: String(found.path.dropFirst(ProfileLoader.builtinPrefix.count))) ?? "")
            } else {
                print((try? String(contentsOfFile: found.path, encoding: .utf8)) ?? "")
            }
        }
    }
}

extension ProfilesCommand {
    /// `wsload profiles schema`: the JSON Schema editors use to complete and check profiles.
    struct Schema: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schema",
            abstract: "Print the profile JSON Schema (the same as docs/profile.schema.json).")
        func run() throws { print(ProfileSchemaDocument.text, terminator: "") }
    }
}

/// `wsload validate`: check profiles without connecting.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate profiles (syntax, keys, values, cross-field rules) without connecting.",
        discussion: """
            Prints file:line:column: key.path: message for every problem of every profile (not only the first) \
            and exits 2 if any profile is invalid. Source addresses (clients.sources) are checked by binding each \
            one on this machine, as `run` does before it connects; --skip-source-check leaves that out for profiles \
            meant for another machine.

            Examples:
              wsload validate profiles/*.yaml
              wsload validate ingress-20conns --url wss://ws.example.com/ws
            """
    )

    @Argument(help: "Profile names or paths.", completion: .profileNamesAndFiles) var profiles: [String]
    @Option(help: "URL to assume for profiles that leave target.url to the command line.") var url: String?
    @Flag(help: "Do not bind the source addresses (for profiles meant to run on another machine).") var skipSourceCheck = false

    func run() throws {
        let cwd = FileManager.default.currentDirectoryPath
        var bad = 0
        for name in profiles {
            do {
                var loaded = try ProfileLoader.load(name: name, workingDirectory: cwd, environment: ProcessInfo.processInfo.environment)
                var overrides = ProfileOverrides()
                overrides.url = url
                try overrides.apply(to: &loaded.profile)
                try loaded.profile.validate(requireURL: url != nil)
                if !skipSourceCheck { try loaded.profile.checkSourcesBindable() }
                print("\(loaded.path): ok")
            } catch {
                bad += 1
                LineWriter.standardError.write(error.description)
            }
        }
        if bad > 0 { throw CLIError(exitCode: .usageError, message: "\(bad) of \(profiles.count) profiles invalid") }
    }
}
