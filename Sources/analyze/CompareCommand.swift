import ArgumentParser
import Foundation
import MoE
import Report

/// `analyze compare`: the paper's comparison on one synthetic task, over several seeds.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Weighted sum (± matched shared expert), DAG-MoE L = 1, 2 and a chain on one task, over seeds.",
        discussion: """
        Trains each model with seeds 1…S on the same task (same hidden functions and held-out batch) and \
        prints parameters, the final held-out loss (mean ± sample std over seeds), that loss relative to \
        the target variance, and training steps per second. ws+shared has a shared SwiGLU expert with as \
        many parameters as the L = 2 DAG module (rounded to a whole hidden unit). The SVG shows the mean \
        held-out loss against the step. See docs/training.md.
        """
    )

    @OptionGroup var flags: TrainFlags

    @Option(help: "Seeds per model (1…S).") var seeds = 3
    @Option(name: .customLong("chain-iterations"), help: "Iterations C of the chain baseline.") var chainIterations = 2
    @Option(help: ArgumentHelp("Write the learning curves as SVG here (default compare-TASK.svg).", valueName: "file.svg"))
    var plot: String?
    @Option(help: ArgumentHelp("Write every run's curve as CSV here.", valueName: "file.csv")) var csv: String?
    @Option(help: "text, json, csv or markdown.") var format: OutputFormat = .text

    func validate() throws {
        guard (1...100).contains(seeds) else { throw ValidationError("--seeds must be in 1...100 (got \(seeds))") }
        guard (1...16).contains(chainIterations) else {
            throw ValidationError("--chain-iterations must be in 1...16 (got \(chainIterations))")
        }
    }

    func run() throws {
        let task = try flags.makeTask()
        let specs = CompareModels.specs(base: flags.config(depth: 0), chainIterations: chainIterations,
                                        edgeScorer: flags.edgeScorer)
        let bar = ProgressBar("compare \(task.kind.rawValue)", total: specs.count * seeds * flags.steps)
        var rows: [CompareRow] = []
        for (m, spec) in specs.enumerated() {
            var results: [TrainingResult] = []
            for seed in 1...seeds {
                let before = (m * seeds + seed - 1) * flags.steps
                let (result, _) = try spec.train(task: task, options: flags.options, seed: UInt64(seed)) { p in
                    if p.step % 20 == 0 {
                        bar.update(before + p.step, note: "\(spec.name) seed \(seed) loss \(Numbers.short(p.runningLoss))")
                    }
                }
                results.append(result)
            }
            rows.append(CompareRow(spec: spec, results: results))
        }
        bar.finish()
        let plotPath = plot ?? "compare-\(task.kind.rawValue).svg"
        try writeFile(CompareOutput.plot(rows, task: task), to: plotPath)
        if let csv { try writeFile(CompareOutput.curvesCSV(rows), to: csv) }
        print(CompareOutput.render(rows, task: task, flags: flags, seeds: seeds, plot: plotPath, format: format),
              terminator: "")
    }
}

extension CompareCommand: WritesFiles {
    static let outputOptions: [(name: String, fileExtension: String?)] = [("plot", "svg"), ("csv", "csv")]
    var defaultOutputs: [String: String] { plot == nil ? ["plot": "compare-\(flags.task.rawValue).svg"] : [:] }
}
