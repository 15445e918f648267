import Checkpoint
import Foundation
import LinearAlgebra
import MoE

/// A model layer's output against reference outputs from the inputs file: the block's output
/// (without the residual) against `moe_out`, and S against `topk` (as sets, since some
/// implementations do not sort their top-k).
public struct ModelReferenceCheck: Sendable {
    public let tokens: Int
    public let maxAbs: Double
    /// max|got − ref| / max|ref|.
    public let maxRel: Double
    public let tolerance: Double
    /// Tokens whose selected set differs, nil when the inputs have no topk.
    public let topkMismatches: Int?
    public var ok: Bool { maxRel <= tolerance && (topkMismatches ?? 0) == 0 }

    /// Bound on max_rel of the block output against `moe_out`: the block runs in Float64
    /// from the stored weights; a Float32 reference is good to ~1e-6, so 1e-4 leaves room
    /// for long sums while catching any wrong gate or expert (errors of order one).
    public static let defaultTolerance = 1e-4

    /// Compares `blockOutput` ([T, d] row-major, the block on `inputs.x` without the residual)
    /// and the selection `topk` ([T, K]) with the references; nil when the inputs carry none.
    public init?(blockOutput got: [Double], topk: [Int], inputs: AnalysisInputs, topK k: Int, tolerance: Double) {
        guard inputs.moeOut != nil || inputs.topk != nil else { return nil }
        let t = inputs.x.rows
        tokens = t
        self.tolerance = tolerance
        if let want = inputs.moeOut {
            maxAbs = zip(got, want).map { abs($0 - $1) }.max() ?? 0
            let scale = want.map(abs).max() ?? 0
            maxRel = scale > 0 ? maxAbs / scale : maxAbs
        } else {
            maxAbs = 0
            maxRel = 0
        }
        topkMismatches = inputs.topk.map { want in
            (0..<t).filter { Set(topk[($0 * k)..<(($0 + 1) * k)].map(Int64.init)) != Set(want[($0 * k)..<(($0 + 1) * k)]) }.count
        }
    }
}

/// Everything `analyze crosscheck --model` reports about one MoE layer of a model.
///
/// The layer is streamed (docs/performance.md, "Real-size models"): the router (and the shared
/// expert) first, then the tokens are routed, then only the experts they select are read, one
/// at a time, in their stored precision (Float32 for F32/F16/BF16/MXFP4/F8), their products run in
/// Float64, and each is released before the next. The Jacobian test holds one token's K
/// experts at a time (matrix-free), or forms the d×d matrices from the whole layer in Float64
/// (dense, small d).
public struct ModelLayerAnalysis: Sendable {
    public let layer: Int
    public let layout: ModelLayerLayout
    public let config: LayerConfig
    public let inputs: String
    public let reference: ModelReferenceCheck?
    public let jacobian: ExcessRankAnalysis?
    public let structure: StructureStatistics
    /// Does the layer use its DAG module on these tokens (module share, gate usage, ablations)?
    /// Layers with stored rounds only (L ≥ 1); nil for weighted-sum layers.
    public let usage: UsageAnalysis?
    /// Experts read for the forward pass (the union over tokens), of N.
    public let expertsRead: Int
    /// Bytes of stored weights read from the files.
    public let bytesRead: Int

    /// Some excess rank above the weighted-sum bound: for an L = 0 layer that is impossible,
    /// so the layout's mapping onto the spec is wrong.
    public var mappingBug: Bool { jacobian?.verdict == .exceedsBound }
    public var pass: Bool { !mappingBug && reference?.ok != false }

    /// Where each layer's tokens come from: an inputs file, or seeded random tokens.
    public enum Source: Sendable {
        case file(ModelInputsFile)
        case random(count: Int, seed: UInt64)
    }

