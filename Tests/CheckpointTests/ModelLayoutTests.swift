import Foundation
import LinearAlgebra
import Testing
import TestSupport
@testable import Checkpoint
import MoE

/// The model layouts against the fixtures: configuration mapping, weight mapping, router
/// semantics against the PyTorch re-implementations, and the excess-rank bound.
@Suite struct ModelLayoutTests {
    struct Expected: Sendable {
        let name: String, family: ModelFamily, n: Int, k: Int, ff: Int, shared: Int, gate: Bool
        let router: LayerConfig.Router, scale: Double, groups: RouterGroups?, moe: [Int]
        let storage: ExpertStorage, shards: Int
    }

    static let expected: [Expected] = [
        Expected(name: "mixtral", family: .mixtral, n: 4, k: 2, ff: 8, shared: 0, gate: false, router: .topKSoftmax,
                 scale: 1, groups: nil, moe: [0, 1], storage: .mixtral, shards: 2),
        Expected(name: "qwen2_moe", family: .qwen2MoE, n: 6, k: 2, ff: 8, shared: 12, gate: true, router: .softmaxTopK,
                 scale: 1, groups: nil, moe: [0, 1], storage: .projections, shards: 1),
        Expected(name: "qwen3_moe", family: .qwen3MoE, n: 6, k: 3, ff: 8, shared: 0, gate: false, router: .topKSoftmax,
                 scale: 1, groups: nil, moe: [0, 1], storage: .merged, shards: 1),
        Expected(name: "olmoe", family: .olmoe, n: 8, k: 2, ff: 8, shared: 0, gate: false, router: .softmaxTopK,
                 scale: 1, groups: nil, moe: [0, 1], storage: .projections, shards: 1),
        Expected(name: "deepseek_moe", family: .deepseek, n: 6, k: 2, ff: 4, shared: 8, gate: false, router: .softmaxTopK,
                 scale: 1, groups: nil, moe: [1], storage: .projections, shards: 1),
        Expected(name: "deepseek_v2", family: .deepseekV2, n: 8, k: 3, ff: 8, shared: 8, gate: false, router: .softmaxTopK,
                 scale: 2.5, groups: RouterGroups(count: 4, selected: 2), moe: [0, 1], storage: .projections, shards: 1),
    ]

    @Test(arguments: expected.map(\.name))
    func configurationMapsOntoTheSpec(_ name: String) throws {
        let e = try #require(Self.expected.first { $0.name == name })
        let model = try ModelLayout(directory: ModelFixtures.directory(name))
        let c = model.config
        #expect(c.family == e.family && c.hiddenSize == 16 && c.layers == 2)
        #expect(c.experts == e.n && c.topK == e.k && c.expertFF == e.ff && c.sharedFF == e.shared)
        #expect(c.sharedGate == e.gate && c.router == e.router && c.routedScale == e.scale && c.groups == e.groups)
        #expect(c.moeLayers == e.moe)
        #expect(model.shards.count == e.shards)
        let layout = try model.layout(layer: e.moe.last!)
        #expect(layout.storage == e.storage)
        let spec = c.layerConfig()
        #expect(spec.dagLayers == 0 && spec.extensions.sharedGate == e.gate && spec.extensions.routerGroups == e.groups)
        #expect(Set(layout.sources.map(\.spec)) == Set(spec.parameterShapes.map(\.name)))
        // The extension keys survive the spec's metadata, so a converted layer reads back the same.
        #expect(try LayerConfig(metadata: spec.metadata) == spec)
    }

