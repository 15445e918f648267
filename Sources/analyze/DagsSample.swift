import ArgumentParser
import Checkpoint
import Combinatorics
import Foundation
import MoE
import Report

/// `analyze dags --realizable --sample N`: threshold the spec's edge gates on sampled layers
/// and inputs and compare the patterns seen with the lonesum class.
struct DagsSampleOptions: ParsableArguments {
    @Option(help: "Sample this many tokens and threshold their edge gates (k ≤ \(DagsSampleOptions.maxK)).")
    var sample: Int?

    @Option(name: .customLong("d-g"), help: "Width d_g of the random DAG modules sampled (free weights).")
    var dG = 2

    @Option(name: .customLong("d"), help: "Token width d of the random layers sampled (free weights).")
    var d = 8

    @Option(help: "Rounds L of the random layers sampled (free weights).")
    var rounds = 1

    @Option(help: "Edge scorer of the random layers sampled: additive (the spec's) or bilinear (extension).")
    var scorer: LayerExtensions.EdgeScorer = .additive

    @Option(help: ArgumentHelp("Sample this fixed layer (a spec checkpoint) instead of random weights.", valueName: "file"))
    var layer: String?

    @Option(help: "Seed of the sampled weights and inputs.")
    var seed: UInt64 = 0

    /// Largest k sampled: the lonesum class is listed by testing all 2^(k²) patterns.
    static let maxK = 5
    /// Tokens per random layer.
    static let tokensPerLayer = 64

    func validate(k: Int) throws {
        guard let sample, sample >= 1, sample <= 10_000_000 else {
            throw ValidationError("--sample must be between 1 and 10000000 tokens")
        }
        guard k <= DagsSampleOptions.maxK else { throw ValidationError("--sample needs --k ≤ \(DagsSampleOptions.maxK) (got \(k))") }
        guard dG >= 1, d >= 1, (1...16).contains(rounds) else {
            throw ValidationError("--d-g and --d must be at least 1 and --rounds between 1 and 16")
        }
    }
}

extension DagsCommand {
    func runSample() throws {
        let tokens = sampling.sample!
        let rounds: [Set<UInt64>]
        let what: String
        let additive: Bool
        if let path = sampling.layer {
            let parameters: Parameters<Double>
            do { parameters = try LayerCheckpoint(path: path).parameters(Double.self) } catch {
                throw UsageError("\(path): \(error)")
            }
            guard parameters.config.topK == k else {
                throw UsageError("\(path) selects K = \(parameters.config.topK) experts; give --k \(parameters.config.topK)")
            }
            guard parameters.config.dagLayers >= 1 else { throw UsageError("\(path) has no DAG rounds (L = 0)") }
            additive = parameters.config.extensions.edgeScorer == .additive
            rounds = EdgePatternSampling.fixed(try DAGMoELayer(parameters: parameters), tokens: tokens, seed: sampling.seed)
            let c = parameters.config
            what = "one fixed layer \(path) (d = \(c.dModel), d_g = \(c.dG), L = \(c.dagLayers)) on \(tokens) random tokens: what this layer does realize"
        } else {
            additive = sampling.scorer == .additive
            let layers = (tokens + DagsSampleOptions.tokensPerLayer - 1) / DagsSampleOptions.tokensPerLayer
            rounds = try EdgePatternSampling.free(k: k, d: sampling.d, dG: sampling.dG, rounds: sampling.rounds, layers: layers,
                                                  tokensPerLayer: DagsSampleOptions.tokensPerLayer, seed: sampling.seed,
                                                  scorer: sampling.scorer)
            what = "\(layers) random layers (d = \(sampling.d), d_g = \(sampling.dG), L = \(sampling.rounds), \(sampling.scorer.rawValue) scorer) × "
                + "\(DagsSampleOptions.tokensPerLayer) random tokens: what the architecture can realize"
        }
        let summaries = rounds.map { PatternSampleSummary(k: k, observed: $0) }
        print(DagsOutput.sample(summaries, what: what, format: format), terminator: "")
        // The spec's additive scorer must stay lonesum; a bilinear one is meant to leave the class.
        if additive, let bad = summaries.first(where: { !$0.outside.isEmpty }) {
            throw UsageError("\(bad.outside.count) sampled patterns are not lonesum")
        }
    }
}

extension DagsOutput {
    /// One row per round: patterns seen against the lonesum class.
    static func sample(_ summaries: [PatternSampleSummary], what: String, format: DagsFormat) -> String {
        if format == .json {
            return JSON.object([
                ("sampled", .string(what)),
                ("rounds", .array(summaries.map { s in
                    .object([("observed", .int(s.observed)), ("lonesum", .int(s.lonesum)), ("acyclic", .int(s.acyclic)),
                             ("lonesum_class", .int(s.classSize)), ("covers_class", .bool(s.coversClass)),
                             ("outside", .array(s.outside.map { .string(String($0, radix: 16)) }))])
                })),
            ]).rendered() + "\n"
        }
        var t = Table(header: ["round", "patterns seen", "lonesum", "not lonesum", "acyclic", "lonesum class (A048163)", "all hit"],
                      alignments: [.right, .right, .right, .right, .right, .right, .left])
        for (l, s) in summaries.enumerated() {
            t.append([String(l), Numbers.grouped(s.observed), Numbers.grouped(s.lonesum), String(s.outside.count),
                      Numbers.grouped(s.acyclic), Numbers.grouped(s.classSize), s.coversClass ? "yes" : "no"])
        }
        return "thresholded edge gates [e_ij > 1/2] of k = \(summaries.first?.k ?? 0) nodes, sampled over \(what)\n\n" + t.text()
    }
}

extension LayerExtensions.EdgeScorer: ExpressibleByArgument {}
