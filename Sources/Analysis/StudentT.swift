import Foundation

/// Student's t distribution with ν degrees of freedom: the CDF through the regularized
/// incomplete beta function, P(|T| > t) = I_{ν/(ν+t²)}(ν/2, 1/2), and quantiles by bisection.
public struct StudentT: Sendable {
    public let degreesOfFreedom: Double

    public init(degreesOfFreedom: Double) {
        precondition(degreesOfFreedom > 0, "StudentT needs ν > 0")
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(|T| ≥ |t|), the two-sided p-value of t.
    public func twoSidedP(_ t: Double) -> Double {
        guard t.isFinite else { return t.isNaN ? .nan : 0 }
        let v = degreesOfFreedom
        return StudentT.regularizedBeta(x: v / (v + t * t), a: v / 2, b: 0.5)
    }

    /// P(T ≤ t).
    public func cdf(_ t: Double) -> Double {
        let tail = twoSidedP(t) / 2
        return t >= 0 ? 1 - tail : tail
    }

    /// The t with P(T ≤ t) = p, for 0 < p < 1.
    public func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "StudentT.quantile needs 0 < p < 1")
        var lo = -1.0, hi = 1.0
        while cdf(lo) > p { lo *= 2 }
        while cdf(hi) < p { hi *= 2 }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if cdf(mid) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// I_x(a, b), by the continued fraction of Numerical Recipes (betacf), using the symmetry
    /// I_x(a, b) = 1 − I_{1−x}(b, a) where that converges faster.
    static func regularizedBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logGammas: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let front = exp(logGammas + logPowers)
        if x < (a + 1) / (a + b + 2) { return front * continuedFraction(x: x, a: a, b: b) / a }
        return 1 - front * continuedFraction(x: 1 - x, a: b, b: a) / b
    }

    private static func continuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...500 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = d * c
            h *= step
            if abs(step - 1) < 1e-15 { break }
        }
        return h
    }
}
