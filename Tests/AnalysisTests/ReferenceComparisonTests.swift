import Analysis
import Checkpoint
import LinearAlgebra
import MoE
import Testing

@Suite struct ReferenceComparisonTests {
    /// Every reference tensor of every fixture agrees with the Swift layer, in both precisions.
    @Test(arguments: ComputePrecision.allCases)
    func everyFixturePasses(precision: ComputePrecision) throws {
        #expect(LayerFixtures.paths.count >= 6)
        for path in LayerFixtures.paths {
            var options = CheckpointAnalysis.Options()
            options.precision = precision
            options.jacobianTokens = 0
            let analysis = try CheckpointAnalysis.run(path: path, options: options)
            let config = analysis.checkpoint.config
            let result = try #require(analysis.comparison)
            #expect(result.checks.count == 6 + config.dagLayers + config.parameterShapes.count, "\(path)")
            #expect(result.notes.isEmpty)
            for c in result.checks where !c.ok {
                Issue.record("\(path) \(precision): \(c.name) max_rel \(c.maxRel) > \(c.tolerance ?? 0)")
            }
        }
    }

    /// A 1% change of one entry of any checked tensor, or one swapped expert, fails exactly that tensor.
    @Test func tamperedReferencesFail() throws {
        let path = try #require(LayerFixtures.path(prefix: "random_l3"))
        let checkpoint = try LayerCheckpoint(path: path)
        let reference = try #require(try checkpoint.reference(Double.self))
        let layer = try DAGMoELayer(parameters: checkpoint.parameters(Double.self))
        let (out, cache) = layer.forward(Matrix(rows: reference.tokens, cols: checkpoint.config.dModel,
                                                data: reference.x.data))
        var y = reference
        y.y!.data[5] += 0.01 * y.y!.data.map(abs).max()!
        var edges = reference
        edges.edgeGates[2]!.data[0] += 0.01
        var grad = reference
        grad.grad["dag.1.node.weight"]!.data[3] += 0.01 * grad.grad["dag.1.node.weight"]!.data.map(abs).max()!
        var topk = reference
        topk.topk!.swapAt(0, 1)
        for (tampered, name) in [(y, "ref.y"), (edges, "ref.edge_gates.2"), (grad, "ref.grad.dag.1.node.weight"),
                                 (topk, "ref.topk")] {
            let result = ReferenceComparison(layer: layer, output: out, cache: cache, reference: tampered,
                                             tolerances: .defaults(.float64))
            #expect(!result.passed)
            #expect(result.checks.filter { !$0.ok }.map(\.name) == [name])
        }
    }

    /// The analysis of a checkpoint reads ref.x once: the statistics and the comparison see the
    /// same tokens; --tokens switches the statistics to seeded random tokens.
    @Test func inputsFollowTheOptions() throws {
        let path = try #require(LayerFixtures.path(prefix: "trained_l2"))
        var options = CheckpointAnalysis.Options()
        options.jacobianTokens = 2
        let onRef = try CheckpointAnalysis.run(path: path, options: options)
        #expect(onRef.inputs == "ref.x")
        #expect(onRef.structure.tokens == onRef.referenceTokens)
        #expect(onRef.jacobian?.tokens.count == 2)
        options.tokens = 5
        options.seed = 9
        let onRandom = try CheckpointAnalysis.run(path: path, options: options)
        #expect(onRandom.inputs == "5 random N(0, 1) tokens, seed 9")
        #expect(onRandom.structure.tokens == 5)
        #expect(onRandom.pass == true)
    }
}
