import LinearAlgebra
import Testing
import TestSupport
@testable import MoE

/// The batched layer against the token-by-token reference, and the layer's identities:
/// L = 0 is the weighted sum, a fresh layer (`up` = 0) is the weighted sum, Float agrees
/// with Double.
@Suite struct LayerTests {
    static let configs: [LayerConfig] = [
        LayerTestSupport.config(router: .softmaxTopK, norm: .rmsnorm, shared: false, rounds: 0),
        LayerTestSupport.config(router: .topKSoftmax, norm: .layernorm, shared: true, rounds: 0),
        LayerTestSupport.config(router: .softmaxTopK, norm: .layernorm, shared: true, rounds: 2),
        LayerTestSupport.config(router: .topKSoftmax, norm: .rmsnorm, shared: false, rounds: 3),
    ]

    /// y, S, g, e^l and both losses, to 1e-12 (both sides in Float64; only summation order differs).
    @Test(arguments: configs)
    func forwardMatchesReference(_ config: LayerConfig) throws {
        let layer = try DAGMoELayer(parameters: LayerTestSupport.randomParameters(config, seed: 3))
        let x = LayerTestSupport.randomMatrix(rows: 7, cols: config.dModel, seed: 4)
        let out = layer.forward(x).output
        let reference = ReferenceLayer(config: config, parameters: layer.parameters)
        let tokens = (0..<x.rows).map { t in reference.token(Array(x.data[(t * x.cols)..<((t + 1) * x.cols)])) }
        let k = config.topK

        #expect(out.topk == tokens.flatMap(\.topk))
        #expect(maxRelativeError(out.y.data, tokens.flatMap(\.y)) < 1e-12)
        #expect(maxRelativeError(out.gates.data, tokens.flatMap(\.gates)) < 1e-12)
        #expect(out.gates.rows == x.rows && out.gates.cols == k)
        #expect(out.edgeGates.count == config.dagLayers)
        for (l, e) in out.edgeGates.enumerated() {
            #expect(e.shape == [x.rows, k, k])
            let want = tokens.flatMap { $0.edges[l].flatMap { $0 } }
            #expect(maxRelativeError(e.data, want) < 1e-12)
        }
        let (lb, zl) = reference.losses(tokens)
        #expect(abs(out.loadBalanceLoss - lb) < 1e-12)
        #expect(abs(out.zLoss - zl) < 1e-12)
    }

    /// With L = 0, y = x + Σ_i g_i E_{S_i}(x) (+ Es(x)), written out here by hand.
    @Test(arguments: [false, true])
    func depthZeroIsWeightedSum(_ shared: Bool) throws {
        let config = LayerTestSupport.config(router: .topKSoftmax, shared: shared, rounds: 0)
        let layer = try DAGMoELayer(parameters: LayerTestSupport.randomParameters(config, seed: 8))
        let x = LayerTestSupport.randomMatrix(rows: 5, cols: config.dModel, seed: 9)
        let out = layer.forward(x).output
        let reference = ReferenceLayer(config: config, parameters: layer.parameters)
        let d = config.dModel, k = config.topK
        for t in 0..<x.rows {
            let xt = Array(x.data[(t * d)..<((t + 1) * d)])
            var want = xt
            for i in 0..<k {
                let e = reference.expert("experts.\(out.topk[t * k + i])", xt)
                for c in 0..<d { want[c] += out.gates[t, i] * e[c] }
            }
            if shared {
                let es = reference.expert("shared", xt)
                for c in 0..<d { want[c] += es[c] }
            }
            #expect(maxRelativeError(Array(out.y.data[(t * d)..<((t + 1) * d)]), want) < 1e-12)
        }
    }

    /// A fresh layer (`up` = 0) computes exactly what the L = 0 layer with the same router
    /// and experts computes; its DAG gradients are zero except `up`'s.
    @Test(arguments: LayerConfig.Norm.allCases)
    func freshLayerIsWeightedSum(_ norm: LayerConfig.Norm) throws {
        var deep = LayerTestSupport.config(norm: norm, shared: true, rounds: 2)
        deep.lbCoef = 0
        deep.zCoef = 0
        var flat = deep
        flat.dagLayers = 0
        let fresh = try DAGMoELayer<Double>(config: deep, seed: 21)
        var tensors = fresh.parameters.tensors
        tensors = tensors.filter { !$0.key.hasPrefix("dag.") }
        let plain = try DAGMoELayer(parameters: Parameters(config: flat, tensors: tensors))
        let x = LayerTestSupport.randomMatrix(rows: 6, cols: deep.dModel, seed: 22)
        let g = LayerTestSupport.randomMatrix(rows: 6, cols: deep.dModel, seed: 23)

        let (outFresh, cacheFresh) = fresh.forward(x)
        let (outPlain, cachePlain) = plain.forward(x)
        #expect(outFresh.y == outPlain.y)
        let (gxFresh, gradFresh) = fresh.backward(cacheFresh, gradY: g)
        let (gxPlain, gradPlain) = plain.backward(cachePlain, gradY: g)
        #expect(maxRelativeError(gxFresh.data, gxPlain.data) < 1e-13)
        for name in plain.parameters.names {
            #expect(maxRelativeError(gradFresh[name].data, gradPlain[name].data) < 1e-13, "\(name)")
        }
        for l in 0..<2 {
            #expect(gradFresh["dag.\(l).up.weight"].data.contains { $0 != 0 })
            for part in ["down.weight", "node.weight", "edge.weight", "edge.bias", "norm.weight"] {
                #expect(gradFresh["dag.\(l).\(part)"].data.allSatisfy { $0 == 0 }, "dag.\(l).\(part)")
            }
        }
    }

