import LinearAlgebra
import MoE

/// How one round's edge gates are spread over a batch of tokens: their distribution, how much
/// of their variation is across tokens (token-dependent structure) rather than between the
/// K² entries (a constant mixing), and how far they sit from the 0.5 threshold.
public struct GateUsage: Sendable {
    /// Counts of gates in `bins` equal bins of [0, 1].
    public let histogram: [Int]
    public let mean: Double
    /// Root mean over the (i, j) entries of the variance across tokens.
    public let acrossTokenStd: Double
    /// Standard deviation of the K² per-entry means (the constant structure).
    public let betweenEntryStd: Double
    /// Across-token variance over the gates' total variance (0: every token has the same
    /// matrix; 1: every entry has the same mean); 0 when the gates do not vary (std below 1e-12).
    public let tokenShare: Double
    /// Median over tokens of min_ij |e_ij − 0.5|: how close the token's pattern is to flipping.
    public let medianMargin: Double
    /// Fraction of gates with |e − 0.5| < 0.05.
    public let nearThreshold: Double
    /// Per (i, j) entry, the mean over tokens, [K·K] row-major.
    public let entryMeans: [Double]

    public static let bins = 20

    /// The statistics of one round's gates, [T, K, K].
    public init(gates: Tensor<Double>) {
        let t = gates.shape[0], kk = gates.shape[1] * gates.shape[2]
        var histogram = [Int](repeating: 0, count: GateUsage.bins)
        var means = [Double](repeating: 0, count: kk)
        var near = 0
        var margins: [Double] = []
        margins.reserveCapacity(t)
        for token in 0..<t {
            var margin = Double.infinity
            for e in 0..<kk {
                let v = gates.data[token * kk + e]
                histogram[min(GateUsage.bins - 1, max(0, Int(v * Double(GateUsage.bins))))] += 1
                means[e] += v
                let m = abs(v - 0.5)
                if m < 0.05 { near += 1 }
                margin = min(margin, m)
            }
            margins.append(margin)
        }
        means = means.map { $0 / Double(max(t, 1)) }
        var across = 0.0
        for token in 0..<t {
            for e in 0..<kk {
                let dev = gates.data[token * kk + e] - means[e]
                across += dev * dev
            }
        }
        let n = Double(max(t * kk, 1))
        let grand = means.reduce(0, +) / Double(max(kk, 1))
        let between = means.reduce(0) { $0 + ($1 - grand) * ($1 - grand) } / Double(max(kk, 1))
        mean = grand
        acrossTokenStd = (across / n).squareRoot()
        betweenEntryStd = between.squareRoot()
        let total = across / n + between
        tokenShare = total > 1e-24 ? (across / n) / total : 0
        margins.sort()
        medianMargin = margins.isEmpty ? .nan : margins[margins.count / 2]
        nearThreshold = Double(near) / n
        self.histogram = histogram
        entryMeans = means
    }
}
