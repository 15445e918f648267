import LinearAlgebra
import Testing
@testable import MoE

/// The norms and the auxiliary losses on values worked out by hand.
@Suite struct NormAndLossTests {
    static func norm(_ kind: LayerConfig.Norm, _ x: [Double], eps: Double = 0,
                     weight: [Double]? = nil, bias: [Double]? = nil) -> [Double] {
        let w = weight ?? [Double](repeating: 1, count: x.count)
        var out = [Double](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                out.withUnsafeMutableBufferPointer { op in
                    if let bias {
                        bias.withUnsafeBufferPointer { bp in
                            _ = normForward(kind, rows: 1, d: x.count, eps: eps, x: xp.baseAddress!,
                                            weight: wp.baseAddress!, bias: bp.baseAddress!, out: op.baseAddress!)
                        }
                    } else {
                        _ = normForward(kind, rows: 1, d: x.count, eps: eps, x: xp.baseAddress!,
                                        weight: wp.baseAddress!, bias: nil, out: op.baseAddress!)
                    }
                }
            }
        }
        return out
    }

    @Test func rmsNorm() {
        // mean(x²) = (9 + 16) / 2 = 12.5.
        let u = Self.norm(.rmsnorm, [3, 4], weight: [1, 2])
        #expect(abs(u[0] - 3 / 12.5.squareRoot()) < 1e-15)
        #expect(abs(u[1] - 8 / 12.5.squareRoot()) < 1e-15)
        // eps enters under the root: x = 0 gives 0, not NaN.
        #expect(Self.norm(.rmsnorm, [0, 0], eps: 1e-6) == [0, 0])
    }

    @Test func layerNormUsesTheBiasedVariance() {
        // mean 2, biased variance 2/3.
        let u = Self.norm(.layernorm, [1, 2, 3], bias: [0.5, 0.5, 0.5])
        let s = (2.0 / 3).squareRoot()
        #expect(abs(u[0] - (-1 / s + 0.5)) < 1e-15)
        #expect(abs(u[1] - 0.5) < 1e-15)
        #expect(abs(u[2] - (1 / s + 0.5)) < 1e-15)
    }

    /// Uniform p and perfectly balanced routing give lb = 1; z-loss is mean lse².
    @Test func lossesOnUniformRouting() {
        let config = LayerConfig(dModel: 1, nExperts: 4, topK: 2, dFF: 1, dG: 1, dagLayers: 0)
        let shape = LayerShape(config, tokens: 2)
        let probs = Buffer<Double>([Double](repeating: 0.25, count: 8))
        let groups = ExpertGroups(topk: [0, 1, 2, 3], experts: 4)
        #expect(abs(loadBalanceForward(shape: shape, probs: probs, groups: groups).loss - 1) < 1e-15)
        // All pairs on expert 0 with p_0 = 1/4: lb = 4 · 1 · 1/4 = 1; with p_0 = 1: lb = 4.
        let skewed = ExpertGroups(topk: [0, 0, 0, 0], experts: 4)
        #expect(abs(loadBalanceForward(shape: shape, probs: probs, groups: skewed).loss - 1) < 1e-15)
        let peaked = Buffer<Double>([1, 0, 0, 0, 1, 0, 0, 0])
        #expect(abs(loadBalanceForward(shape: shape, probs: peaked, groups: skewed).loss - 4) < 1e-15)
        #expect(abs(zLossForward(shape: shape, logSumExp: Buffer<Double>([1, 3])) - 5) < 1e-15)
    }
}
