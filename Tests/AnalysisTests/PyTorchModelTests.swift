import Analysis
import Checkpoint
import Foundation
import MoE
import Testing

/// `crosscheck --model` on the `dagmoe_lm` directory of a tiny LM trained in PyTorch.
@Suite struct PyTorchModelTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("CheckpointTests/Fixtures/models/dagmoe_lm").path

    @Test(arguments: [0, 1])
    func trainedRoundsAddRankUpToTheBound(layer: Int) throws {
        let model = try ModelLayout(directory: PyTorchModelTests.directory)
        let analysis = try ModelLayerAnalysis(model: model, layer: layer, source: .random(count: 4, seed: 1), jacobianTokens: 2,
                                              rankRtol: 1e-10, tolerance: 1e-4, maxTokens: 64)
        #expect(analysis.pass)
        let jacobian = try #require(analysis.jacobian)
        // L·d_g + K = 1·4 + 2 (softmax_topk), far above the weighted-sum bound K = 2.
        #expect(jacobian.bound == 6 && jacobian.weightedSumBound == 2)
        #expect(jacobian.stableRanks == [6, 6])
        #expect(jacobian.verdict == .structural)
    }

    /// The usage measures of a model layer with rounds are those of the same layer read from its
    /// own spec checkpoint (layers/layer_i.safetensors, written separately by the package) on
    /// the same tokens; a weighted-sum layer (L = 0) has none.
    @Test(arguments: [0, 1])
    func usageMatchesTheLayersOwnCheckpoint(layer: Int) throws {
        let model = try ModelLayout(directory: PyTorchModelTests.directory)
        let analysis = try ModelLayerAnalysis(model: model, layer: layer, source: .random(count: 32, seed: 3), jacobianTokens: 0,
                                              rankRtol: 1e-10, tolerance: 1e-4, maxTokens: 64)
        let usage = try #require(analysis.usage)
        let file = PyTorchModelTests.directory + "/layers/layer_\(layer).safetensors"
        let own = try DAGMoELayer(parameters: LayerCheckpoint(path: file).parameters(Double.self))
        let x = AnalysisInputs.random(count: 32, d: 8, seed: 3).x
        let expected = UsageAnalysis(layer: own, x: x, output: own.forward(x).output, targets: nil)
        #expect(usage.tokens == 32 && usage.overallModuleShare > 0.05)
        #expect(abs(usage.overallModuleShare - expected.overallModuleShare) < 1e-6)
        #expect(usage.verdict == expected.verdict && usage.patterns.distinct == expected.patterns.distinct)
    }

    /// The model directory carries each layer's input, output and selection as PyTorch computed
    /// them on held-out text (inputs.safetensors): the layer recomputed in Float64 from the stored
    /// weights gives the same outputs and selections.
    @Test(arguments: [0, 1])
    func layersReproducePyTorchOnHeldOutText(layer: Int) throws {
        let model = try ModelLayout(directory: PyTorchModelTests.directory)
        let inputs = try ModelInputsFile(path: PyTorchModelTests.directory + "/inputs.safetensors")
        let analysis = try ModelLayerAnalysis(model: model, layer: layer, source: .file(inputs), jacobianTokens: 4,
                                              rankRtol: 1e-10, tolerance: 1e-4, maxTokens: 64)
        let reference = try #require(analysis.reference)
        #expect(reference.tokens == 64 && reference.topkMismatches == 0)
        #expect(reference.maxRel < 1e-5)
        #expect(analysis.jacobian?.verdict == .structural && analysis.usage?.tokens == 64)
    }

    @Test func weightedSumLayersHaveNoUsage() throws {
        let directory = URL(fileURLWithPath: PyTorchModelTests.directory).deletingLastPathComponent().appendingPathComponent("mixtral").path
        let analysis = try ModelLayerAnalysis(model: ModelLayout(directory: directory), layer: 0, source: .random(count: 4, seed: 1),
                                              jacobianTokens: 0, rankRtol: 1e-10, tolerance: 1e-4, maxTokens: 64)
        #expect(analysis.usage == nil)
    }
}
