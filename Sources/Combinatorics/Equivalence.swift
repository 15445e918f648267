import BigInt
#if canImport(Glibc)
import Glibc
#endif

/// The smallest n′ ≥ k with C(n′, k) ≥ target: how many routed experts a
/// weighted-sum MoE that selects k needs to form `target` distinct combinations.
///
/// C(n′, k) ≥ target ⇔ n′(n′−1)⋯(n′−k+1) ≥ R with R = target · k!, and
/// (n′−k+1)^k ≤ n′(n′−1)⋯(n′−k+1) ≤ n′^k, so the answer lies in
/// [⌈R^{1/k}⌉, ⌈R^{1/k}⌉ + k − 1]: a binary search over at most k values.
public func equivalentExperts(k: Int, target: BigInt) -> BigInt {
    precondition(k >= 1, "equivalentExperts needs k ≥ 1")
    let r = target * BigInt.factorial(k)
    var root = r.root(k)
    if root.power(k) < r { root = root + 1 }
    func enough(_ n: BigInt) -> Bool { n.fallingFactorial(k) >= r }
    var lo = max(root, BigInt(k)), hi = lo + BigInt(k - 1)
    if enough(lo) { return lo }
    // enough(hi) holds; find the first n in (lo, hi] that is enough.
    while hi - lo > 1 {
        let mid = (lo + hi) >> 1
        if enough(mid) { hi = mid } else { lo = mid }
    }
    return hi
}

/// The smallest g ≥ 1 with C(g·n, g·k) ≥ target: how many times finer a
/// weighted-sum MoE must be cut (g·n experts, g·k active) to reach `target`
/// combinations. Nil when n == k, where C(gk, gk) = 1 for every g, or when the
/// answer would pass `limit`.
///
/// A Double estimate from log-gamma gives the start; exact binomials decide.
public func equivalentGranularity(n: Int, k: Int, target: BigInt, limit: Int = 1 << 40) -> Int? {
    precondition(n >= k && k >= 1, "equivalentGranularity needs n ≥ k ≥ 1")
    if target <= 1 { return 1 }
    guard n > k else { return nil }
    func enough(_ g: Int) -> Bool { BigInt.binomial(g * n, g * k) >= target }
    func logBinomial(_ g: Double) -> Double {
        lgamma(g * Double(n) + 1) - lgamma(g * Double(k) + 1) - lgamma(g * Double(n - k) + 1)
    }
    let logTarget = target.log10 * log(10.0)
    var lo = 1.0, hi = 2.0
    while logBinomial(hi) < logTarget {
        hi *= 2
        if hi > Double(limit) { return nil }
    }
    while hi - lo > 1 {
        let mid = ((lo + hi) / 2).rounded(.down)
        if logBinomial(mid) < logTarget { lo = mid } else { hi = mid }
    }
    var g = max(1, Int(hi))
    if enough(g) {
        while g > 1, enough(g - 1) { g -= 1 }
    } else {
        repeat { g += 1 } while !enough(g)
    }
    return g <= limit ? g : nil
}
