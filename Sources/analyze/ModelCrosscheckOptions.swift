import ArgumentParser

/// The options of `analyze crosscheck --model DIR`: which layers of a Hugging Face MoE
/// model to analyse, and on which inputs.
struct ModelCrosscheckOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A Hugging Face MoE model directory (config.json and safetensors weights), instead of FILE.",
                               valueName: "DIR"))
    var model: String?

    @Option(help: "The decoder layer to analyse (with --model).")
    var layer: Int?

    @Flag(name: .customLong("all-layers"), help: "Analyse every MoE layer of --model, one row per layer.")
    var allLayers = false

    @Option(help: ArgumentHelp("""
        Inputs: a safetensors file with layers.{i}.x per layer or x for every layer, [T, d]; with --model, \
        layers.{i}.moe_out and layers.{i}.topk, when present, are compared with the layer's output. With \
        FILE, the analysis runs on x (or layers.0.x).
        """, valueName: "FILE"))
    var inputs: String?

    /// Exactly one of FILE and --model; with --model, exactly one of --layer and
    /// --all-layers; at most one of --inputs and --tokens.
    func validate(file: String?, tokens: Int?) throws {
        guard let _ = model else {
            guard file != nil else { throw ValidationError("give a checkpoint FILE or --model DIR") }
            if layer != nil || allLayers {
                throw ValidationError("--layer and --all-layers go with --model DIR, not with FILE")
            }
            if inputs != nil && tokens != nil { throw ValidationError("give either --inputs or --tokens, not both") }
            return
        }
        guard file == nil else { throw ValidationError("give either a checkpoint FILE or --model DIR, not both") }
        switch (layer, allLayers) {
        case (nil, false): throw ValidationError("--model needs --layer I or --all-layers")
        case (_?, true): throw ValidationError("give either --layer or --all-layers, not both")
        case (let l?, false) where l < 0: throw ValidationError("--layer must be at least 0 (got \(l))")
        default: break
        }
        if inputs != nil && tokens != nil { throw ValidationError("give either --inputs or --tokens, not both") }
    }
}
