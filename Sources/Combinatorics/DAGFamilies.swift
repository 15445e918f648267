import BigInt

/// Labeled DAGs on n nodes with exactly `sources` sources, by inclusion–exclusion
/// over the set of nodes forced to be sources:
///
///     N(n, s) = C(n, s) Σ_j (−1)^j C(n−s, j) 2^{(s+j)(n−s−j)} a(n−s−j).
///
/// Reversing every edge swaps sources and sinks, so the same number counts DAGs
/// with exactly `sources` sinks.
///
/// - Parameter labeled: `a(0…n)` from ``labeledDAGCounts(upTo:progress:)``.
public func dagsWithExactSources(_ n: Int, sources s: Int, labeled a: [BigInt]) -> BigInt {
    precondition(n < a.count, "dagsWithExactSources needs a(0…n)")
    guard n > 0 else { return BigInt(s == 0 ? 1 : 0) }
    guard s >= 1, s <= n else { return 0 }
    var plus = BigInt(0), minus = BigInt(0)
    for j in 0...(n - s) {
        let term = BigInt.binomial(n - s, j) * a[n - s - j]
        if j % 2 == 0 {
            plus.addShifted(term, by: (s + j) * (n - s - j))
        } else {
            minus.addShifted(term, by: (s + j) * (n - s - j))
        }
    }
    return BigInt.binomial(n, s) * (plus - minus)
}

/// Weakly connected labeled DAGs c(0…K), from the labeled counts by the exponential
/// (set-of-components) relation: the component that holds node 1 has some size k, so
///
///     a(n) = Σ_{k=1}^{n} C(n−1, k−1) c(k) a(n−k).
///
/// c(0) is reported as 0 (the empty graph has no component).
/// - Complexity: O(K²) products of large numbers: the heaviest family.
public func weaklyConnectedDAGCounts(labeled a: [BigInt]) -> [BigInt] {
    let maxK = a.count - 1
    var c: [BigInt] = [0]
    for n in stride(from: 1, through: maxK, by: 1) {
        var rest = BigInt(0)
        for k in 1..<n {
            rest += BigInt.binomial(n - 1, k - 1) * (c[k] * a[n - k])
        }
        c.append(a[n] - rest)
    }
    return c
}
