import Analysis
import ArgumentParser
import Checkpoint
import Foundation

/// `analyze crosscheck`: a checkpoint's reference tensors against the Swift layer, and the
/// trained-layer analysis (Jacobian excess rank, DAG structure, routing).
struct CrosscheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crosscheck",
        abstract: "Check a DAG-MoE checkpoint tensor by tensor, and analyse its Jacobians and learned DAGs.",
        discussion: """
        FILE is a safetensors checkpoint in the layout of docs/checkpoint-format.md. When it holds ref.x, \
        the layer is recomputed on ref.x (in Float64 from the stored weights unless --precision float32) \
        and every ref.* tensor is compared: ref.topk exactly, the others by max_rel = max|got − ref| / \
        max|ref| against a tolerance (forward 1e-4, backward 1e-3 in Float64; twice that in Float32). \
        Exit status 0 on PASS, 1 on FAIL; 0 when there is nothing to compare. The analysis runs in \
        Float64 on: --tokens N standard normal tokens; or the tokens of --inputs FILE; or, for a file of \
        `analyze train`, the task's held-out batch rebuilt from its metadata; or ref.x; else 64 random \
        tokens. The output says which. Capability (the Jacobian rank test: what the layer can express) \
        and usage (the module's share of the output, the edge gates across tokens, and ablations: the \
        module removed, edge gates made constant, hardened or shuffled across tokens) are separate verdicts. \
        With --model DIR instead of FILE, a layer of a Hugging Face MoE model (docs/model-layouts.md).
        """
    )

    @Argument(help: ArgumentHelp("The checkpoint.", valueName: "FILE"))
    var file: String?

    @OptionGroup(title: "Model layers")
    var model: ModelCrosscheckOptions

    @Option(help: "float64 or float32: the precision the layer is recomputed in for the comparison.")
    var precision = "float64"

    @Option(name: .customLong("tol-forward"), help: "Bound on max_rel for y, gates, edge gates and losses.")
    var tolForward: Double?

    @Option(name: .customLong("tol-backward"), help: "Bound on max_rel for ref.grad_x and ref.grad.*.")
    var tolBackward: Double?

    @Option(help: "Analyse N random N(0, 1) tokens instead of ref.x.")
    var tokens: Int?

    @Option(help: "Seed of the random tokens.")
    var seed: UInt64 = 0

    @Option(name: .customLong("jacobian-tokens"), help: "Tokens in the Jacobian excess-rank test (0 skips it).")
    var jacobianTokens = 16

    @Option(name: .customLong("rank-rtol"), help: "Rank tolerance relative to ‖J‖₂ in the excess-rank test.")
    var rankRtol = ExcessRankAnalysis.defaultRelativeTolerance

    @Option(name: .customLong("shuffle-seed"), help: "Seed of the token permutation in the shuffled-gates ablation.")
    var shuffleSeed: UInt64 = 0

    @Option(name: .customLong("dump-gates"), help: ArgumentHelp(
        "Write per-token selections, gates, edge gates and module shares here (safetensors).", valueName: "file.safetensors"))
    var dumpGates: String?

    @Option(name: .customLong("gate-plot"), help: ArgumentHelp("Write the edge-gate histogram per round here (SVG).",
                                                                valueName: "file.svg"))
    var gatePlot: String?

    @Option(help: "text, json, csv or markdown (csv and markdown: the tensor table).")
    var format: OutputFormat = .text

    static let maxTokens = 1 << 20

    func validate() throws {
        guard ComputePrecision(rawValue: precision) != nil else {
            throw ValidationError("--precision must be float64 or float32 (got \(precision))")
        }
        for (name, value) in [("--tol-forward", tolForward), ("--tol-backward", tolBackward), ("--rank-rtol", rankRtol)] {
            if let value, !(value >= 0 && value.isFinite) {
                throw ValidationError("\(name) must be a finite number ≥ 0 (got \(value))")
            }
        }
        if let tokens, !(1...CrosscheckCommand.maxTokens).contains(tokens) {
            throw ValidationError("--tokens must be between 1 and \(CrosscheckCommand.maxTokens) (got \(tokens))")
        }
        guard jacobianTokens >= 0 else { throw ValidationError("--jacobian-tokens must be at least 0 (got \(jacobianTokens))") }
        try model.validate(file: file, tokens: tokens)
        if model.model != nil && (dumpGates != nil || gatePlot != nil) {
            throw ValidationError("--dump-gates and --gate-plot go with a checkpoint FILE, not with --model")
        }
    }

    func run() throws {
        guard let file else { return try runModel() }
        let outputs = try planOutputs(["dump-gates": dumpGates, "gate-plot": gatePlot], inputs: [file, model.inputs])
        var options = CheckpointAnalysis.Options()
        options.precision = ComputePrecision(rawValue: precision) ?? .float64
        options.tolForward = tolForward
        options.tolBackward = tolBackward
        options.tokens = tokens
        options.seed = seed
        options.jacobianTokens = jacobianTokens
        options.rankRtol = rankRtol
        options.inputsFile = model.inputs
        options.maxInputTokens = CrosscheckCommand.maxTokens
        options.shuffleSeed = shuffleSeed
        let report = try CheckpointAnalysis.run(path: file, options: options)
        if let dumpGates {
            let data: Data
            do { data = try GateDump.writer(report).data() } catch { throw UsageError("cannot write \(dumpGates): \(error)") }
            try outputs.write(data, option: "dump-gates")
        }
        if gatePlot != nil { try outputs.write(CrosscheckOutput.gatePlot(report), option: "gate-plot") }
        print(CrosscheckOutput(report: report).render(format), terminator: "")
        if report.pass == false {
            throw CrosscheckFailure(failed: report.comparison?.checks.filter { !$0.ok }.map(\.name) ?? [])
        }
    }
}

extension CrosscheckCommand: WritesFiles {
    static let outputOptions: [(name: String, fileExtension: String?)] = [("dump-gates", "safetensors"), ("gate-plot", "svg")]
}

/// The exit-1 outcome of a crosscheck that ran but did not pass (reported as one stderr line).
struct CrosscheckFailure: Error, CustomStringConvertible {
    let failed: [String]
    var description: String {
        let shown = failed.prefix(5).joined(separator: ", ")
        return "crosscheck FAILED: \(failed.count) tensor(s) outside tolerance: \(shown)\(failed.count > 5 ? ", …" : "")"
    }
}
