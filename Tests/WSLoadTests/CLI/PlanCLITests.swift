import Foundation
import Testing
import WSLoad

/// `wsload plan` through the built binary: the parse, the answer, and usage errors exit 2.
@Suite struct PlanCLITests {
    @Test func threePodsFiftyPercent() async throws {
        let r = try await wsload(["plan", "--pods", "3", "--max-skew", "50%", "--false-fail", "0.05"])
        #expect(r.status == 0, "\(r.stderr)")
        // From 44 connections on, every size's exact false-fail stays within 5 % (43 → 5.76 %); 40 is the smallest within.
        #expect(r.stdout.contains("needs 44 connections"), "\(r.stdout)")
        #expect(r.stdout.contains("the smallest size within the rate is 40"), "\(r.stdout)")
        #expect(r.stdout.contains("5.76%"), "\(r.stdout)")
    }

    @Test func pinnedClientsAndWeights() async throws {
        let r = try await wsload([
            "plan", "--pods", "2", "--max-skew", "50", "--false-fail", "0.05", "--weights", "1,1",
            "--connections-per-client", "3",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("clients ("), "\(r.stdout)")
    }

    @Test(arguments: [
        (["plan", "--pods", "1", "--max-skew", "50", "--false-fail", "0.05"], "--pods must be at least 2"),
        (["plan", "--pods", "3", "--max-skew", "fifty", "--false-fail", "0.05"], "--max-skew must be a percentage"),
        (["plan", "--pods", "3", "--max-skew", "50", "--false-fail", "0.05", "--weights", "1,x,1"], "--weights must be comma-separated"),
        (["plan", "--pods", "3", "--max-skew", "50", "--false-fail", "0.05", "--weights", "1,1"], "--weights has 2 values"),
    ])
    func usageErrors(arguments: [String], message: String) async throws {
        let r = try await wsload(arguments)
        #expect(r.status == 2)
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }
}
