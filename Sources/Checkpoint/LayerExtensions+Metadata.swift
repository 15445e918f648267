import MoE

extension LayerExtensions {
    /// Parses the extension keys of a checkpoint's metadata (docs/model-layouts.md):
    /// `shared_gate` (`sigmoid`; absent: none) and `router_groups` with
    /// `router_topk_groups` (both or neither), `edge_scorer` (`bilinear` or `additive`; absent:
    /// additive). A spec checkpoint has none of them.
    public init(metadata: [String: String]) throws(CheckpointError) {
        self.init()
        if let scorer = metadata["edge_scorer"] {
            guard let value = EdgeScorer(rawValue: scorer) else {
                throw .malformedMetadata(key: "edge_scorer", value: scorer, expected: "additive or bilinear")
            }
            edgeScorer = value
        }
        if let gate = metadata["shared_gate"] {
            guard gate == "sigmoid" else {
                throw .malformedMetadata(key: "shared_gate", value: gate, expected: "sigmoid")
            }
            sharedGate = true
        }
        switch (metadata["router_groups"], metadata["router_topk_groups"]) {
        case (nil, nil):
            break
        case let (count?, selected?):
            guard let g = Int(count), (1...LayerConfig.metadataLimit).contains(g) else {
                throw .malformedMetadata(key: "router_groups", value: count, expected: "a positive integer")
            }
            guard let t = Int(selected), (1...g).contains(t) else {
                throw .malformedMetadata(key: "router_topk_groups", value: selected, expected: "an integer from 1 to \(g)")
            }
            routerGroups = RouterGroups(count: g, selected: t)
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
        if let groups = routerGroups {
            out["router_groups"] = String(groups.count)
            out["router_topk_groups"] = String(groups.selected)
        }
        return out
    }
}
