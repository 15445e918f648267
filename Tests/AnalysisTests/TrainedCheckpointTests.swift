import Analysis
import Checkpoint
import Foundation
import MoE
import Testing

/// A trained model saved with its reference tensors passes the analysis of its own file.
@Suite struct TrainedCheckpointTests {
    @Test func savedLayerPassesItsOwnReference() throws {
        let task = try SyntheticTask(kind: .sum, dModel: 12, functions: 2, seed: 1)
        let config = LayerConfig(dModel: 12, nExperts: 4, topK: 2, dFF: 8, dG: 4, dagLayers: 1)
        let spec = ModelSpec(name: "dag L=1", aggregator: .dag, config: config, iterations: 1)
        var options = TrainingOptions(steps: 3, batchTokens: 16, optimizer: AdamWOptions(learningRate: 1e-2),
                                      warmupSteps: 1, evalEvery: 3, evalTokens: 16)
        options.dataSeed = 5
        let (result, model) = try spec.train(task: task, options: options, seed: 2) { _ in }
        let metadata = TrainedCheckpoint.metadata(task: task, spec: spec, seed: 2, batchTokens: 16,
                                                  learningRate: 1e-2, heldOutTokens: 16, result: result)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trained-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try TrainedCheckpoint.writer(model, task: task, metadata: metadata).write(to: path)
        var analysisOptions = CheckpointAnalysis.Options()
        analysisOptions.jacobianTokens = 1
        let analysis = try CheckpointAnalysis.run(path: path, options: analysisOptions)
        #expect(analysis.pass == true)
        #expect(analysis.referenceTokens == TrainedCheckpoint.referenceTokens)
        #expect(analysis.checkpoint.file.metadata["steps"] == "3")
        #expect(analysis.checkpoint.file.metadata["aggregator"] == "dag")
    }
}
