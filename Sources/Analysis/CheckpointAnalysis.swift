import Checkpoint
import LinearAlgebra
import MoE

/// Everything `analyze crosscheck FILE` reports about one checkpoint in the spec's layout,
/// computed in one pass: budgets from the header and the options first, the weights decoded
/// once into one layer, one forward pass on the inputs whose output and cache the reference
/// comparison, the structure statistics and the routing statistics all read.
public struct CheckpointAnalysis: Sendable {
    /// What to compute.
    public struct Options: Sendable {
        public var precision: ComputePrecision = .float64
        /// Tolerances; each nil takes the precision's default.
        public var tolForward: Double?
        public var tolBackward: Double?
        /// Analyse this many random tokens instead of the task's held-out batch or ref.x.
        public var tokens: Int?
        public var seed: UInt64 = 0
        /// Analyse the tokens `x` (or `layers.0.x`) of this safetensors file.
        public var inputsFile: String?
        /// Most tokens an inputs file may hold.
        public var maxInputTokens = 1 << 20
        /// Run the usage measures and ablations (layers with L ≥ 1).
        public var usage = true
        /// Seeds the permutation of the shuffled-gates ablation.
        public var shuffleSeed: UInt64 = 0
        /// Tokens in the Jacobian excess-rank test (0 skips it).
        public var jacobianTokens = 16
        public var rankRtol = ExcessRankAnalysis.defaultRelativeTolerance

        /// Random tokens analysed when the file has no ref.x and `tokens` is nil.
        public static let defaultTokens = 64

        public init() {}
    }

    public let file: String
    public let checkpoint: LayerCheckpoint
    public let precision: ComputePrecision
    public let tolerances: CrosscheckTolerances
    /// Nil when the file has no ref.x.
    public let comparison: ReferenceComparison?
    public let referenceTokens: Int?
    /// Where the analysis inputs came from, in words.
    public let inputs: String
    public let jacobian: ExcessRankAnalysis?
    public let structure: StructureStatistics
    /// The forward pass on the analysis inputs (selections, gates, edge gates).
    public let output: LayerOutput<Double>
    /// The analysis inputs, [T, d].
    public let inputTokens: Matrix<Double>
    /// Usage measures and ablations; nil for L = 0 or when not asked for.
    public let usage: UsageAnalysis?
    /// A chain checkpoint's iterations after the first (the file's spec layer is iteration 0),
    /// when the metadata says `aggregator` = chain.
    public let chain: ChainAnalysis?

    /// PASS (true), FAIL (false) or nothing to compare (nil).
    public var pass: Bool? { comparison.map(\.passed) }

    public var notes: [String] { checkpoint.notes + (comparison?.notes ?? []) }

    /// Opens `path` and analyses it.
    public static func run(path: String, options: Options) throws(AnalysisError) -> CheckpointAnalysis {
        let checkpoint: LayerCheckpoint
        do { checkpoint = try LayerCheckpoint(path: path) } catch { throw .file(path: path, error) }
        return try CheckpointAnalysis(checkpoint: checkpoint, path: path, options: options)
    }

