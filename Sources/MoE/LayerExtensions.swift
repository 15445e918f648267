/// Parts of real MoE layers that the spec's layer does not have, each off by default,
/// so a default configuration is exactly the spec's (docs/model-layouts.md).
///
/// - `sharedGate`: the shared expert's output is scaled by a learned sigmoid gate,
///   `y += σ(w·x) · Es(x)` with w = `shared_gate.weight` [1, d] (Qwen2-MoE's
///   `shared_expert_gate`). Needs a shared expert (`shared_d_ff` > 0).
/// - `routerGroups`: group-limited selection (DeepSeek-V2 `group_limited_greedy`): the
///   experts form G groups of N/G consecutive experts, a token keeps the T groups whose
///   largest p is highest, and S is the top K of p among the kept groups' experts. The
///   gates are computed from p as the router says (the selection is piecewise constant,
///   so backward is unchanged).
public struct LayerExtensions: Sendable, Equatable, Codable {
    public var sharedGate: Bool
    public var routerGroups: RouterGroups?

    public init(sharedGate: Bool = false, routerGroups: RouterGroups? = nil) {
        self.sharedGate = sharedGate
        self.routerGroups = routerGroups
    }

    /// True when nothing is switched on (the spec's layer).
    public var isEmpty: Bool { !sharedGate && routerGroups == nil }

    /// The extension's weights with their shapes, in a fixed order.
    func parameterShapes(dModel: Int) -> [(name: String, shape: [Int])] {
        sharedGate ? [(ParameterName.sharedGate, [1, dModel])] : []
    }

    /// Throws `LayerConfigError` for an extension the configuration cannot run.
    func validate(_ config: LayerConfig) throws {
        if sharedGate && config.sharedDFF < 1 {
            throw LayerConfigError(key: "shared_gate", message: "needs a shared expert (shared_d_ff > 0)")
        }
        if let groups = routerGroups { try groups.validate(experts: config.nExperts, topK: config.topK) }
    }
}

extension ParameterName {
    /// The extension weight w of the sigmoid shared-expert gate, [1, d].
    static let sharedGate = "shared_gate.weight"
}

extension LayerConfig {
    /// The same configuration with `extensions` in place of its own.
    public func with(_ extensions: LayerExtensions) -> LayerConfig {
        var config = self
        config.extensions = extensions
        return config
    }
}
