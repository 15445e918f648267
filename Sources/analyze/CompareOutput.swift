import Analysis
import Foundation
import MoE
import Report

/// Tables, JSON, CSV and the SVG of `analyze compare`.
enum CompareOutput {
    /// What the comparison ran, for the header lines and JSON.
    struct Setup {
        let task: SyntheticTask
        let flags: TrainFlags
        let seeds: Int
        let match: CompareModels.Matching
        let sweep: String?
        let plot: String
    }

    static func variance(_ points: [ComparePoint]) -> Double { points.first?.rows.first?.results.first?.heldOutVariance ?? .nan }

    /// One row per model (per point with --sweep), for text and markdown.
    static func table(_ points: [ComparePoint]) -> Table {
        let swept = points.first?.label != nil
        var table = Table(header: (swept ? ["point"] : []) + ["model", "parameters", "FLOPs/token", "final held-out loss",
                                                              "95% interval", "relative"],
                          alignments: (swept ? [.left] : []) + [.left, .right, .right, .right, .right, .right])
        let v = variance(points)
        for point in points {
            for row in point.rows {
                let s = SampleSummary(row.finalLosses)
                let interval = s.interval95.map { String(format: "%.4f…%.4f", $0.low, $0.high) } ?? "n/a"
                table.append((swept ? [point.label ?? ""] : []) + [
                    row.spec.name, Numbers.grouped(row.spec.parameterCount), Numbers.grouped(row.spec.flopsPerToken),
                    "\(String(format: "%.4f", s.mean)) ± \(String(format: "%.4f", s.std))", interval,
                    String(format: "%.3f", s.mean / v)])
            }
        }
        return table
    }

    /// One row per point: each model's mean, then the paired test of the DAG model against its baseline.
    static func sweepTable(_ points: [ComparePoint]) -> Table {
        // Model names as columns; where they change from point to point (a depth sweep), the
        // DAG column is "dag" and the point names its depth.
        let first = points.first?.rows.map(\.spec.name) ?? []
        let same = points.allSatisfy { $0.rows.map(\.spec.name) == first }
        let names = same ? first : (points.first?.rows.map { $0.spec.aggregator == .dag ? "dag" : $0.spec.name } ?? [])
        var table = Table(header: ["point"] + names + ["dag − ws+shared", "p"],
                          alignments: [.left] + names.map { _ in .right } + [.right, .right])
        for point in points {
            let pair = point.pair
            table.append([point.label ?? ""] + point.rows.map { String(format: "%.4f", $0.mean) } + [
                pair.map { String(format: "%+.4f", $0.test.differences.mean) } ?? "n/a",
                pair?.test.p.map { String(format: "%.3g", $0) } ?? "n/a"])
        }
        return table
    }

    /// The numeric table: one row per (point, model), plain numbers, mean and std in their own columns.
    static func numericTable(_ points: [ComparePoint]) -> Table {
        var table = Table(header: ["point", "model", "aggregator", "dag_layers", "shared_d_ff", "chain_iterations",
                                   "parameters", "flops_per_token", "seeds", "mean", "std", "ci95_low", "ci95_high",
                                   "relative", "paired_diff", "paired_p"])
        let v = variance(points)
        for point in points {
            let pair = point.pair
            for row in point.rows {
                let s = SampleSummary(row.finalLosses)
                let isDAG = pair.map { $0.dag.spec.name == row.spec.name } ?? false
                table.append([point.label ?? "", row.spec.name, row.spec.aggregator.rawValue, String(row.spec.config.dagLayers),
                              String(row.spec.config.sharedDFF), String(row.spec.iterations), String(row.spec.parameterCount),
                              String(row.spec.flopsPerToken), String(s.count), Numbers.sixDigits(s.mean), Numbers.sixDigits(s.std),
                              s.interval95.map { Numbers.sixDigits($0.low) } ?? "", s.interval95.map { Numbers.sixDigits($0.high) } ?? "",
                              Numbers.sixDigits(s.mean / v),
                              isDAG ? pair.map { Numbers.sixDigits($0.test.differences.mean) } ?? "" : "",
                              isDAG ? pair?.test.p.map(Numbers.sixDigits) ?? "" : ""])
            }
        }
        return table
    }

    static func pairedText(_ point: ComparePoint, match: CompareModels.Matching) -> String {
        guard let pair = point.pair else { return "" }
        let t = pair.test, d = t.differences
        var out = "paired test over \(d.count) seeds (same seeds, same data): \(pair.dag.spec.name) − \(pair.baseline.spec.name) "
        out += "(matched by \(match == .flops ? "FLOPs per token" : "parameters")): mean difference "
        out += String(format: "%+.4f", d.mean)
        if let i = d.interval95 { out += String(format: " (95%% interval %+.4f…%+.4f)", i.low, i.high) }
        if let p = t.p {
            out += String(format: ", t = %.3f, df = %d, p = %.3g", t.t, t.degreesOfFreedom, p)
            out += p < 0.05 ? (d.mean < 0 ? ": the DAG model is better" : ": the baseline is better")
                : ": no significant difference at the 5% level"
        } else {
            out += ": one seed, no test"
        }
        return out + "\n"
    }

