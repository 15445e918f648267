import BigInt

/// Labeled DAGs on `n` nodes whose longest path has at most L edges, for each
/// L in `depths`.
///
/// Layer a DAG by longest path from the sources: layer 0 is the sources, and a
/// node is in layer i+1 when its longest incoming path has i+1 edges. Removing
/// the sources leaves a DAG whose sources are exactly layer 1, and every one of
/// them has at least one edge from the removed sources. With H_h(n, s) the DAGs on
/// n nodes with exactly s sources and at most h layers,
///
///     H_h(n, n) = 1,   H_h(n, s) = C(n,s) Σ_t (2^s − 1)^t 2^{s(n−s−t)} H_{h−1}(n−s, t),
///
/// and the count for longest path ≤ L is Σ_s H_{L+1}(n, s).
///
/// - Complexity: O(n³ · max L) big-integer products: the reason `analyze count`
///   limits these counts to small k.
/// - Returns: one count per entry of `depths`, in order.
public func depthLimitedDAGCounts(_ n: Int, depths: [Int]) -> [BigInt] {
    precondition(n >= 0 && depths.allSatisfy { $0 >= 0 }, "depthLimitedDAGCounts needs n ≥ 0 and depths ≥ 0")
    guard n > 0 else { return depths.map { _ in 1 } }
    let maxLayers = (depths.max() ?? 0) + 1
    // (2^s − 1)^t for 1 ≤ s, t ≤ n.
    let onesPowers: [[BigInt]] = (0...n).map { s in
        let base = (BigInt(1) << s) - 1
        var row: [BigInt] = [1]
        for _ in 0..<n { row.append(row[row.count - 1] * base) }
        return row
    }
    // previous[m][s] = H_{h−1}(m, s); with zero layers only the empty DAG exists.
    var previous: [[BigInt]] = (0...n).map { m in [BigInt](repeating: 0, count: m + 1) }
    previous[0][0] = 1
    var counts: [Int: BigInt] = [:]
    for h in 1...maxLayers {
        var current: [[BigInt]] = (0...n).map { m in [BigInt](repeating: 0, count: m + 1) }
        current[0][0] = 1
        for m in 1...n {
            for s in 1...m {
                if s == m { current[m][s] = 1; continue }
                var sum = BigInt(0)
                for t in 1...(m - s) where !previous[m - s][t].isZero {
                    sum += (onesPowers[s][t] * previous[m - s][t]) << (s * (m - s - t))
                }
                current[m][s] = BigInt.binomial(m, s) * sum
            }
        }
        counts[h - 1] = current[n].reduce(BigInt(0), +)
        previous = current
    }
    return depths.map { counts[$0]! }
}
