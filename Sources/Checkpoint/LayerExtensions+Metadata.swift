import MoE

extension LayerExtensions {
    /// Parses the extension keys of a checkpoint's metadata (docs/model-layouts.md):
    /// `shared_gate` (`sigmoid`; absent: none) and `router_groups` with
    /// `router_topk_groups` (both or neither) and `router_group_rank` (`max` or `top2_sum`;
    /// absent: max), `edge_scorer` (`bilinear` or `additive`; absent: additive),
    /// `router_scores` (`softmax` or `sigmoid`; absent: softmax), `selection_bias` (`true`;
    /// absent: none), `gate_scales_input` (`true`; absent: the gate scales the output),
    /// `router_bias` and `expert_bias` (`true`; absent: none), `swiglu_alpha` with `swiglu_limit`
    /// (both finite, limit > 0; both or neither: the clamped SwiGLU), `sparse_mixer` (the jitter
    /// ε ≥ 0 of PhiMoE's sparse mixer). A spec checkpoint has none of them.
    public init(metadata: [String: String]) throws(CheckpointError) {
        self.init()
        if let scorer = metadata["edge_scorer"] {
            guard let value = EdgeScorer(rawValue: scorer) else {
                throw .malformedMetadata(key: "edge_scorer", value: scorer, expected: "additive or bilinear")
            }
            edgeScorer = value
        }
        if let scores = metadata["router_scores"] {
            guard let value = RouterScores(rawValue: scores) else {
                throw .malformedMetadata(key: "router_scores", value: scores, expected: "softmax or sigmoid")
            }
            routerScores = value
        }
        if let bias = metadata["selection_bias"] {
            guard bias == "true" else { throw .malformedMetadata(key: "selection_bias", value: bias, expected: "true") }
            selectionBias = true
        }
        if let scaled = metadata["gate_scales_input"] {
            guard scaled == "true" else { throw .malformedMetadata(key: "gate_scales_input", value: scaled, expected: "true") }
            gateScalesInput = true
        }
        for (key, flag) in [("router_bias", \LayerExtensions.routerBias), ("expert_bias", \LayerExtensions.expertBias)] {
            guard let value = metadata[key] else { continue }
            guard value == "true" else { throw .malformedMetadata(key: key, value: value, expected: "true") }
            self[keyPath: flag] = true
        }
        switch (metadata["swiglu_alpha"], metadata["swiglu_limit"]) {
        case (nil, nil):
            break
        case let (alpha?, limit?):
            guard let a = Double(alpha), a.isFinite else { throw .malformedMetadata(key: "swiglu_alpha", value: alpha, expected: "a finite number") }
            guard let l = Double(limit), l.isFinite, l > 0 else {
                throw .malformedMetadata(key: "swiglu_limit", value: limit, expected: "a finite number > 0")
            }
            clampedSwiGLU = ClampedSwiGLU(alpha: a, limit: l)
        case (nil, _?):
            throw .missingMetadata(key: "swiglu_alpha")
        case (_?, nil):
            throw .missingMetadata(key: "swiglu_limit")
        }
        if let mixer = metadata["sparse_mixer"] {
            guard let eps = Double(mixer), eps.isFinite, eps >= 0 else {
                throw .malformedMetadata(key: "sparse_mixer", value: mixer, expected: "a finite number ≥ 0")
            }
            sparseMixer = eps
        }
        if let gate = metadata["shared_gate"] {
            guard gate == "sigmoid" else {
                throw .malformedMetadata(key: "shared_gate", value: gate, expected: "sigmoid")
            }
            sharedGate = true
        }
        switch (metadata["router_groups"], metadata["router_topk_groups"]) {
        case (nil, nil):
            if metadata["router_group_rank"] != nil { throw .missingMetadata(key: "router_groups") }
        case let (count?, selected?):
            guard let g = Int(count), (1...LayerConfig.metadataLimit).contains(g) else {
                throw .malformedMetadata(key: "router_groups", value: count, expected: "a positive integer")
            }
            guard let t = Int(selected), (1...g).contains(t) else {
                throw .malformedMetadata(key: "router_topk_groups", value: selected, expected: "an integer from 1 to \(g)")
            }
            var rank = RouterGroups.Rank.max
            if let text = metadata["router_group_rank"] {
                guard let value = RouterGroups.Rank(rawValue: text) else {
                    throw .malformedMetadata(key: "router_group_rank", value: text, expected: "max or top2_sum")
                }
                rank = value
            }
            routerGroups = RouterGroups(count: g, selected: t, rank: rank)
        case (nil, _?):
            throw .missingMetadata(key: "router_groups")
        case (_?, nil):
            throw .missingMetadata(key: "router_topk_groups")
        }
    }

    /// The extension keys for the parts switched on (empty for the spec's layer).
    public var metadata: [String: String] {
        var out: [String: String] = [:]
        if sharedGate { out["shared_gate"] = "sigmoid" }
        if edgeScorer == .bilinear { out["edge_scorer"] = "bilinear" }
        if routerScores == .sigmoid { out["router_scores"] = "sigmoid" }
        if selectionBias { out["selection_bias"] = "true" }
        if gateScalesInput { out["gate_scales_input"] = "true" }
        if routerBias { out["router_bias"] = "true" }
        if let eps = sparseMixer { out["sparse_mixer"] = "\(eps)" }
        if expertBias { out["expert_bias"] = "true" }
        if let clamp = clampedSwiGLU {
            out["swiglu_alpha"] = "\(clamp.alpha)"
            out["swiglu_limit"] = "\(clamp.limit)"
        }
        if let groups = routerGroups {
            out["router_groups"] = String(groups.count)
            out["router_topk_groups"] = String(groups.selected)
            if groups.rank != .max { out["router_group_rank"] = groups.rank.rawValue }
        }
        return out
    }
}
