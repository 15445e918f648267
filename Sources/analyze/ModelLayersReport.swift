import Foundation
import Report

/// The many-layer report of `crosscheck --model` (`--all-layers`, `--layers`, `--shard`) and of
/// `analyze report`, rendered from its JSON object alone: so shards merged by `analyze report`
/// print exactly what one `--all-layers` run prints, in every format.
struct ModelLayersReport: FormattedOutput {
    /// {model, model_type, config_hash, header, moe_layers, layers: [per-layer objects], pass, notes}.
    let object: JSON

    var layers: [JSON] { object["layers"]?.arrayValue ?? [] }

    func json() -> JSON { object }

    func text() -> String {
        let rows = layers.map(Row.init)
        var out = (object["header"]?.stringValue ?? "") + "\n" + table(rows: rows).text()
        let bugs = layers.filter { $0["mapping_bug"]?.boolValue == true }.map { String($0["layer"]?.intValue ?? -1) }
        let failed = layers.filter { $0["pass"]?.boolValue != true }.map { String($0["layer"]?.intValue ?? -1) }
        if !bugs.isEmpty {
            out += "EXCEEDS the weighted-sum bound on layers \(bugs.joined(separator: ", ")): "
                + "impossible for these layers, so the mapping is wrong — a bug in analyze; please report it\n"
        }
        let structural = rows.filter { $0.verdict == "structural" }.map { String($0.layer) }
        out += !failed.isEmpty ? "FAIL: layers \(failed.joined(separator: ", "))\n"
            : structural.isEmpty ? "PASS: \(layers.count) MoE layers within the weighted-sum bound\n"
            : "PASS: \(layers.count) MoE layers; layers \(structural.joined(separator: ", ")) hold DAG rounds, "
                + "structural within their bound L·d_g + K (the bound column is the weighted-sum part K)\n"
        let notes = (object["notes"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !notes.isEmpty { out += "\n" + notes.map { "note: " + $0 }.joined(separator: "\n") + "\n" }
        return out
    }

    /// One layer's table cells: ranks "lo…hi", bound, σ_b/‖J‖ min, σ_b+1/‖J‖ max, verdict (nil
    /// cells where the test was skipped), as numbers.
    struct Row {
        var rankMin: Int?, rankMax: Int?, bound: Int?, kept: Double?, dropped: Double?
        var verdict = "skipped"
        let utilization: Double, routing: Double, maxRel: Double?, experts: Int?, pass: Bool, layer: Int
        /// The DAG module's share of y − x and the usage verdict (layers with rounds only).
        let moduleShare: Double?, usage: String?

        init(_ a: JSON) {
            layer = a["layer"]?.intValue ?? -1
            moduleShare = a["usage"]?["module_share"]?.doubleValue
            usage = a["usage"]?["verdict"]?.stringValue
            pass = a["pass"]?.boolValue == true
            utilization = a["structure"]?["utilization_entropy"]?.doubleValue ?? .nan
            routing = a["structure"]?["routing_entropy"]?.doubleValue ?? .nan
            maxRel = a["reference"]?["max_rel"]?.doubleValue
            experts = a["experts_read"]?.intValue
            guard let j = a["jacobian"], let b = j["weighted_sum_bound"]?.intValue else { return }
            let ranks = j["excess_ranks"]?.arrayValue?.map { $0.intValue ?? 0 } ?? []
            let stable = j["selection_stable"]?.arrayValue?.map { $0.boolValue == true } ?? []
            let norms = j["norm_j"]?.arrayValue?.map { $0.doubleValue ?? .nan } ?? []
            let values = j["gate_singular_values"]?.arrayValue?.map { $0.arrayValue?.map { $0.doubleValue ?? .nan } ?? [] } ?? []
            let kept = ranks.indices.filter { $0 < stable.count && stable[$0] }
            rankMin = kept.map { ranks[$0] }.min()
            rankMax = kept.map { ranks[$0] }.max()
            bound = b
            if b > 0 { self.kept = kept.compactMap { b - 1 < values[$0].count ? values[$0][b - 1] / norms[$0] : nil }.min() }
            dropped = kept.compactMap { b < values[$0].count ? values[$0][b] / norms[$0] : nil }.max()
            verdict = a["mapping_bug"]?.boolValue == true ? "EXCEEDS" : (j["verdict"]?.stringValue ?? "")
        }
    }

    /// One row per layer: ranks against the bound, the singular values at the bound, routing.
    func table() -> Table { table(rows: layers.map(Row.init)) }

    private func table(rows: [Row]) -> Table {
        var t = Table(header: ["layer", "ranks", "bound", "σ_b/‖J‖ min", "σ_b+1/‖J‖ max", "verdict",
                               "util. entropy", "routing entropy", "module share", "usage", "ref max_rel", "ok"],
                      alignments: [.right, .right, .right, .right, .right, .left, .right, .right, .right, .left, .right, .left])
        for r in rows {
            var ranks = "n/a"
            if let lo = r.rankMin, let hi = r.rankMax { ranks = lo == hi ? "\(lo)" : "\(lo)…\(hi)" }
            t.append([String(r.layer), ranks, r.bound.map(String.init) ?? "n/a", r.kept.map(Numbers.sci) ?? "n/a",
                      r.dropped.map(Numbers.sci) ?? "n/a", r.verdict, String(format: "%.3f", r.utilization),
                      String(format: "%.3f", r.routing), r.moduleShare.map { String(format: "%.3f", $0) } ?? "-",
                      r.usage ?? "-", r.maxRel.map(Numbers.sci) ?? "-", r.pass ? "yes" : "NO"])
        }
        return t
    }

    /// The same rows for CSV: numbers only, empty cells where a value does not apply.
    func csvTable() -> Table {
        var t = Table(header: ["layer", "rank_min", "rank_max", "bound", "sigma_b_over_norm_j_min", "sigma_b1_over_norm_j_max",
                               "verdict", "utilization_entropy", "routing_entropy", "module_share", "usage",
                               "ref_max_rel", "experts_read", "ok"])
        for r in layers.map(Row.init) {
            t.append([String(r.layer), r.rankMin.map(String.init) ?? "", r.rankMax.map(String.init) ?? "",
                      r.bound.map(String.init) ?? "", r.kept.map(CSVNumber.text) ?? "", r.dropped.map(CSVNumber.text) ?? "",
                      r.verdict == "EXCEEDS" ? "exceeds-bound" : r.verdict, CSVNumber.text(r.utilization),
                      CSVNumber.text(r.routing), r.moduleShare.map(CSVNumber.text) ?? "", r.usage ?? "",
                      r.maxRel.map(CSVNumber.text) ?? "", r.experts.map(String.init) ?? "",
                      String(r.pass)])
        }
        return t
    }
}

extension JSON {
    var intValue: Int? { if case .int(let i) = self { return i }; return nil }
    var doubleValue: Double? {
        switch self {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }
    var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    var arrayValue: [JSON]? { if case .array(let a) = self { return a }; return nil }
}