    static func render(_ points: [ComparePoint], setup: Setup, format: OutputFormat) -> String {
        let f = setup.flags, task = setup.task
        switch format {
        case .csv: return numericTable(points).csv()
        case .markdown: return table(points).markdown()
        case .json: return json(points, setup: setup).rendered() + "\n"
        case .text:
            var out = """
            task \(task.kind.rawValue): F = \(task.functionCount) hidden functions, d = \(f.d) \
            (content \(task.contentWidth)), N = \(f.n), K = \(f.k), d_ff = \(f.dFF), d_g = \(f.dG)\
            \(f.edgeScorer == .bilinear ? ", bilinear edge scorer" : ""); \
            \(f.steps) steps × \(f.batch) tokens, seeds 1…\(setup.seeds)\(setup.sweep.map { "; sweep \($0)" } ?? "")
            held-out loss: MSE on \(f.evalTokens) held-out tokens; relative = loss / target variance \
            (\(Numbers.short(variance(points)))); ws+shared matched to the deepest DAG model in \
            \(setup.match == .flops ? "FLOPs per token" : "parameters"); FLOPs = 2 × multiply-adds of the forward pass

            \(table(points).text())
            """
            if setup.sweep != nil {
                out += "\nper point (mean final held-out loss; dag − ws+shared: paired mean difference and its p):\n"
                out += sweepTable(points).text() + "\n"
                for point in points { out += (point.label ?? "") + ": " + pairedText(point, match: setup.match) }
            } else if let point = points.first {
                out += "\n" + pairedText(point, match: setup.match)
            }
            return out + "curves: \(setup.plot)\n"
        }
    }

    static func json(_ points: [ComparePoint], setup: Setup) -> JSON {
        let f = setup.flags
        func modelJSON(_ row: CompareRow) -> JSON {
            let s = SampleSummary(row.finalLosses)
            return .object([("model", .string(row.spec.name)), ("aggregator", .string(row.spec.aggregator.rawValue)),
                            ("parameters", .int(row.spec.parameterCount)), ("flops_per_token", .int(row.spec.flopsPerToken)),
                            ("dag_layers", .int(row.spec.config.dagLayers)), ("d_g", .int(row.spec.config.dG)),
                            ("k", .int(row.spec.config.topK)), ("n", .int(row.spec.config.nExperts)),
                            ("shared_d_ff", .int(row.spec.config.sharedDFF)),
                            ("chain_iterations", .int(row.spec.iterations)),
                            ("final_heldout_loss", .array(row.finalLosses.map(JSON.double))),
                            ("mean", .double(s.mean)), ("std", .double(s.std)),
                            ("ci95", s.interval95.map { .array([.double($0.low), .double($0.high)]) } ?? .null)])
        }
        func pairJSON(_ point: ComparePoint) -> JSON {
            guard let pair = point.pair else { return .null }
            let d = pair.test.differences
            return .object([("a", .string(pair.dag.spec.name)), ("b", .string(pair.baseline.spec.name)),
                            ("matched_by", .string(setup.match.rawValue)), ("mean_difference", .double(d.mean)),
                            ("std_difference", .double(d.std)),
                            ("ci95", d.interval95.map { .array([.double($0.low), .double($0.high)]) } ?? .null),
                            ("t", .double(pair.test.t)), ("df", .int(pair.test.degreesOfFreedom)),
                            ("p", pair.test.p.map(JSON.double) ?? .null)])
        }
        var pairs: [(String, JSON)] = [
            ("task", .string(setup.task.kind.rawValue)), ("functions", .int(setup.task.functionCount)),
            ("d", .int(f.d)), ("n", .int(f.n)), ("k", .int(f.k)), ("d_ff", .int(f.dFF)),
            ("d_g", .int(f.dG)), ("edge_scorer", .string(f.edgeScorer.rawValue)), ("steps", .int(f.steps)),
            ("batch", .int(f.batch)), ("seeds", .int(setup.seeds)), ("match", .string(setup.match.rawValue)),
            ("heldout_target_variance", .double(variance(points))), ("plot", .string(setup.plot)),
        ]
        if let sweep = setup.sweep {
            pairs.append(("sweep", .string(sweep)))
            pairs.append(("points", .array(points.map { point in
                .object([("point", .string(point.label ?? "")), ("models", .array(point.rows.map(modelJSON))),
                         ("paired", pairJSON(point))])
            })))
        } else if let point = points.first {
            pairs.append(("models", .array(point.rows.map(modelJSON))))
            pairs.append(("paired", pairJSON(point)))
        }
        return .object(pairs)
    }

    /// Mean held-out loss per model against the step (log scale), the range over seeds shaded;
    /// steps before `from` left out. With a sweep, the DAG model and its baseline at each point.
    static func plot(_ points: [ComparePoint], task: SyntheticTask, from: Int) -> String {
        var series: [SVGPlot.Series] = []
        for point in points {
            let rows = point.label == nil ? point.rows : point.pair.map { [$0.dag, $0.baseline] } ?? point.rows
            for row in rows {
                let curve = row.seedCurves.filter { $0.step >= from }
                series.append(SVGPlot.Series(name: (point.label.map { $0 + " " } ?? "") + row.spec.name,
                                             points: curve.map { (Double($0.step), CompareRow.mean($0.losses)) },
                                             band: curve.map { (Double($0.step), $0.losses.min() ?? .nan, $0.losses.max() ?? .nan) }))
            }
        }
        let seeds = points.first?.rows.first?.results.count ?? 0
        return SVGPlot(title: "\(task.kind.rawValue): held-out loss (mean over \(seeds) seeds, range shaded)", xLabel: "step",
                       yLabel: "held-out MSE (log10)", series: series, logY: true).render()
    }

    /// Every run's curve: point, model, seed, step, train and held-out loss.
    static func curvesCSV(_ points: [ComparePoint]) -> String {
        var table = Table(header: ["point", "model", "seed", "step", "train_loss", "heldout_loss"])
        for point in points {
            for row in point.rows {
                for (i, result) in row.results.enumerated() {
                    for p in result.points {
                        table.append([point.label ?? "", row.spec.name, String(i + 1), String(p.step),
                                      Numbers.sixDigits(p.trainLoss), Numbers.sixDigits(p.heldOutLoss)])
                    }
                }
            }
        }
        return table.csv()
    }
}
