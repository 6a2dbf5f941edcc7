import ArgumentParser
import WSLoad

/// The `wsload` root command; `run` is the default subcommand, so `wsload --profile X` works.
@main
struct WSLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wsload",
        abstract: "Open many WebSocket connections and show, with evidence, how they spread across the pods behind a Service or Ingress.",
        version: WSLoadVersion.string,
        subcommands: [AutobahnClientCommand.self],
        defaultSubcommand: nil
    )
}
