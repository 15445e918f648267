import LinearAlgebra
import MoE

/// The tokens a layer is analysed on, where they came from, and the reference outputs to
/// compare with when the source has them.
public struct AnalysisInputs: Sendable {
    /// [T, d].
    public let x: Matrix<Double>
    /// Where the tokens came from, in words ("ref.x", "64 random N(0, 1) tokens, seed 0").
    public let source: String
    /// The block's reference output without the residual, [T, d] row-major, when known.
    public let moeOut: [Double]?
    /// The reference selection, [T, K] row-major, when known.
    public let topk: [Int64]?
    /// The task's answers, [T, c] (compared with y's first c columns), when known.
    public let targets: Matrix<Double>?

    public init(x: Matrix<Double>, source: String, moeOut: [Double]? = nil, topk: [Int64]? = nil,
                targets: Matrix<Double>? = nil) {
        self.x = x
        self.source = source
        self.moeOut = moeOut
        self.topk = topk
        self.targets = targets
    }

    /// The first `tokens` tokens of `task`'s held-out batch, with their targets.
    public static func heldOut(_ task: SyntheticTask, tokens: Int) -> AnalysisInputs {
        let batch: TaskBatch<Double> = task.heldOut(tokens: tokens)
        return AnalysisInputs(x: batch.x, source: "\(tokens) held-out tokens of task \(task.kind.rawValue) (F = "
                              + "\(task.functionCount), task seed \(task.seed)), rebuilt from the checkpoint's metadata",
                              targets: batch.target)
    }

    /// `count` standard normal tokens of width d from the project's seeded stream.
    public static func random(count: Int, d: Int, seed: UInt64) -> AnalysisInputs {
        var rng = SeededRandom(seed: seed)
        let x = Matrix(rows: count, cols: d, data: (0..<(count * d)).map { _ in rng.nextNormal() })
        return AnalysisInputs(x: x, source: "\(count) random N(0, 1) tokens, seed \(seed)")
    }

    /// Token `t`'s d values.
    public func token(_ t: Int) -> [Double] { Array(x.data[(t * x.cols)..<((t + 1) * x.cols)]) }

    /// The first `count` tokens (at most all of them), as the Jacobian test takes them.
    public func firstTokens(_ count: Int) -> [[Double]] { (0..<min(count, x.rows)).map(token) }
}
