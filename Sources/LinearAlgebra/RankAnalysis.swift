/// What a rank analysis of linear experts asks: the selection, the families, the targets.
public struct RankQuery: Sendable {
    /// The experts a router selected (distinct indices).
    public var selected: [Int]
    /// The longest chain: families ws (depth 1) and chain at every depth 2 … `depth`.
    public var depth: Int
    /// Target maps as factor lists, left to right: [b, a] is W_b·W_a; [a] is W_a.
    public var targets: [[Int]]
    /// The rank tolerance for every family; nil uses σ_max·max(rows, cols)·ε per family.
    public var tolerance: Double?
    /// A target is expressible by a family when its relative residual is at most this.
    public var residualTolerance: Double
    /// Whether to compute the eigenvalues of each selected expert and each target.
    public var eigenvalues: Bool
    /// A DAG module's up maps: adds the `dag` family and the control target U·A.
    public var dagModule: DAGModuleRange?

    /// √ε(Float64) ≈ 1.5e-8: a target inside the span leaves a residual of a few ε (rounding in the
    /// products and the solve), one outside it a residual of order its distance; √ε sits halfway
    /// between on a log scale.
    public static let defaultResidualTolerance = Double.ulpOfOne.squareRoot()

    /// The most factors in one target: the longest chain a rank analysis forms (`analyze rank
    /// --depth` stops at 64 too). A longer product is no family's member by construction, each
    /// factor costs a d×d product, and products of N(0, 1/d) experts shrink or grow
    /// geometrically, so past a few hundred factors they leave Float64's range.
    public static let maxTargetFactors = 64

    public init(selected: [Int], depth: Int, targets: [[Int]] = [], tolerance: Double? = nil,
                residualTolerance: Double = RankQuery.defaultResidualTolerance, eigenvalues: Bool = false,
                dagModule: DAGModuleRange? = nil) {
        self.selected = selected
        self.depth = depth
        self.targets = targets
        self.tolerance = tolerance
        self.residualTolerance = residualTolerance
        self.eigenvalues = eigenvalues
        self.dagModule = dagModule
    }
}

/// How well a family's span reaches one target map T: ‖T − P·T‖ / ‖T‖ with P the orthogonal
/// projection onto the span (at the family's rank tolerance).
public struct TargetFit: Sendable {
    /// Factors left to right, as in ``RankQuery/targets``; empty for the DAG control target.
    public let factors: [Int]
    /// The relative least-squares residual (0 for a zero target).
    public let residual: Double
    /// residual ≤ the query's residual tolerance.
    public let expressible: Bool

    /// "b*a" for [b, a]; "U*A" for the DAG control target (U·A, A random: inside the dag span).
    public var name: String { factors.isEmpty ? "U*A" : TargetFit.name(factors) }

    static func name(_ factors: [Int]) -> String { factors.map(String.init).joined(separator: "*") }
}

/// The span of one family: its size, rank decision and target fits.
public struct FamilyRank: Sendable {
    public let family: ExpertFamily
    /// Products stacked (the columns of the d²×columns matrix).
    public let columns: Int
    /// min(d², columns).
    public let bound: Int
    public let rank: NumericalRank<Double>
    /// The SVD routine that produced the singular values ("dgesdd", or "dgesvd" after a fallback).
    public let svdRoutine: String
    /// The rank the least-squares solver used (nil without targets); it decides from its own SVD
    /// and can differ from `rank` only for a value within rounding of the tolerance.
    public let solverRank: Int?
    public let targets: [TargetFit]
}

/// The eigenvalues of one named matrix (an expert "3" or a target "1*0").
public struct MatrixSpectrum: Sendable {
    public let name: String
    public let eigenvalues: [Eigenvalue<Double>]
}

/// Everything a rank analysis found.
public struct RankReport: Sendable {
    public let dimension: Int
    public let selected: [Int]
    public let residualTolerance: Double
    /// ws, then chain at depths 2 … depth.
    public let families: [FamilyRank]
    /// Selected experts, then targets not already listed; empty unless eigenvalues were asked for.
    public let spectra: [MatrixSpectrum]
}

