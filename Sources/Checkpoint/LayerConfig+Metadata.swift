import MoE

extension LayerConfig {
    /// Largest width, expert count or round count a checkpoint may declare; keeps
    /// every shape computation far from overflow.
    public static let metadataLimit = 1 << 24
    /// Most experts a checkpoint may declare: each needs three weight tensors and a header
    /// lists at most about 500,000 (its JSON value budget), and the expected weight names
    /// are listed before any is looked up, so a few-byte file cannot make that list huge.
    public static let maxExperts = 1 << 17
    /// Most DAG rounds a checkpoint may declare (five or six weight tensors each), for the same reason.
    public static let maxDAGLayers = 1 << 12

    /// Parses the spec's metadata keys (`d_model`, `n_experts`, `top_k`, `d_ff`,
    /// `d_g`, `dag_layers`, `norm`, `norm_eps`, `router`, and the optional
    /// `shared_d_ff`, `lb_coef`, `z_coef`, which default to 0). Other keys are ignored.
    ///
    /// Throws `missingMetadata` or `malformedMetadata` naming the key; sizes must be
    /// positive (`dag_layers`, `shared_d_ff` may be 0) and at most ``metadataLimit``
    /// (``maxExperts`` for `n_experts`, ``maxDAGLayers`` for `dag_layers`), `top_k` at most `n_experts`,
    /// `norm_eps` finite and ≥ 0, the coefficients finite.
    public init(metadata: [String: String]) throws(CheckpointError) {
        func string(_ key: String) throws(CheckpointError) -> String {
            guard let value = metadata[key] else { throw .missingMetadata(key: key) }
            return value
        }
        func int(_ key: String, minimum: Int, maximum: Int = LayerConfig.metadataLimit,
                 optional: Bool = false) throws(CheckpointError) -> Int {
            if optional && metadata[key] == nil { return 0 }
            let text = try string(key)
            guard let value = Int(text), value >= minimum, value <= maximum else {
                throw .malformedMetadata(key: key, value: text, expected: "an integer from \(minimum) to \(maximum)")
            }
            return value
        }
        func double(_ key: String, nonNegative: Bool, optional: Bool = false) throws(CheckpointError) -> Double {
            if optional && metadata[key] == nil { return 0 }
            let text = try string(key)
            guard let value = Double(text), value.isFinite, !nonNegative || value >= 0 else {
                throw .malformedMetadata(key: key, value: text, expected: nonNegative ? "a finite number ≥ 0" : "a finite number")
            }
            return value
        }
        let dModel = try int("d_model", minimum: 1)
        let nExperts = try int("n_experts", minimum: 1, maximum: LayerConfig.maxExperts)
        let topK = try int("top_k", minimum: 1)
        guard topK <= nExperts else {
            throw .malformedMetadata(key: "top_k", value: String(topK), expected: "at most n_experts = \(nExperts)")
        }
        let dFF = try int("d_ff", minimum: 1)
        let dG = try int("d_g", minimum: 1)
        let dagLayers = try int("dag_layers", minimum: 0, maximum: LayerConfig.maxDAGLayers)
        let normText = try string("norm")
        guard let norm = Norm(rawValue: normText) else {
            throw .malformedMetadata(key: "norm", value: normText, expected: "rmsnorm or layernorm")
        }
        let normEps = try double("norm_eps", nonNegative: true)
        let routerText = try string("router")
        guard let router = Router(rawValue: routerText) else {
            throw .malformedMetadata(key: "router", value: routerText, expected: "softmax_topk or topk_softmax")
        }
        self.init(dModel: dModel, nExperts: nExperts, topK: topK, dFF: dFF, dG: dG, dagLayers: dagLayers,
                  norm: norm, normEps: normEps, router: router,
                  sharedDFF: try int("shared_d_ff", minimum: 0, optional: true),
                  lbCoef: try double("lb_coef", nonNegative: false, optional: true),
                  zCoef: try double("z_coef", nonNegative: false, optional: true))
        extensions = try LayerExtensions(metadata: metadata)
    }

    /// The spec's metadata strings for this configuration (every key, optional ones included).
    public var metadata: [String: String] {
        [
            "d_model": String(dModel), "n_experts": String(nExperts), "top_k": String(topK),
            "d_ff": String(dFF), "d_g": String(dG), "dag_layers": String(dagLayers),
            "norm": norm.rawValue, "norm_eps": "\(normEps)", "router": router.rawValue,
            "shared_d_ff": String(sharedDFF), "lb_coef": "\(lbCoef)", "z_coef": "\(zCoef)",
        ].merging(extensions.metadata) { spec, _ in spec }
    }
}
