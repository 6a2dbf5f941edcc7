import Foundation

/// Chi-square tail probabilities via the regularized upper incomplete gamma function.
public enum ChiSquare {
    /// P(X ≥ `statistic`) for a chi-square variable with `degreesOfFreedom` degrees: Q(k/2, x/2).
    public static func pValue(statistic: Double, degreesOfFreedom: Int) -> Double {
        precondition(degreesOfFreedom > 0, "chi-square needs at least one degree of freedom")
        if statistic <= 0 { return 1 }
        if statistic.isInfinite { return 0 }
        return regularizedUpperGamma(Double(degreesOfFreedom) / 2, statistic / 2)
    }

    /// Q(a, x) = Γ(a, x) / Γ(a), for a > 0 and x ≥ 0 (Numerical Recipes `gammq`).
    ///
    /// Uses the series for P(a, x) when x < a + 1 and Lentz's continued fraction for Q otherwise.
    public static func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double {
        precondition(a > 0 && x >= 0, "Q(a, x) needs a > 0 and x ≥ 0")
        if x == 0 { return 1 }
        if x < a + 1 { return max(0, min(1, 1 - lowerSeries(a, x))) }
        return max(0, min(1, upperContinuedFraction(a, x)))
    }

    /// P(a, x) = γ(a, x) / Γ(a), the regularized lower incomplete gamma function.
    public static func regularizedLowerGamma(_ a: Double, _ x: Double) -> Double {
        1 - regularizedUpperGamma(a, x)
    }

    private static let maxIterations = 500
    private static let epsilon = 1e-15
    private static let tiny = 1e-300

    /// P(a, x) by its series: e^{-x} x^a / Γ(a+1) · Σ x^n / ((a+1)…(a+n)).
    private static func lowerSeries(_ a: Double, _ x: Double) -> Double {
        var ap = a
        var term = 1 / a
        var sum = term
        for _ in 0..<maxIterations {
            ap += 1
            term *= x / ap
            sum += term
            if abs(term) < abs(sum) * epsilon { break }
        }
        return sum * exp(-x + a * log(x) - lgamma(a))
    }

    /// Q(a, x) by the continued fraction e^{-x} x^a / Γ(a) · 1/(x+1−a− 1·(1−a)/(x+3−a− …)), modified Lentz.
    private static func upperContinuedFraction(_ a: Double, _ x: Double) -> Double {
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1...maxIterations {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return exp(-x + a * log(x) - lgamma(a)) * h
    }
}
