import ArgumentParser
import Foundation
import WSLoad

/// The `wsload` root command; `run` is the default subcommand, so `wsload --profile X` works.
@main
struct WSLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wsload",
        abstract: "Open many WebSocket connections and show, with evidence, how they spread across the pods behind a Service or Ingress.",
        discussion: """
            Exit codes: 0 the run passed its gate; 1 the gate failed; 2 usage or configuration error; \
            3 the run could not complete (interrupted, target unreachable, resources).
            """,
        version: WSLoadVersion.string,
        subcommands: [
            RunCommand.self, ServeCommand.self, DemoCommand.self, ConnectCommand.self, ShellCommand.self, ReportCommand.self,
            MatchLogsCommand.self, MergeCommand.self, CollectCommand.self, PortForwardCommand.self, ProfilesCommand.self, ValidateCommand.self,
            PlanCommand.self, AutobahnClientCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )

    /// Runs the command, mapping errors to the documented exit codes (usage errors exit 2, not 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as CLIError {
            LineWriter.standardError.write("wsload: \(error.message)")
            Foundation.exit(error.exitCode.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            LineWriter.standardError.write(fullMessage(for: error))
            Foundation.exit(WSLoad.ExitCode.usageError.rawValue)
        }
    }
}
