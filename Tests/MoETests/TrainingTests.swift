import Checkpoint
import Foundation
import LinearAlgebra
import MoE
import Testing

/// The training loop: the loss falls, runs repeat exactly, the schedule has its shape,
/// and a trained layer survives a checkpoint round trip.
@Suite struct TrainingTests {
    static let config = LayerConfig(dModel: 12, nExperts: 4, topK: 2, dFF: 8, dG: 4, dagLayers: 1,
                                    lbCoef: 0.01, zCoef: 0.001)
    static let options = TrainingOptions(steps: 40, batchTokens: 32,
                                         optimizer: AdamWOptions(learningRate: 2e-2, weightDecay: 0.01, clipNorm: 1),
                                         warmupSteps: 5, evalEvery: 10, evalTokens: 64, dataSeed: 3)

    static func task() throws -> SyntheticTask { try SyntheticTask(kind: .sum, dModel: 12, functions: 2, seed: 1) }

    @Test func lossFallsAndTheCurveHasItsPoints() throws {
        var layer = try DAGMoELayer<Float>(config: TrainingTests.config, seed: 1)
        var seen: [Int] = []
        let result = train(&layer, task: try TrainingTests.task(), options: TrainingTests.options) { seen.append($0.step) }
        #expect(seen == Array(1...40))
        #expect(result.points.map(\.step) == [0, 10, 20, 30, 40])
        #expect(result.stepsDone == 40 && !result.diverged)
        let first = result.points[0].heldOutLoss, last = result.finalHeldOutLoss
        #expect(last < 0.7 * first, "held-out loss \(first) → \(last)")
        #expect(result.points[0].trainLoss.isNaN && result.points[1].trainLoss.isFinite)
        // The DAG module learned: `up` left zero.
        #expect(layer.parameters["dag.0.up.weight"].data.contains { $0 != 0 })
    }

    @Test func sameSeedSameRunOtherSeedOtherRun() throws {
        let task = try TrainingTests.task()
        func run(initSeed: UInt64, dataSeed: UInt64) throws -> ([Double], [String: Tensor<Float>]) {
            var chain = try ChainLayer<Float>(config: LayerConfig(dModel: 12, nExperts: 4, topK: 2, dFF: 8, dG: 0, dagLayers: 0),
                                              iterations: 2, seed: initSeed)
            var options = TrainingTests.options
            options.steps = 15
            options.dataSeed = dataSeed
            let result = train(&chain, task: task, options: options)
            return (result.points.map(\.heldOutLoss), chain.weights)
        }
        let a = try run(initSeed: 1, dataSeed: 2), b = try run(initSeed: 1, dataSeed: 2)
        #expect(a.0 == b.0 && a.1 == b.1)
        let c = try run(initSeed: 1, dataSeed: 5)
        #expect(c.0 != a.0)
    }

    @Test func scheduleWarmsUpThenDecaysToTheFloor() {
        let o = TrainingOptions(steps: 110, optimizer: AdamWOptions(learningRate: 1), warmupSteps: 10,
                                finalLearningRateFraction: 0.1)
        #expect(o.learningRate(atStep: 1) == 0.1)
        #expect(o.learningRate(atStep: 10) == 1)
        // Halfway through the cosine: floor + (1 − floor)/2.
        #expect(Swift.abs(o.learningRate(atStep: 60) - 0.55) < 1e-12)
        #expect(Swift.abs(o.learningRate(atStep: 110) - 0.1) < 1e-12)
    }

    @Test func trainedLayerRoundTripsThroughACheckpoint() throws {
        var layer = try DAGMoELayer<Float>(config: TrainingTests.config, seed: 2)
        var options = TrainingTests.options
        options.steps = 10
        _ = train(&layer, task: try TrainingTests.task(), options: options)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("train-roundtrip-\(getpid()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try LayerCheckpoint.save(layer.parameters, to: path, extraMetadata: ["task": "sum"])
        let loaded = try LayerCheckpoint(path: path)
        #expect(loaded.config == layer.config)
        let back = try DAGMoELayer(parameters: loaded.parameters(Float.self))
        #expect(back.parameters.tensors == layer.parameters.tensors)
        let x: TaskBatch<Float> = try TrainingTests.task().heldOut(tokens: 16)
        #expect(back.forward(x.x).output.y == layer.forward(x.x).output.y)
    }
}
