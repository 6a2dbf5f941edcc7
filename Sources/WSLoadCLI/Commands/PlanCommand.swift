import ArgumentParser
import Foundation
import WSLoad

/// `wsload plan`: how many clients or connections a run needs so that its `max_skew` gate rarely fails a healthy balancer.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Size a run: the clients/connections needed so a healthy random balancer fails max_skew at most --false-fail of the time.",
        discussion: """
            The false-fail probability is exact (multinomial placement with the expected shares). Connections pinned \
            together by cookie or address affinity move as one: pass --connections-per-client and the answer counts \
            clients.

            Examples:
              wsload plan --pods 3 --max-skew 50 --false-fail 0.05
              wsload plan --pods 3 --max-skew 20 --false-fail 0.01 --weights 2,1,1 \\
                --connections-per-client 4
            """
    )

    @Option(help: "Pods behind the target.") var pods: Int
    @Option(name: .customLong("max-skew"), help: "The gate's max_skew in percent (e.g. 50 or 50%).") var maxSkew: String
    @Option(name: .customLong("false-fail"), help: "Acceptable probability that a healthy balancer fails the gate (e.g. 0.05).")
    var falseFail: Double
    @Option(help: "Expected relative weight of each pod, comma-separated, one per pod (default: equal).") var weights: String?
    @Option(name: .customLong("connections-per-client"), help: "Connections each client holds, pinned to one pod by affinity (default 1).")
    var connectionsPerClient: Int = 1

    func run() throws {
        let skewText = maxSkew.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "%", with: "")
        guard let skew = Double(skewText) else {
            throw CLIError(exitCode: .usageError, message: "--max-skew must be a percentage, got \(maxSkew)")
        }
        var parsedWeights: [Double]?
        if let weights {
            let parts = weights.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let values = parts.compactMap(Double.init)
            guard values.count == parts.count else {
                throw CLIError(exitCode: .usageError, message: "--weights must be comma-separated numbers, got \(weights)")
            }
            parsedWeights = values
        }
        do {
            let plan = try SkewPlan.compute(
                pods: pods, maxSkewPercent: skew, falseFail: falseFail, weights: parsedWeights,
                connectionsPerClient: connectionsPerClient)
            print(plan.text, terminator: "")
        } catch let error as SkewPlan.PlanError {
            throw CLIError(exitCode: .usageError, message: error.description)
        }
    }
}
