import Analysis
import Checkpoint
import ArgumentParser
import Foundation
import MoE
import Report

extension CompareModels.Matching: ExpressibleByArgument {}

/// `analyze compare`: the paper's comparison on one synthetic task, over seeds, at one point
/// or along a sweep of one size.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Weighted sum (± matched shared expert), DAG-MoE L = 1, 2 and a chain on one task, over seeds.",
        discussion: """
        Trains each model with seeds 1…S on the same task (same hidden functions and held-out batch; seed s \
        gives every model the same training batches) and prints parameters, forward FLOPs per token, the \
        final held-out loss (mean ± sample std over seeds, and its 95% interval, Student t), that loss \
        relative to the target variance (no speed: on a shared machine the runs' steps per second are noise; \
        analyze bench measures speed). ws+shared has a shared SwiGLU \
        expert matched to the deepest DAG model: as many parameters (--match params) or FLOPs per token \
        (--match flops), rounded to a whole hidden unit. A paired t test over the seeds compares that DAG \
        model with ws+shared. --sweep KEY=V1,V2,… (KEY: dg, depth, k or n) repeats the comparison at each \
        value, one row per point. The SVG shows the mean held-out loss against the step with the range \
        over seeds shaded; --plot-from STEP starts it later, to read the final losses. See docs/training.md.
        """
    )

    @OptionGroup var flags: TrainFlags

    @Option(help: "Seeds per model (1…S).") var seeds = 5
    @Option(name: .customLong("chain-iterations"), help: "Iterations C of the chain baseline.") var chainIterations = 2
    @Option(help: "params or flops: what the shared expert of ws+shared is matched to.")
    var match: CompareModels.Matching = .params
    @Option(help: ArgumentHelp("Repeat at each value of one size: dg, depth, k or n, e.g. dg=4,8,16.", valueName: "KEY=V1,V2,…"))
    var sweep: String?
    @Option(help: ArgumentHelp("Write the learning curves as SVG here (default compare-TASK.svg).", valueName: "file.svg"))
    var plot: String?
    @Option(name: .customLong("plot-from"), help: "First step shown in the SVG.") var plotFrom = 0
    @Option(help: ArgumentHelp("Write every run's curve as CSV here.", valueName: "file.csv")) var csv: String?
    @Option(help: "text, json, csv or markdown.") var format: OutputFormat = .text

    func validate() throws {
        guard (1...100).contains(seeds) else { throw ValidationError("--seeds must be in 1...100 (got \(seeds))") }
        guard (1...16).contains(chainIterations) else {
            throw ValidationError("--chain-iterations must be in 1...16 (got \(chainIterations))")
        }
        guard plotFrom >= 0 else { throw ValidationError("--plot-from must be at least 0 (got \(plotFrom))") }
        for point in try sweepPoints() {
            guard point.flags.k <= point.flags.n else {
                throw ValidationError("--sweep \(point.label ?? ""): K = \(point.flags.k) is larger than N = \(point.flags.n)")
            }
            for tokens in [point.flags.batch, point.flags.evalTokens] {
                try OptionLimits.checkRounds(tokens: tokens, k: point.flags.k, dG: point.flags.dG, depth: point.depths.max() ?? 2,
                                             tokensOption: "--batch/--eval-tokens")
            }
        }
    }

    /// One comparison: its label ("dg=4", nil without --sweep), its flags and DAG depths.
    struct Point {
        let label: String?
        let flags: TrainFlags
        let depths: [Int]
    }

    static let sweepKeys = ["dg", "depth", "k", "n"]

    func sweepPoints() throws -> [Point] {
        guard let sweep else { return [Point(label: nil, flags: flags, depths: [1, 2])] }
        let parts = sweep.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, CompareCommand.sweepKeys.contains(parts[0]) else {
            throw ValidationError("--sweep must be KEY=V1,V2,… with KEY one of \(CompareCommand.sweepKeys.joined(separator: ", ")) (got \(TerminalText.escaped(sweep)))")
        }
        let values = parts[1].split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        guard !values.isEmpty, values.count <= 16, values.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 4096 }) else {
            throw ValidationError("--sweep \(parts[0]): give 1 to 16 whole numbers in 1...4096 (got \(TerminalText.escaped(parts[1])))")
        }
        return values.map { v in
            var f = flags, depths = [1, 2]
            switch parts[0] {
            case "dg": f.dG = v!
            case "k": f.k = v!
            case "n": f.n = v!
            default: depths = [v!]
            }
            return Point(label: "\(parts[0])=\(v!)", flags: f, depths: depths)
        }
    }

    func run() throws {
        let plotPath = plot ?? "compare-\(flags.task.rawValue).svg"
        let outputs = try planOutputs(["plot": plotPath, "csv": csv])
        let task = try flags.makeTask()
        let points = try sweepPoints()
        let plans = points.map { point in
            (point, CompareModels.specs(base: point.flags.config(depth: 0), chainIterations: chainIterations,
                                        edgeScorer: flags.edgeScorer, matching: match, depths: point.depths))
        }
        let runs = plans.reduce(0) { $0 + $1.1.count } * seeds
        let bar = ProgressBar("compare \(task.kind.rawValue)", total: runs * flags.steps)
        var done = 0
        var results: [ComparePoint] = []
        for (point, specs) in plans {
            var rows: [CompareRow] = []
            for spec in specs {
                var runs: [TrainingResult] = []
                for seed in 1...seeds {
                    let before = done * flags.steps
                    let (result, _) = try spec.train(task: task, options: point.flags.options, seed: UInt64(seed)) { p in
                        if p.step % 20 == 0 {
                            bar.update(before + p.step, note: "\(point.label.map { $0 + " " } ?? "")\(spec.name) seed \(seed) "
                                       + "loss \(Numbers.short(p.runningLoss))")
                        }
                    }
                    runs.append(result)
                    done += 1
                }
                rows.append(CompareRow(spec: spec, results: runs))
            }
            results.append(ComparePoint(label: point.label, rows: rows))
        }
        bar.finish()
        try outputs.write(CompareOutput.plot(results, task: task, from: plotFrom), option: "plot")
        if csv != nil { try outputs.write(CompareOutput.curvesCSV(results), option: "csv") }
        let setup = CompareOutput.Setup(task: task, flags: flags, seeds: seeds, match: match, sweep: sweep, plot: plotPath)
        print(CompareOutput.render(results, setup: setup, format: format), terminator: "")
    }
}

/// One point of a comparison: every model's runs, and the paired test of the deepest DAG model
/// against the baseline matched to it.
struct ComparePoint {
    let label: String?
    let rows: [CompareRow]

    var pair: (dag: CompareRow, baseline: CompareRow, test: PairedComparison)? {
        guard let (d, b) = CompareModels.matchedPair(rows.map(\.spec)) else { return nil }
        return (rows[d], rows[b], PairedComparison(rows[d].finalLosses, rows[b].finalLosses))
    }
}

extension CompareCommand: WritesFiles {
    static let outputOptions: [(name: String, fileExtension: String?)] = [("plot", "svg"), ("csv", "csv")]
    var defaultOutputs: [String: String] { plot == nil ? ["plot": "compare-\(flags.task.rawValue).svg"] : [:] }
}
