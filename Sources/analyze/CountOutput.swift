import BigInt
import Combinatorics
import Foundation
import Report

/// Formats ``CombinationCounts`` as text, JSON, CSV or markdown.
///
/// Every row carries the same keys whatever k is: a value that is not computed is `null` in
/// JSON, an empty cell in CSV and markdown, and "n/a" in text.
struct CountOutput {
    let rows: [CombinationCounts]
    let maxDepth: Int
    let full: Bool
    /// Rows from `--k-range` (a range table and a JSON array, even for one row); otherwise one
    /// `--k` (a table of quantities and a JSON object).
    let range: Bool

    /// One reported quantity: its JSON-style key and value.
    typealias Entry = (key: String, value: CountValue)

    /// Keys whose values are sizes of a layer, not counts of combinations: printed as values,
    /// never as log10.
    static let sizeKeys: Set<String> = ["equivalent_experts", "equivalent_granularity"]

    static func entries(_ c: CombinationCounts, maxDepth: Int) -> [Entry] {
        func exact(_ v: BigInt?) -> CountValue { v.map { .exact($0) } ?? .missing }
        var out: [Entry] = [
            ("weighted_sum", exact(c.weightedSum)),
            ("ordered", exact(c.ordered)),
            ("dags.labeled", exact(c.labeledDAGs)),
            ("dags.unlabeled", exact(c.unlabeledDAGs)),
            ("dags.one_sink", exact(c.oneSinkDAGs)),
            ("dags.one_source", exact(c.oneSourceDAGs)),
            ("dags.weakly_connected", exact(c.weaklyConnectedDAGs)),
        ]
        out += c.depthAtMost.map { ("dags.depth_at_most.\($0.depth)", exact($0.count)) }
        out += [
            ("structural", exact(c.structural)),
            ("equivalent_experts", exact(c.equivalentExperts)),
            ("equivalent_granularity", exact(c.equivalentGranularity.map { BigInt($0) })),
        ]
        for ((depth, count), (_, orbits)) in zip(c.modulePatterns, c.modulePatternsUpToRelabeling) {
            out.append(("module_patterns.\(depth)", exact(count)))
            out.append(("module_patterns_up_to_relabeling.\(depth)", exact(orbits)))
        }
        let r = c.realizable
        out += [
            ("realizable.round_patterns", exact(r.roundPatterns)),
            ("realizable.round_patterns_up_to_relabeling", exact(r.roundPatternsUpToRelabeling)),
            ("realizable.round_dags", exact(r.roundDAGs)),
            ("realizable.round_dags_up_to_relabeling", exact(r.roundDAGsUpToRelabeling)),
        ]
        out += r.patterns.map { ("realizable.patterns.\($0.depth)", exact($0.count)) }
        out += [
            ("realizable.structural", exact(r.structural)),
            ("realizable.structural_ratio", r.structuralRatioLog10.map { .ratio(log10: $0) } ?? .missing),
        ]
        return out
    }

    /// Sentences that explain the values left out or surprising.
    static func notes(_ c: CombinationCounts) -> [String] {
        var notes: [String] = []
        if c.weaklyConnectedDAGs == nil {
            notes.append("dags.weakly_connected is computed for k ≤ \(CountLimits.maxKConnected) only (O(k²) products of large numbers).")
        }
        if c.depthAtMost.contains(where: { $0.count == nil }) {
            notes.append("dags.depth_at_most.L for L < k − 1 is computed for k ≤ \(CountLimits.maxKDepth) only (O(k³·L) products of large numbers); "
                         + "for L ≥ k − 1 it is dags.labeled, since every DAG on k nodes has depth ≤ k − 1.")
        }
        if c.unlabeledDAGs == nil {
            notes.append("dags.unlabeled is computed for k ≤ \(CountLimits.maxKUnlabeled) only (a sum over pairs of cycle types, whose number grows like p(k)²).")
        }
        if c.modulePatternsUpToRelabeling.contains(where: { $0.count == nil }) {
            notes.append("module_patterns_up_to_relabeling is computed for k ≤ \(CountLimits.maxKModuleOrbits) only (a sum over the p(k) cycle types).")
        }
        notes.append(CountOutput.relabelingNote)
        if c.realizable.roundPatternsUpToRelabeling == nil {
            notes.append("realizable.round_patterns_up_to_relabeling is computed for k ≤ \(RealizableLimits.maxKRoundPatternOrbits) only (a sum over the C(2k, k) row-sum multisets).")
        }
        if c.realizable.roundDAGs == nil {
            notes.append("realizable.round_dags, its unlabeled count, realizable.structural and realizable.structural_ratio are computed for k ≤ \(RealizableLimits.maxKRoundDAGs) only (generating functions: O(k³) products of large numbers).")
        }
        if c.realizable.roundPatterns == nil {
            notes.append("realizable.round_patterns and realizable.patterns are computed for k ≤ \(RealizableLimits.maxKRoundPatterns) only.")
        }
        notes += CountOutput.groupNotes
        if c.equivalentGranularity == nil {
            notes.append("equivalent_granularity: no granularity helps when n = k, since C(g·k, g·k) = 1 for every g.")
        }
        return notes
    }

