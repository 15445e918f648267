import LinearAlgebra
import MoE
import Testing

/// Forward with one round's edge gates fixed: the layer's own gates give its own output, other
/// gates change that round, and the later rounds recompute their gates from the changed states.
@Suite struct FixedEdgeGatesTests {
    let config = LayerTestSupport.config(rounds: 2)

    @Test func ownGatesReproduceTheForwardPass() throws {
        let layer = try DAGMoELayer(parameters: LayerTestSupport.randomParameters(config, seed: 3))
        let x = LayerTestSupport.randomMatrix(rows: 9, cols: config.dModel, seed: 4)
        let plain = layer.forward(x).output
        for l in 0..<2 {
            let fixed = layer.forward(x, fixing: FixedEdgeGates(round: l, gates: plain.edgeGates[l]))
            #expect(fixed.y.data == plain.y.data)
            #expect(fixed.edgeGates.map(\.data) == plain.edgeGates.map(\.data))
        }
    }

    /// Round 0 forced to all-ones: its gates are the ones given, y moves, and round 1's gates
    /// differ from the plain pass's (recomputed from the new states), not copied.
    @Test func laterRoundsRecomputeFromTheFixedStates() throws {
        let layer = try DAGMoELayer(parameters: LayerTestSupport.randomParameters(config, seed: 5))
        let x = LayerTestSupport.randomMatrix(rows: 7, cols: config.dModel, seed: 6)
        let plain = layer.forward(x).output
        let k = config.topK
        let ones = Tensor<Double>(shape: [7, k, k], data: [Double](repeating: 1, count: 7 * k * k))
        let fixed = layer.forward(x, fixing: FixedEdgeGates(round: 0, gates: ones))
        #expect(fixed.edgeGates[0].data == ones.data)
        #expect(zip(fixed.y.data, plain.y.data).map { abs($0 - $1) }.max()! > 1e-3)
        #expect(zip(fixed.edgeGates[1].data, plain.edgeGates[1].data).map { abs($0 - $1) }.max()! > 1e-6)
        // Fixing round 1 leaves round 0 as computed.
        let late = layer.forward(x, fixing: FixedEdgeGates(round: 1, gates: ones))
        #expect(late.edgeGates[0].data == plain.edgeGates[0].data)
    }
}
