import ArgumentParser
import Foundation
import LinearAlgebra
import Report

/// `analyze rank`: span dimensions of the weighted-sum and composition families of linear experts.
struct RankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rank",
        abstract: "Rank and spectrum tests on linear experts: weighted sums against compositions.",
        discussion: """
        Each family is the span of the maps it can realize, every d×d map flattened to a column of \
        length d²: ws = span{W_i}, chain depth l = span of all products of 1…l selected experts \
        (repetition allowed). With --dag-module FILE or --dag-rounds L [--dg G], dag = span{W_i} + every map \
        whose column space lies in range(U_1…U_L), the DAG module's up maps: each expert runs once on x and the \
        rounds write into range(U), so the layer's linearization (gate terms aside) lies in it; the control \
        target U*A (A random) lies in it by construction, W_b·W_a only when L·d_g reaches d. Ranks come from an SVD in Float64 (dgesdd, dgesvd as fallback) with \
        numpy's matrix_rank tolerance σ_max·max(rows, cols)·ε unless --tol is given. A target "b*a" \
        is W_b·W_a (a acts first); its relative least-squares residual against each span (dgelsd) \
        says whether the family can express it. Random experts have N(0, 1/d) entries from a \
        seeded SplitMix64/Box–Muller stream that is the same on every platform.
        """
    )

    @Option(help: ArgumentHelp("N random Gaussian D×D experts from seed SEED (0 when left out).", valueName: "N,D[,SEED]"))
    var random: String?

    @Option(help: ArgumentHelp("A safetensors file with tensors experts.{e}.weight of shape [d, d].", valueName: "file"))
    var experts: String?

    @Option(help: ArgumentHelp("The experts a router selected, for example 0,2,5 (default: all).", valueName: "list"))
    var select: String?

    @Option(help: "Longest chain: report ws and chain at every depth 2…L.")
    var depth = 2

    @Option(help: ArgumentHelp("A target map \"b*a\" (W_b·W_a) or \"a\" of selected experts, at most \(RankQuery.maxTargetFactors) factors; repeatable.", valueName: "product"))
    var target: [String] = []

    @OptionGroup(title: "DAG module")
    var dagOptions: RankDAGModuleOptions

    @Flag(help: "Eigenvalues of each selected expert and each target.")
    var eig = false

    @Option(help: "Rank tolerance (default: σ_max·max(rows, cols)·ε per family).")
    var tol: Double?

    @Option(name: .customLong("residual-tol"),
            help: "A target is expressible when its relative residual is at most this (√ε by default).")
    var residualTol = RankQuery.defaultResidualTolerance

    @Option(help: "text, json, csv or markdown (csv and markdown: the family table).")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Write an SVG plot of the singular values (log scale) to this file.", valueName: "file.svg"))
    var plot: String?

    static let maxDepth = 64

    func validate() throws {
        switch (random, experts) {
        case (nil, nil): throw ValidationError("give --random N,D[,SEED] or --experts FILE.safetensors")
        case (_?, _?): throw ValidationError("give either --random or --experts, not both")
        default: break
        }
        if let random {
            let spec = try RankExperts.parseRandom(random)
            guard spec.count >= 1, spec.dimension >= 1 else {
                throw ValidationError("--random \(random): N and D must be at least 1")
            }
            let (square, overflow1) = spec.dimension.multipliedReportingOverflow(by: spec.dimension)
            let (entries, overflow2) = spec.count.multipliedReportingOverflow(by: square)
            guard !overflow1, !overflow2, entries <= ProductStack.maxEntries else {
                throw ValidationError("--random \(random): N·D² is past the limit of \(ProductStack.maxEntries) entries")
            }
        }
        if let select { _ = try RankCommand.parseList(select) }
        guard (1...RankCommand.maxDepth).contains(depth) else {
            throw ValidationError("--depth must be between 1 and \(RankCommand.maxDepth) (got \(depth))")
        }
        let selected = try select.map(RankCommand.parseList)
        for t in target {
            let factors = try RankCommand.parseProduct(t)
            if let selected, let outside = factors.first(where: { !selected.contains($0) }) {
                throw ValidationError("--target '\(t)': expert \(outside) is not in --select \(select!); "
                                      + "a layer that selected those experts cannot apply it")
            }
        }
        if let tol, !(tol >= 0 && tol.isFinite) { throw ValidationError("--tol must be a finite number ≥ 0 (got \(tol))") }
        guard residualTol >= 0, residualTol.isFinite else {
            throw ValidationError("--residual-tol must be a finite number ≥ 0 (got \(residualTol))")
        }
    }

    /// "0,2,5" → [0, 2, 5].
    static func parseList(_ text: String) throws -> [Int] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        let values = items.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !items.isEmpty, values.count == items.count, values.allSatisfy({ $0 >= 0 }) else {
            throw ValidationError("--select '\(text)' is not a comma-separated list of expert indices like 0,2,5")
        }
        return values
    }

    /// "b*a" → [b, a]; "a" → [a].
    static func parseProduct(_ text: String) throws -> [Int] {
        let items = text.split(separator: "*", omittingEmptySubsequences: false)
        let values = items.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == items.count, values.allSatisfy({ $0 >= 0 }) else {
            throw ValidationError("--target '\(text.prefix(60))' is not an expert index \"a\" or a product \"b*a\" of indices")
        }
        guard values.count <= RankQuery.maxTargetFactors else {
            throw ValidationError("--target '\(text.prefix(60))…' has \(values.count) factors, past the limit of "
                                  + "\(RankQuery.maxTargetFactors) (the longest chain --depth can form)")
        }
        return values
    }

    func run() throws {
        let outputs = try planOutputs(["plot": plot], inputs: [experts, dagOptions.dagModule])
        var source: String
        let linear: LinearExperts
        if let random {
            let spec = try RankExperts.parseRandom(random)
            linear = LinearExperts.random(count: spec.count, dimension: spec.dimension, seed: spec.seed)
            source = "random N(0, 1/d) experts, seed \(spec.seed)"
        } else {
            linear = try RankExperts.load(path: experts!)
            source = experts!
        }
        let module = try dagOptions.module(dimension: linear.dimension)
        if let module { source += "; dag family: " + module.source }
        let query = RankQuery(selected: try select.map(RankCommand.parseList) ?? Array(0..<linear.count),
                              depth: depth, targets: try target.map(RankCommand.parseProduct),
                              tolerance: tol, residualTolerance: residualTol, eigenvalues: eig,
                              dagModule: module?.range)
        let bar = RankCommand.progressBar(query: query, d: linear.dimension)
        let report = try linear.rankReport(query) { bar.update($0) }
        bar.finish()
        let output = RankOutput(report: report, expertCount: linear.count, source: source,
                                toleranceIsUserGiven: tol != nil)
        print(output.render(format), terminator: "")
        if plot != nil { try outputs.write(output.plot(), option: "plot") }
    }
}

extension RankCommand {
    /// Progress over the families, each weighted by its SVD's cost, columns · d² · min(columns, d²).
    static func progressBar(query: RankQuery, d: Int) -> ProgressBar {
        let k = query.selected.count, rows = Double(d * d)
        let families = [ExpertFamily.weightedSum] + (query.depth >= 2 ? (2...query.depth).map { .chain(depth: $0) } : [])
        let costs = families.map { family in
            let columns = Double(family.columnCount(k: k) ?? Int.max)
            return columns * rows * min(columns, rows)
        } + (query.dagModule == nil ? [] : [rows * rows * rows])
        let cumulative = costs.reduce(into: [0.0]) { $0.append($0.last! + $1) }
        return ProgressBar("rank families", total: costs.count, cost: { cumulative[min($0, costs.count)] })
    }
}

extension RankCommand: WritesFiles {
    static let outputOptions: [(name: String, fileExtension: String?)] = [("plot", "svg")]
}