    /// Streams layer `layer` of `model` (L = 0) and analyses it; `progress` gets one line per
    /// stage (headers, routing, each expert read, each Jacobian token).
    public init(model: ModelLayout, layer: Int, source: Source, jacobianTokens: Int, rankRtol: Double,
                tolerance: Double, maxTokens: Int, rankMethod: ExcessRankAnalysis.Method = .auto,
                progress: (@Sendable (String) -> Void)? = nil) throws(AnalysisError) {
        func say(_ line: String) { progress?("layer \(layer): \(line)") }
        func mapped<T>(_ body: () throws(ModelLayoutError) -> T) throws(AnalysisError) -> T {
            do { return try body() } catch { throw .layer("\(error)") }
        }
        let plan = try mapped { () throws(ModelLayoutError) in try model.layout(layer: layer) }
        let config = model.config.layerConfig(), d = config.dModel
        guard Self.streams(config) else {
            say("read whole: the streamed path covers L = 0 layers, this one holds DAG rounds")
            self = try ModelLayerAnalysis(wholeLayer: model, plan: plan,
                                          inputs: try Self.inputs(source, layer: layer, config: config, maxTokens: maxTokens),
                                          jacobianTokens: jacobianTokens, rankRtol: rankRtol, tolerance: tolerance)
            return
        }
        layout = plan
        say("headers read: \(config.nExperts) experts of \(Self.megabytes(try mapped { () throws(ModelLayoutError) in try model.storedBytes(plan, prefix: "experts.0.") })) each")
        let inputs = try Self.inputs(source, layer: layer, config: config, maxTokens: maxTokens)
        let budget = AnalysisBudget(config: config)
        try budget.checkForward(tokens: inputs.x.rows, source: inputs.source)
        let method = rankMethod.resolved(d: d)
        let jacobianInputs = inputs.firstTokens(jacobianTokens)
        if !jacobianInputs.isEmpty && method == .dense {
            try mapped { () throws(ModelLayoutError) in try model.checkBudget(layer: layer, Double.self) }
            do { try budget.checkJacobian(tokens: jacobianInputs.count) } catch {
                throw .overBudget("\(error); --rank-method matrix-free needs only one token's K experts in Float32")
            }
        }
        try Self.checkStreamed(config, jacobian: !jacobianInputs.isEmpty && method == .matrixFree, layer: layer)

        // 1. Router, shared expert and shared gate; route every token.
        var bytes = try mapped { () throws(ModelLayoutError) in try model.storedBytes(plan, prefix: "router.") }
        let routerWeight = try mapped { () throws(ModelLayoutError) in try model.weight(plan, "router.weight") }
        let routerBias = config.extensions.routerBias
            ? try mapped { () throws(ModelLayoutError) in try model.weight(plan, "router.bias") } : nil
        let selectionBias = config.extensions.selectionBias
            ? try mapped { () throws(ModelLayoutError) in try model.weight(plan, "router.selection_bias") } : nil
        let routing = BlockRouting(config: config, x: inputs.x, weight: routerWeight, bias: routerBias,
                                   selectionBias: selectionBias)
        let selected = routing.selectedExperts
        say("routed \(inputs.x.rows) tokens: \(selected.count) of \(config.nExperts) experts selected")
        var shared: (any ExpertProducts)?
        if config.sharedDFF > 0 {
            shared = try mapped { () throws(ModelLayoutError) in try model.expert(plan, nil) }
            bytes += try mapped { () throws(ModelLayoutError) in try model.storedBytes(plan, prefix: "shared.") }
        }
        let sharedGate = config.extensions.sharedGate
            ? try mapped { () throws(ModelLayoutError) in try model.weight(plan, "shared_gate.weight") } : nil

        // 2. The block's output, one selected expert at a time.
        var out = Self.sharedOutput(shared, gate: sharedGate, x: inputs.x)
        for (n, e) in selected.enumerated() {
            let start = Date()
            let expert = try mapped { () throws(ModelLayoutError) in try model.expert(plan, e) }
            let stored = try mapped { () throws(ModelLayoutError) in try model.storedBytes(plan, prefix: "experts.\(e).") }
            bytes += stored
            Self.addExpert(expert, e, routing: routing, x: inputs.x, scalesInput: config.extensions.gateScalesInput,
                           into: &out)
            let seconds = max(Date().timeIntervalSince(start), 1e-9)
            say("expert \(e) (\(n + 1) of \(selected.count)): \(Self.megabytes(stored)) read and applied in "
                + String(format: "%.1f s (%.0f MB/s)", seconds, Double(stored) / 1e6 / seconds))
        }
        reference = ModelReferenceCheck(blockOutput: out.data, topk: routing.topk, inputs: inputs, topK: config.topK,
                                        tolerance: tolerance)

        // 3. The Jacobian test.
        if jacobianInputs.isEmpty {
            jacobian = nil
        } else if method == .dense {
            say("Jacobian test (dense) on \(jacobianInputs.count) tokens: reading the whole layer in Float64")
            let moe: DAGMoELayer<Double>
            do {
                moe = try DAGMoELayer(parameters: model.parameters(layer: layer, Double.self))
            } catch let error as ModelLayoutError {
                throw .layer("\(error)")
            } catch {
                throw .layer("\(model.directory): layer \(layer): \(error)")
            }
            jacobian = try ExcessRankAnalysis(layer: moe, inputs: jacobianInputs, relativeTolerance: rankRtol)
        } else {
            var tokens: [ExcessRankAnalysis.Token] = []
            let r = min(d, ExcessRankAnalysis.weightedSumBound(config))
            for (t, x) in jacobianInputs.enumerated() {
                var experts: [any ExpertProducts] = []
                for e in routing.selection(ofToken: t) {
                    experts.append(try mapped { () throws(ModelLayoutError) in try model.expert(plan, e) })
                    bytes += try mapped { () throws(ModelLayoutError) in try model.storedBytes(plan, prefix: "experts.\(e).") }
                }
                let op = BlockLinearization(config: config, x: x, routerWeight: routerWeight, routerBias: routerBias,
                                            selectionBias: selectionBias, routing: routing, token: t,
                                            experts: experts, shared: shared, sharedGate: sharedGate)
                tokens.append(try ExcessRankAnalysis.matrixFreeToken(
                    op, index: t, stable: Self.strictSelection(routing, token: t, k: config.topK,
                                                          selectionBias: selectionBias), bound: r,
                    relativeTolerance: rankRtol, progress: { say("Jacobian " + $0) }))
            }
            jacobian = ExcessRankAnalysis(config: config, relativeTolerance: rankRtol, tokens: tokens, method: .matrixFree)
        }
        structure = StructureStatistics(config: config, topk: routing.topk, probabilities: routing.probabilities)
        usage = nil
        self.layer = layer
        self.config = config
        self.inputs = inputs.source
        expertsRead = selected.count
        bytesRead = bytes
    }

