import LinearAlgebra
import MoE
import Testing

/// AdamW against a step computed by hand and by `torch.optim.AdamW` + `clip_grad_norm_`
/// in float64 (lr 0.1, betas 0.9/0.999, eps 1e-8, weight decay 0.1 on the matrix only,
/// max norm 1).
@Suite struct AdamWTests {
    static let options = AdamW<Double>.Options(learningRate: 0.1, weightDecay: 0.1, clipNorm: 1)

    static func weights() -> [String: Tensor<Double>] {
        ["w": Tensor(shape: [1, 2], data: [1, -2]), "n": Tensor(shape: [2], data: [0.5, 1.5])]
    }

    static func gradients(_ w: [Double], _ n: [Double]) -> [String: Tensor<Double>] {
        ["w": Tensor(shape: [1, 2], data: w), "n": Tensor(shape: [2], data: n)]
    }

    @Test func firstStepByHand() {
        // ‖g‖ = ‖(3, 0, 0, 4)‖ = 5 > 1, so g is scaled by 1/(5 + 1e-6); the first step's
        // m̂/√v̂ is g/|g| (1 where g ≠ 0). w: 1 → 1·(1 − 0.1·0.1) − 0.1 = 0.89 (up to the
        // ε = 1e-8 term); −2 has g = 0 and only decays: −1.98. n is not decayed: 1.5 → 1.4.
        var opt = AdamW<Double>(AdamWTests.options)
        var w = AdamWTests.weights()
        let norm = opt.step(&w, gradients: AdamWTests.gradients([3, 0], [0, 4]))
        #expect(norm == 5)
        #expect(opt.steps == 1)
        #expect(Swift.abs(w["w"]!.data[0] - 0.8900000016666669) < 1e-13)
        #expect(Swift.abs(w["w"]!.data[1] - -1.98) < 1e-13)
        #expect(w["n"]!.data[0] == 0.5)
        #expect(Swift.abs(w["n"]!.data[1] - 1.4000000012500002) < 1e-13)
    }

    @Test func secondStepMatchesPyTorch() {
        // The second step's moments carry the clipped first gradient; its own norm 0.5679 < 1.
        var opt = AdamW<Double>(AdamWTests.options)
        var w = AdamWTests.weights()
        opt.step(&w, gradients: AdamWTests.gradients([3, 0], [0, 4]))
        let norm = opt.step(&w, gradients: AdamWTests.gradients([-0.5, 0.25], [0.1, 0]))
        #expect(Swift.abs(norm - 0.5678908345800274) < 1e-13)
        let want = ["w": [0.8772878081984038, -2.0346136781482773], "n": [0.42558632816435293, 1.3329941770211498]]
        for (name, values) in want {
            for (got, expected) in zip(w[name]!.data, values) { #expect(Swift.abs(got - expected) < 1e-12) }
        }
    }

    @Test func floatAgreesWithDoubleAndNoClipMeansRawGradients() {
        // In Float the same two steps land within Float rounding of the Double ones; without
        // clipping the first gradient is not scaled, which changes the second step.
        var optF = AdamW<Float>(.init(learningRate: 0.1, weightDecay: 0.1, clipNorm: 1))
        var wF: [String: Tensor<Float>] = ["w": Tensor(shape: [1, 2], data: [1, -2]), "n": Tensor(shape: [2], data: [0.5, 1.5])]
        optF.step(&wF, gradients: ["w": Tensor(shape: [1, 2], data: [3, 0]), "n": Tensor(shape: [2], data: [0, 4])])
        optF.step(&wF, gradients: ["w": Tensor(shape: [1, 2], data: [-0.5, 0.25]), "n": Tensor(shape: [2], data: [0.1, 0])])
        #expect(Swift.abs(Double(wF["w"]!.data[0]) - 0.8772878081984038) < 1e-6)
        #expect(Swift.abs(Double(wF["n"]!.data[0]) - 0.42558632816435293) < 1e-6)

        var opt = AdamW<Double>(.init(learningRate: 0.1, weightDecay: 0.1, clipNorm: nil))
        var w = AdamWTests.weights()
        opt.step(&w, gradients: AdamWTests.gradients([3, 0], [0, 4]))
        opt.step(&w, gradients: AdamWTests.gradients([-0.5, 0.25], [0.1, 0]))
        #expect(Swift.abs(w["w"]!.data[0] - 0.8772878081984038) > 1e-4)
    }
}
