import Analysis
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
        Inputs for --model: a safetensors file with layers.{i}.x per layer or x for every layer, [T, d]; \
        layers.{i}.moe_out and layers.{i}.topk, when present, are compared with the layer's output.
        """, valueName: "FILE"))
    var inputs: String?

    @Option(name: .customLong("rank-method"), help: ArgumentHelp("""
        How the excess-rank test finds rank(R): dense (d×d matrices of the whole layer in Float64), \
        matrix-free (randomized range finder on R·v and Rᵀ·u, one token's K experts in memory), \
        or auto (dense for d ≤ 256).
        """, valueName: "auto|dense|matrix-free"))
    var rankMethod: ExcessRankAnalysis.Method = .auto

    /// Exactly one of FILE and --model; with --model, exactly one of --layer and
    /// --all-layers, and at most one of --inputs and --tokens.
    func validate(file: String?, tokens: Int?) throws {
        guard let _ = model else {
            guard file != nil else { throw ValidationError("give a checkpoint FILE or --model DIR") }
            if layer != nil || allLayers || inputs != nil || rankMethod != .auto {
                throw ValidationError("--layer, --all-layers, --inputs and --rank-method go with --model DIR, not with FILE")
            }
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

extension ExcessRankAnalysis.Method: ExpressibleByArgument {}
