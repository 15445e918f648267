import LinearAlgebra
import Testing
@testable import MoE

/// Sampled edge patterns of the spec's DAG module: only lonesum patterns occur, and with
/// d_g ≥ 2 every one of them does.
@Suite struct EdgePatternSamplingTests {
    /// Not lonesum: some 2×2 submatrix is a permutation matrix (the definition, by brute force).
    static func isLonesum(_ k: Int, _ rows: UInt64) -> Bool {
        func e(_ i: Int, _ j: Int) -> Bool { rows >> (8 * i + j) & 1 == 1 }
        for i in 0..<k { for r in 0..<k where r > i { for j in 0..<k { for c in 0..<k where c > j {
            if e(i, j) == e(r, c) && e(i, c) == e(r, j) && e(i, j) != e(i, c) { return false }
        } } } }
        return true
    }

    @Test func freeWeightsGiveOnlyLonesumPatterns() throws {
        for k in 2...4 {
            let rounds = try EdgePatternSampling.free(k: k, d: 6, dG: 3, rounds: 2, layers: 40, tokensPerLayer: 32, seed: 7)
            #expect(rounds.count == 2)
            for seen in rounds {
                #expect(seen.count > 5)
                #expect(seen.allSatisfy { Self.isLonesum(k, $0) }, "k = \(k)")
            }
        }
    }

    @Test func everyLonesumPatternOfTwoNodesIsHitWithTwoDimensionalScores() throws {
        let seen = try EdgePatternSampling.free(k: 2, d: 4, dG: 2, rounds: 1, layers: 200, tokensPerLayer: 32, seed: 1)[0]
        #expect(seen.count == 14)
    }

    @Test func oneDimensionalScoresTieRowAndColumnOrders() throws {
        // d_g = 1: s_i = α h_i and t_j = β h_j share the scalar h, so the rows are nested in the
        // order of h and the columns in the same order (αβ > 0) or the reverse one (αβ < 0):
        // (r_i − r_j)(c_i − c_j) has one sign for all pairs. At k = 3 that leaves out lonesum
        // patterns such as rows {0,1,2} ⊃ {0,1} ⊃ {0} with columns nested 0, 1, 2 but rows 0, 2, 1.
        let k = 3
        let seen = try EdgePatternSampling.free(k: k, d: 4, dG: 1, rounds: 1, layers: 100, tokensPerLayer: 32, seed: 1)[0]
        for word in seen {
            let r = (0..<k).map { i in (word >> (8 * i) & 0xFF).nonzeroBitCount }
            let c = (0..<k).map { j in (0..<k).filter { i in word >> (8 * i + j) & 1 == 1 }.count }
            let products = (0..<k).flatMap { i in (0..<k).map { j in (r[i] - r[j]) * (c[i] - c[j]) } }
            #expect(products.allSatisfy { $0 >= 0 } || products.allSatisfy { $0 <= 0 })
        }
        let withTwo = try EdgePatternSampling.free(k: k, d: 4, dG: 2, rounds: 1, layers: 100, tokensPerLayer: 32, seed: 1)[0]
        #expect(withTwo.count > seen.count)
    }

    @Test func patternsReadTheGatesAtOneHalf() {
        let gates = Tensor<Double>(shape: [2, 2, 2], data: [0.9, 0.1, 0.6, 0.4, 0.2, 0.2, 0.7, 0.8])
        let output = LayerOutput(y: Matrix(rows: 2, cols: 1), topk: [0, 1, 0, 1], gates: Matrix(rows: 2, cols: 2),
                                 edgeGates: [gates], loadBalanceLoss: 0, zLoss: 0)
        #expect(EdgePatternSampling.patterns(output) == [[0b1 | 0b1 << 8, 0b11 << 8]])
    }
}
