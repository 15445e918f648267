import LinearAlgebra
import Testing
import TestSupport
@testable import MoE

/// The chunked element-wise loops give the same layer with 1 and with several workers,
/// whatever the machine's core count (the worker count is overridden per task).
@Suite struct LayerParallelTests {
    @Test(arguments: LayerConfig.Norm.allCases)
    func oneWorkerAndFourAgree(_ norm: LayerConfig.Norm) throws {
        // 600 tokens and d_ff = 128: every chunked loop splits into several chunks (tokens
        // and node rows by 64, each expert's ~360 × 128 SwiGLU elements by 16384).
        var config = LayerTestSupport.config(router: .softmaxTopK, norm: norm, shared: true, rounds: 2)
        config.dFF = 128
        let layer = try DAGMoELayer(parameters: LayerTestSupport.randomParameters(config, seed: 71))
        let x = LayerTestSupport.randomMatrix(rows: 600, cols: config.dModel, seed: 72)
        let g = LayerTestSupport.randomMatrix(rows: 600, cols: config.dModel, seed: 73)

        func run(_ workers: Int) -> (LayerOutput<Double>, Matrix<Double>, Parameters<Double>) {
            Parallel.$workerOverride.withValue(workers) {
                let (out, cache) = layer.forward(x)
                let (gx, grads) = layer.backward(cache, gradY: g)
                return (out, gx, grads)
            }
        }
        let (out1, gx1, grads1) = run(1)
        let (out4, gx4, grads4) = run(4)
        // Forward has no reductions across chunks: bit-identical.
        #expect(maxRelativeError(out4.y.data, out1.y.data) == 0)
        #expect(out1.topk == out4.topk)
        for l in 0..<config.dagLayers {
            #expect(maxRelativeError(out4.edgeGates[l].data, out1.edgeGates[l].data) == 0)
        }
        // Backward sums a few per-chunk partials (norm weights, edge bias) in another order.
        #expect(maxRelativeError(gx4.data, gx1.data) < 1e-12)
        for name in layer.parameters.names {
            #expect(maxRelativeError(grads4[name].data, grads1[name].data) < 1e-12, "\(name)")
        }
    }
}
