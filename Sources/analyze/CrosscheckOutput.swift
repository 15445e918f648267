import Analysis
import Checkpoint
import Foundation
import MoE
import Report

/// Formats a ``CrosscheckReport`` as text, JSON, or a CSV/markdown tensor table.
struct CrosscheckOutput: FormattedOutput {
    let report: CheckpointAnalysis

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
            let abs = c.mismatches.map { "\($0) differ" } ?? Numbers.sci(c.maxAbs)
            t.append([c.name, CrosscheckOutput.shapeText(c.shape), abs, Numbers.sci(c.maxRel),
                      c.tolerance.map(Numbers.sci) ?? "exact", c.ok ? "yes" : "NO"])
        }
        return t
    }

    /// The tensor table for CSV: numbers only (empty cells where a value does not apply), the
    /// shape as one column per dimension, booleans as true/false.
    func csvTable() -> Table {
        let dims = (report.comparison?.checks ?? []).map(\.shape.count).max() ?? 0
        var t = Table(header: ["tensor"] + (0..<dims).map { "dim\($0)" }
                      + ["max_abs", "max_rel", "tolerance", "exact", "mismatches", "ok"])
        for c in report.comparison?.checks ?? [] {
            let shape = (0..<dims).map { $0 < c.shape.count ? String(c.shape[$0]) : "" }
            t.append([c.name] + shape + [CSVNumber.text(c.maxAbs), CSVNumber.text(c.maxRel),
                                         c.tolerance.map(CSVNumber.text) ?? "", String(c.tolerance == nil),
                                         c.mismatches.map(String.init) ?? "", String(c.ok)])
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
        if let usage = report.usage { out += "\n" + UsageText.text(usage, inputs: report.inputs) }
        out += "\n" + verdictText()
        if !report.notes.isEmpty { out += "\n" + report.notes.map { "note: " + $0 }.joined(separator: "\n") + "\n" }
        return out
    }

    func comparisonText() -> String {
        guard let comparison = report.comparison, let t = report.referenceTokens else {
            return "no ref.x: nothing to compare (analysis only)\n"
        }
        let precision = report.precision == .float64 ? "Float64" : "Float32"
        var out = "reference: \(t) tokens; recomputed in \(precision) from the stored weights; "
        out += "max_rel = max|got − ref| / max|ref|, tolerance forward \(Numbers.sci(report.tolerances.forward)), "
        out += "backward \(Numbers.sci(report.tolerances.backward))\n\n"
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
        out += "rank tolerance \(Numbers.sci(j.relativeTolerance))·‖J‖₂; weighted-sum bound \(j.weightedSumBound) "
        out += "(\(c.router == .topKSoftmax || c.topK == c.nExperts ? "K − 1: the gates sum to one" : "K")"
        out += "\(c.extensions.sharedGate ? ", + 1 for the shared gate" : ""))"
        out += "; bound min(d, L·d_g + \(j.weightedSumBound)) = \(j.bound)\n\n"
        var t = Table(header: ["token", "rank", "‖J‖₂", "σ_r/‖J‖", "σ_r+1/‖J‖", "gap", "selection"],
                      alignments: [.right, .right, .right, .right, .right, .right, .left])
        for token in j.tokens {
            let s = token.singularValues, r = token.rank
            let kept = r > 0 ? Numbers.sci(s[r - 1] / token.normJ) : "n/a"
            let dropped = r < s.count ? Numbers.sci(s[r] / token.normJ) : "n/a"
            t.append([String(token.index), String(r), Numbers.short(token.normJ), kept, dropped,
                      token.gap.map(Numbers.sci) ?? "n/a", token.selectionStable ? "stable" : "near-tie"])
        }
        out += t.text()
        let ranks = j.stableRanks, chain = report.checkpoint.chainIterations
        out += "verdict: \(j.verdict.rawValue)"
        if chain > 1 { out += " for iteration 0 only (\(chain == 2 ? "chain.1" : "chain.1…chain.\(chain - 1)") not analysed)" }
        if let top = ranks.max() {
            out += " (ranks \(ranks.min()!)…\(top); weighted-sum bound \(j.weightedSumBound), bound \(j.bound))"
        }
        if let gap = j.worstGap { out += "; smallest gap σ_r/σ_r+1 = \(Numbers.sci(gap))" }
        return out + "\n"
    }

    /// Capability (the rank test) and usage (the ablations), each on its own line.
    func verdictText() -> String {
        var out = "verdict:\n"
        if let j = report.jacobian {
            let ranks = j.stableRanks
            out += "  capability (rank test: what the layer can express around a token): \(j.verdict.rawValue)"
            if let top = ranks.max() { out += " (ranks \(ranks.min()!)…\(top))" }
            out += "\n"
        } else {
            out += "  capability: not tested (--jacobian-tokens 0)\n"
        }
        if let usage = report.usage {
            out += "  usage (ablations on \(usage.tokens) tokens): \(usage.verdict.rawValue): \(usage.reading)\n"
        } else {
            out += "  usage: no DAG module (L = 0)\n"
        }
        if let chain = report.chain {
            out += "  chain checkpoint: all \(chain.iterations) iterations analysed (iteration 0 above, the others below)\n"
            for it in chain.later {
                out += "  iteration \(it.index) (router chain.\(it.index).router.weight, on iteration \(it.index - 1)'s output): capability "
                if let j = it.jacobian, let top = j.stableRanks.max() {
                    out += "\(j.verdict.rawValue) (ranks \(j.stableRanks.min()!)…\(top))"
                } else {
                    out += it.jacobian?.verdict.rawValue ?? "not tested"
                }
                out += String(format: "; expert utilization entropy %.3f of %.3f nats\n", it.routing.utilizationEntropy, it.routing.maxEntropy)
            }
            if let loss = chain.loss { out += "  chain held-out loss (all iterations): \(String(format: "%.5f", loss))\n" }
        }
        return out
    }

    /// The edge gates' histogram per round (fraction of gates per bin of width 1/20).
    static func gatePlot(_ report: CheckpointAnalysis) -> String {
        let rounds = report.usage?.rounds ?? []
        let bins = Double(GateUsage.bins)
        return SVGPlot(title: "edge gates on \(report.usage?.tokens ?? 0) tokens", xLabel: "edge gate e",
                       yLabel: "fraction of gates",
                       series: rounds.enumerated().map { l, r in
                           let total = Double(max(r.histogram.reduce(0, +), 1))
                           return SVGPlot.Series(name: "round \(l)", points: r.histogram.enumerated().map {
                               ((Double($0.offset) + 0.5) / bins, Double($0.element) / total)
                           })
                       }).render()
    }

    func structureText() -> String {
        let s = report.structure
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
        return out + AnalysisText.routing(s.routing)
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
        if let j = report.jacobian { pairs.append(("jacobian", AnalysisJSON.jacobian(j))) }
        pairs.append(("chain_iterations", .int(report.checkpoint.chainIterations)))
        pairs.append(("iterations_analysed", .int(1)))
        pairs.append(("structure", AnalysisJSON.structure(report.structure)))
        if let usage = report.usage { pairs.append(("usage", UsageText.json(usage))) }
        pairs.append(("verdict", verdictJSON()))
        pairs.append(("inputs", .string(report.inputs)))
        pairs.append(("notes", .array(report.notes.map(JSON.string))))
        return .object(pairs)
    }

    func verdictJSON() -> JSON {
        .object([
            ("capability", report.jacobian.map { .string($0.verdict.rawValue) } ?? .null),
            ("usage", report.usage.map { .string($0.verdict.rawValue) } ?? .null),
            ("usage_reading", report.usage.map { .string($0.reading) } ?? .null),
            ("chain_iterations", report.chain.map { .int($0.iterations) } ?? .null),
            ("iterations_analysed", .int(report.chain?.iterations ?? 1)),
            ("chain", report.chain.map { chain in
                .object([("heldout_loss", chain.loss.map(JSON.double) ?? .null),
                         ("later_iterations", .array(chain.later.map { it in
                             .object([("iteration", .int(it.index)),
                                      ("jacobian", it.jacobian.map(AnalysisJSON.jacobian) ?? .null),
                                      ("expert_utilization", .array(it.routing.utilization.map(JSON.double))),
                                      ("utilization_entropy", .double(it.routing.utilizationEntropy))])
                         }))])
            } ?? .null),
        ])
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
}
