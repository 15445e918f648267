import ArgumentParser
import Checkpoint

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
        Float64 on ref.x, or on --tokens N standard normal tokens (64 when the file has no ref.x). \
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

    @Option(help: "text, json, csv or markdown (csv and markdown: the tensor table).")
    var format: OutputFormat = .text

    static let maxTokens = 1 << 20
    static let defaultTokens = 64

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
    }

    func run() throws {
        guard let file else { return try runModel() }
        let report: CrosscheckReport
        do {
            report = try CrosscheckReport.make(
                path: file, precision: ComputePrecision(rawValue: precision) ?? .float64,
                tolForward: tolForward, tolBackward: tolBackward, tokens: tokens, seed: seed,
                jacobianTokens: jacobianTokens, rankRtol: rankRtol)
        } catch let error as CheckpointError {
            // Name the file unless the message already does.
            switch error {
            case .unreadable, .notFound, .notRegularFile: throw error
            default: break
            }
            throw UsageError("\(file): \(error)")
        }
        print(CrosscheckOutput(report: report).render(format), terminator: "")
        if report.pass == false {
            throw CrosscheckFailure(failed: report.comparison?.checks.filter { !$0.ok }.map(\.name) ?? [])
        }
    }
}

/// The exit-1 outcome of a crosscheck that ran but did not pass (reported as one stderr line).
struct CrosscheckFailure: Error, CustomStringConvertible {
    let failed: [String]
    var description: String {
        let shown = failed.prefix(5).joined(separator: ", ")
        return "crosscheck FAILED: \(failed.count) tensor(s) outside tolerance: \(shown)\(failed.count > 5 ? ", …" : "")"
    }
}