    /// The same weights in Float and Double: outputs and gradients agree to Float precision
    /// (relative to each tensor's largest entry: 1e-4 leaves room for the ~1e-7 rounding
    /// of a few hundred accumulated terms).
    @Test func floatAgreesWithDouble() throws {
        let config = LayerTestSupport.config(router: .softmaxTopK, norm: .layernorm, shared: true, rounds: 2)
        let (layer, x, g) = try LayerTestSupport.wellSeparatedCase(config, tokens: 8, seed: 31, margin: 1e-2)
        let single = try DAGMoELayer(parameters: layer.parameters.converted(to: Float.self))
        let xf = Matrix<Float>(rows: x.rows, cols: x.cols, data: x.data.map { Float($0) })
        let gf = Matrix<Float>(rows: g.rows, cols: g.cols, data: g.data.map { Float($0) })
        let (outD, cacheD) = layer.forward(x)
        let (outF, cacheF) = single.forward(xf)
        #expect(outD.topk == outF.topk)

        func close(_ f: [Float], _ d: [Double], _ label: String) {
            let scale = max(d.map { abs($0) }.max() ?? 0, 1e-30)
            let worst = zip(f, d).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst <= 1e-4 * scale, "\(label): max error \(worst) at scale \(scale)")
        }
        close(outF.y.data, outD.y.data, "y")
        close(outF.gates.data, outD.gates.data, "gates")
        for l in 0..<config.dagLayers { close(outF.edgeGates[l].data, outD.edgeGates[l].data, "edges \(l)") }
        close([outF.loadBalanceLoss, outF.zLoss], [outD.loadBalanceLoss, outD.zLoss], "losses")
        let (gxD, gradD) = layer.backward(cacheD, gradY: g)
        let (gxF, gradF) = single.backward(cacheF, gradY: gf)
        close(gxF.data, gxD.data, "grad x")
        for name in layer.parameters.names { close(gradF[name].data, gradD[name].data, name) }
    }

    /// Each element of the gradient of one full configuration by its own central difference.
    @Test func everyGradientEntry() throws {
        let config = LayerTestSupport.config(router: .topKSoftmax, norm: .layernorm, shared: true, rounds: 1)
        let (layer, x, g) = try LayerTestSupport.wellSeparatedCase(config, tokens: 3, seed: 41)
        let (gradX, grads) = layer.backward(layer.forward(x).cache, gradY: g)
        let eps = GradientCheckTests.epsilon
        var worst = 0.0
        for name in layer.parameters.names {
            for i in grads[name].data.indices {
                let numeric = centralDifference(step: eps) { s in
                    var moved = layer
                    moved.parameters.tensors[name]!.data[i] += s
                    return LayerTestSupport.objective(moved, x, g)
                }
                worst = max(worst, abs(numeric - grads[name].data[i]) / max(1, abs(numeric)))
            }
        }
        for i in x.data.indices {
            let numeric = centralDifference(step: eps) { s in
                var moved = x
                moved.data[i] += s
                return LayerTestSupport.objective(layer, moved, g)
            }
            worst = max(worst, abs(numeric - gradX.data[i]) / max(1, abs(numeric)))
        }
        #expect(worst < GradientCheckTests.tolerance)
    }

    /// A config the layer cannot run is an error naming its key.
    @Test func invalidConfigNamesTheKey() {
        var config = LayerTestSupport.config()
        config.topK = 9
        #expect(throws: LayerConfigError.self) { try DAGMoELayer<Double>(config: config, seed: 1) }
        do {
            _ = try DAGMoELayer<Double>(config: config, seed: 1)
        } catch let error as LayerConfigError {
            #expect(error.key == "top_k")
        } catch {
            Issue.record("unexpected error \(error)")
        }
        config = LayerTestSupport.config()
        config.dG = 0
        #expect(throws: LayerConfigError(key: "d_g", message: "must be at least 1 when dag_layers > 0, got 0")) {
            try config.validate()
        }
    }
}
