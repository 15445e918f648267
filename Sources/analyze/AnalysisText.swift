import Analysis
import Foundation
import Report

/// The renderings of analysis results that `crosscheck FILE` and `crosscheck --model` share.
enum AnalysisText {
    /// The expert-utilization and routing-entropy lines.
    static func routing(_ r: RoutingStatistics) -> String {
        var out = "expert utilization: " + r.utilization.map { String(format: "%.3f", $0) }.joined(separator: " ")
        out += String(format: " (entropy %.3f of max %.3f nats)\n", r.utilizationEntropy, r.maxEntropy)
        out += String(format: "routing entropy: mean H(p) = %.3f nats (max log N = %.3f)\n", r.routingEntropy, r.maxEntropy)
        return out
    }
}

/// The JSON objects of analysis results that both crosscheck outputs carry.
enum AnalysisJSON {
    static func jacobian(_ j: ExcessRankAnalysis) -> JSON {
        .object([
            ("tokens", .int(j.tokens.count)),
            ("method", .string(j.method.rawValue)),
            ("bound", .int(j.bound)),
            ("weighted_sum_bound", .int(j.weightedSumBound)),
            ("rank_rtol", .double(j.relativeTolerance)),
            ("excess_ranks", .array(j.tokens.map { .int($0.rank) })),
            ("gaps", .array(j.tokens.map { $0.gap.map(JSON.double) ?? .null })),
            ("norm_j", .array(j.tokens.map { .double($0.normJ) })),
            ("selection_stable", .array(j.tokens.map { .bool($0.selectionStable) })),
            ("min_gap", j.worstGap.map(JSON.double) ?? .null),
            ("verdict", .string(j.verdict.rawValue)),
        ])
    }

    static func structure(_ s: StructureStatistics) -> JSON {
        .object([
            ("tokens", .int(s.tokens)),
            ("edge_gate_mean", .array(s.rounds.map { .double($0.mean) })),
            ("edge_gate_above_half", .array(s.rounds.map { .double($0.fractionAbove) })),
            ("edge_gate_histogram", .array(s.rounds.map { .array($0.histogram.map(JSON.int)) })),
            ("distinct_patterns_per_round", .array(s.rounds.map { .int($0.distinctPatterns) })),
            ("distinct_patterns", .int(s.distinctPatterns)),
            ("possible_patterns", s.possiblePatternsLog2.map { $0 < 63 ? .int(1 << $0) : .string("2^\($0)") } ?? .null),
            ("possible_patterns_log2", s.possiblePatternsLog2.map(JSON.int) ?? .null),
            ("expert_utilization", .array(s.routing.utilization.map(JSON.double))),
            ("utilization_entropy", .double(s.routing.utilizationEntropy)),
            ("routing_entropy", .double(s.routing.routingEntropy)),
        ])
    }
}