    /// Spec weights against the source tensors read by the whole-file reader: plain
    /// copies, merged-tensor slices, and the routed scaling factor on W2.
    @Test func weightsAreTheSourceTensors() throws {
        let mixtral = try ModelLayout(directory: ModelFixtures.directory("mixtral"))
        let shard2 = try SafeTensorsFile(path: ModelFixtures.directory("mixtral") + "/model-00002-of-00002.safetensors")
        let p1: Parameters<Double> = try mixtral.parameters(layer: 1)
        #expect(p1["experts.2.w3.weight"].data == (try shard2.doubles("model.layers.1.block_sparse_moe.experts.2.w3.weight")))
        #expect(p1["router.weight"].data == (try shard2.doubles("model.layers.1.block_sparse_moe.gate.weight")))

        let qwen3 = try ModelLayout(directory: ModelFixtures.directory("qwen3_moe"))
        let file3 = try SafeTensorsFile(path: ModelFixtures.directory("qwen3_moe") + "/model.safetensors")
        let gateUp = try file3.doubles("model.layers.0.mlp.experts.gate_up_proj")   // [6, 16, 16]
        let down = try file3.doubles("model.layers.0.mlp.experts.down_proj")        // [6, 16, 8]
        let p3: Parameters<Double> = try qwen3.parameters(layer: 0)
        #expect(p3["experts.4.w1.weight"].data == Array(gateUp[(4 * 256)..<(4 * 256 + 128)]))
        #expect(p3["experts.4.w3.weight"].data == Array(gateUp[(4 * 256 + 128)..<(5 * 256)]))
        #expect(p3["experts.4.w2.weight"].data == Array(down[(4 * 128)..<(5 * 128)]))

        let v2 = try ModelLayout(directory: ModelFixtures.directory("deepseek_v2"))
        let fileV2 = try SafeTensorsFile(path: ModelFixtures.directory("deepseek_v2") + "/model.safetensors")
        let pV2: Parameters<Double> = try v2.parameters(layer: 1)
        #expect(pV2["experts.7.w2.weight"].data == (try fileV2.doubles("model.layers.1.mlp.experts.7.down_proj.weight")).map { $0 * 2.5 })
        #expect(pV2["shared.w1.weight"].data == (try fileV2.doubles("model.layers.1.mlp.shared_experts.gate_proj.weight")))

        let qwen2 = try ModelLayout(directory: ModelFixtures.directory("qwen2_moe"))
        let file2 = try SafeTensorsFile(path: ModelFixtures.directory("qwen2_moe") + "/model.safetensors")
        let p2: Parameters<Double> = try qwen2.parameters(layer: 0)
        #expect(p2["shared_gate.weight"].data == (try file2.doubles("model.layers.0.mlp.shared_expert_gate.weight")))
    }

    /// y − x, the selection and the routing weights against each model's PyTorch block,
    /// in Float64 (the weights widen exactly; differences are summation order, ~1e-15).
    @Test(arguments: expected.map(\.name))
    func routerSemanticsMatchThePyTorchBlock(_ name: String) throws {
        let model = try ModelLayout(directory: ModelFixtures.directory(name))
        let ref = try ModelFixtures.reference(name)
        let d = 16, k = model.config.topK
        for i in model.config.moeLayers {
            let x = try ref.doubles("layers.\(i).x"), t = x.count / d
            let layer = try DAGMoELayer(parameters: model.parameters(layer: i, Double.self))
            let out = layer.forward(Matrix(rows: t, cols: d, data: x)).output
            let want = try ref.doubles("layers.\(i).moe_out")
            let worst = zip(zip(out.y.data, x).map { $0 - $1 }, want).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-12, "\(name) layer \(i): max |(y − x) − moe_out| = \(worst)")
            #expect(out.topk.map(Int64.init) == (try ref.int64s("layers.\(i).topk")), "\(name) layer \(i)")
            let weights = try ref.doubles("layers.\(i).weights")
            let gateError = zip(out.gates.data.map { $0 * model.config.routedScale }, weights).map { abs($0 - $1) }.max()!
            #expect(gateError < 1e-12 && out.gates.data.count == t * k, "\(name) layer \(i): gates off by \(gateError)")

            // Float32 from the same file agrees to Float rounding.
            let layer32 = try DAGMoELayer(parameters: model.parameters(layer: i, Float.self))
            let y32 = layer32.forward(Matrix(rows: t, cols: d, data: x.map(Float.init))).output.y
            let worst32 = zip(zip(y32.data.map(Double.init), x).map { $0 - $1 }, want).map { abs($0 - $1) }.max()!
            #expect(worst32 < 1e-5, "\(name) layer \(i): Float32 off by \(worst32)")
        }
    }

    /// For these L = 0 layers R = J − I − Σ g_i J_{S_i} − J_shared is the gate term: its
    /// rank is K (softmax_topk) or K − 1 (topk_softmax), one more with a sigmoid shared
    /// gate, and with generic weights it attains that bound.
    @Test(arguments: expected.map(\.name))
    func excessRankIsTheGateTermsRank(_ name: String) throws {
        let e = try #require(Self.expected.first { $0.name == name })
        let model = try ModelLayout(directory: ModelFixtures.directory(name))
        let ref = try ModelFixtures.reference(name)
        let bound = (e.router == .topKSoftmax ? e.k - 1 : e.k) + (e.gate ? 1 : 0)
        for i in e.moe {
            let layer = try DAGMoELayer(parameters: model.parameters(layer: i, Double.self))
            let x = try ref.doubles("layers.\(i).x")
            for t in 0..<3 {
                let jac = layer.tokenJacobians(x: Array(x[(t * 16)..<((t + 1) * 16)]))
                #expect(jac.selectionStable)
                let (sv, norm) = try excessSingularValues(jac)
                #expect(sv.filter { $0 > 1e-10 * norm }.count == bound, "\(name) layer \(i) token \(t): \(sv.prefix(bound + 2))")
            }
        }
    }
}
