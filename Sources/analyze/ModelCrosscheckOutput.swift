import Analysis
import Checkpoint
import Foundation
import MoE
import Report

/// Formats `analyze crosscheck --model`: one layer in full (text, JSON), or one row per
/// layer (`--all-layers`, `--layers`, `--shard`: ``ModelLayersReport``; CSV and markdown give
/// that table for one layer too).
struct ModelCrosscheckOutput: FormattedOutput {
    let model: ModelLayout
    let layers: [ModelLayerAnalysis]
    /// True for `--all-layers`, `--layers` and `--shard`: the many-layer report.
    let allLayers: Bool
    /// FNV-1a 64 of config.json's bytes: `analyze report` merges only shards of one model.
    let configHash: String

    var pass: Bool { layers.allSatisfy(\.pass) }

    func text() -> String { allLayers ? summaryText() : layerText(layers[0]) }

    func header() -> String {
        let c = model.config
        var shared = c.sharedFF > 0 ? ", shared expert d_ff=\(c.sharedFF)\(c.sharedGate ? " (sigmoid-gated)" : "")" : ""
        if c.scores == .sigmoid { shared += ", sigmoid scores" }
        if c.selectionBias { shared += ", selection bias" }
        if c.gateScalesInput { shared += ", gates scale the expert input" }
        if c.routerBias { shared += ", router bias" }
        if c.expertBias { shared += ", expert biases" }
        if let clamp = c.clampedSwiGLU { shared += ", clamped SwiGLU (alpha \(clamp.alpha), limit \(clamp.limit))" }
        if let g = c.groups { shared += ", \(g.count) groups (ranked by \(g.rank == .max ? "best score" : "sum of best two")), top \(g.selected)" }
        return "\(model.directory): \(c.family.rawValue), \(c.layers) layers (MoE: \(ModelCrosscheckOutput.ranges(c.moeLayers))), "
            + "d=\(c.hiddenSize) N=\(c.experts) K=\(c.topK) expert d_ff=\(c.expertFF)\(shared)\n"
    }

    static func ranges(_ layers: [Int]) -> String {
        guard let first = layers.first, let last = layers.last else { return "none" }
        return layers.count == last - first + 1 && layers.count > 2 ? "\(first)…\(last)" : layers.map(String.init).joined(separator: ", ")
    }

    /// How the model's router and extras map onto the spec, in words.
    func mappingText(_ a: ModelLayerAnalysis) -> String {
        let c = model.config
        let router = "\(a.config.router.rawValue) (top-k weights \(c.normalizeTopK ? "renormalised" : "not renormalised"))"
        let rounds = a.config.dagLayers == 0 ? "L = 0"
            : "its stored DAG module, L = \(a.config.dagLayers), d_g = \(a.config.dG), \(a.config.norm.rawValue)"
        var parts = ["\(a.layout.prefix), \(a.layout.storage.rawValue) → the spec's layer with \(rounds), \(router)"]
        if c.routedScale != 1 { parts.append("routed_scaling_factor \(c.routedScale) folded into W2") }
        if c.sharedGate { parts.append("extension shared_gate") }
        if c.groups != nil { parts.append("extension router_groups") }
        if c.scores == .sigmoid { parts.append("extension router_scores = sigmoid") }
        if c.selectionBias { parts.append("extension selection_bias (e_score_correction_bias)") }
        if c.gateScalesInput { parts.append("extension gate_scales_input") }
        if c.routerBias { parts.append("extension router_bias") }
        if c.expertBias { parts.append("extension expert_bias") }
        if c.clampedSwiGLU != nil { parts.append("extension swiglu_alpha/swiglu_limit") }
        return parts.joined(separator: ", ")
    }

