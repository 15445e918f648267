import BigInt
import Combinatorics
import Report

/// Formats ``CombinationCounts`` as text, JSON, CSV or markdown.
struct CountOutput {
    let rows: [CombinationCounts]
    let maxDepth: Int
    let full: Bool

    /// One reported quantity: its JSON-style key and exact value (nil: not computed, see notes).
    typealias Entry = (key: String, value: BigInt?)

    static func entries(_ c: CombinationCounts, maxDepth: Int) -> [Entry] {
        var out: [Entry] = [
            ("weighted_sum", c.weightedSum),
            ("ordered", c.ordered),
            ("dags.labeled", c.labeledDAGs),
            ("dags.unlabeled", c.unlabeledDAGs),
            ("dags.one_sink", c.oneSinkDAGs),
            ("dags.one_source", c.oneSourceDAGs),
            ("dags.weakly_connected", c.weaklyConnectedDAGs),
        ]
        let depths = Array(stride(from: 1, through: min(c.k - 1, maxDepth), by: 1))
        for l in depths {
            out.append(("dags.depth_at_most.\(l)", c.depthAtMost.first { $0.depth == l }?.count))
        }
        out += [
            ("structural", c.structural),
            ("expansion", c.expansion),
            ("equivalent_experts", c.equivalentExperts),
            ("equivalent_granularity", c.equivalentGranularity.map { BigInt($0) }),
        ]
        for (depth, count) in c.modulePatterns {
            out.append(("module_patterns.\(depth)", count))
            out.append(("module_patterns_up_to_relabeling.\(depth)",
                        c.modulePatternsUpToRelabeling.first { $0.depth == depth }?.count))
        }
        return out
    }

    /// Sentences that explain the values left out or surprising.
    static func notes(_ c: CombinationCounts) -> [String] {
        var notes: [String] = []
        if c.weaklyConnectedDAGs == nil {
            notes.append("dags.weakly_connected is computed for k ≤ \(CountLimits.maxKConnected) only (O(k²) products of large numbers).")
        }
        if c.k > CountLimits.maxKDepth && c.k > 1 {
            notes.append("dags.depth_at_most is computed for k ≤ \(CountLimits.maxKDepth) only (O(k³·L) products of large numbers).")
        }
        if c.unlabeledDAGs == nil {
            notes.append("dags.unlabeled is computed for k ≤ \(CountLimits.maxKUnlabeled) only (a sum over pairs of cycle types, whose number grows like p(k)²).")
        }
        if c.modulePatternsUpToRelabeling.isEmpty {
            notes.append("module_patterns_up_to_relabeling is computed for k ≤ \(CountLimits.maxKModuleOrbits) only (a sum over the p(k) cycle types).")
        }
        notes.append(CountOutput.relabelingNote)
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
        + "the binary edge patterns (L rounds of k×k gates) the module can express, up to the same relabeling."

    func render(_ format: OutputFormat) -> String {
        switch format {
        case .json: return json().rendered() + "\n"
        case .csv: return table(exact: true).csv()
        case .markdown: return table(exact: true).markdown()
        case .text: return text()
        }
    }

    func text() -> String {
        if rows.count == 1 {
            let c = rows[0]
            var out = "n = \(c.n) routed experts, k = \(c.k) selected per token\n\n"
            out += table(exact: full).text()
            let notes = CountOutput.notes(c)
            if !notes.isEmpty { out += "\n" + notes.map { "note: " + $0 }.joined(separator: "\n") + "\n" }
            return out
        }
        var out = "n = \(rows[0].n) routed experts; log10 of each count, one row per k\n\n"
        out += table(exact: false).text()
        let notes = Set(rows.flatMap(CountOutput.notes)).sorted()
        if !notes.isEmpty { out += "\n" + notes.map { "note: " + $0 }.joined(separator: "\n") + "\n" }
        return out
    }

    /// One k: rows are quantities (key, value, log10). Several k: one row per k.
    /// `exact` prints every digit; otherwise a single k abbreviates long values and
    /// a range of k prints log10 values.
    func table(exact: Bool) -> Table {
        if rows.count == 1 {
            var t = Table(header: ["quantity", "value", "log10"], alignments: [.left, .right, .right])
            for e in CountOutput.entries(rows[0], maxDepth: maxDepth) {
                guard let v = e.value else { t.append([e.key, "n/a", ""]); continue }
                t.append([e.key, exact ? v.description : Numbers.abbreviated(v, maxDigits: 40), Numbers.log10(v.log10)])
            }
            return t
        }
        let keys = CountOutput.entries(rows.last!, maxDepth: maxDepth).map(\.key)
        var t = Table(header: ["k"] + keys, alignments: [.right] + keys.map { _ in .right })
        for c in rows {
            let values = Dictionary(CountOutput.entries(c, maxDepth: maxDepth).map { ($0.key, $0.value) }) { a, _ in a }
            t.append([String(c.k)] + keys.map { key in
                guard let v = values[key] ?? nil else { return exact ? "" : "n/a" }
                return exact ? v.description : Numbers.log10(v.log10)
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
                ("expansion", value(c.expansion)),
                ("equivalent_experts", value(c.equivalentExperts)),
                ("equivalent_granularity", c.equivalentGranularity.map { .string(String($0)) } ?? .null),
                ("module_patterns", .object(c.modulePatterns.map { ("\($0.depth)", value($0.count)) })),
                ("module_patterns_up_to_relabeling",
                 .object(c.modulePatternsUpToRelabeling.map { ("\($0.depth)", value($0.count)) })),
                ("notes", .array(CountOutput.notes(c).map { .string($0) })),
            ])
        }
        return objects.count == 1 ? objects[0] : .array(objects)
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
            ])
        return plot.render()
    }
}
