/// The central difference (f(h) − f(−h)) / 2h of a function of one step size, where `f(s)`
/// evaluates the objective with the perturbation scaled by s (the direction is the caller's).
/// Its error is O(h²) from the third derivative plus O(ε/h) from rounding; h ≈ 1e-5…1e-6 in
/// Float64 balances the two for the smooth objectives of these tests.
public func centralDifference(step h: Double, _ f: (Double) -> Double) -> Double {
    (f(h) - f(-h)) / (2 * h)
}

/// Largest |a − b| / max(1, |b|) over two equal-length arrays: relative where values are
/// large, absolute where they are small.
public func maxRelativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "maxRelativeError: \(a.count) against \(b.count) values")
    var worst = 0.0
    for i in a.indices { worst = max(worst, abs(a[i] - b[i]) / max(1, abs(b[i]))) }
    return worst
}
