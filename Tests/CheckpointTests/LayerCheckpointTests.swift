import Foundation
import Testing
@testable import Checkpoint
import MoE

/// A small configuration with every optional part switched on.
let smallConfig = LayerConfig(dModel: 4, nExperts: 3, topK: 2, dFF: 5, dG: 2, dagLayers: 2,
                              norm: .layernorm, normEps: 1e-5, router: .topKSoftmax,
                              sharedDFF: 3, lbCoef: 0.01, zCoef: 0.001)

/// Weights with distinct values (multiples of 1/64, so exact in every float width but BF16's 8 bits).
func distinctParameters(_ config: LayerConfig) -> Parameters<Double> {
    var p = Parameters<Double>(zeros: config)
    var counter = 0.0
    for (name, _) in config.parameterShapes {
        p[name].data = p[name].data.map { _ in counter += 1; return (counter - 40) / 64 }
    }
    return p
}

/// A checkpoint file of `distinctParameters(config)` without the weight `skip`, plus what `extra` adds.
func checkpointData(_ config: LayerConfig, skip: String? = nil,
                    extra: (inout SafeTensorsWriter) throws -> Void = { _ in }) throws -> Data {
    let p = distinctParameters(config)
    var w = SafeTensorsWriter(metadata: config.metadata)
    for (name, shape) in config.parameterShapes where name != skip {
        try w.add(name, shape: shape, doubles: p[name].data)
    }
    try extra(&w)
    return w.data()
}

func openLayer(_ data: Data) throws -> LayerCheckpoint {
    try LayerCheckpoint(file: SafeTensorsFile(data: data))
}

@Suite struct LayerConfigMetadataTests {
    @Test func roundTripsThroughMetadata() throws {
        #expect(try LayerConfig(metadata: smallConfig.metadata) == smallConfig)
    }

    @Test func optionalKeysDefaultToZero() throws {
        var m = smallConfig.metadata
        for key in ["shared_d_ff", "lb_coef", "z_coef"] { m[key] = nil }
        let c = try LayerConfig(metadata: m)
        #expect(c.sharedDFF == 0 && c.lbCoef == 0 && c.zCoef == 0)
        #expect(c.dModel == 4 && c.router == .topKSoftmax && c.norm == .layernorm && c.normEps == 1e-5)
    }

    @Test func everyRequiredKeyIsNamedWhenMissing() {
        for key in ["d_model", "n_experts", "top_k", "d_ff", "d_g", "dag_layers", "norm", "norm_eps", "router"] {
            var m = smallConfig.metadata
            m[key] = nil
            #expect(throws: CheckpointError.missingMetadata(key: key)) { try LayerConfig(metadata: m) }
        }
    }

    @Test func malformedValuesNameTheKey() {
        let cases: [(String, String)] = [
            ("d_model", "eight"), ("d_model", "0"), ("n_experts", "-1"), ("top_k", "4"), ("d_ff", "1.5"),
            ("d_g", "99999999999999999999"), ("dag_layers", "-1"), ("norm", "batchnorm"), ("norm_eps", "nan"),
            ("norm_eps", "-1e-6"), ("router", "topk"), ("shared_d_ff", "x"), ("lb_coef", "inf"), ("z_coef", ""),
        ]
        for (key, value) in cases {
            var m = smallConfig.metadata
            m[key] = value
            do {
                _ = try LayerConfig(metadata: m)
                Issue.record("\(key) = \(value) was accepted")
            } catch {
                guard case .malformedMetadata(let k, let v, _) = error else { Issue.record("\(error)"); continue }
                #expect(k == key && v == value)
            }
        }
    }
}

@Suite struct LayerCheckpointTests {
    @Test func savesAndLoadsEveryWeightAndReference() throws {
        let p = distinctParameters(smallConfig)
        let x = Tensor<Double>(shape: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8])
        var ref = LayerReference(x: x, y: x, topk: [0, 2, 1, 0], gates: Tensor(shape: [2, 2], data: [0.5, 0.25, 0.75, 0.125]))
        ref.edgeGates[1] = Tensor(shape: [2, 2, 2], data: [0, 1, 0.5, 1, 0, 0, 1, 0.25])
        ref.lbLoss = 1.5
        ref.gradY = x
        ref.grad["dag.1.up.weight"] = p["dag.1.up.weight"]
        let data = try LayerCheckpoint.writer(p, reference: ref, extraMetadata: ["d_model": "99", "note": "x"]).data()
        let layer = try openLayer(data)
        #expect(layer.config == smallConfig)
        #expect(layer.file.metadata["note"] == "x")
        #expect(layer.notes.isEmpty)
        #expect(layer.weightDTypes == [.f32])
        let loaded = try layer.parameters(Double.self)
        for name in p.names { #expect(loaded[name] == p[name], "\(name)") }
        let r = try #require(try layer.reference(Double.self))
        #expect(r.x == x && r.y == x && r.gradY == x && r.gradX == nil)
        #expect(r.topk == [0, 2, 1, 0])
        #expect(r.gates?.data == [0.5, 0.25, 0.75, 0.125])
        #expect(r.edgeGates[1]?.shape == [2, 2, 2] && r.edgeGates[0] == nil)
        #expect(r.lbLoss == 1.5 && r.zLoss == nil)
        #expect(r.grad.keys.sorted() == ["dag.1.up.weight"])
        #expect(try layer.file.info("ref.topk").dtype == .i64)
    }

