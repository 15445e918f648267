import Analysis
import Foundation
import Testing

/// Checkpoints written by the PyTorch package (python/dagmoe, tools/make_pytorch_fixtures.py),
/// so `swift test` checks the format without Python installed.
@Suite struct PyTorchCheckpointTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("CheckpointTests/Fixtures/pytorch")

    @Test(arguments: [ComputePrecision.float64, .float32])
    func trainedLayerPassesCrosscheck(precision: ComputePrecision) throws {
        let path = PyTorchCheckpointTests.directory.appendingPathComponent("trained_l2_layernorm_shared.safetensors").path
        var options = CheckpointAnalysis.Options()
        options.precision = precision
        options.jacobianTokens = 2
        let analysis = try CheckpointAnalysis.run(path: path, options: options)
        #expect(analysis.pass == true)
        #expect(analysis.referenceTokens == 8)
        // Every ref.* of a two-round layer with a shared expert: 8 forward and backward
        // tensors, the edge gates of both rounds and one gradient per weight (28).
        #expect(analysis.comparison?.checks.count == 38)
        #expect(analysis.checkpoint.file.metadata["trainer"] == "tools/make_pytorch_fixtures.py")
        // Trained in PyTorch, `up` is no longer zero: the rounds add rank up to L·d_g + K − 1 = 9.
        let jacobian = try #require(analysis.jacobian)
        #expect(jacobian.bound == 9)
        #expect(jacobian.stableRanks == [9, 9])
    }
}
