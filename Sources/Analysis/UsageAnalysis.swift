import Foundation
import LinearAlgebra
import MoE

/// Does a layer use its DAG module, and its token-dependent structure, on given inputs?
/// The module's share of the output per token, each round's gate usage, the census of
/// thresholded patterns, and the ablations, read together into one verdict.
public struct UsageAnalysis: Sendable {
    public enum Verdict: String, Sendable {
        /// Removing the module changes the loss (or the output) by less than 1%.
        case unused = "module unused"
        /// The module matters, but constant or shuffled gates cost less than 10% of its gain.
        case constantMixing = "constant mixing"
        /// Shuffled or constant gates cost at least 10% of the module's gain.
        case tokenDependent = "token-dependent structure"
    }

    public let tokens: Int
    /// Per token ‖y − y_without_module‖ / ‖y − x‖ (0 where y = x).
    public let moduleShare: [Double]
    /// ‖Y − Y_without‖_F / ‖Y − X‖_F over the batch.
    public let overallModuleShare: Double
    public let rounds: [GateUsage]
    public let patterns: PatternCensus
    public let ablations: Ablations

    /// Thresholds of the verdict: the module's gain as a fraction of the loss without it, and
    /// an ablation's cost as a fraction of that gain.
    public static let unusedBelow = 0.01, structureFrom = 0.1

    /// Analyses `layer` (L ≥ 1) on x with its own forward pass `output` on x.
    public init(layer: DAGMoELayer<Double>, x: Matrix<Double>, output: LayerOutput<Double>, targets: Matrix<Double>?,
                shuffleSeed: UInt64 = 0) {
        let t = x.rows, d = x.cols
        tokens = t
        ablations = Ablations(layer: layer, x: x, output: output, targets: targets, shuffleSeed: shuffleSeed)
        let y = output.y.data, x0 = x.data, removed = ablations.removedOutput.data
        var share: [Double] = [], module = 0.0, total = 0.0
        share.reserveCapacity(t)
        for token in 0..<t {
            var m = 0.0, all = 0.0
            for c in (token * d)..<((token + 1) * d) {
                m += (y[c] - removed[c]) * (y[c] - removed[c])
                all += (y[c] - x0[c]) * (y[c] - x0[c])
            }
            share.append(all > 0 ? (m / all).squareRoot() : 0)
            module += m
            total += all
        }
        moduleShare = share
        overallModuleShare = total > 0 ? (module / total).squareRoot() : 0
        rounds = output.edgeGates.map { GateUsage(gates: $0) }
        patterns = PatternCensus(config: layer.config, edgeGates: output.edgeGates)
    }

    /// The module's gain over the loss without it (with targets), else its share of the output.
    public var moduleEffect: Double {
        if let gain = ablations.moduleGain, let removed = ablations.rows.first?.loss, removed > 0 { return gain / removed }
        return overallModuleShare
    }

    /// The larger of the shuffled and mean-gates costs (fractions of the module's gain).
    public var structureCost: Double {
        max(ablations.worstCost(.shuffled) ?? 0, ablations.worstCost(.meanGates) ?? 0)
    }

    public var verdict: Verdict {
        if moduleEffect < UsageAnalysis.unusedBelow { return .unused }
        return structureCost >= UsageAnalysis.structureFrom ? .tokenDependent : .constantMixing
    }

    /// The one-line reading of the ablations.
    public var reading: String {
        let shuffle = percent(ablations.worstCost(.shuffled)), mean = percent(ablations.worstCost(.meanGates))
        let measure = ablations.moduleGain == nil ? "of the module's effect on the output" : "of the module's gain"
        let effect: String
        if let gain = ablations.moduleGain, let trained = ablations.trainedLoss {
            effect = "removing the module (up = 0) raises the loss by \(percent(trained > 0 ? gain / trained : .infinity))"
        } else {
            effect = "the module makes \(percent(overallModuleShare)) of y − x"
        }
        switch verdict {
        case .unused:
            return "module unused: \(effect)"
        case .constantMixing:
            return "structure not used per token: \(effect), but shuffling edges across tokens costs only \(shuffle) "
                + "\(measure) and constant mean gates \(mean): the module acts as a fixed mixing"
        case .tokenDependent:
            return "structure used: shuffling edges costs \(shuffle) \(measure) (constant mean gates \(mean)); \(effect)"
        }
    }

    private func percent(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "n/a" }
        return String(format: "%.1f%%", 100 * x)
    }

    /// Median, 90th percentile and largest per-token module share.
    public var shareQuantiles: (median: Double, p90: Double, max: Double) {
        let s = moduleShare.sorted()
        guard !s.isEmpty else { return (.nan, .nan, .nan) }
        return (s[s.count / 2], s[min(s.count - 1, Int(0.9 * Double(s.count)))], s.last!)
    }
}
