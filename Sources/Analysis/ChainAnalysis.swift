import Checkpoint
import LinearAlgebra
import MoE

/// The iterations of a chain checkpoint (metadata `aggregator` = chain, routers
/// `chain.{c}.router.weight` beside iteration 0's spec weights): each iteration c ≥ 1 is the
/// spec layer with router c, run on the previous iteration's output x^c, so its rank test and
/// routing are those of an L = 0 layer on x^c. With the task's targets, the chain's held-out loss.
public struct ChainAnalysis: Sendable {
    public struct Iteration: Sendable {
        public let index: Int
        public let jacobian: ExcessRankAnalysis?
        public let routing: RoutingStatistics
    }

    /// The most iterations analysed (`analyze train` allows 16).
    public static let maxIterations = 64

    public let iterations: Int
    /// Iterations 1 … C − 1 (iteration 0 is the file's spec layer, analysed as such).
    public let later: [Iteration]
    /// MSE of the whole chain's output against the targets; nil without targets.
    public let loss: Double?

    /// Loads the routers of `checkpoint` beside `parameters` (its spec weights) and analyses
    /// every iteration after the first on `inputs`.
    public init(checkpoint: LayerCheckpoint, path: String, parameters: Parameters<Double>, iterations: Int,
                inputs: AnalysisInputs, jacobianTokens: Int, rankRtol: Double) throws(AnalysisError) {
        let config = parameters.config
        var weights = parameters.tensors
        for c in 1..<max(iterations, 1) {
            let name = ChainLayer<Double>.routerName(c)
            guard checkpoint.file.contains(name) else {
                throw .inputs("\(path): a chain of \(iterations) iterations (metadata chain_iterations) needs tensor \(name)")
            }
            do { weights[name] = Tensor(shape: try checkpoint.file.info(name).shape, data: try checkpoint.file.doubles(name)) } catch {
                throw .file(path: path, error)
            }
        }
        let chain: ChainLayer<Double>
        do { chain = try ChainLayer(config: config, iterations: iterations, weights: weights) } catch {
            throw .layer("\(path): \(error)")
        }
        try AnalysisBudget(config: config).checkForward(tokens: inputs.x.rows, source: "\(path): chain iterations")
        let (y, outputs, _) = chain.forward(inputs.x)
        var later: [Iteration] = []
        for c in 1..<max(iterations, 1) {
            let x = outputs[c - 1].y, layer = chain.iterationLayer(c)
            let tokens = (0..<min(jacobianTokens, x.rows)).map { Array(x.data[($0 * x.cols)..<(($0 + 1) * x.cols)]) }
            let jacobian = tokens.isEmpty ? nil : try ExcessRankAnalysis(layer: layer, inputs: tokens, relativeTolerance: rankRtol)
            let (_, cache) = layer.forward(x)
            later.append(Iteration(index: c, jacobian: jacobian,
                                   routing: RoutingStatistics(experts: config.nExperts, topk: outputs[c].topk,
                                                              probabilities: cache.routerProbabilities)))
        }
        self.iterations = iterations
        self.later = later
        loss = inputs.targets.map { Ablations.meanSquaredError(y, $0) }
    }
}