    /// Whether the streamed path computes this layer exactly: every L = 0 layer (every router
    /// extension, biased and clamped experts, the gate scaling the input, the shared gate). A layer
    /// with a stored DAG module (L > 0) is read whole, within ``ModelLayout/defaultBudget``.
    public static func streams(_ c: LayerConfig) -> Bool { c.dagLayers == 0 }

    /// Layer `plan.layer` of `model` read whole in Float64 (`parameters` checks its budget from
    /// the headers first) and analysed with one forward pass of the spec's layer.
    private init(wholeLayer model: ModelLayout, plan: ModelLayerLayout, inputs: AnalysisInputs, jacobianTokens: Int,
                 rankRtol: Double, tolerance: Double) throws(AnalysisError) {
        let moe: DAGMoELayer<Double>
        do {
            moe = try DAGMoELayer(parameters: model.parameters(layer: plan.layer, Double.self))
        } catch let error as ModelLayoutError {
            throw .layer("\(error)")
        } catch {
            throw .layer("\(model.directory): layer \(plan.layer): \(error)")
        }
        let config = moe.config
        let budget = AnalysisBudget(config: config)
        try budget.checkForward(tokens: inputs.x.rows, source: inputs.source)
        let jacobianInputs = inputs.firstTokens(jacobianTokens)
        if !jacobianInputs.isEmpty { try budget.checkJacobian(tokens: jacobianInputs.count) }
        let (output, cache) = moe.forward(inputs.x)
        layer = plan.layer
        layout = plan
        self.config = config
        self.inputs = inputs.source
        reference = ModelReferenceCheck(blockOutput: zip(output.y.data, inputs.x.data).map { $0 - $1 }, topk: output.topk,
                                        inputs: inputs, topK: config.topK, tolerance: tolerance)
        jacobian = jacobianInputs.isEmpty ? nil
            : try ExcessRankAnalysis(layer: moe, inputs: jacobianInputs, relativeTolerance: rankRtol)
        structure = StructureStatistics(config: config, output: output, probabilities: cache.routerProbabilities)
        usage = config.dagLayers > 0 ? UsageAnalysis(layer: moe, x: inputs.x, output: output, targets: nil) : nil
        expertsRead = config.nExperts
        var stored = 0
        do { stored = try model.storedBytes(plan, prefix: "") } catch { throw .layer("\(error)") }
        bytesRead = stored
    }

