import Analysis
import Foundation
import Report

/// Text and JSON of a ``UsageAnalysis``.
enum UsageText {
    static func text(_ u: UsageAnalysis, inputs: String) -> String {
        var out = "Usage on \(u.tokens) tokens (\(inputs))\n"
        let q = u.shareQuantiles
        out += String(format: "module share ‖y − y_without_module‖ / ‖y − x‖: overall %.3f; per token median %.3f, "
                      + "90th percentile %.3f, max %.3f\n\n", u.overallModuleShare, q.median, q.p90, q.max)
        var gates = Table(header: ["round", "mean e", "std across tokens", "std between entries", "token share",
                                   "median margin", "|e − 0.5| < 0.05"],
                          alignments: [.right, .right, .right, .right, .right, .right, .right])
        for (l, r) in u.rounds.enumerated() {
            gates.append([String(l), String(format: "%.4f", r.mean), String(format: "%.4f", r.acrossTokenStd),
                          String(format: "%.4f", r.betweenEntryStd), String(format: "%.3f", r.tokenShare),
                          String(format: "%.4f", r.medianMargin), String(format: "%.3f", r.nearThreshold)])
        }
        out += gates.text()
        out += "token share = across-token variance / total variance of the gates (0: one constant matrix for every token)\n\n"
        let p = u.patterns
        out += "thresholded patterns (e > 0.5, all rounds): \(p.distinct) distinct, entropy "
            + String(format: "%.2f", p.entropyBits) + " bits"
        out += p.unrealizable.map { ", \($0) outside the realizable class" } ?? ", realizability unknown"
        out += "\n"
        var top = Table(header: ["pattern (rounds / , rows |)", "tokens", "realizable"], alignments: [.left, .right, .left])
        for pattern in p.top {
            top.append([pattern.text, String(pattern.count), pattern.realizable.map { $0 ? "yes" : "NO" } ?? "unknown"])
        }
        out += top.text() + "\n"
        out += "ablations (each fixes one round's gates; later rounds recompute theirs from the ablated states):\n"
        out += ablationTable(u.ablations).text()
        return out
    }

    static func ablationTable(_ a: Ablations) -> Table {
        var t = Table(header: ["ablation", "round", "held-out loss", "Δ loss", "% of module's gain", "output change"],
                      alignments: [.left, .right, .right, .right, .right, .right])
        let gain = a.moduleGain
        t.append(["trained", "", a.trainedLoss.map { String(format: "%.5f", $0) } ?? "n/a", "", "", ""])
        for row in a.rows {
            let delta = zip2(row.loss, a.trainedLoss).map { $0 - $1 }
            let share = zip2(delta, gain).flatMap { $1 > 0 ? 100 * $0 / $1 : nil }
            t.append([row.kind.rawValue, row.round.map(String.init) ?? "all",
                      row.loss.map { String(format: "%.5f", $0) } ?? "n/a",
                      delta.map { String(format: "%+.5f", $0) } ?? "n/a",
                      share.map { String(format: "%.1f%%", $0) } ?? "n/a",
                      String(format: "%.3f", row.outputChange)])
        }
        return t
    }

    private static func zip2(_ a: Double?, _ b: Double?) -> (Double, Double)? {
        guard let a, let b else { return nil }
        return (a, b)
    }

    static func json(_ u: UsageAnalysis) -> JSON {
        let q = u.shareQuantiles
        return .object([
            ("tokens", .int(u.tokens)),
            ("module_share", .double(u.overallModuleShare)),
            ("module_share_median", .double(q.median)), ("module_share_p90", .double(q.p90)),
            ("module_share_max", .double(q.max)),
            ("rounds", .array(u.rounds.map { r in
                .object([("mean", .double(r.mean)), ("std_across_tokens", .double(r.acrossTokenStd)),
                         ("std_between_entries", .double(r.betweenEntryStd)), ("token_share", .double(r.tokenShare)),
                         ("median_margin", .double(r.medianMargin)), ("near_threshold", .double(r.nearThreshold)),
                         ("entry_means", .array(r.entryMeans.map(JSON.double))),
                         ("histogram", .array(r.histogram.map(JSON.int)))])
            })),
            ("patterns", .object([
                ("distinct", .int(u.patterns.distinct)), ("entropy_bits", .double(u.patterns.entropyBits)),
                ("unrealizable", u.patterns.unrealizable.map(JSON.int) ?? .null),
                ("top", .array(u.patterns.top.map { p in
                    .object([("pattern", .string(p.text)), ("tokens", .int(p.count)),
                             ("realizable", p.realizable.map(JSON.bool) ?? .null)])
                })),
            ])),
            ("ablations", .object([
                ("note", .string("each ablation fixes one round's gates; later rounds recompute theirs from the ablated states")),
                ("trained_loss", u.ablations.trainedLoss.map(JSON.double) ?? .null),
                ("module_gain", u.ablations.moduleGain.map(JSON.double) ?? .null),
                ("rows", .array(u.ablations.rows.map { row in
                    .object([("ablation", .string(row.kind.rawValue)), ("round", row.round.map(JSON.int) ?? .null),
                             ("loss", row.loss.map(JSON.double) ?? .null), ("output_change", .double(row.outputChange))])
                })),
            ])),
            ("verdict", .string(u.verdict.rawValue)),
            ("reading", .string(u.reading)),
        ])
    }
}