    /// Analyses an opened checkpoint (`path` names it in messages).
    public init(checkpoint: LayerCheckpoint, path: String, options o: Options) throws(AnalysisError) {
        let config = checkpoint.config, d = config.dModel
        // 1. Budgets, from the header's shapes and the options: nothing decoded yet.
        let referenceTokens: Int?
        do { referenceTokens = try checkpoint.referenceTokens() } catch { throw .file(path: path, error) }
        let budget = AnalysisBudget(config: config)
        if let referenceTokens { try budget.checkForward(tokens: referenceTokens, source: "\(path): ref.x") }
        let heldOut: (task: SyntheticTask, tokens: Int)?
        do { heldOut = try TrainedCheckpoint.heldOutTask(metadata: checkpoint.file.metadata, dModel: d) } catch {
            throw .file(path: path, error)
        }
        let inputsFile: ModelInputsFile.Layer?
        if let name = o.inputsFile {
            // At most the tokens one forward pass may hold, checked from the file's header before reading.
            let fits = AnalysisBudget.maxActivations / max(budget.activations(tokens: 1) ?? Int.max, 1)
            do { inputsFile = try ModelInputsFile(path: name).layer(0, d: d, k: config.topK, maxTokens: min(o.maxInputTokens, fits)) } catch {
                throw .file(path: name, error)
            }
        } else {
            inputsFile = nil
        }
        let analysed = o.tokens ?? inputsFile?.x.rows ?? heldOut?.tokens ?? referenceTokens ?? Options.defaultTokens
        try budget.checkForward(tokens: analysed, source: o.tokens != nil ? "--tokens" : o.inputsFile ?? path)
        if min(o.jacobianTokens, analysed) > 0 { try budget.checkJacobian(tokens: min(o.jacobianTokens, analysed)) }

        // 2. Weights and references, decoded once; one layer.
        let parameters: Parameters<Double>, reference: LayerReference<Double>?
        do {
            parameters = try checkpoint.parameters(Double.self)
            reference = try checkpoint.reference(Double.self)
        } catch { throw .file(path: path, error) }
        let layer: DAGMoELayer<Double>
        do { layer = try DAGMoELayer(parameters: parameters) } catch { throw .layer("\(path): \(error)") }
        let defaults = CrosscheckTolerances.defaults(o.precision)
        let tolerances = CrosscheckTolerances(forward: o.tolForward ?? defaults.forward,
                                              backward: o.tolBackward ?? defaults.backward)

        // 3. One forward pass on ref.x in Float64, shared by the comparison and the statistics.
        let refX = reference.map { Matrix(rows: $0.tokens, cols: d, data: $0.x.data) }
        let refPass = refX.map { layer.forward($0) }
        var comparison: ReferenceComparison?
        if let reference, let refX, let refPass {
            switch o.precision {
            case .float64:
                comparison = ReferenceComparison(layer: layer, output: refPass.output, cache: refPass.cache,
                                                 reference: reference, tolerances: tolerances)
            case .float32:
                let layer32: DAGMoELayer<Float>
                do { layer32 = try DAGMoELayer(parameters: parameters.converted(to: Float.self)) } catch {
                    throw .layer("\(path): \(error)")
                }
                let x32 = Matrix<Float>(rows: refX.rows, cols: d, data: refX.data.map { Float($0) })
                let (out, cache) = layer32.forward(x32)
                comparison = ReferenceComparison(layer: layer32, output: out, cache: cache,
                                                 reference: reference, tolerances: tolerances)
            }
        }

        // 4. The analysis inputs: --tokens random ones, an --inputs file, the task's held-out batch,
        //    else ref.x (and its forward pass), else random ones.
        let inputs: AnalysisInputs, pass: (output: LayerOutput<Double>, cache: LayerCache<Double>)
        if let tokens = o.tokens {
            inputs = AnalysisInputs.random(count: tokens, d: d, seed: o.seed)
            pass = layer.forward(inputs.x)
        } else if let inputsFile, let name = o.inputsFile {
            inputs = AnalysisInputs(x: inputsFile.x, source: "\(inputsFile.x.rows) tokens from \(inputsFile.tensor) in \(name)")
            pass = layer.forward(inputs.x)
        } else if let heldOut {
            inputs = AnalysisInputs.heldOut(heldOut.task, tokens: heldOut.tokens)
            pass = layer.forward(inputs.x)
        } else if let refX, let refPass {
            inputs = AnalysisInputs(x: refX, source: "ref.x")
            pass = refPass
        } else {
            inputs = AnalysisInputs.random(count: analysed, d: d, seed: o.seed)
            pass = layer.forward(inputs.x)
        }
        let jacobianInputs = inputs.firstTokens(o.jacobianTokens)
        jacobian = jacobianInputs.isEmpty ? nil
            : try ExcessRankAnalysis(layer: layer, inputs: jacobianInputs, relativeTolerance: o.rankRtol)
        structure = StructureStatistics(config: config, output: pass.output,
                                        probabilities: pass.cache.routerProbabilities)
        output = pass.output
        inputTokens = inputs.x
        usage = o.usage && config.dagLayers > 0
            ? UsageAnalysis(layer: layer, x: inputs.x, output: pass.output, targets: inputs.targets, shuffleSeed: o.shuffleSeed)
            : nil
        let metadata = checkpoint.file.metadata
        if metadata["aggregator"] == "chain" {
            guard let c = metadata["chain_iterations"].flatMap({ Int($0) }), (1...ChainAnalysis.maxIterations).contains(c) else {
                throw .inputs("\(path): metadata aggregator = chain needs chain_iterations between 1 and "
                              + "\(ChainAnalysis.maxIterations) (got \(TerminalText.escaped(metadata["chain_iterations"] ?? "none")))")
            }
            chain = try ChainAnalysis(checkpoint: checkpoint, path: path, parameters: parameters, iterations: c, inputs: inputs,
                                      jacobianTokens: o.jacobianTokens, rankRtol: o.rankRtol)
        } else {
            chain = nil
        }
        file = path
        self.checkpoint = checkpoint
        precision = o.precision
        self.tolerances = tolerances
        self.comparison = comparison
        self.referenceTokens = referenceTokens
        self.inputs = inputs.source
    }
}
