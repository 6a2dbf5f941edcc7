import Foundation
import Testing

@testable import WSLoad

/// `clients.lifetime` draws: fixed, jitter bounds, the exponential mean, reproducibility and the hold cap.
@Suite struct ConnectionLifetimeTests {
    @Test func aFixedLifetimeWithoutJitterIsTheAgeEveryTime() {
        let l = ConnectionLifetime(age: 30)
        for i in 0..<100 { #expect(l.draw(index: i, life: i % 7) == 30) }
    }

    @Test func jitterStaysWithinItsBoundsAndUsesThem() {
        // age 10, jitter 0.2: every age in [10·0.8, 10·1.2] = [8, 12]; 2000 uniform draws come within 0.2 of both ends
        // (the chance that none falls in a 0.2-wide end strip of the 4-wide range is 0.95^2000 ≈ 1e-45).
        let l = ConnectionLifetime(age: 10, jitter: 0.2)
        let draws = (0..<2000).map { l.draw(index: $0, life: 0) }
        #expect(draws.allSatisfy { $0 >= 8 && $0 <= 12 })
        #expect(draws.min()! < 8.2 && draws.max()! > 11.8)
    }

    @Test func exponentialDrawsHaveTheAgeAsMean() {
        // Exponential, mean 2: the mean of n = 20 000 draws has a standard deviation of 2/√20000 ≈ 0.0141, so 5σ is 0.071.
        // P(X > mean) = e^-1 ≈ 0.3679, with a standard deviation of √(0.3679·0.6321/20000) ≈ 0.0034 (5σ: 0.017).
        let l = ConnectionLifetime(age: 2, distribution: .exponential)
        let n = 20_000
        let draws = (0..<n).map { l.draw(index: $0 / 4, life: $0 % 4) }
        let mean = draws.reduce(0, +) / Double(n)
        #expect(abs(mean - 2) < 0.071, "mean \(mean)")
        let above = Double(draws.filter { $0 > 2 }.count) / Double(n)
        #expect(abs(above - exp(-1)) < 0.017, "above the mean: \(above)")
        #expect(draws.allSatisfy { $0 >= 0 })
    }

    @Test func drawsAreReproducibleAndDifferPerLife() {
        let l = ConnectionLifetime(age: 5, jitter: 0.5, distribution: .exponential)
        #expect(l.draw(index: 17, life: 3) == ConnectionLifetime(age: 5, jitter: 0.5, distribution: .exponential).draw(index: 17, life: 3))
        let lives = (0..<10).map { l.draw(index: 17, life: $0) }
        #expect(Set(lives).count == 10)
        let conns = (0..<10).map { l.draw(index: $0, life: 0) }
        #expect(Set(conns).count == 10)
    }

    @Test func aLifeEndsOnlyWhenItsReopenFitsInTheHold() {
        // age + reopen_delay + the 0.25 s guard must be less than what remains of the hold.
        let l = ConnectionLifetime(age: 0.5, reopenDelay: 0.1)
        #expect(l.endsWithinHold(age: 0.5, remaining: 0.9))  // 0.85 < 0.9
        #expect(!l.endsWithinHold(age: 0.5, remaining: 0.85))
        #expect(!l.endsWithinHold(age: 40, remaining: 30), "a draw past the hold is capped: it never ends the connection")
    }

    @Test func thePlanCarriesTheLifetimeThroughJSON() throws {
        var plan = RunPlan(url: try WebSocketURL("ws://127.0.0.1:1/ws"))
        plan.lifetime = ConnectionLifetime(age: 30, jitter: 0.1, distribution: .exponential, reopenDelay: 0.5)
        let data = try JSONEncoder().encode(plan)
        let back = try JSONDecoder().decode(RunPlan.self, from: data)
        #expect(back.lifetime == plan.lifetime)
        #expect(back == plan)
    }
}
