import Foundation
import MoE
import Report

/// Tables, JSON, CSV and the SVG of `analyze compare`.
enum CompareOutput {
    static func table(_ rows: [CompareRow]) -> Table {
        var table = Table(header: ["model", "parameters", "final held-out loss", "relative"],
                          alignments: [.left, .right, .right, .right])
        let variance = rows.first?.results.first?.heldOutVariance ?? .nan
        for row in rows {
            table.append([row.spec.name, Numbers.grouped(row.spec.parameterCount),
                          "\(String(format: "%.4f", row.mean)) ± \(String(format: "%.4f", row.std))",
                          String(format: "%.3f", row.mean / variance)])
        }
        return table
    }

    static func render(_ rows: [CompareRow], task: SyntheticTask, flags: TrainFlags, seeds: Int, plot: String,
                       format: OutputFormat) -> String {
        let variance = rows.first?.results.first?.heldOutVariance ?? .nan
        switch format {
        case .csv: return table(rows).csv()
        case .markdown: return table(rows).markdown()
        case .json:
            return JSON.object([
                ("task", .string(task.kind.rawValue)), ("functions", .int(task.functionCount)),
                ("d", .int(flags.d)), ("n", .int(flags.n)), ("k", .int(flags.k)), ("d_ff", .int(flags.dFF)),
                ("d_g", .int(flags.dG)), ("steps", .int(flags.steps)), ("batch", .int(flags.batch)),
                ("seeds", .int(seeds)), ("heldout_target_variance", .double(variance)), ("plot", .string(plot)),
                ("models", .array(rows.map { row in
                    .object([("model", .string(row.spec.name)), ("aggregator", .string(row.spec.aggregator.rawValue)),
                             ("parameters", .int(row.spec.parameterCount)),
                             ("dag_layers", .int(row.spec.config.dagLayers)),
                             ("shared_d_ff", .int(row.spec.config.sharedDFF)),
                             ("chain_iterations", .int(row.spec.iterations)),
                             ("final_heldout_loss", .array(row.finalLosses.map(JSON.double))),
                             ("mean", .double(row.mean)), ("std", .double(row.std))])
                })),
            ]).rendered() + "\n"
        case .text:
            return """
            task \(task.kind.rawValue): F = \(task.functionCount) hidden functions, d = \(flags.d) \
            (content \(task.contentWidth)), N = \(flags.n), K = \(flags.k), d_ff = \(flags.dFF), d_g = \(flags.dG); \
            \(flags.steps) steps × \(flags.batch) tokens, seeds 1…\(seeds)
            held-out loss: MSE on \(flags.evalTokens) held-out tokens; relative = loss / target variance \
            (\(Numbers.short(variance)))

            \(table(rows).text())
            curves: \(plot)

            """
        }
    }

    /// Mean held-out loss per model against the step (log scale).
    static func plot(_ rows: [CompareRow], task: SyntheticTask) -> String {
        SVGPlot(title: "\(task.kind.rawValue): held-out loss (mean over seeds)", xLabel: "step",
                yLabel: "held-out MSE (log10)",
                series: rows.map { row in
                    SVGPlot.Series(name: row.spec.name, points: row.meanCurve.map { (Double($0.step), $0.loss) })
                }, logY: true).render()
    }

    /// Every run's curve: model, seed, step, train and held-out loss.
    static func curvesCSV(_ rows: [CompareRow]) -> String {
        var table = Table(header: ["model", "seed", "step", "train_loss", "heldout_loss"])
        for row in rows {
            for (i, result) in row.results.enumerated() {
                for p in result.points {
                    table.append([row.spec.name, String(i + 1), String(p.step), Numbers.sixDigits(p.trainLoss),
                                  Numbers.sixDigits(p.heldOutLoss)])
                }
            }
        }
        return table.csv()
    }
}
