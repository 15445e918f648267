import ArgumentParser
import BigInt
import Combinatorics
import Report

/// `analyze count`: the expert-combination space under weighted-sum and DAG aggregation.
struct CountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Exact counts of expert combinations: weighted sum against DAG aggregation.",
        discussion: """
        Limits: 1 ≤ k ≤ n, k ≤ \(CountLimits.maxK), n ≤ \(CountLimits.maxN), --max-depth ≤ \(CountLimits.maxDepth), \
        Σk² over a --k-range ≤ \(CountLimits.maxRangeWork) (1...368, or 2045...2048). \
        Weakly connected DAGs are counted for k ≤ \(CountLimits.maxKConnected) and depth-limited DAGs for \
        k ≤ \(CountLimits.maxKDepth); past those a note stands in their place. The realizable group (what the \
        spec's layer can produce, beside the paper's count): realizable.round_patterns and realizable.patterns.L \
        for k ≤ \(RealizableLimits.maxKRoundPatterns) (O(k²)), realizable.round_patterns_up_to_relabeling for \
        k ≤ \(RealizableLimits.maxKRoundPatternOrbits), realizable.round_dags, its unlabeled count, \
        realizable.structural and realizable.structural_ratio for k ≤ \(RealizableLimits.maxKRoundDAGs) \
        (generating functions, O(k³) big-integer work); docs/counting.md gives the formulas and OEIS ids.
        """
    )

    @Option(parsing: .unconditional, help: "Routed experts in the layer (from --config when not given).")
    var n: Int?

    @OptionGroup(title: "Model")
    var modelOptions: CountModelOptions

    @Option(parsing: .unconditional, help: "Experts selected per token.")
    var k: Int?

    @Option(name: .customLong("k-range"), help: "One row per k in A...B (for example 1...16; A...A gives a one-row range).")
    var kRange: String?

    @Option(name: .customLong("max-depth"), help: "Largest depth L for depth-limited DAGs and module patterns.")
    var maxDepth = 4

    @Option(help: "text, json, csv or markdown.")
    var format: OutputFormat = .text

    @Option(help: "Write an SVG plot of log10 counts against k to this file.")
    var plot: String?

    @Flag(help: "Print every digit in text output (long values are abbreviated otherwise).")
    var full = false

    /// The k values to report.
    func ks() throws -> [Int] {
        switch (k, kRange) {
        case (let k?, nil): return [k]
        case (nil, let range?): return try CountCommand.parseRange(range)
        case (nil, nil):
            if let model = try modelOptions.model() { return [model.topK] }
            throw ValidationError("give --k K or --k-range A...B")
        case (_?, _?): throw ValidationError("give either --k or --k-range, not both")
        }
    }

    /// Parses "A...B" (also "A..B" or "A-B"; A and B decimal digits) into A through B; B past
    /// ``CountLimits/maxK`` is rejected before the range is built, and so is a range past
    /// ``CountLimits/maxRangeWork``.
    static func parseRange(_ text: String) throws -> [Int] {
        func number(_ part: Substring) -> Int? {
            part.isEmpty || !part.allSatisfy({ $0.isASCII && $0.isNumber }) ? nil : Int(part)
        }
        let bounds = ["...", "..", "-"].lazy.compactMap { separator -> (Int, Int)? in
            let parts = text.components(separatedBy: separator)
            guard parts.count == 2, let a = number(Substring(parts[0])), let b = number(Substring(parts[1])) else { return nil }
            return (a, b)
        }.first
        guard let (a, b) = bounds else {
            throw ValidationError("--k-range '\(text)' is not of the form A...B (whole numbers A and B, for example 1...16)")
        }
        guard a <= b else {
            throw ValidationError("--k-range '\(text)' runs backwards: A must be at most B")
        }
        guard b <= CountLimits.maxK else {
            throw ValidationError("--k-range '\(text)' reaches past the limit of \(CountLimits.maxK)")
        }
        let work = (a...b).reduce(0) { $0 + $1 * $1 }
        guard work <= CountLimits.maxRangeWork else {
            throw ValidationError("--k-range '\(text)' is too wide: a row costs about k², and the rows' Σk² = \(work) "
                                  + "is past the limit of \(CountLimits.maxRangeWork) (for example 1...368 or 2045...2048)")
        }
        return Array(a...b)
    }

    func validate() throws {
        let n = try resolvedN()
        guard n >= 1 else { throw ValidationError("--n must be at least 1 (got \(n))") }
        guard n <= CountLimits.maxN else {
            throw ValidationError("--n \(n) is past the limit of \(CountLimits.maxN)")
        }
        guard (1...CountLimits.maxDepth).contains(maxDepth) else {
            throw ValidationError("--max-depth must be between 1 and \(CountLimits.maxDepth) (got \(maxDepth))")
        }
        for k in try ks() {
            guard k >= 1 else { throw ValidationError("--k must be at least 1 (got \(k))") }
            guard k <= n else { throw ValidationError("--k \(k) is larger than --n \(n): a layer cannot select more experts than it has") }
            guard k <= CountLimits.maxK else {
                throw ValidationError("--k \(k) is past the limit of \(CountLimits.maxK)")
            }
        }
    }

    func run() throws {
        let outputs = try planOutputs(["plot": plot], inputs: [modelOptions.config])
        let ks = try ks()
        let maxK = ks.max()!
        let bar = ProgressBar("labeled DAG table", total: maxK, cost: CombinationCounter.tableCost)
        let counter = CombinationCounter(maxK: maxK) { bar.update($0) }
        bar.finish()
        let n = try resolvedN()
        // A row costs about k² (CountLimits.maxRangeWork): weight the rows' progress by it.
        let rowWork = ks.reduce(into: [0.0]) { $0.append($0.last! + Double($1) * Double($1)) }
        let rowBar = ProgressBar("count rows", total: ks.count, cost: { rowWork[$0] })
        let rows = ks.enumerated().map { i, k in
            defer { rowBar.update(i + 1) }
            return counter.counts(n: n, k: k, maxDepth: maxDepth)
        }
        rowBar.finish()
        let output = CountOutput(rows: rows, maxDepth: maxDepth, full: full, range: kRange != nil)
        print(try renderWithModel(output, ks: ks), terminator: "")
        if plot != nil { try outputs.write(CountOutput.plot(rows), option: "plot") }
    }
}

extension CountCommand: WritesFiles {
    static let outputOptions: [(name: String, fileExtension: String?)] = [("plot", "svg")]
}
