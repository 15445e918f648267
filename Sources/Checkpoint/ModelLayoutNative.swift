import MoE

/// The DAG module of a model whose MoE blocks are the spec's layer with trained rounds: the
/// `dagmoe_lm` directories that `python -m dagmoe.lm` writes (docs/model-layouts.md). Their
/// `config.json` adds `dag_layers` (L ≥ 0), `dag_hidden_size` (d_g) and `dag_norm`
/// (`rmsnorm` or `layernorm`) to the Hugging Face keys, and layer i stores every spec weight
/// as `model.layers.{i}.mlp.{spec name}`.
public struct NativeDAGModule: Sendable, Equatable {
    public let dagLayers: Int
    public let dG: Int
    public let norm: LayerConfig.Norm

    public init(dagLayers: Int, dG: Int, norm: LayerConfig.Norm) {
        self.dagLayers = dagLayers
        self.dG = dG
        self.norm = norm
    }

    init(json: ModelJSONObject, path: String) throws(ModelLayoutError) {
        dagLayers = try json.optionalInt("dag_layers") ?? 0
        guard dagLayers >= 0 else {
            throw .malformedConfigKey(path: path, key: "dag_layers", value: String(dagLayers), expected: "at least 0")
        }
        dG = try json.optionalInt("dag_hidden_size") ?? 1
        guard dG >= 1 else {
            throw .malformedConfigKey(path: path, key: "dag_hidden_size", value: String(dG), expected: "at least 1")
        }
        let name = try json.optionalString("dag_norm") ?? "rmsnorm"
        guard let norm = LayerConfig.Norm(rawValue: name) else {
            throw .malformedConfigKey(path: path, key: "dag_norm", value: name, expected: "rmsnorm or layernorm")
        }
        self.norm = norm
        if let c = try json.optionalInt("chain_iterations"), c > 1 {
            throw .unsupportedSetting(path: path, key: "chain_iterations", value: String(c),
                                      reason: "a chain's later routers are not a spec layer; read layers/layer_{i}.safetensors instead")
        }
    }
}