    /// Throws when the streamed analysis would hold more than ``ModelLayout/defaultBudget``: one
    /// expert in Float32 (K of them for the matrix-free test) plus the shared expert, one tensor's
    /// bytes while it is decoded, and the router in Float64; from the configuration, before reading.
    static func checkStreamed(_ c: LayerConfig, jacobian: Bool, layer: Int,
                              budget: Int = ModelLayout.defaultBudget) throws(AnalysisError) {
        let d = Double(c.dModel), expert = 12 * d * Double(c.dFF), shared = 12 * d * Double(c.sharedDFF)
        let fixed = shared + 4 * d * Double(max(c.dFF, c.sharedDFF)) + 8 * d * Double(c.nExperts)
        let held = jacobian ? c.topK : 1
        let needed = Double(held) * expert + fixed
        guard needed > Double(budget) else { return }
        let fits = Int(max(0, (Double(budget) - fixed) / expert))
        throw .overBudget("layer \(layer): the streamed analysis holds \(held) expert(s) of \(Int(expert)) bytes in Float32 "
                          + "plus \(Int(fixed)) bytes (router, shared expert, one tensor being decoded): about \(Int(needed)) "
                          + "bytes, past the budget of \(budget) bytes (half the machine's memory); \(fits) expert(s) would fit"
                          + (jacobian && fits >= 1 ? ", so --jacobian-tokens 0 runs" : ""))
    }

    /// The tokens of `source` for this layer.
    static func inputs(_ source: Source, layer: Int, config: LayerConfig, maxTokens: Int) throws(AnalysisError) -> AnalysisInputs {
        switch source {
        case .random(let count, let seed):
            return AnalysisInputs.random(count: count, d: config.dModel, seed: seed)
        case .file(let file):
            do {
                let stored = try file.layer(layer, d: config.dModel, k: config.topK, maxTokens: maxTokens)
                return AnalysisInputs(x: stored.x, source: "\(stored.x.rows) tokens from \(stored.tensor) in \(file.path)",
                                      moeOut: stored.moeOut, topk: stored.topk)
            } catch {
                throw .file(path: file.path, error)
            }
        }
    }

    /// s(x)·Es(x) for every token ([T, d]), or zeros without a shared expert.
    static func sharedOutput(_ shared: (any ExpertProducts)?, gate: [Double]?, x: Matrix<Double>) -> Matrix<Double> {
        var out = Matrix<Double>(rows: x.rows, cols: x.cols)
        guard let shared else { return out }
        let es = shared.output(shared.state(x.transposed))
        for t in 0..<x.rows {
            var s = 1.0
            if let w = gate {
                var z = 0.0
                for c in 0..<x.cols { z += w[c] * x[t, c] }
                s = 1 / (1 + Foundation.exp(-z))
            }
            for c in 0..<x.cols { out[t, c] = s * es[c, t] }
        }
        return out
    }

    /// Adds g_{t,i} E_e(x_t) (with `scalesInput`, E_e(g_{t,i} x_t)) to row t of `out` for every
    /// (token, slot) that selected e.
    static func addExpert(_ expert: any ExpertProducts, _ e: Int, routing: BlockRouting, x: Matrix<Double>,
                          scalesInput: Bool, into out: inout Matrix<Double>) {
        let k = routing.gates.cols, d = x.cols
        let pairs = routing.topk.indices.filter { routing.topk[$0] == e }
        var columns = Matrix<Double>(rows: d, cols: pairs.count)
        for (c, q) in pairs.enumerated() {
            let g = scalesInput ? routing.gates.data[q] : 1
            for a in 0..<d { columns[a, c] = g * x[q / k, a] }
        }
        let outputs = expert.output(expert.state(columns))
        for (c, q) in pairs.enumerated() {
            let g = scalesInput ? 1 : routing.gates.data[q]
            for a in 0..<d { out[q / k, a] += g * outputs[a, c] }
        }
    }

    /// False when an expert outside token t's selection has exactly the selection score (p, or
    /// p + b with a selection bias b) of the last one selected: the selection, and so J, changes there.
    static func strictSelection(_ routing: BlockRouting, token t: Int, k: Int, selectionBias: [Double]?) -> Bool {
        let n = routing.probabilities.cols, selected = routing.selection(ofToken: t)
        func key(_ e: Int) -> Double { routing.probabilities[t, e] + (selectionBias?[e] ?? 0) }
        let last = key(selected[selected.endIndex - 1])
        return !(0..<n).contains { !selected.contains($0) && key($0) == last }
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
}
