import Combinatorics
import Foundation
import LinearAlgebra
import MoE

/// The thresholded DAGs (e_ij > 0.5, all rounds together) of a batch of tokens: how many
/// distinct ones, the most frequent with their counts, the entropy of the distribution, and
/// whether each pattern is one the layer's edge scorer can realize.
public struct PatternCensus: Sendable {
    public struct Pattern: Sendable {
        /// Rounds separated by " / ", rows by "|", e.g. "10|11 / 01|00".
        public let text: String
        public let count: Int
        /// Every round lonesum (the spec's additive scorer can produce exactly those); true for
        /// the bilinear scorer with d_g ≥ K (it reaches every pattern); nil when unknown (K > 8,
        /// or bilinear with d_g < K).
        public let realizable: Bool?
    }

    public let tokens: Int
    public let distinct: Int
    /// Entropy of the pattern distribution in bits (0: one pattern; log2 T at most).
    public let entropyBits: Double
    /// The most frequent patterns, most frequent first (ties by text), at most ``shown``.
    public let top: [Pattern]
    /// Distinct patterns that are not realizable (nil when unknown).
    public let unrealizable: Int?

    public static let shown = 5

    /// The census of `edgeGates` (one [T, K, K] tensor per round) of a layer with `config`.
    public init(config: LayerConfig, edgeGates: [Tensor<Double>]) {
        let k = config.topK, t = edgeGates.first?.shape[0] ?? 0
        var counts: [[[UInt64]]: Int] = [:]
        for token in 0..<t {
            let key = edgeGates.map { PatternCensus.rows(gates: $0, token: token, k: k) }
            counts[key, default: 0] += 1
        }
        func realizable(_ key: [[UInt64]]) -> Bool? {
            switch config.extensions.edgeScorer {
            case .bilinear: return config.dG >= k ? true : nil
            case .additive:
                guard k <= 8 else { return nil }
                return key.allSatisfy { EdgePattern.isLonesum(k: k, rows: $0.first ?? 0) }
            }
        }
        let entries: [(key: [[UInt64]], text: String, count: Int)] = counts.map { entry in
            (key: entry.key, text: PatternCensus.text(entry.key, k: k), count: entry.value)
        }
        let sorted = entries.sorted { a, b in a.count != b.count ? a.count > b.count : a.text < b.text }
        tokens = t
        distinct = counts.count
        let fractions: [Double] = counts.values.map { Double($0) / Double(t) }
        let entropy = -fractions.reduce(0.0) { sum, p in sum + p * log2(p) }
        entropyBits = entropy > 0 ? entropy : 0
        top = sorted.prefix(PatternCensus.shown).map { Pattern(text: $0.text, count: $0.count, realizable: realizable($0.key)) }
        let flags = sorted.map { realizable($0.key) }
        unrealizable = flags.contains { $0 == nil } ? nil : flags.filter { $0 == false }.count
    }

    /// Token `token`'s thresholded K×K matrix of one round: row i in bits 8·i … (K ≤ 8), or one
    /// word per row for larger K.
    static func rows(gates: Tensor<Double>, token: Int, k: Int) -> [UInt64] {
        let base = token * k * k
        if k <= 8 {
            var rows: UInt64 = 0
            for i in 0..<k {
                for j in 0..<k where gates.data[base + i * k + j] > 0.5 { rows |= 1 << UInt64(8 * i + j) }
            }
            return [rows]
        }
        return (0..<k).map { i in
            (0..<k).reduce(UInt64(0)) { bits, j in gates.data[base + i * k + j] > 0.5 && j < 64 ? bits | 1 << UInt64(j) : bits }
        }
    }

    static func text(_ key: [[UInt64]], k: Int) -> String {
        key.map { round in
            (0..<k).map { i in
                (0..<k).map { j in
                    let bit = k <= 8 ? (round[0] >> UInt64(8 * i + j)) & 1 : (j < 64 ? (round[i] >> UInt64(j)) & 1 : 0)
                    return bit == 1 ? "1" : "0"
                }.joined()
            }.joined(separator: "|")
        }.joined(separator: " / ")
    }
}
