import Analysis
import Checkpoint
import Foundation
import LinearAlgebra
import MoE
import Testing

/// Usage measures and ablations on layers built so that the answer is known.
@Suite struct UsageAnalysisTests {
    static func randomX(_ t: Int, _ d: Int, seed: UInt64) -> Matrix<Double> {
        var rng = SeededRandom(seed: seed)
        return Matrix(rows: t, cols: d, data: (0..<(t * d)).map { _ in rng.nextNormal() })
    }

    /// A two-round layer with a large random `up`; `edgeScale` multiplies the edge weights (large:
    /// gates saturate, differently per token) and `edgeBias`, when given, replaces the edge bias.
    static func layer(edgeScale: Double, edgeBias: Double? = nil) throws -> DAGMoELayer<Double> {
        var layer = try smallLayer(dagLayers: 2, d: 8, seed: 5)
        var rng = SeededRandom(seed: 9)
        for l in 0..<2 {
            let up = "dag.\(l).up.weight", edge = "dag.\(l).edge.weight", bias = "dag.\(l).edge.bias"
            let shape = layer.parameters[up].shape
            layer.parameters[up] = Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in rng.nextNormal() })
            layer.parameters[edge] = Tensor(shape: layer.parameters[edge].shape,
                                            data: layer.parameters[edge].data.map { $0 * edgeScale })
            if let edgeBias { layer.parameters[bias] = Tensor(shape: [1], data: [edgeBias]) }
        }
        return layer
    }

    /// A fresh layer (up = 0) uses nothing: zero share, every ablation changes nothing, verdict unused.
    @Test func moduleWithUpZeroUsesNothing() throws {
        let layer = try smallLayer(dagLayers: 2, d: 8)
        let x = UsageAnalysisTests.randomX(64, 8, seed: 1)
        let out = layer.forward(x).output
        let targets = Matrix(rows: 64, cols: 3, data: (0..<192).map { Double($0 % 7) / 7 })
        let usage = UsageAnalysis(layer: layer, x: x, output: out, targets: targets)
        #expect(usage.moduleShare.allSatisfy { $0 == 0 } && usage.overallModuleShare == 0)
        #expect(usage.ablations.rows.count == 1 + 3 * 2)
        #expect(usage.ablations.rows.allSatisfy { $0.loss == usage.ablations.trainedLoss && $0.outputChange == 0 })
        #expect(usage.ablations.moduleGain == 0)
        #expect(usage.verdict == .unused)
        #expect(usage.reading.hasPrefix("module unused"))
    }

    /// Saturated edge gates that differ per token, with the layer's own outputs as targets (loss 0):
    /// shuffling gates across tokens or replacing them by their means costs much of the module's
    /// gain, and the verdict says token-dependent structure.
    @Test func tokenDependentGatesShow() throws {
        let layer = try UsageAnalysisTests.layer(edgeScale: 40)
        let x = UsageAnalysisTests.randomX(128, 8, seed: 2)
        let out = layer.forward(x).output
        let usage = UsageAnalysis(layer: layer, x: x, output: out, targets: out.y)
        #expect(usage.ablations.trainedLoss == 0)
        #expect(try #require(usage.ablations.moduleGain) > 0)
        #expect(usage.rounds[0].tokenShare > 0.3 && usage.rounds[0].acrossTokenStd > 0.2)
        #expect(usage.patterns.distinct > 4 && usage.patterns.entropyBits > 1)
        #expect(try #require(usage.ablations.worstCost(.shuffled)) > 0.2)
        #expect(usage.verdict == .tokenDependent)
        #expect(usage.reading.hasPrefix("structure used: shuffling edges costs"))
        // Every pattern of the spec's additive scorer is lonesum.
        #expect(usage.patterns.unrealizable == 0)
    }

    /// Edge weights 0: every gate is σ(b) for every token. The module matters (removing it costs),
    /// but constant, hardened-where-unchanged and shuffled gates cost nothing: constant mixing.
    @Test func constantGatesAreConstantMixing() throws {
        let layer = try UsageAnalysisTests.layer(edgeScale: 0, edgeBias: 0.8)
        let x = UsageAnalysisTests.randomX(64, 8, seed: 3)
        let out = layer.forward(x).output
        let usage = UsageAnalysis(layer: layer, x: x, output: out, targets: out.y)
        let sigma = 1 / (1 + exp(-0.8))
        #expect(abs(usage.rounds[1].mean - sigma) < 1e-12)
        #expect(usage.rounds[0].acrossTokenStd < 1e-12 && usage.rounds[0].tokenShare == 0)
        #expect(usage.patterns.distinct == 1 && usage.patterns.entropyBits == 0)
        #expect(usage.patterns.top.first?.text == "11|11 / 11|11" && usage.patterns.top.first?.count == 64)
        #expect(try #require(usage.ablations.worstCost(.shuffled)) < 1e-9)
        #expect(try #require(usage.ablations.worstCost(.meanGates)) < 1e-9)
        #expect(try #require(usage.ablations.worstCost(.hardened)) > 0.01)
        #expect(usage.verdict == .constantMixing)
        // Without targets the same reading comes from the output alone.
        let blind = UsageAnalysis(layer: layer, x: x, output: out, targets: nil)
        #expect(blind.verdict == .constantMixing && blind.ablations.trainedLoss == nil)
        #expect(blind.ablations.rows[0].outputChange == 1)
    }

    /// Hand-made gates: T = 2, K = 1 with e = 0.2 and 0.8; and a census with a non-lonesum pattern.
    @Test func gateUsageAndCensusByHand() {
        let g = GateUsage(gates: Tensor(shape: [2, 1, 1], data: [0.2, 0.8]))
        #expect(abs(g.mean - 0.5) < 1e-15 && abs(g.acrossTokenStd - 0.3) < 1e-15 && g.betweenEntryStd == 0)
        #expect(g.tokenShare == 1 && abs(g.medianMargin - 0.3) < 1e-15 && g.nearThreshold == 0)
        #expect(g.histogram[4] == 1 && g.histogram[16] == 1)
        // K = 2: the identity (rows 10, 01: not nested) is not lonesum; all-ones is.
        let config = LayerConfig(dModel: 4, nExperts: 2, topK: 2, dFF: 2, dG: 1, dagLayers: 1)
        let gates = Tensor<Double>(shape: [3, 2, 2], data: [0.9, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.1, 0.2, 0.8])
        let census = PatternCensus(config: config, edgeGates: [gates])
        #expect(census.distinct == 2 && census.unrealizable == 1)
        #expect(census.top.map(\.text) == ["10|01", "11|11"] && census.top.map(\.count) == [2, 1])
        #expect(census.top.map(\.realizable) == [false, true])
        #expect(abs(census.entropyBits - (-(2.0 / 3) * log2(2.0 / 3) - (1.0 / 3) * log2(1.0 / 3))) < 1e-12)
    }
}

