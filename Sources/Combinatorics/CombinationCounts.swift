import BigInt
import Foundation

/// Every count `analyze count` reports for one (n, k).
public struct CombinationCounts: Sendable {
    public let n: Int
    public let k: Int
    /// C(n, k).
    public let weightedSum: BigInt
    /// n!/(n−k)!.
    public let ordered: BigInt
    public let labeledDAGs: BigInt
    /// DAGs up to relabeling (isomorphism classes); nil past ``CountLimits/maxKUnlabeled``.
    public let unlabeledDAGs: BigInt?
    public let oneSinkDAGs: BigInt
    public let oneSourceDAGs: BigInt
    /// Nil past ``CountLimits/maxKConnected``.
    public let weaklyConnectedDAGs: BigInt?
    /// (L, DAGs whose longest path has at most L edges) for L = 1…maxDepth. For L ≥ k − 1 the
    /// count is ``labeledDAGs``: a path of k edges needs k + 1 distinct nodes, so every DAG on k
    /// nodes has depth ≤ k − 1. Below that, nil past ``CountLimits/maxKDepth``.
    public let depthAtMost: [(depth: Int, count: BigInt?)]
    /// C(n, k) · labeled DAGs.
    public let structural: BigInt
    public let equivalentExperts: BigInt
    /// Nil when n == k.
    public let equivalentGranularity: Int?
    /// (L, 2^(k²·L)) for L = 1…maxDepth.
    public let modulePatterns: [(depth: Int, count: BigInt)]
    /// (L, orbits of those patterns under relabeling of the k slots) for L = 1…maxDepth;
    /// each count nil past ``CountLimits/maxKModuleOrbits``.
    public let modulePatternsUpToRelabeling: [(depth: Int, count: BigInt?)]
    /// What the spec's layer can realize, beside the paper's counts above.
    public let realizable: RealizableCounts
}

/// Where each family stops being computed; `analyze count` documents these.
public enum CountLimits {
    /// Largest k for `analyze count` as a whole.
    public static let maxK = 2048
    /// Largest n.
    public static let maxN = 10_000_000
    /// Largest `--max-depth`.
    public static let maxDepth = 16
    /// Largest Σ k² over the rows of a `--k-range`: a row costs about k² (its products, and
    /// module-pattern numbers of k²·L bits), several seconds at k = 2048, so a range may cost
    /// what four rows at k = 2048 do (1...368, or 2045...2048). 1...2048 ran for 15 minutes
    /// and 2 GB without printing a row before this limit.
    public static let maxRangeWork = 4 * maxK * maxK
    /// Weakly connected counts need O(k²) products of large numbers.
    public static let maxKConnected = 300
    /// Depth-limited counts need O(k³ · L) products.
    public static let maxKDepth = 80
    /// Unlabeled DAG counts sum over pairs of cycle types: 0.3 s at k = 30, 6 s at k = 40.
    public static let maxKUnlabeled = 30
    /// Module pattern orbits sum over the p(k) cycle types: 37,338 at k = 40.
    public static let maxKModuleOrbits = 40
}

/// Computes ``CombinationCounts`` for many k at once, sharing the DAG tables.
public struct CombinationCounter: Sendable {
    public let labeled: [BigInt]
    let connected: [BigInt]
    let intervalOrders: [BigInt]
    let fishburn: [BigInt]

    /// The work of the labeled DAG table's first k steps, for progress estimates: step n adds
    /// n carried terms of about m(n − m) bits each, Σ_m m(n − m) ≈ n³/6 limb operations, so the
    /// first k steps cost about k⁴/24 (docs/counting.md has the measured times).
    public static func tableCost(_ k: Int) -> Double { Foundation.pow(Double(k), 4) }

    /// Prepares the tables for every k up to `maxK`; `progress` gets each k of the labeled table.
    public init(maxK: Int, progress: ((Int) -> Void)? = nil) {
        labeled = labeledDAGCounts(upTo: maxK, progress: progress)
        connected = weaklyConnectedDAGCounts(labeled: Array(labeled.prefix(min(maxK, CountLimits.maxKConnected) + 1)))
        intervalOrders = intervalOrderCounts(upTo: min(maxK, RealizableLimits.maxKRoundDAGs))
        fishburn = fishburnCounts(upTo: min(maxK, RealizableLimits.maxKRoundDAGs))
    }

    /// All counts for n experts with k selected; needs 1 ≤ k ≤ n and k within the prepared tables.
    public func counts(n: Int, k: Int, maxDepth: Int) -> CombinationCounts {
        precondition(k >= 1 && k <= n && k < labeled.count && maxDepth >= 1, "counts(n:k:maxDepth:) out of range")
        let weightedSum = BigInt.binomial(n, k)
        let dags = labeled[k]
        let structural = weightedSum * dags
        let limited = Array(stride(from: 1, through: min(k - 2, maxDepth), by: 1))
        let limitedCounts: [BigInt?] = k <= CountLimits.maxKDepth
            ? depthLimitedDAGCounts(k, depths: limited) : limited.map { _ in nil }
        let oneSource = dagsWithExactSources(k, sources: 1, labeled: labeled)
        return CombinationCounts(
            n: n, k: k,
            weightedSum: weightedSum,
            ordered: BigInt(n).fallingFactorial(k),
            labeledDAGs: dags,
            unlabeledDAGs: k <= CountLimits.maxKUnlabeled ? unlabeledDAGCounts(upTo: k)[k] : nil,
            oneSinkDAGs: oneSource,
            oneSourceDAGs: oneSource,
            weaklyConnectedDAGs: k < connected.count ? connected[k] : nil,
            depthAtMost: (1...maxDepth).map { l in (l, l >= k - 1 ? dags : limitedCounts[l - 1]) },
            structural: structural,
            equivalentExperts: equivalentExperts(k: k, target: structural),
            equivalentGranularity: equivalentGranularity(n: n, k: k, target: structural),
            modulePatterns: (1...maxDepth).map { ($0, BigInt(1) << (k * k * $0)) },
            modulePatternsUpToRelabeling: k <= CountLimits.maxKModuleOrbits
                ? Array(zip(1...maxDepth, modulePatternOrbits(k: k, rounds: Array(1...maxDepth)))).map { ($0, $1) }
                : (1...maxDepth).map { ($0, nil) },
            realizable: RealizableCounts(n: n, k: k, maxDepth: maxDepth, structural: structural,
                                         intervalOrders: intervalOrders, fishburn: fishburn)
        )
    }
}
