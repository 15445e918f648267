import ArgumentParser
import Combinatorics
import Foundation
import MoE

/// The bounds of every numeric option of every subcommand, in one place, checked on the
/// command line before it is parsed (so before any work): a value past its upper bound, or a
/// negative one, stops the command with one line naming the option. Lower bounds above 0 and
/// bounds that depend on other options (k ≤ n, the shape budgets, …) are checked by each
/// command's `validate()`. docs/hardening.md lists the same table.
enum OptionLimits {
    /// The largest value of an option (`UInt64.max` for seeds), and why, when it is not obvious.
    /// A limit `byCommand` is enforced by the command's own `validate()`, whose message says
    /// more (k ≤ n, which mode); only a negative value is refused here.
    struct Limit {
        let max: Double
        let text: String
        let note: String?
        var byCommand = false

        /// This limit, enforced by the command itself.
        var checkedByCommand: Limit {
            var limit = self
            limit.byCommand = true
            return limit
        }

        init(_ max: Int, _ note: String? = nil) {
            self.max = Double(max)
            text = String(max)
            self.note = note
        }

        init(_ max: Double, _ note: String? = nil) {
            self.init(max, text: String(format: "%g", max), note: note)
        }

        init(_ max: Double, text: String, note: String? = nil) {
            self.max = max
            self.text = text
            self.note = note
        }
    }

    static let seed = Limit(Double(UInt64.max), text: String(UInt64.max))

    /// Shared by `train` and `compare` (`TrainFlags`).
    static let training: [String: Limit] = [
        "functions": Limit(64), "task-seed": seed, "d": Limit(8192), "n": Limit(4096), "k": Limit(1024),
        "d-ff": Limit(65536), "d-g": Limit(8192), "lb-coef": Limit(1000.0), "z-coef": Limit(1000.0),
        "steps": Limit(1_000_000), "batch": Limit(65536), "lr": Limit(1000.0), "weight-decay": Limit(1000.0),
        "clip": Limit(1e6), "warmup": Limit(1_000_000), "eval-every": Limit(1_000_000), "eval-tokens": Limit(65536),
    ]

    static let notebook: [String: Limit] = [
        "time-limit": Limit(1e6, "seconds"), "output-cap": Limit(1 << 30, "bytes, held in memory"),
        "progress-every": Limit(86400.0, "seconds"),
    ]

    /// Subcommand (words after `analyze`) → long option name → limit.
    static let table: [String: [String: Limit]] = [
        "count": [
            "n": Limit(CountLimits.maxN).checkedByCommand, "k": Limit(CountLimits.maxK).checkedByCommand,
            "max-depth": Limit(CountLimits.maxDepth).checkedByCommand,
            "d-g": Limit(LayerConfig.metadataLimit, "and at most the model's d"),
        ],
        "rank": [
            "depth": Limit(RankCommand.maxDepth), "dag-rounds": Limit(64), "dg": Limit(4096),
            "tol": Limit(1e30), "residual-tol": Limit(1.0),
        ],
        "bench": [
            "d": Limit(16384), "n": Limit(4096), "k": Limit(1024), "d-ff": Limit(65536), "d-g": Limit(4096),
            "depth": Limit(64), "tokens": Limit(1 << 20), "threads": Limit(1024), "repeats": Limit(10_000),
            "warmup": Limit(10_000), "gemm": Limit(8192),
        ],
        "train": training.merging([
            "depth": Limit(64), "shared-d-ff": Limit(65536), "chain-iterations": Limit(16), "seed": seed,
        ]) { a, _ in a },
        "compare": training.merging(["seeds": Limit(100), "chain-iterations": Limit(16), "plot-from": training["steps"]!]) { a, _ in a },
        "crosscheck": [
            "layer": Limit(100_000), "tol-forward": Limit(1e6), "tol-backward": Limit(1e6),
            "tokens": Limit(CrosscheckCommand.maxTokens), "seed": seed, "jacobian-tokens": Limit(65536),
            "rank-rtol": Limit(1.0), "shuffle-seed": seed,
        ],
        "convert": [
            "layer": Limit(100_000), "dag-layers": Limit(64), "d-g": Limit(LayerConfig.metadataLimit), "seed": seed,
        ],
        "notebook run": notebook,
        "notebook check": notebook.merging(["vary-budget": Limit(3600.0, "seconds")]) { a, _ in a },
        "dags": [
            "k": Limit(DagsCommand.maxSequenceK, "\(DAGEnumerationLimits.maxK) to enumerate, \(DagsCommand.maxSequenceK) with --sequence")
                .checkedByCommand,
            "max-depth": Limit(Int.max, "a filter: any depth past k − 1 keeps every DAG"),
            "sample": Limit(10_000_000), "d-g": Limit(4096), "d": Limit(4096), "rounds": Limit(16), "seed": seed,
        ],
    ]

    /// Most values the DAG rounds of one batch may hold: T·K²·L edge gates, and T·K·L·d_g
    /// module activations (`bench`, `train`, `compare`).
    static let maxRoundValues = 1 << 28

    /// Checks the DAG rounds of `tokens` tokens against ``maxRoundValues``, overflow-safe.
    static func checkRounds(tokens: Int, k: Int, dG: Int, depth: Int, tokensOption: String) throws {
        for (what, width) in [("K²·L edge gates", k), ("K·L·d_g module values", dG)] {
            let (a, o1) = tokens.multipliedReportingOverflow(by: k)
            let (b, o2) = a.multipliedReportingOverflow(by: width)
            let (c, o3) = b.multipliedReportingOverflow(by: depth)
            guard o1 || o2 || o3 || c > maxRoundValues else { continue }
            throw ValidationError("\(tokensOption) × \(what) is past the limit of \(maxRoundValues) values "
                                  + "(\(tokensOption) \(tokens), --k \(k), --d-g \(dG), depth \(depth))")
        }
    }

    /// The limits of the subcommand `arguments` start with, and the words after it.
    static func subcommand(_ arguments: [String]) -> (limits: [String: Limit], rest: ArraySlice<String>)? {
        guard let first = arguments.first else { return nil }
        if arguments.count >= 2, let limits = table[first + " " + arguments[1]] { return (limits, arguments.dropFirst(2)) }
        return table[first].map { ($0, arguments.dropFirst()) }
    }

    /// Checks every numeric option of `arguments` (`--name value` or `--name=value`) against its
    /// limit; values that are not numbers are left to the parser.
    static func check(_ arguments: [String]) throws {
        guard let (limits, rest) = subcommand(arguments) else { return }
        var words = rest.makeIterator()
        while let word = words.next() {
            if word == "--" { return }
            guard word.hasPrefix("--") else { continue }
            let body = word.dropFirst(2)
            let name: String, value: String?
            if let eq = body.firstIndex(of: "=") {
                name = String(body[..<eq])
                value = String(body[body.index(after: eq)...])
            } else {
                name = String(body)
                value = limits[name] == nil ? nil : words.next()
            }
            guard let limit = limits[name], let value, let number = Double(value) else { continue }
            if number < 0 {
                let range = limit.max == Double(Int.max) ? "" : "; give a number up to \(limit.text)"
                throw ValidationError("--\(name) \(value) is negative\(range)")
            }
            if number > limit.max && !limit.byCommand {
                throw ValidationError("--\(name) \(value) is past the limit of \(limit.text)" + (limit.note.map { " (\($0))" } ?? ""))
            }
        }
    }
}
