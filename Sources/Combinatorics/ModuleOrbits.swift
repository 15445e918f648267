import BigInt

/// Binary edge patterns of the DAG-MoE module up to relabeling of its K node slots.
///
/// A pattern is L rounds of K×K binary matrices, self edges included: 2^(K²·L) of
/// them. A permutation σ of the slots acts on every round at once, (i, j) ↦ (σi, σj).
/// By Burnside the number of orbits is the average over σ of the patterns σ fixes;
/// a fixed pattern is constant on each orbit of σ on the K² cells of each round,
/// and a σ of cycle type λ has c(λ) = Σ_{cycles c, d} gcd(|c|, |d|) such orbits
/// (``CycleType/orbitsOnOrderedPairs``), so
///
///     orbits(K, L) = Σ_{λ ⊢ K} (K!/z_λ) · 2^{L·c(λ)} / K!.
///
/// For L = 1 this is the number of binary relations on K unlabeled points
/// (OEIS A000595): 1, 2, 10, 104, 3044, …
///
/// - Complexity: p(K) cycle types, each one shifted add per L.
/// - Returns: one count per entry of `rounds`, in order.
public func modulePatternOrbits(k: Int, rounds: [Int]) -> [BigInt] {
    precondition(k >= 0 && rounds.allSatisfy { $0 >= 0 }, "modulePatternOrbits needs K ≥ 0 and L ≥ 0")
    var sums = rounds.map { _ in BigInt(0) }
    for type in CycleType.all(k) {
        let size = type.classSize, cells = type.orbitsOnOrderedPairs
        for (i, l) in rounds.enumerated() { sums[i].addShifted(size, by: l * cells) }
    }
    let order = BigInt.factorial(k)
    return sums.map { $0.dividedExactly(by: order) }
}
