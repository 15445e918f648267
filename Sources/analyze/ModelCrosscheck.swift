import Checkpoint
import LinearAlgebra
import MoE

/// A model layer's output against reference outputs from the inputs file: y − x (the
/// block's output; the spec's layer includes the residual) against `moe_out`, and S
/// against `topk` (as sets, since some implementations do not sort their top-k).
struct ModelReferenceCheck {
    let tokens: Int
    let maxAbs: Double
    /// max|got − ref| / max|ref|.
    let maxRel: Double
    let tolerance: Double
    /// Tokens whose selected set differs, nil when the file has no topk.
    let topkMismatches: Int?
    var ok: Bool { maxRel <= tolerance && (topkMismatches ?? 0) == 0 }

    init?(layer: DAGMoELayer<Double>, inputs: ModelInputs.Layer, tolerance: Double) {
        guard inputs.moeOut != nil || inputs.topk != nil else { return nil }
        let out = layer.forward(inputs.x).output
        let t = inputs.x.rows, k = layer.config.topK
        tokens = t
        self.tolerance = tolerance
        if let want = inputs.moeOut {
            let got = zip(out.y.data, inputs.x.data).map { $0 - $1 }
            maxAbs = zip(got, want).map { abs($0 - $1) }.max() ?? 0
            let scale = want.map(abs).max() ?? 0
            maxRel = scale > 0 ? maxAbs / scale : maxAbs
        } else {
            maxAbs = 0
            maxRel = 0
        }
        topkMismatches = inputs.topk.map { want in
            (0..<t).filter { Set(out.selection(ofToken: $0).map(Int64.init)) != Set(want[($0 * k)..<(($0 + 1) * k)]) }.count
        }
    }
}

/// Everything `analyze crosscheck --model` reports about one MoE layer of a model.
struct ModelLayerAnalysis {
    let layer: Int
    let layout: ModelLayerLayout
    let config: LayerConfig
    let inputs: String
    let reference: ModelReferenceCheck?
    let jacobian: ExcessRankAnalysis?
    let structure: StructureStatistics

    /// Some excess rank above the weighted-sum bound: for an L = 0 layer that is impossible,
    /// so the layout's mapping onto the spec is wrong.
    var mappingBug: Bool { jacobian?.verdict == .exceedsBound }
    var pass: Bool { !mappingBug && reference?.ok != false }

    /// Loads layer `layer` of `model` (Float64, L = 0) and analyses it.
    static func make(model: ModelLayout, layer: Int, inputs: ModelInputs, jacobianTokens: Int, rankRtol: Double,
                     tolerance: Double) throws -> ModelLayerAnalysis {
        let layout = try model.layout(layer: layer)
        let moe = try DAGMoELayer(parameters: model.parameters(layer: layer, Double.self))
        let config = moe.config, d = config.dModel
        let input = try inputs.inputs(layer: layer, d: d, k: config.topK)
        let rows = min(jacobianTokens, input.x.rows)
        let jacobian = rows == 0 ? nil : try ExcessRankAnalysis(
            layer: moe, inputs: (0..<rows).map { Array(input.x.data[($0 * d)..<(($0 + 1) * d)]) },
            relativeTolerance: rankRtol)
        return ModelLayerAnalysis(layer: layer, layout: layout, config: config, inputs: input.source,
                                  reference: ModelReferenceCheck(layer: moe, inputs: input, tolerance: tolerance),
                                  jacobian: jacobian, structure: StructureStatistics(layer: moe, inputs: input.x))
    }
}