    /// Why both the labeled and the unlabeled counts are reported.
    static let relabelingNote = "dags.labeled counts structures over distinct experts, dags.unlabeled the same "
        + "structures up to relabeling of the k node slots: the DAG-MoE module's weights are shared across node "
        + "slots, so it is permutation-equivariant and, on identical inputs, cannot tell relabelings apart; "
        + "different experts make the nodes distinguishable again. module_patterns_up_to_relabeling.L counts "
        + "all binary edge patterns (L rounds of k×k gates) up to the same relabeling."

    /// One sentence per group of keys: what it counts.
    static let groupNotes = [
        "dags.*, structural and module_patterns are the paper's count and the combinatorial ceiling: every DAG "
            + "on the k experts, every 0/1 gate pattern; the spec's layer cannot produce most of them.",
        "realizable.* is what the spec's layer can produce: one round's thresholded gates [s_i + t_j + b > 0] "
            + "are lonesum matrices (round_patterns, A048163), acyclic ones are interval orders (round_dags, A079144; "
            + "Fishburn A022493 up to relabeling), patterns.L = round_patterns^L is exact over free weights with "
            + "d ≥ k and d_g ≥ 2, structural = C(n, k) · round_dags, and structural_ratio = structural / realizable.structural.",
    ]

    func render(_ format: OutputFormat) -> String {
        switch format {
        case .json: return json().rendered() + "\n"
        case .csv: return table(exact: true).csv()
        case .markdown: return table(exact: true).markdown()
        case .text: return text()
        }
    }

    /// Text tables are wrapped to this many characters (the k column repeats in each block).
    static let textWidth = 100

    func text() -> String {
        if !range {
            let c = rows[0]
            var out = "n = \(c.n) routed experts, k = \(c.k) selected per token\n\n"
            out += table(exact: full).text()
            let notes = CountOutput.notes(c)
            if !notes.isEmpty { out += "\n" + notes.map { "note: " + $0 }.joined(separator: "\n") + "\n" }
            return out
        }
        var out = "n = \(rows[0].n) routed experts; log10 of each count, one row per k; every digit: --format csv or json\n"
            + "(equivalent_experts and equivalent_granularity are sizes of a layer: their values, not log10)\n\n"
        out += table(exact: false).text(maxWidth: CountOutput.textWidth, repeatingColumns: 1)
        let notes = Set(rows.flatMap(CountOutput.notes)).sorted()
        if !notes.isEmpty { out += "\n" + notes.map { "note: " + $0 }.joined(separator: "\n") + "\n" }
        return out
    }

    /// One --k: rows are quantities (key, value, log10). A --k-range: one row per k.
    /// `exact` (CSV, markdown, --full) prints every digit and leaves a missing value's cell empty;
    /// otherwise a single k abbreviates long values and a range prints log10 values.
    func table(exact: Bool) -> Table {
        let missing = exact ? "" : "n/a"
        if !range {
            var t = Table(header: ["quantity", "value", "log10"], alignments: [.left, .right, .right])
            for e in CountOutput.entries(rows[0], maxDepth: maxDepth) {
                let size = CountOutput.sizeKeys.contains(e.key)
                switch e.value {
                case .missing: t.append([e.key, missing, ""])
                case .exact(let v):
                    t.append([e.key, exact ? v.description : Numbers.abbreviated(v, maxDigits: 40),
                              size ? "" : Numbers.log10(v.log10)])
                case .ratio(let log10): t.append([e.key, CountValue.ratioText(log10), Numbers.log10(log10)])
                }
            }
            return t
        }
        let keys = CountOutput.entries(rows[0], maxDepth: maxDepth).map(\.key)
        var t = Table(header: ["k"] + keys, alignments: [.right] + keys.map { _ in .right })
        for c in rows {
            t.append([String(c.k)] + CountOutput.entries(c, maxDepth: maxDepth).map { key, value in
                switch value {
                case .missing: return missing
                case .exact(let v) where exact: return v.description
                case .exact(let v): return CountOutput.sizeKeys.contains(key) ? CountValue.scientific(v) : Numbers.log10(v.log10)
                case .ratio(let log10): return exact ? CountValue.ratioText(log10) : Numbers.log10(log10)
                }
            })
        }
        return t
    }

