import BigInt

/// Labeled DAG counts a(0…K) by Robinson's recurrence
///
///     a(n) = Σ_{m=0}^{n-1} (−1)^{n−m+1} C(n, m) · 2^{m(n−m)} · a(m).
///
/// The products C(n, m)·a(m) are carried from one n to the next, each updated by
/// one small multiply and one exact small division (C(n,m) = C(n−1,m)·n/(n−m)),
/// and the power of two is an offset addition into the sum, so no step multiplies
/// two large numbers. Terms of each sign go to their own accumulator.
///
/// - Complexity: O(K²) big-integer additions of at most K²/2 bits.
/// - Returns: `[a(0), …, a(K)]`; `a` = 1, 1, 3, 25, 543, 29281, … (OEIS A003024).
public func labeledDAGCounts(upTo maxK: Int, progress: ((Int) -> Void)? = nil) -> [BigInt] {
    precondition(maxK >= 0, "labeledDAGCounts needs K ≥ 0")
    var a: [BigInt] = [1]
    a.reserveCapacity(maxK + 1)
    var carried: [BigInt] = []   // carried[m] = C(n, m) · a(m) for the current n
    carried.reserveCapacity(maxK)
    for n in stride(from: 1, through: maxK, by: 1) {
        for m in 0..<(n - 1) { carried[m].multiply(by: n, exactlyDividingBy: n - m) }
        carried.append(a[n - 1] * n)
        var plus = BigInt(0), minus = BigInt(0)
        for m in 0..<n {
            if (n - m) % 2 == 1 {
                plus.addShifted(carried[m], by: m * (n - m))
            } else {
                minus.addShifted(carried[m], by: m * (n - m))
            }
        }
        a.append(plus - minus)
        progress?(n)
    }
    return a
}
