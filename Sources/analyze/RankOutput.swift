import LinearAlgebra
import Report

/// Formats a ``RankReport`` as text, JSON, a CSV/markdown family table, or an SVG spectrum plot.
struct RankOutput: FormattedOutput {
    let report: RankReport
    let expertCount: Int
    let source: String
    let toleranceIsUserGiven: Bool

    /// Gaps σ_r/σ_{r+1} below this are flagged as fragile rank decisions in text output.
    static let fragileGap = 1e3

    static func label(_ f: FamilyRank) -> String { "\(f.family.name) L=\(f.family.depth)" }

    /// "inf" for an infinite gap (σ_{r+1} = 0), empty where none exists (rank 0 or full rank).
    static func gapText(_ r: NumericalRank<Double>) -> String {
        guard let gap = r.gap else { return "" }
        return Numbers.short(gap)
    }

    /// One row per family: the numbers that decide its rank. A gap or margin that does not exist
    /// is an empty cell, so every filled cell of CSV is a number.
    func table() -> Table {
        var t = Table(header: ["family", "depth", "columns", "bound", "rank", "tolerance", "σ_r/σ_r+1", "σ_r/tol", "svd"],
                      alignments: [.left, .right, .right, .right, .right, .right, .right, .right, .left])
        for f in report.families {
            t.append([f.family.name, String(f.family.depth), String(f.columns), String(f.bound), String(f.rank.rank),
                      Numbers.short(f.rank.tolerance), RankOutput.gapText(f.rank),
                      f.rank.margin.map(Numbers.short) ?? "", f.svdRoutine])
        }
        return t
    }

    func text() -> String {
        let k = report.selected.count, d = report.dimension
        var out = "d = \(d), \(k) of \(expertCount) experts selected (\(report.selected.map(String.init).joined(separator: ","))); \(source)\n"
        out += toleranceIsUserGiven
            ? "rank tolerance given by --tol\n\n"
            : "rank tolerance σ_max·max(rows, cols)·ε per family (numpy's matrix_rank rule)\n\n"
        out += table().text()
        for f in report.families { out += "\n" + spectrumText(f) }
        if let first = report.families.first, !first.targets.isEmpty { out += "\n" + targetText() }
        if !report.spectra.isEmpty { out += "\n" + eigenText() }
        let notes = self.notes()
        if !notes.isEmpty { out += "\n" + notes.map { "note: " + $0 }.joined(separator: "\n") + "\n" }
        return out
    }

    /// The head and tail of the kept and dropped singular values, and the line where the rank was decided.
    func spectrumText(_ f: FamilyRank) -> String {
        let s = f.rank.singularValues, r = f.rank.rank
        var out = "\(RankOutput.label(f)): \(s.count) singular values, rank \(r)\n"
        out += RankOutput.segment(s, 0..<r, keepHead: 4, keepTail: 3)
        if r == 0 {
            out += "  ---- rank 0: every value ≤ tolerance \(Numbers.short(f.rank.tolerance))\n"
        } else if r == s.count {
            out += "  ---- full rank: σ\(r)/tolerance = \(Numbers.short(f.rank.margin ?? .infinity))\n"
        } else {
            out += "  ---- rank \(r): σ\(r)/σ\(r + 1) = \(RankOutput.gapText(f.rank)), tolerance \(Numbers.short(f.rank.tolerance))\n"
        }
        out += RankOutput.segment(s, r..<s.count, keepHead: 3, keepTail: 2)
        return out
    }

    /// Lines "  i–j  values" for the range, eliding the middle when it is long.
    static func segment(_ s: [Double], _ range: Range<Int>, keepHead: Int, keepTail: Int) -> String {
        guard !range.isEmpty else { return "" }
        func line(_ part: Range<Int>) -> String {
            let label = part.count == 1 ? "\(part.lowerBound + 1)" : "\(part.lowerBound + 1)–\(part.upperBound)"
            return "  " + label + String(repeating: " ", count: Swift.max(1, 10 - label.count)) + part.map { Numbers.short(s[$0]) }.joined(separator: "  ") + "\n"
        }
        if range.count <= keepHead + keepTail + 1 { return line(range) }
        return line(range.lowerBound..<(range.lowerBound + keepHead)) + "  …\n"
            + line((range.upperBound - keepTail)..<range.upperBound)
    }

    func targetText() -> String {
        let families = report.families
        var t = Table(header: ["target"] + families.map(RankOutput.label), alignments: [.left] + families.map { _ in .right })
        for (j, fit) in families[0].targets.enumerated() {
            t.append([fit.name] + families.map { f in
                let fit = f.targets[j]
                return "\(Numbers.short(fit.residual)) (\(fit.expressible ? "yes" : "no"))"
            })
        }
        return "targets: relative residual ‖T − P·T‖/‖T‖ against each span (expressible: yes when ≤ "
            + "\(Numbers.short(report.residualTolerance)))\n" + t.text()
    }

