import Checkpoint
import Foundation
import MoE
import Report

/// Formats a ``CrosscheckReport`` as text, JSON, or a CSV/markdown tensor table.
struct CrosscheckOutput: FormattedOutput {
    let report: CrosscheckReport

    /// An error in scientific notation with three digits ("0" for exactly zero).
    static func sci(_ x: Double) -> String {
        x == 0 ? "0" : (x.isFinite ? String(format: "%.2e", x) : (x.isNaN ? "nan" : "inf"))
    }

    static func shapeText(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

    static func configText(_ c: LayerConfig) -> String {
        "d=\(c.dModel) N=\(c.nExperts) K=\(c.topK) d_ff=\(c.dFF) d_g=\(c.dG) L=\(c.dagLayers) \(c.norm.rawValue) "
            + "\(c.router.rawValue) shared_d_ff=\(c.sharedDFF) lb_coef=\(c.lbCoef) z_coef=\(c.zCoef)"
    }

    /// One row per compared tensor.
    func table() -> Table {
        var t = Table(header: ["tensor", "shape", "max_abs", "max_rel", "tol", "ok"],
                      alignments: [.left, .left, .right, .right, .right, .left])
        for c in report.comparison?.checks ?? [] {
            let abs = c.mismatches.map { "\($0) differ" } ?? CrosscheckOutput.sci(c.maxAbs)
            t.append([c.name, CrosscheckOutput.shapeText(c.shape), abs, CrosscheckOutput.sci(c.maxRel),
                      c.tolerance.map(CrosscheckOutput.sci) ?? "exact", c.ok ? "yes" : "NO"])
        }
        return t
    }

    func text() -> String {
        let c = report.checkpoint.config
        var out = "\(report.file): \(CrosscheckOutput.configText(c))\n"
        out += "weights \(report.checkpoint.weightDTypes.map(\.rawValue).joined(separator: "+"))\n\n"
        out += comparisonText() + "\n"
        if let jacobian = report.jacobian { out += jacobianText(jacobian) + "\n" }
        out += structureText()
        if !report.notes.isEmpty { out += "\n" + report.notes.map { "note: " + $0 }.joined(separator: "\n") + "\n" }
        return out
    }

    func comparisonText() -> String {
        guard let comparison = report.comparison, let t = report.referenceTokens else {
            return "no ref.x: nothing to compare (analysis only)\n"
        }
        let precision = report.precision == .float64 ? "Float64" : "Float32"
        var out = "reference: \(t) tokens; recomputed in \(precision) from the stored weights; "
        out += "max_rel = max|got − ref| / max|ref|, tolerance forward \(CrosscheckOutput.sci(report.tolerances.forward)), "
        out += "backward \(CrosscheckOutput.sci(report.tolerances.backward))\n\n"
        out += table().text()
        let failed = comparison.checks.filter { !$0.ok }
        out += failed.isEmpty
            ? "PASS: \(comparison.checks.count) of \(comparison.checks.count) tensors within tolerance\n"
            : "FAIL: \(failed.count) of \(comparison.checks.count) tensors outside tolerance: \(failed.map(\.name).joined(separator: ", "))\n"
        return out
    }

    func jacobianText(_ j: ExcessRankAnalysis) -> String {
        let c = report.checkpoint.config
        var out = "Jacobian excess rank, R = J − I − Σ g_i J_{S_i} − J_shared, on \(j.tokens.count) tokens (\(report.inputs))\n"
        out += "rank tolerance \(CrosscheckOutput.sci(j.relativeTolerance))·‖J‖₂; weighted-sum bound \(j.weightedSumBound) "
        out += "(\(c.router == .topKSoftmax || c.topK == c.nExperts ? "K − 1: the gates sum to one" : "K")"
        out += "\(c.extensions.sharedGate ? ", + 1 for the shared gate" : ""))"
        out += "; bound min(d, L·d_g + \(j.weightedSumBound)) = \(j.bound)\n\n"
        var t = Table(header: ["token", "rank", "‖J‖₂", "σ_r/‖J‖", "σ_r+1/‖J‖", "gap", "selection"],
                      alignments: [.right, .right, .right, .right, .right, .right, .left])
        for token in j.tokens {
            let s = token.singularValues, r = token.rank
            let kept = r > 0 ? CrosscheckOutput.sci(s[r - 1] / token.normJ) : "n/a"
            let dropped = r < s.count ? CrosscheckOutput.sci(s[r] / token.normJ) : "n/a"
            t.append([String(token.index), String(r), Numbers.short(token.normJ), kept, dropped,
                      token.gap.map(CrosscheckOutput.sci) ?? "n/a", token.selectionStable ? "stable" : "near-tie"])
        }
        out += t.text()
        let ranks = j.stableRanks
        out += "verdict: \(j.verdict.rawValue)"
        if let top = ranks.max() {
            out += " (ranks \(ranks.min()!)…\(top); weighted-sum bound \(j.weightedSumBound), bound \(j.bound))"
        }
        if let gap = j.worstGap { out += "; smallest gap σ_r/σ_r+1 = \(CrosscheckOutput.sci(gap))" }
        return out + "\n"
    }

    func structureText() -> String {
        let s = report.structure, c = report.checkpoint.config
        var out = "Structure on \(s.tokens) tokens (\(report.inputs))\n"
        if !s.rounds.isEmpty {
            var t = Table(header: ["round", "mean e", "e > 0.5", "patterns", "histogram [0, 0.1) … [0.9, 1]"],
                          alignments: [.right, .right, .right, .right, .left])
            for (l, r) in s.rounds.enumerated() {
                t.append([String(l), String(format: "%.3f", r.mean), String(format: "%.3f", r.fractionAbove),
                          String(r.distinctPatterns), r.histogram.map(String.init).joined(separator: " ")])
            }
            out += "\n" + t.text() + "\n"
        }
        out += "distinct thresholded DAGs (e > 0.5, all rounds): \(s.distinctPatterns) of \(possibleText(s)) possible\n"
        out += "expert utilization: " + s.utilization.map { String(format: "%.3f", $0) }.joined(separator: " ")
        let maxEntropy = Foundation.log(Double(c.nExperts))
        out += String(format: " (entropy %.3f of max %.3f nats)\n", s.utilizationEntropy, maxEntropy)
        out += String(format: "routing entropy: mean H(p) = %.3f nats (max log N = %.3f)\n", s.routingEntropy, maxEntropy)
        return out
    }

    func possibleText(_ s: StructureStatistics) -> String {
        guard let e = s.possiblePatternsLog2 else { return "more than 2^63" }
        return e < 63 ? "2^\(e) = \(Numbers.grouped(1 << e))" : "2^\(e)"
    }

    func json() -> JSON {
        let c = report.checkpoint.config
        var pairs: [(String, JSON)] = [
            ("file", .string(report.file)),
            ("pass", report.pass.map(JSON.bool) ?? .null),
            ("config", .object(c.metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("weight_dtypes", .array(report.checkpoint.weightDTypes.map { .string($0.rawValue) })),
            ("precision", .string(report.precision.rawValue)),
            ("tolerances", .object([("forward", .double(report.tolerances.forward)),
                                    ("backward", .double(report.tolerances.backward))])),
            ("reference_tokens", report.referenceTokens.map(JSON.int) ?? .null),
            ("tensors", .array((report.comparison?.checks ?? []).map(tensorJSON))),
        ]
        if let j = report.jacobian { pairs.append(("jacobian", CrosscheckOutput.jacobianJSON(j))) }
        pairs.append(("structure", CrosscheckOutput.structureJSON(report.structure)))
        pairs.append(("inputs", .string(report.inputs)))
        pairs.append(("notes", .array(report.notes.map(JSON.string))))
        return .object(pairs)
    }

    func tensorJSON(_ c: TensorCheck) -> JSON {
        var pairs: [(String, JSON)] = [
            ("name", .string(c.name)), ("shape", .array(c.shape.map(JSON.int))),
            ("max_abs", .double(c.maxAbs)), ("max_rel", .double(c.maxRel)),
            ("tolerance", c.tolerance.map(JSON.double) ?? .null),
        ]
        if let m = c.mismatches { pairs.append(("mismatches", .int(m))) }
        pairs.append(("ok", .bool(c.ok)))
        return .object(pairs)
    }

    static func jacobianJSON(_ j: ExcessRankAnalysis) -> JSON {
        .object([
            ("tokens", .int(j.tokens.count)),
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

    static func structureJSON(_ s: StructureStatistics) -> JSON {
        .object([
            ("tokens", .int(s.tokens)),
            ("edge_gate_mean", .array(s.rounds.map { .double($0.mean) })),
            ("edge_gate_above_half", .array(s.rounds.map { .double($0.fractionAbove) })),
            ("edge_gate_histogram", .array(s.rounds.map { .array($0.histogram.map(JSON.int)) })),
            ("distinct_patterns_per_round", .array(s.rounds.map { .int($0.distinctPatterns) })),
            ("distinct_patterns", .int(s.distinctPatterns)),
            ("possible_patterns", s.possiblePatternsLog2.map { $0 < 63 ? .int(1 << $0) : .string("2^\($0)") } ?? .null),
            ("possible_patterns_log2", s.possiblePatternsLog2.map(JSON.int) ?? .null),
            ("expert_utilization", .array(s.utilization.map(JSON.double))),
            ("utilization_entropy", .double(s.utilizationEntropy)),
            ("routing_entropy", .double(s.routingEntropy)),
        ])
    }
}
