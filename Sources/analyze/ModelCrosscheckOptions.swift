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

    @Option(help: ArgumentHelp("MoE layers A to B of --model (both included), one row per layer.", valueName: "A-B"))
    var layers: String?

    @Option(help: ArgumentHelp("""
        Of the MoE layers chosen (--all-layers or --layers), the i-th of N contiguous parts, i from 0: \
        one cluster array task each; merge their --format json outputs with `analyze report`.
        """, valueName: "i/N"))
    var shard: String?

    @Option(help: ArgumentHelp("""
        Inputs: a safetensors file with layers.{i}.x per layer or x for every layer, [T, d]; with --model, \
        layers.{i}.moe_out and layers.{i}.topk, when present, are compared with the layer's output. With \
        FILE, the analysis runs on x (or layers.0.x).
        """, valueName: "FILE"))
    var inputs: String?

    @Option(name: .customLong("rank-method"), help: ArgumentHelp("""
        How the excess-rank test finds rank(R): dense (d×d matrices of the whole layer in Float64), \
        matrix-free (randomized range finder on R·v and Rᵀ·u, one token's K experts in memory), \
        or auto (dense for d ≤ 256).
        """, valueName: "auto|dense|matrix-free"))
    var rankMethod: ExcessRankAnalysis.Method = .auto

    /// Exactly one of FILE and --model; with --model, exactly one of --layer and
    /// --all-layers; at most one of --inputs and --tokens.
    func validate(file: String?, tokens: Int?) throws {
        guard let _ = model else {
            guard file != nil else { throw ValidationError("give a checkpoint FILE or --model DIR") }
            if layer != nil || allLayers || layers != nil || shard != nil || rankMethod != .auto {
                throw ValidationError("--layer, --all-layers, --layers, --shard and --rank-method go with --model DIR, not with FILE")
            }
            if inputs != nil && tokens != nil { throw ValidationError("give either --inputs or --tokens, not both") }
            return
        }
        guard file == nil else { throw ValidationError("give either a checkpoint FILE or --model DIR, not both") }
        switch [layer != nil, allLayers, layers != nil].filter({ $0 }).count {
        case 0: throw ValidationError("--model needs --layer I, --layers A-B or --all-layers")
        case 1: break
        default: throw ValidationError("give one of --layer, --layers and --all-layers")
        }
        if let l = layer, l < 0 { throw ValidationError("--layer must be at least 0 (got \(l))") }
        if layer != nil && shard != nil { throw ValidationError("--shard splits --all-layers or --layers, not --layer") }
        _ = try layerRange()
        _ = try shardPart()
        if inputs != nil && tokens != nil { throw ValidationError("give either --inputs or --tokens, not both") }
    }

    /// True when the output is the many-layer report.
    var manyLayers: Bool { allLayers || layers != nil }

    /// --layers A-B as a range, nil without it.
    func layerRange() throws -> ClosedRange<Int>? {
        guard let layers else { return nil }
        let parts = layers.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a >= 0, a <= b else {
            throw ValidationError("--layers must be A-B with 0 ≤ A ≤ B (got '\(layers)')")
        }
        return a...b
    }

    /// --shard i/N as (i, N), nil without it.
    func shardPart() throws -> (index: Int, count: Int)? {
        guard let shard else { return nil }
        let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (0..<n).contains(i) else {
            throw ValidationError("--shard must be i/N with 0 ≤ i < N (got '\(shard)')")
        }
        return (i, n)
    }

    /// The layers to analyse of a model whose MoE layers are `moe`.
    func selectedLayers(moe: [Int]) throws -> [Int] {
        if let layer { return [layer] }
        var chosen = moe
        if let range = try layerRange() {
            chosen = moe.filter(range.contains)
            guard !chosen.isEmpty else {
                throw UsageError("--layers \(range.lowerBound)-\(range.upperBound) holds no MoE layer (MoE layers: "
                                 + ModelCrosscheckOutput.ranges(moe) + ")")
            }
        }
        guard let (i, n) = try shardPart() else { return chosen }
        // Contiguous parts whose sizes differ by at most one; a part may be empty when N > layers.
        let lo = i * chosen.count / n, hi = (i + 1) * chosen.count / n
        return Array(chosen[lo..<hi])
    }
}

extension ExcessRankAnalysis.Method: ExpressibleByArgument {}
