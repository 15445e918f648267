import MoE

/// Bounds on what one analysis of a layer computes, checked from the configuration and the
/// token counts (header shapes and flags) before any tensor is decoded.
///
/// The layer's activations grow as T·K²·L (edge gates) and the Jacobian test as K·d² per
/// token, while a checkpoint stores only about T·d input values and n·d·d_ff weights: a file
/// of a few hundred kilobytes (d = 1, K = 1024, 1,024 tokens of ref.x) made the analysis
/// allocate 17 GB. Past a bound the analysis stops with one line naming the sizes and what
/// would fit.
public struct AnalysisBudget: Sendable {
    /// Most Float64 values one forward pass may hold (2 GiB).
    public static let maxActivations = 1 << 28
    /// Most Float64 values the Jacobians of one token may hold (2 GiB).
    public static let maxJacobianValues = 1 << 28
    /// Most tokens·d³ for the Jacobian test's SVDs: 16 tokens at d = 2048, a few minutes.
    public static let maxJacobianWork = 16 << 33

    public let config: LayerConfig

    public init(config: LayerConfig) { self.config = config }

    /// About the values a forward pass over `tokens` keeps (for the backward pass and the
    /// structure statistics): per token the K experts' hidden layers and outputs, the shared
    /// expert, and per round K² edge gates and the K nodes' states; nil on overflow.
    public func activations(tokens: Int) -> Int? {
        guard let perToken = perTokenActivations(),
              case (let total, false) = tokens.multipliedReportingOverflow(by: perToken) else { return nil }
        return total
    }

    private func perTokenActivations() -> Int? {
        let c = config
        let terms = [
            (c.topK, 3 * c.dFF + 2 * c.dModel),
            (c.dagLayers * c.topK, c.topK + 2 * c.dG + c.dModel),
            (1, 3 * c.sharedDFF + 4 * c.dModel),
        ]
        var perToken = 0
        for (a, b) in terms {
            guard case (let product, false) = a.multipliedReportingOverflow(by: b),
                  case (let sum, false) = perToken.addingReportingOverflow(product) else { return nil }
            perToken = sum
        }
        return perToken
    }

    /// Throws when a forward pass over `tokens` (from `source`, for the message) would pass
    /// ``maxActivations``.
    public func checkForward(tokens: Int, source: String) throws(AnalysisError) {
        let values = activations(tokens: tokens)
        guard let values, values <= AnalysisBudget.maxActivations else {
            let fits = perTokenActivations().map { AnalysisBudget.maxActivations / max($0, 1) } ?? 0
            throw .overBudget("\(source): \(tokens) tokens through a layer with K = \(config.topK), "
                              + "L = \(config.dagLayers), d = \(config.dModel), d_ff = \(config.dFF) need about "
                              + "\(values.map(String.init) ?? "more than \(Int.max)") activations, past the limit of "
                              + "\(AnalysisBudget.maxActivations) (\(fits) tokens would fit)")
        }
    }

    /// Throws when the Jacobian test on `tokens` tokens would pass ``maxJacobianValues``
    /// ((K + 2)·d² values per token) or ``maxJacobianWork`` (tokens·d³, its SVDs).
    public func checkJacobian(tokens: Int) throws(AnalysisError) {
        let d = config.dModel
        guard case (let square, false) = d.multipliedReportingOverflow(by: d),
              case (let values, false) = square.multipliedReportingOverflow(by: config.topK + 2),
              values <= AnalysisBudget.maxJacobianValues else {
            throw .overBudget("the Jacobian test needs (K + 2)·d² values per token (K = \(config.topK), "
                              + "d = \(d)), past the limit of \(AnalysisBudget.maxJacobianValues); "
                              + "--jacobian-tokens 0 skips it")
        }
        let cube = square * d
        guard case (let work, false) = cube.multipliedReportingOverflow(by: tokens),
              work <= AnalysisBudget.maxJacobianWork else {
            let most = AnalysisBudget.maxJacobianWork / cube
            throw .overBudget("the Jacobian test on \(tokens) tokens of width d = \(d) costs tokens·d³ past the limit "
                              + "of \(AnalysisBudget.maxJacobianWork) (16 tokens at d = 2048); "
                              + "--jacobian-tokens \(most) or 0")
        }
    }
}
