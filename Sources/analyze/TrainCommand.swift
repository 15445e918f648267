import ArgumentParser
import Checkpoint
import Foundation
import MoE
import Report

/// `analyze train`: fit one layer to a synthetic task and save it.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train one layer (ws, dag or chain) on a synthetic task; write a safetensors checkpoint.",
        discussion: """
        Float32, AdamW with gradient clipping, the spec's initialisation (`up` = 0), seeded. The loss is the \
        mean squared error on the token's content slice plus the auxiliary losses. A progress bar with the \
        running loss goes to stderr; --csv writes the learning curve. The checkpoint is in the spec's \
        layout with ref.* tensors on 8 held-out tokens, so `analyze crosscheck FILE` verifies it, and with \
        the task's name, seeds and held-out size, so that crosscheck analyses the layer on that held-out \
        batch; --edge-scorer bilinear gives the DAG rounds the bilinear edge score. A chain \
        saves iteration 0 under the spec names and its other routers as chain.{c}.router.weight. \
        See docs/training.md.
        """
    )

    @OptionGroup var flags: TrainFlags

    @Option(help: "ws, dag or chain.") var aggregator: Aggregator = .dag
    @Option(help: "DAG rounds L for --aggregator dag.") var depth = 1
    @Option(name: .customLong("shared-d-ff"), help: "Hidden width of a shared expert (0 = none; not for chain).")
    var sharedDFF = 0
    @Option(name: .customLong("chain-iterations"), help: "Iterations C for --aggregator chain.") var chainIterations = 2
    @Option(help: "Seed of the initialisation and the training batches.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Write the trained layer here.", valueName: "file.safetensors")) var out: String
    @Option(help: ArgumentHelp("Write the learning curve as CSV here.", valueName: "file.csv")) var csv: String?
    @Option(help: "text or json.") var format: SummaryFormat = .text

    func validate() throws {
        guard sharedDFF >= 0 else { throw ValidationError("--shared-d-ff must be at least 0 (got \(sharedDFF))") }
        switch aggregator {
        case .dag:
            guard depth >= 1 else { throw ValidationError("--depth must be at least 1 for dag (got \(depth))") }
            for tokens in [flags.batch, flags.evalTokens] {
                try OptionLimits.checkRounds(tokens: tokens, k: flags.k, dG: flags.dG, depth: depth, tokensOption: "--batch/--eval-tokens")
            }
        case .chain:
            guard chainIterations >= 1 else { throw ValidationError("--chain-iterations must be at least 1 (got \(chainIterations))") }
            guard sharedDFF == 0 else { throw ValidationError("--shared-d-ff is not available for chain") }
        case .ws: break
        }
        if flags.edgeScorer != .additive && aggregator != .dag {
            throw ValidationError("--edge-scorer \(flags.edgeScorer.rawValue) needs --aggregator dag (only DAG rounds score edges)")
        }
    }

    var spec: ModelSpec {
        switch aggregator {
        case .ws:
            return ModelSpec(name: sharedDFF > 0 ? "ws+shared" : "ws", aggregator: .ws,
                             config: flags.config(depth: 0, sharedDFF: sharedDFF), iterations: 1)
        case .dag:
            return ModelSpec(name: "dag L=\(depth)", aggregator: .dag,
                             config: flags.config(depth: depth, sharedDFF: sharedDFF), iterations: 1)
        case .chain:
            return ModelSpec(name: "chain C=\(chainIterations)", aggregator: .chain,
                             config: flags.config(depth: 0), iterations: chainIterations)
        }
    }

    func run() throws {
        let outputs = try planOutputs(["out": out, "csv": csv])
        let task = try flags.makeTask()
        let spec = self.spec
        let bar = ProgressBar("train \(spec.name)", total: flags.steps)
        let (result, model) = try spec.train(task: task, options: flags.options, seed: seed) { p in
            if p.step % 10 == 0 || p.step == p.steps { bar.update(p.step, note: "loss \(Numbers.short(p.runningLoss))") }
        }
        bar.finish()
        let metadata = TrainedCheckpoint.metadata(task: task, spec: spec, seed: seed, batchTokens: flags.batch,
                                                  learningRate: flags.lr, heldOutTokens: flags.evalTokens, result: result)
        let checkpoint: Data
        do { checkpoint = try TrainedCheckpoint.writer(model, task: task, metadata: metadata).data() } catch {
            throw UsageError("cannot save \(out): \(error)")
        }
        try outputs.write(checkpoint, option: "out")
        if csv != nil { try outputs.write(TrainOutput.curveCSV(result), option: "csv") }
        print(TrainOutput.summary(spec: spec, task: task, seed: seed, result: result, checkpoint: out, format: format),
              terminator: "")
        if result.diverged { throw UsageError("training diverged (non-finite loss at step \(result.stepsDone)); try a smaller --lr") }
    }
}

extension TrainCommand: WritesFiles {
    static let outputOptions: [(name: String, fileExtension: String?)] = [("out", "safetensors"), ("csv", "csv")]
}
