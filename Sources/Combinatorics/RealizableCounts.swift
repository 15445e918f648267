import BigInt

/// The `realizable` group of `analyze count`: what the spec's layer can produce, beside the
/// paper's counts.
///
/// - One round's thresholded edge pattern [s_i + t_j + b > 0] is a lonesum matrix (A048163).
/// - Without self edges it is a labeled interval order (A079144; unlabeled: Fishburn, A022493).
/// - L rounds: with free weights, d ≥ K and d_g ≥ 2, every L-tuple of lonesum patterns occurs
///   (set every round's `up` to 0: the node states stay the experts' linearly independent outputs,
///   and each round's down projection and edge weights then give any s, t), so the count is
///   exactly A048163(k)^L.
public struct RealizableCounts: Sendable {
    /// Lonesum k×k patterns, self edges included; nil past ``RealizableLimits/maxKRoundPatterns``.
    public let roundPatterns: BigInt?
    /// The same up to relabeling the k slots; nil past ``RealizableLimits/maxKRoundPatternOrbits``.
    public let roundPatternsUpToRelabeling: BigInt?
    /// Labeled interval orders: one round's acyclic patterns; nil past ``RealizableLimits/maxKRoundDAGs``.
    public let roundDAGs: BigInt?
    /// Fishburn numbers: the same up to relabeling; nil past ``RealizableLimits/maxKRoundDAGs``.
    public let roundDAGsUpToRelabeling: BigInt?
    /// (L, roundPatterns^L) for L = 1…maxDepth; each count nil when `roundPatterns` is nil.
    public let patterns: [(depth: Int, count: BigInt?)]
    /// C(n, k) · roundDAGs.
    public let structural: BigInt?
    /// log10 of the paper's `structural` over this one (labeled DAGs over interval orders).
    public let structuralRatioLog10: Double?

    /// The counts for (n, k); `intervalOrders` and `fishburn` are tables from 0 up to some K.
    public init(n: Int, k: Int, maxDepth: Int, structural paper: BigInt, intervalOrders: [BigInt], fishburn: [BigInt]) {
        roundPatterns = k <= RealizableLimits.maxKRoundPatterns ? lonesumMatrixCount(k) : nil
        roundPatternsUpToRelabeling = k <= RealizableLimits.maxKRoundPatternOrbits ? lonesumMatrixOrbits(k) : nil
        roundDAGs = k < intervalOrders.count ? intervalOrders[k] : nil
        roundDAGsUpToRelabeling = k < fishburn.count ? fishburn[k] : nil
        var powers: [(depth: Int, count: BigInt?)] = []
        var power = BigInt(1)
        for l in 1...maxDepth {
            if let round = roundPatterns { power *= round }
            powers.append((l, roundPatterns == nil ? nil : power))
        }
        patterns = powers
        let realizable = roundDAGs.map { BigInt.binomial(n, k) * $0 }
        structural = realizable
        structuralRatioLog10 = realizable.map { paper.log10 - $0.log10 }
    }
}