    @Test func bf16WeightsWidenToTheRoundedValues() throws {
        var p = distinctParameters(smallConfig)
        p["router.weight"].data[0] = 1 + 0x1p-8 + 0x1p-12
        let layer = try openLayer(try LayerCheckpoint.writer(p, dtype: .bf16).data())
        #expect(layer.weightDTypes == [.bf16])
        let f = try layer.parameters(Float.self)
        #expect(f["router.weight"].data[0] == 1 + 0x1p-7)
        #expect(f["router.weight"].data[1] == Float(p["router.weight"].data[1]))
    }

    @Test func missingWeightIsNamed() {
        #expect(throws: CheckpointError.missingWeight("dag.1.norm.bias")) {
            try openLayer(try checkpointData(smallConfig, skip: "dag.1.norm.bias"))
        }
    }

    @Test func wrongShapeIsNamed() {
        #expect(throws: CheckpointError.wrongShape(tensor: "experts.2.w2.weight", shape: [5, 4], expected: [4, 5])) {
            try openLayer(try checkpointData(smallConfig, skip: "experts.2.w2.weight") { w in
                try w.add("experts.2.w2.weight", shape: [5, 4], floats: [Float](repeating: 0, count: 20))
            })
        }
    }

    @Test func integerWeightIsRejected() {
        #expect(throws: CheckpointError.unsupportedWeightDType(tensor: "dag.0.edge.bias", dtype: "I64")) {
            try openLayer(try checkpointData(smallConfig, skip: "dag.0.edge.bias") { w in
                try w.add("dag.0.edge.bias", shape: [1], int64s: [0])
            })
        }
    }

    @Test func nonFiniteWeightIsNamed() throws {
        let layer = try openLayer(try checkpointData(smallConfig, skip: "shared.w3.weight") { w in
            var v = [Float](repeating: 0, count: 12)
            v[7] = .nan
            try w.add("shared.w3.weight", shape: [3, 4], floats: v)
        })
        #expect(throws: CheckpointError.self) { try layer.parameters(Float.self) }
        do {
            _ = try layer.parameters(Double.self)
        } catch {
            guard case .nonFinite("shared.w3.weight", 7, let v) = error else { Issue.record("\(error)"); return }
            #expect(v.isNaN)
        }
    }

    @Test func extraTensorsAreIgnoredWithANote() throws {
        let layer = try openLayer(try checkpointData(smallConfig) { w in
            try w.add("optimizer.step", shape: [], int64s: [3])
            try w.add("ref.edge_gates.2", shape: [1], floats: [0])
        })
        #expect(layer.notes.count == 2)
        #expect(layer.notes[0].contains("'optimizer.step'"))
        #expect(layer.notes[1].contains("'ref.edge_gates.2'"))
        #expect(try layer.reference(Double.self) == nil)
    }

    @Test func referencesWithoutInputsAreIgnoredWithANote() throws {
        let layer = try openLayer(try checkpointData(smallConfig) { w in
            try w.add("ref.y", shape: [1, 4], floats: [0, 0, 0, 0])
        })
        #expect(layer.notes == ["ignored 1 ref.* tensor(s): the file has no ref.x to run them from"])
        #expect(try layer.reference(Float.self) == nil)
    }

    @Test func referenceShapesAndInputsAreChecked() throws {
        let badShape = try openLayer(try checkpointData(smallConfig) { w in
            try w.add("ref.x", shape: [2, 4], floats: [Float](repeating: 1, count: 8))
            try w.add("ref.gates", shape: [2, 3], floats: [Float](repeating: 0, count: 6))
        })
        #expect(throws: CheckpointError.wrongShape(tensor: "ref.gates", shape: [2, 3], expected: [2, 2])) {
            try badShape.reference(Double.self)
        }
        let infinite = try openLayer(try checkpointData(smallConfig) { w in
            try w.add("ref.x", shape: [1, 4], floats: [1, 2, .infinity, 4])
        })
        #expect(throws: CheckpointError.nonFinite(tensor: "ref.x", index: 2, value: .infinity)) {
            try infinite.reference(Double.self)
        }
        let wrongWidth = try openLayer(try checkpointData(smallConfig) { w in
            try w.add("ref.x", shape: [2, 3], floats: [Float](repeating: 1, count: 6))
        })
        #expect(throws: CheckpointError.wrongShape(tensor: "ref.x", shape: [2, 3], expected: [2, 4])) {
            try wrongWidth.reference(Double.self)
        }
    }

    @Test func missingMetadataIsNamed() throws {
        var w = SafeTensorsWriter(metadata: ["d_model": "4"])
        try w.add("router.weight", shape: [1], floats: [0])
        #expect(throws: CheckpointError.missingMetadata(key: "n_experts")) { try openLayer(w.data()) }
    }
}