    func json() -> JSON {
        func value(_ v: BigInt?) -> JSON { v.map { .string($0.description) } ?? .null }
        let objects: [JSON] = rows.map { c in
            .object([
                ("n", .int(c.n)), ("k", .int(c.k)),
                ("weighted_sum", value(c.weightedSum)),
                ("ordered", value(c.ordered)),
                ("dags", .object([
                    ("labeled", value(c.labeledDAGs)),
                    ("unlabeled", value(c.unlabeledDAGs)),
                    ("one_sink", value(c.oneSinkDAGs)),
                    ("one_source", value(c.oneSourceDAGs)),
                    ("weakly_connected", value(c.weaklyConnectedDAGs)),
                    ("depth_at_most", .object(c.depthAtMost.map { ("\($0.depth)", value($0.count)) })),
                ])),
                ("structural", value(c.structural)),
                ("equivalent_experts", value(c.equivalentExperts)),
                ("equivalent_granularity", c.equivalentGranularity.map { .string(String($0)) } ?? .null),
                ("module_patterns", .object(c.modulePatterns.map { ("\($0.depth)", value($0.count)) })),
                ("module_patterns_up_to_relabeling",
                 .object(c.modulePatternsUpToRelabeling.map { ("\($0.depth)", value($0.count)) })),
                ("realizable", CountOutput.realizableJSON(c.realizable)),
                ("notes", .array(CountOutput.notes(c).map { .string($0) })),
            ])
        }
        return range ? .array(objects) : objects[0]
    }

    /// The `realizable` group as a JSON object; the ratio as a number and as its log10.
    static func realizableJSON(_ r: RealizableCounts) -> JSON {
        func value(_ v: BigInt?) -> JSON { v.map { .string($0.description) } ?? .null }
        return .object([
            ("round_patterns", value(r.roundPatterns)),
            ("round_patterns_up_to_relabeling", value(r.roundPatternsUpToRelabeling)),
            ("round_dags", value(r.roundDAGs)),
            ("round_dags_up_to_relabeling", value(r.roundDAGsUpToRelabeling)),
            ("patterns", .object(r.patterns.map { ("\($0.depth)", value($0.count)) })),
            ("structural", value(r.structural)),
            ("structural_ratio", r.structuralRatioLog10.map { .string(CountValue.ratioText($0)) } ?? .null),
            ("structural_ratio_log10", r.structuralRatioLog10.map { .double($0) } ?? .null),
        ])
    }

    /// log10 of the weighted-sum, structural and module-pattern counts against k.
    static func plot(_ rows: [CombinationCounts]) -> String {
        func series(_ name: String, _ value: (CombinationCounts) -> BigInt) -> SVGPlot.Series {
            .init(name: name, points: rows.map { (Double($0.k), value($0).log10) })
        }
        let plot = SVGPlot(
            title: "Expert combinations, n = \(rows[0].n)",
            xLabel: "k (experts selected per token)", yLabel: "log10 count",
            series: [
                series("weighted_sum", \.weightedSum),
                series("structural", \.structural),
                series("module_patterns (L=1)", { $0.modulePatterns[0].count }),
            ] + (rows.allSatisfy { $0.realizable.structural != nil } ? [
                series("realizable.structural", { $0.realizable.structural! }),
            ] : []), integerX: true)
        return plot.render()
    }
}

/// A value of `analyze count`: an exact count, a ratio of two counts (kept as its log10), or
/// not computed.
enum CountValue {
    case exact(BigInt)
    case ratio(log10: Double)
    case missing

    /// A size in scientific notation, "1.23e+45", exact below a million.
    static func scientific(_ v: BigInt) -> String {
        if let small = v.asInt, small < 1_000_000 { return String(small) }
        let log = v.log10
        guard log >= 300 else { return String(format: "%.2e", Foundation.pow(10, log)) }
        return String(format: "%.2fe+%d", Foundation.pow(10, log - log.rounded(.down)), Int(log.rounded(.down)))
    }

    /// "2.623" for a ratio under a million, "1.2e+45" past it.
    static func ratioText(_ log10: Double) -> String {
        log10 < 6 ? String(format: "%.4f", Foundation.pow(10, log10)) : String(format: "%.3fe+%d", Foundation.pow(10, log10 - log10.rounded(.down)), Int(log10.rounded(.down)))
    }
}
