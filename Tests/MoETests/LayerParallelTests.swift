import LinearAlgebra
import Testing
@testable import MoE

/// The chunked element-wise loops give the same layer with 1 and with several workers,
/// whatever the machine's core count (the worker count is overridden per task).
@Suite struct LayerParallelTests {
    @Test(arguments: LayerConfig.Norm.allCases)
    func oneWorkerAndFourAgree(_ norm: LayerConfig.Norm) throws {
        // 2800 tokens: enough rows that every chunked loop (tokens, node rows, SwiGLU
        // elements) splits into several chunks.
        let config = LayerTestSupport.config(router: .softmaxTopK, norm: norm, shared: true, rounds: 2)
        let layer = try DAGMoELayer(parameters: LayerTestSupport.randomParameters(config, seed: 71))
        let x = LayerTestSupport.randomMatrix(rows: 2800, cols: config.dModel, seed: 72)
        let g = LayerTestSupport.randomMatrix(rows: 2800, cols: config.dModel, seed: 73)

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
        #expect(out1.y == out4.y)
        #expect(out1.topk == out4.topk)
        #expect(out1.edgeGates == out4.edgeGates)
        // Backward sums a few per-chunk partials (norm weights, edge bias) in another order.
        #expect(LayerTestSupport.maxRelativeError(gx4.data, gx1.data) < 1e-12)
        for name in layer.parameters.names {
            #expect(LayerTestSupport.maxRelativeError(grads4[name].data, grads1[name].data) < 1e-12, "\(name)")
        }
    }
}
