import Checkpoint
import LinearAlgebra
import MoE

/// A model layer's output against reference outputs from the inputs file: y − x (the
/// block's output; the spec's layer includes the residual) against `moe_out`, and S
/// against `topk` (as sets, since some implementations do not sort their top-k).
public struct ModelReferenceCheck: Sendable {
    public let tokens: Int
    public let maxAbs: Double
    /// max|got − ref| / max|ref|.
    public let maxRel: Double
    public let tolerance: Double
    /// Tokens whose selected set differs, nil when the inputs have no topk.
    public let topkMismatches: Int?
    public var ok: Bool { maxRel <= tolerance && (topkMismatches ?? 0) == 0 }

    /// Bound on max_rel of the block output against `moe_out`: the layer runs in Float64
    /// from the stored weights; a Float32 reference is good to ~1e-6, so 1e-4 leaves room
    /// for long sums while catching any wrong gate or expert (errors of order one).
    public static let defaultTolerance = 1e-4

    /// Compares `output`, the layer's forward pass on `inputs.x`, with the references; nil
    /// when the inputs carry none.
    public init?(output out: LayerOutput<Double>, inputs: AnalysisInputs, topK k: Int, tolerance: Double) {
        guard inputs.moeOut != nil || inputs.topk != nil else { return nil }
        let t = inputs.x.rows
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

/// Everything `analyze crosscheck --model` reports about one MoE layer of a model, from one
/// forward pass over its inputs.
public struct ModelLayerAnalysis: Sendable {
    public let layer: Int
    public let layout: ModelLayerLayout
    public let config: LayerConfig
    public let inputs: String
    public let reference: ModelReferenceCheck?
    public let jacobian: ExcessRankAnalysis?
    public let structure: StructureStatistics

    /// Some excess rank above the weighted-sum bound: for an L = 0 layer that is impossible,
    /// so the layout's mapping onto the spec is wrong.
    public var mappingBug: Bool { jacobian?.verdict == .exceedsBound }
    public var pass: Bool { !mappingBug && reference?.ok != false }

    /// Where each layer's tokens come from: an inputs file, or seeded random tokens.
    public enum Source: Sendable {
        case file(ModelInputsFile)
        case random(count: Int, seed: UInt64)
    }

    /// Loads layer `layer` of `model` (Float64, L = 0) and analyses it.
    public init(model: ModelLayout, layer: Int, source: Source, jacobianTokens: Int, rankRtol: Double,
                tolerance: Double, maxTokens: Int) throws(AnalysisError) {
        let moe: DAGMoELayer<Double>
        do {
            layout = try model.layout(layer: layer)
            moe = try DAGMoELayer(parameters: model.parameters(layer: layer, Double.self))
        } catch let error as ModelLayoutError {
            throw .layer("\(error)")
        } catch {
            throw .layer("\(model.directory): layer \(layer): \(error)")
        }
        let config = moe.config, d = config.dModel
        let inputs: AnalysisInputs
        switch source {
        case .random(let count, let seed):
            inputs = AnalysisInputs.random(count: count, d: d, seed: seed)
        case .file(let file):
            do {
                let stored = try file.layer(layer, d: d, k: config.topK, maxTokens: maxTokens)
                inputs = AnalysisInputs(x: stored.x, source: "\(stored.x.rows) tokens from \(stored.tensor) in \(file.path)",
                                        moeOut: stored.moeOut, topk: stored.topk)
            } catch {
                throw .file(path: file.path, error)
            }
        }
        let budget = AnalysisBudget(config: config)
        try budget.checkForward(tokens: inputs.x.rows, source: inputs.source)
        let jacobianInputs = inputs.firstTokens(jacobianTokens)
        if !jacobianInputs.isEmpty { try budget.checkJacobian(tokens: jacobianInputs.count) }
        let (output, cache) = moe.forward(inputs.x)
        self.layer = layer
        self.config = config
        self.inputs = inputs.source
        reference = ModelReferenceCheck(output: output, inputs: inputs, topK: config.topK, tolerance: tolerance)
        jacobian = jacobianInputs.isEmpty ? nil
            : try ExcessRankAnalysis(layer: moe, inputs: jacobianInputs, relativeTolerance: rankRtol)
        structure = StructureStatistics(config: config, output: output, probabilities: cache.routerProbabilities)
    }
}