    func layerText(_ a: ModelLayerAnalysis) -> String {
        var out = header()
        out += "layer \(a.layer): \(mappingText(a))\n"
        out += "read \(a.expertsRead) of \(a.config.nExperts) experts for the forward pass (\(Numbers.grouped(a.bytesRead)) bytes of weights in all)\n\n"
        if let r = a.reference { out += referenceText(r, layer: a.layer) + "\n" }
        if let j = a.jacobian { out += jacobianText(j, a) + "\n" }
        out += routingText(a)
        if let u = a.usage { out += "\n" + UsageText.text(u, inputs: a.inputs) + "verdict: \(u.reading)\n" }
        let notes = self.notes(a)
        if !notes.isEmpty { out += "\n" + notes.map { "note: " + $0 }.joined(separator: "\n") + "\n" }
        return out
    }

    func referenceText(_ r: ModelReferenceCheck, layer: Int) -> String {
        var out = "reference (layers.\(layer).moe_out, layers.\(layer).topk) on \(r.tokens) tokens: "
        out += "max_abs \(Numbers.sci(r.maxAbs)), max_rel \(Numbers.sci(r.maxRel)) (tolerance \(Numbers.sci(r.tolerance)))"
        if let m = r.topkMismatches { out += "; selection differs on \(m) of \(r.tokens) tokens" }
        return out + (r.ok ? " → PASS\n" : " → FAIL\n")
    }

    /// The bound in words: K or K − 1, plus one for a sigmoid shared gate.
    func boundText(_ j: ExcessRankAnalysis, _ c: LayerConfig) -> String {
        let sums = c.router == .topKSoftmax || c.topK == c.nExperts
        return "\(j.weightedSumBound) (\(sums ? "K − 1: the gates sum to one" : "K")\(c.extensions.sharedGate ? ", + 1 for the shared gate" : ""))"
    }

    func jacobianText(_ j: ExcessRankAnalysis, _ a: ModelLayerAnalysis) -> String {
        var out = "Jacobian excess rank, R = J − I − Σ g_i J_{S_i} − J_shared, on \(j.tokens.count) tokens (\(a.inputs))\n"
        if j.method == .matrixFree {
            out += "matrix-free: R·v and Rᵀ·u through the router and the selected experts, randomized range finder "
                + "(\(j.weightedSumBound) + \(ExcessRankAnalysis.oversampling) probes, a confirming sketch); ‖J‖₂ estimated from below\n"
        }
        out += "rank tolerance \(Numbers.sci(j.relativeTolerance))·‖J‖₂; a weighted-sum layer has rank(R) ≤ \(boundText(j, a.config))"
        if a.config.dagLayers > 0 { out += "; with its \(a.config.dagLayers) round(s), rank(R) ≤ min(d, L·d_g + that) = \(j.bound)" }
        out += "\n\n"
        let shown = min(j.weightedSumBound + 1, a.config.dModel)
        var t = Table(header: ["token", "rank", "‖J‖₂", "gate-term σ_1…σ_\(shown) / ‖J‖₂", "selection"],
                      alignments: [.right, .right, .right, .left, .left])
        for token in j.tokens {
            let sv = token.singularValues.prefix(shown).map { Numbers.sci($0 / token.normJ) }.joined(separator: " ")
            t.append([String(token.index), String(token.rank), Numbers.short(token.normJ), sv,
                      token.selectionStable ? "stable" : "near-tie"])
        }
        out += t.text()
        return out + verdictText(j) + "\n"
    }

    func verdictText(_ j: ExcessRankAnalysis) -> String {
        let ranks = j.stableRanks
        switch j.verdict {
        case .structural:
            return "verdict: structural (ranks \(ranks.min()!)…\(ranks.max()!); weighted-sum bound \(j.weightedSumBound), bound \(j.bound)): "
                + "the DAG rounds add rank a weighted sum cannot reach"
        case .weightedSum:
            return "verdict: weighted-sum (ranks \(ranks.min()!)…\(ranks.max()!) ≤ \(j.weightedSumBound)): "
                + (j.bound > j.weightedSumBound ? "its DAG rounds add no rank a weighted sum lacks"
                    : "the layer is the linear-gated sum the mapping says")
        case .exceedsBound:
            return "verdict: EXCEEDS the bound (rank \(ranks.max()!) > \(j.weightedSumBound)): impossible for a weighted-sum layer, "
                + "so this layout's mapping onto the spec is wrong — a bug in analyze; please report it with the model's config.json"
        case .undetermined:
            return "verdict: undetermined (every token sits at a near-tie of the router)"
        }
    }

