import Foundation
import LinearAlgebra
import Testing
import Checkpoint
@testable import MoE

/// The bilinear edge scorer (extension `edge_scorer = bilinear`): A = 0 is the spec's layer,
/// backward against finite differences, and patterns outside the lonesum class.
@Suite struct BilinearScorerTests {
    static func config(rounds: Int) -> LayerConfig {
        LayerTestSupport.config(rounds: rounds).with(LayerExtensions(edgeScorer: .bilinear))
    }

    @Test func bilinearWeightsArePerRoundAndZeroIsTheSpec() throws {
        let config = Self.config(rounds: 2)
        let names = config.parameterShapes.filter { $0.name.hasSuffix("edge.bilinear") }
        #expect(names.map(\.name) == ["dag.0.edge.bilinear", "dag.1.edge.bilinear"])
        #expect(names.allSatisfy { $0.shape == [3, 3] })
        var p = LayerTestSupport.randomParameters(config, seed: 2)
        for (name, shape) in names { p[name] = Tensor(zeros: shape) }
        var plainTensors = p.tensors
        for (name, _) in names { plainTensors[name] = nil }
        let plain = try DAGMoELayer(parameters: Parameters(config: config.with(LayerExtensions()), tensors: plainTensors))
        let bilinear = try DAGMoELayer(parameters: p)
        let x = LayerTestSupport.randomMatrix(rows: 4, cols: config.dModel, seed: 9)
        let a = plain.forward(x).output, b = bilinear.forward(x).output
        #expect(zip(a.y.data, b.y.data).allSatisfy { $0 == $1 })
    }

    @Test func theBilinearTermShiftsEveryLogitByAQuadraticForm() throws {
        // A = c·I adds c·|h_i|·|h_j|cos to logit e_ij; on the diagonal that is c·|h_i|² > 0 for c > 0,
        // so every self gate grows while the additive part is unchanged.
        let config = Self.config(rounds: 1)
        var p = LayerTestSupport.randomParameters(config, seed: 4)
        p["dag.0.edge.bilinear"] = Tensor(zeros: [3, 3])
        let x = LayerTestSupport.randomMatrix(rows: 3, cols: config.dModel, seed: 5)
        let base = try DAGMoELayer(parameters: p).forward(x).output.edgeGates[0]
        p["dag.0.edge.bilinear"] = Tensor(shape: [3, 3], data: [0.5, 0, 0, 0, 0.5, 0, 0, 0, 0.5])
        let shifted = try DAGMoELayer(parameters: p).forward(x).output.edgeGates[0]
        let k = config.topK
        for t in 0..<3 { for i in 0..<k {
            let cell = (t * k + i) * k + i
            #expect(shifted.data[cell] > base.data[cell])
        } }
        // Symmetric A: logit(e_ij) − logit(e_ji) is unchanged by the bilinear term.
        func logit(_ e: Double) -> Double { Foundation.log(e / (1 - e)) }
        for t in 0..<3 { for i in 0..<k { for j in 0..<k where j != i {
            let before = logit(base.data[(t * k + i) * k + j]) - logit(base.data[(t * k + j) * k + i])
            let after = logit(shifted.data[(t * k + i) * k + j]) - logit(shifted.data[(t * k + j) * k + i])
            #expect(abs(before - after) < 1e-9)
        } } }
    }

    @Test(arguments: [1, 3])
    func backwardMatchesFiniteDifferences(rounds: Int) throws {
        let config = Self.config(rounds: rounds)
        let (layer, x, g) = try LayerTestSupport.wellSeparatedCase(config, tokens: 4, seed: 11)
        let checks = LayerTestSupport.directionalChecks(layer, x, g, seed: 5, epsilon: 1e-6)
        #expect(checks.contains { $0.name.contains("edge.bilinear") })
        for check in checks {
            #expect(abs(check.numeric - check.analytic) <= 1e-6 * max(1, abs(check.numeric)),
                    "\(check.name): finite difference \(check.numeric), backward \(check.analytic)")
        }
    }

    @Test func bilinearPatternsLeaveTheLonesumClass() throws {
        let seen = try EdgePatternSampling.free(k: 3, d: 6, dG: 3, rounds: 1, layers: 60, tokensPerLayer: 32, seed: 3,
                                                scorer: .bilinear)[0]
        #expect(seen.contains { !EdgePatternSamplingTests.isLonesum(3, $0) })
    }
}

/// The scorer's metadata key and sampled trained layers.
@Suite struct EdgeScorerCheckpointTests {
    @Test func metadataRoundTrips() throws {
        let config = BilinearScorerTests.config(rounds: 2)
        #expect(config.metadata["edge_scorer"] == "bilinear")
        #expect(try LayerConfig(metadata: config.metadata) == config)
        #expect(throws: CheckpointError.self) { try LayerConfig(metadata: config.metadata.merging(["edge_scorer": "cubic"]) { $1 }) }
    }

    @Test func trainedFixturesGateOnlyLonesumPatterns() throws {
        let dir = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
        for name in ["trained_l1_topk_softmax_layernorm_shared_bf16", "trained_l2_softmax_topk_rmsnorm"] {
            let parameters = try LayerCheckpoint(path: dir.appendingPathComponent(name + ".safetensors").path).parameters(Double.self)
            let rounds = EdgePatternSampling.fixed(try DAGMoELayer(parameters: parameters), tokens: 2000, seed: 1)
            #expect(rounds.count == parameters.config.dagLayers)
            for seen in rounds {
                #expect(!seen.isEmpty)
                #expect(seen.allSatisfy { EdgePatternSamplingTests.isLonesum(parameters.config.topK, $0) }, "\(name)")
            }
        }
    }
}