extension LinearExperts {
    /// Ranks, singular values, target residuals and (if asked) eigenvalues for `query`.
    ///
    /// A target may use experts outside the selection (is W_4 in span{W_0, W_1}?); `analyze rank`
    /// refuses that, since a layer that selected those experts cannot apply it.
    ///
    /// Throws for a bad selection or target index, a target with more than
    /// ``RankQuery/maxTargetFactors`` factors, a target that leaves Float64's range, a depth below 1,
    /// a stack past ``ProductStack/maxEntries``, a negative or non-finite tolerance, and LAPACK
    /// failures (naming the target or family they happened on).
    /// `progress` gets the number of families done after each one (ws, chain 2…depth, then dag).
    public func rankReport(_ query: RankQuery, progress: ((Int) -> Void)? = nil) throws -> RankReport {
        if let tol = query.tolerance, !(tol >= 0 && tol.isFinite) {
            throw LinearAlgebraError.invalidInput("the rank tolerance must be a finite number ≥ 0 (got \(tol))")
        }
        guard query.residualTolerance >= 0, query.residualTolerance.isFinite else {
            throw LinearAlgebraError.invalidInput("the residual tolerance must be a finite number ≥ 0 (got \(query.residualTolerance))")
        }
        let stack = try ProductStack(experts: self, selected: query.selected, maxLength: query.depth)
        var targets = try query.targets.map { try target($0, query: query) }
        var names = query.targets
        if let module = query.dagModule {
            targets.append(module.controlTarget(seed: 0x5eed))
            names.append([])
        }
        let families = [ExpertFamily.weightedSum] + (query.depth >= 2 ? (2...query.depth).map { .chain(depth: $0) } : [])
        var ranks = try families.enumerated().map { i, family in
            defer { progress?(i + 1) }
            return try familyRank(family, matrix: stack.matrix(for: family), targets: targets, names: names, query: query)
        }
        if let module = query.dagModule {
            ranks.append(try familyRank(.dag(rounds: module.rounds, width: module.width),
                                        matrix: module.stack(experts: self, selected: query.selected),
                                        targets: targets, names: names, query: query))
            progress?(ranks.count)
        }
        var spectra: [MatrixSpectrum] = []
        if query.eigenvalues {
            for i in query.selected {
                spectra.append(MatrixSpectrum(name: String(i), eigenvalues: try LinearAlgebraError.naming("expert \(i)") {
                    try matrices[i].eigenvalues()
                }))
            }
            for (factors, t) in zip(query.targets, targets) where !spectra.contains(where: { $0.name == TargetFit.name(factors) }) {
                let name = TargetFit.name(factors)
                spectra.append(MatrixSpectrum(name: name, eigenvalues: try LinearAlgebraError.naming("target \(name)") {
                    try t.eigenvalues()
                }))
            }
        }
        return RankReport(dimension: dimension, selected: query.selected, residualTolerance: query.residualTolerance,
                          families: ranks, spectra: spectra)
    }

    /// The target's product, after checking its length and that it stays finite.
    private func target(_ factors: [Int], query: RankQuery) throws -> Matrix<Double> {
        let name = TargetFit.name(factors)
        guard factors.count <= RankQuery.maxTargetFactors else {
            throw LinearAlgebraError.invalidInput("target \(name.prefix(40))… has \(factors.count) factors, past the limit of "
                                                  + "\(RankQuery.maxTargetFactors) (the longest chain a rank analysis forms)")
        }
        let t = try LinearAlgebraError.naming("target \(name)") { try product(factors) }
        guard t.data.allSatisfy(\.isFinite) else { throw LinearAlgebraError.nonFinite(what: "target \(name) (the product left Float64's range)") }
        return t
    }

    private func familyRank(_ family: ExpertFamily, matrix a: Matrix<Double>, targets: [Matrix<Double>],
                            names: [[Int]], query: RankQuery) throws -> FamilyRank {
        let label = "\(family.name) L=\(family.depth)"
        let svd = try LinearAlgebraError.naming("family \(label)") { try a.svd(vectors: false) }
        let rank = NumericalRank(singularValues: svd.values, rows: a.rows, cols: a.cols, tolerance: query.tolerance)
        var fits: [TargetFit] = []
        var solverRank: Int?
        if !targets.isEmpty {
            let d2 = dimension * dimension
            var b = Matrix<Double>(rows: d2, cols: targets.count)
            for (j, t) in targets.enumerated() { for i in 0..<d2 { b[i, j] = t.data[i] } }
            let rcond = rank.sigmaMax > 0 ? rank.tolerance / rank.sigmaMax : -1
            let solution = try LinearAlgebraError.naming("family \(label), targets " + names.map { $0.isEmpty ? "U*A" : TargetFit.name($0) }.joined(separator: ", ")) {
                try a.transposed.leastSquares(b, rcond: rcond)
            }
            solverRank = solution.rank
            fits = zip(names, solution.relativeResiduals).map { factors, residual in
                TargetFit(factors: factors, residual: residual, expressible: residual <= query.residualTolerance)
            }
        }
        return FamilyRank(family: family, columns: a.rows, bound: family.bound(k: query.selected.count, d: dimension),
                          rank: rank, svdRoutine: svd.routine, solverRank: solverRank, targets: fits)
    }
}