    func routingText(_ a: ModelLayerAnalysis) -> String {
        let s = a.structure
        return "Routing on \(s.tokens) tokens (\(a.inputs))\n" + AnalysisText.routing(s.routing)
    }

    func notes(_ a: ModelLayerAnalysis) -> [String] {
        var notes = model.config.notes
        if !a.layout.ignored.isEmpty {
            let shown = a.layout.ignored.prefix(4).joined(separator: ", ")
            notes.append("ignored \(a.layout.ignored.count) tensor(s) of the block not in the mapping: \(shown)\(a.layout.ignored.count > 4 ? ", …" : "")")
        }
        return notes
    }

    /// The many-layer report, from its JSON.
    var summary: ModelLayersReport { ModelLayersReport(object: json()) }

    func summaryText() -> String { summary.text() }

    func table() -> Table { summary.table() }

    func csvTable() -> Table { summary.csvTable() }

    func layerJSON(_ a: ModelLayerAnalysis) -> JSON {
        var pairs: [(String, JSON)] = [
            ("layer", .int(a.layer)),
            ("config", .object(a.config.metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("mapping", .object([("prefix", .string(a.layout.prefix)), ("storage", .string(a.layout.storage.rawValue)),
                                 ("routed_scale", .double(model.config.routedScale)),
                                 ("ignored", .array(a.layout.ignored.map(JSON.string)))])),
            ("inputs", .string(a.inputs)),
            ("experts_read", .int(a.expertsRead)),
            ("bytes_read", .int(a.bytesRead)),
        ]
        if let r = a.reference {
            pairs.append(("reference", .object([
                ("tokens", .int(r.tokens)), ("max_abs", .double(r.maxAbs)), ("max_rel", .double(r.maxRel)),
                ("tolerance", .double(r.tolerance)), ("topk_mismatches", r.topkMismatches.map(JSON.int) ?? .null),
                ("ok", .bool(r.ok)),
            ])))
        }
        if let j = a.jacobian, case .object(var jac) = AnalysisJSON.jacobian(j) {
            let shown = min(j.weightedSumBound + 1, a.config.dModel)
            jac.append(("gate_singular_values", .array(j.tokens.map { t in
                .array(t.singularValues.prefix(shown).map { .double($0) })
            })))
            pairs.append(("jacobian", .object(jac)))
        }
        pairs.append(("structure", AnalysisJSON.structure(a.structure)))
        if let u = a.usage { pairs.append(("usage", UsageText.json(u))) }
        pairs.append(("mapping_bug", .bool(a.mappingBug)))
        pairs.append(("pass", .bool(a.pass)))
        pairs.append(("notes", .array(notes(a).map(JSON.string))))
        return .object(pairs)
    }

    func json() -> JSON {
        let c = model.config
        let head: [(String, JSON)] = [("model", .string(model.directory)), ("model_type", .string(c.family.rawValue))]
        guard allLayers else {
            guard case .object(let pairs) = layerJSON(layers[0]) else { return .null }
            return .object(head + pairs)
        }
        return .object(head + [
            ("config_hash", .string(configHash)),
            ("header", .string(header())),
            ("moe_layers", .array(c.moeLayers.map(JSON.int))),
            ("layers", .array(layers.map(layerJSON))),
            ("pass", .bool(pass)),
            ("notes", .array((layers.first.map(notes) ?? []).map(JSON.string))),
        ])
    }
}
