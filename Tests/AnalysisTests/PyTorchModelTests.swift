import Analysis
import Checkpoint
import Foundation
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
}