/// Metadata that names a task or a chain but cannot be used is an error naming the key.
@Suite struct TrainedMetadataTests {
    func analyse(_ metadata: [String: String]) throws -> String {
        let layer = try smallLayer(dagLayers: 0, d: 12)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("meta-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try LayerCheckpoint.save(layer.parameters, to: path, extraMetadata: metadata)
        var options = CheckpointAnalysis.Options()
        options.jacobianTokens = 0
        do {
            let analysis = try CheckpointAnalysis.run(path: path, options: options)
            return "ok: \(analysis.inputs)"
        } catch { return "\(error)" }
    }

    @Test func taskAndChainKeys() throws {
        #expect(try analyse(["task": "composition", "task_functions": "2", "task_seed": "1", "heldout_tokens": "20"])
                == "ok: 20 held-out tokens of task composition (F = 2, task seed 1), rebuilt from the checkpoint's metadata")
        #expect(try analyse(["task": "composition", "task_functions": "2", "task_seed": "1"]).hasPrefix("ok: 1024 held-out"))
        #expect(try analyse(["task": "division", "task_functions": "2", "task_seed": "1"]).contains("task"))
        #expect(try analyse(["task": "sum", "task_functions": "9", "task_seed": "1"]).contains("task_functions"))
        #expect(try analyse(["task": "sum", "task_seed": "1"]).contains("task_functions"))
        #expect(try analyse(["aggregator": "chain", "chain_iterations": "1000"]).contains("chain_iterations between 1 and 64"))
        #expect(try analyse(["aggregator": "chain", "chain_iterations": "2"]).contains("needs tensor chain.1.router.weight"))
    }
}
