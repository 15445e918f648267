import LinearAlgebra
import MoE

/// Forward + backward of one DAG-MoE layer in Float32, timed, with a check against Float64.
public struct LayerBenchmark: Sendable {
    public let config: LayerConfig
    public let tokens: Int
    public let threads: Int
    public let timing: BenchTiming
    /// Largest |y32 − y64| / max|y64| over the tokens whose selection agrees in both precisions.
    public let maxRelativeError: Double
    /// Tokens compared (those with the same selection in Float and Double).
    public let compared: Int

    /// Float32 against Float64 on the same weights: a few hundred ulps of headroom.
    public static let tolerance = 1e-4

    public var msPerStep: Double { timing.median * 1e3 }
    public var tokensPerSecond: Double { Double(tokens) / timing.median }
    public var ok: Bool { compared > 0 && maxRelativeError <= LayerBenchmark.tolerance }

    /// Times `forward` then `backward` (every weight's gradient and dJ/dx, with the
    /// auxiliary losses) on T seeded N(0, 1) tokens and a seeded upstream gradient. The
    /// layer is the training initialisation with `up` drawn like `down` instead of zero,
    /// so that the DAG rounds change y and the check sees them.
    public init(config: LayerConfig, tokens: Int, threads: Int, warmup: Int, repeats: Int) throws {
        self.config = config
        self.tokens = tokens
        self.threads = threads
        BLASKernel.threads = threads
        var parameters = Parameters<Float>(initializing: config, seed: 11)
        var rng = SeededRandom(seed: 12)
        for l in 0..<config.dagLayers {
            let name = "dag.\(l).up.weight", bound = 1 / Double(config.dG).squareRoot()
            parameters[name].data = parameters[name].data.map { _ in Float(rng.nextUniform(-bound, bound)) }
        }
        let layer = try DAGMoELayer(parameters: parameters)
        let x = Matrix<Float>(rows: tokens, cols: config.dModel,
                              data: (0..<(tokens * config.dModel)).map { _ in Float(rng.nextNormal()) })
        let g = Matrix<Float>(rows: tokens, cols: config.dModel,
                              data: (0..<(tokens * config.dModel)).map { _ in Float(rng.nextNormal()) })
        timing = BenchTiming(warmup: warmup, repeats: repeats) {
            let (_, cache) = layer.forward(x)
            _ = layer.backward(cache, gradY: g)
        }

        let y32 = layer.forward(x).output
        let layer64 = try DAGMoELayer(parameters: parameters.converted(to: Double.self))
        let x64 = Matrix<Double>(rows: tokens, cols: config.dModel, data: x.data.map(Double.init))
        let y64 = layer64.forward(x64).output
        let d = config.dModel
        let scale = y64.y.data.map { Swift.abs($0) }.max() ?? 1
        var worst = 0.0, same = 0
        for t in 0..<tokens where y32.selection(ofToken: t).elementsEqual(y64.selection(ofToken: t)) {
            same += 1
            for c in 0..<d { worst = max(worst, Swift.abs(Double(y32.y[t, c]) - y64.y[t, c]) / scale) }
        }
        maxRelativeError = worst
        compared = same
    }
}