    static let eigenShown = 8

    func eigenText() -> String {
        var t = Table(header: ["matrix", "|λ|max", "zero", "eigenvalues (by modulus)"], alignments: [.left, .right, .right, .left])
        for spectrum in report.spectra {
            let values = spectrum.eigenvalues
            var shown = values.prefix(RankOutput.eigenShown).map(RankOutput.complex).joined(separator: "  ")
            if values.count > RankOutput.eigenShown { shown += "  … (\(values.count - RankOutput.eigenShown) more)" }
            t.append([spectrum.name, Numbers.short(values.first?.modulus ?? 0),
                      String(values.count { $0.re == 0 && $0.im == 0 }), shown])
        }
        return "eigenvalues (zero: exactly 0 in Float64)\n" + t.text()
    }

    static func complex(_ z: Eigenvalue<Double>) -> String {
        if z.im == 0 { return Numbers.short(z.re) }
        return "\(Numbers.short(z.re))\(z.im < 0 ? "−" : "+")\(Numbers.short(Swift.abs(z.im)))i"
    }

    /// Fragile decisions, SVD fallbacks, and a solver that counted a different rank.
    func notes() -> [String] {
        var notes: [String] = []
        for f in report.families {
            let label = RankOutput.label(f)
            if let gap = f.rank.gap, gap < RankOutput.fragileGap {
                notes.append("the rank of \(label) is fragile: σ_r/σ_r+1 = \(Numbers.short(gap)) (below \(Numbers.short(RankOutput.fragileGap)))")
            }
            if f.svdRoutine.hasSuffix("gesvd") {
                notes.append("\(label): dgesdd did not converge; the singular values come from \(f.svdRoutine)")
            }
            if let solverRank = f.solverRank, solverRank != f.rank.rank {
                notes.append("\(label): the least-squares solver used rank \(solverRank), not \(f.rank.rank) (a value within rounding of the tolerance)")
            }
        }
        return notes
    }

    func json() -> JSON {
        func number(_ x: Double?) -> JSON { x.map { .double($0) } ?? .null }
        let families: [JSON] = report.families.map { f in
            var pairs: [(String, JSON)] = [
                ("family", .string(f.family.name)), ("depth", .int(f.family.depth)),
                ("columns", .int(f.columns)), ("rows", .int(report.dimension * report.dimension)),
                ("rank", .int(f.rank.rank)), ("bound", .int(f.bound)),
                ("tolerance", .double(f.rank.tolerance)),
                ("gap", number(f.rank.gap)), ("margin", number(f.rank.margin)),
                ("svd_routine", .string(f.svdRoutine)),
                ("singular_values", .array(f.rank.singularValues.map { .double($0) })),
            ]
            if let solverRank = f.solverRank { pairs.append(("solver_rank", .int(solverRank))) }
            pairs.append(("targets", .array(f.targets.map { fit in
                .object([("target", .string(fit.name)), ("residual", .double(fit.residual)),
                         ("expressible", .bool(fit.expressible))])
            })))
            return .object(pairs)
        }
        var pairs: [(String, JSON)] = [
            ("d", .int(report.dimension)), ("n", .int(expertCount)), ("source", .string(source)),
            ("selected", .array(report.selected.map { .int($0) })),
            ("tolerance_rule", .string(toleranceIsUserGiven ? "user" : "numpy")),
            ("residual_tolerance", .double(report.residualTolerance)),
            ("families", .array(families)),
        ]
        if !report.spectra.isEmpty {
            pairs.append(("eigenvalues", .array(report.spectra.map { s in
                .object([("matrix", .string(s.name)),
                         ("spectral_radius", .double(s.eigenvalues.first?.modulus ?? 0)),
                         ("values", .array(s.eigenvalues.map { .array([.double($0.re), .double($0.im)]) }))])
            })))
        }
        return .object(pairs)
    }

    /// σ_i against i on a log scale, one series per family, with each family's rank tolerance
    /// (dashed, horizontal) and chosen rank (dashed, vertical between σ_r and σ_r+1).
    func plot() -> String {
        let families = report.families
        let marks = families.enumerated().flatMap { i, f -> [SVGPlot.Mark] in
            let label = RankOutput.label(f)
            return [.init(axis: .y, value: f.rank.tolerance, series: i, label: "tolerance \(label)"),
                    .init(axis: .x, value: Double(f.rank.rank) + 0.5, series: i, label: "rank \(f.rank.rank) (\(label))")]
        }
        return SVGPlot(title: "Singular values of the expert families, d = \(report.dimension), k = \(report.selected.count)",
                       xLabel: "index i", yLabel: "σ_{i}",
                       series: families.map { f in
                           .init(name: "\(RankOutput.label(f)): rank \(f.rank.rank)",
                                 points: f.rank.singularValues.enumerated().map { (Double($0.offset + 1), $0.element) })
                       },
                       logY: true, integerX: true, marks: marks).render()
    }
}
