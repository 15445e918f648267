import ArgumentParser
import BigInt
import Combinatorics
import Report

/// The formats `analyze dags` offers: tables and edge lists, JSON, or Graphviz DOT for listed DAGs.
enum DagsFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, dot
}

/// Formats an `analyze dags` run: a header, one item per listed DAG, and the summary.
/// Items are rendered one at a time so a long list streams.
struct DagsOutput {
    let k: Int
    let filter: DAGFilter
    let classes: Bool
    let format: DagsFormat

    /// "labeled DAGs on k = 4 nodes with exactly one sink".
    var title: String {
        var conditions: [String] = []
        if filter.oneSink { conditions.append("exactly one sink") }
        if filter.oneSource { conditions.append("exactly one source") }
        if filter.weaklyConnected { conditions.append("weakly connected") }
        if let depth = filter.maxDepth { conditions.append("longest path ≤ \(depth) edges") }
        let what = classes ? "isomorphism classes of DAGs" : "labeled DAGs"
        return "\(what) on k = \(k) nodes" + (conditions.isEmpty ? "" : ", " + conditions.joined(separator: ", "))
    }

    /// What comes before the listed DAGs.
    func header(listing: Bool) -> String {
        switch format {
        case .text: return listing ? title + "\n\n" : ""
        case .dot: return "// \(title)\n"
        case .json:
            let head = JSON.object([
                ("k", .int(k)),
                ("kind", .string(classes ? "classes" : "labeled")),
                ("filter", .object([
                    ("one_sink", .bool(filter.oneSink)), ("one_source", .bool(filter.oneSource)),
                    ("weakly_connected", .bool(filter.weaklyConnected)),
                    ("max_depth", filter.maxDepth.map { .int($0) } ?? .null),
                ])),
            ]).rendered()
            return String(head.dropLast()) + (listing ? ", \"dags\": [" : "")
        }
    }

    /// One listed DAG, numbered from 1; `automorphisms` for a class's canonical form.
    func item(_ number: Int, _ dag: LabeledDAG, automorphisms: Int?) -> String {
        switch format {
        case .text:
            let edges = dag.edges.isEmpty ? "(none)" : dag.edges.map { "\($0.from)->\($0.to)" }.joined(separator: " ")
            var line = "#\(number)  bits \(dag.bitString)  edges \(edges)"
            if let automorphisms {
                line += "  automorphisms \(automorphisms)  labelings \(BigInt.factorial(k).asInt! / automorphisms)"
            }
            return line + "\n"
        case .dot:
            var out = "digraph dag_\(number) {\n  " + (0..<k).map { "\($0);" }.joined(separator: " ") + "\n"
            for e in dag.edges { out += "  \(e.from) -> \(e.to);\n" }
            if let automorphisms { out += "  // automorphisms \(automorphisms)\n" }
            return out + "}\n"
        case .json:
            var pairs: [(String, JSON)] = [
                ("index", .int(number)), ("bits", .string(dag.bitString)),
                ("edges", .array(dag.edges.map { .array([.int($0.from), .int($0.to)]) })),
                ("longest_path", .int(dag.longestPath)),
            ]
            if let automorphisms {
                pairs += [("automorphisms", .int(automorphisms)), ("labelings", .int(BigInt.factorial(k).asInt! / automorphisms))]
            }
            return (number > 1 ? ", " : "") + JSON.object(pairs).rendered()
        }
    }

    /// The count, the cross-check, and the breakdowns by longest path and by edges.
    func summary(_ census: DAGCensus, check: DAGFamilyCheck?, listing: Bool) -> String {
        let agrees = check.map { BigInt(census.count) == $0.expected }
        switch format {
        case .text:
            var out = (listing ? "\n" : "") + "\(title): \(census.count)\n"
            if let check {
                let source = classes ? "cycle-index count" : "recurrence"
                out += "\(source) (analyze count, \(check.family)): \(check.expected), \(agrees! ? "equal" : "DIFFERENT")\n"
            } else {
                out += "no single family of analyze count matches these filters\n"
            }
            if classes { out += "labeled DAGs in these classes (Σ k!/|Aut|): \(census.labelings)\n" }
            out += "\n" + breakdown("longest path", census.byLongestPath).text()
            out += "\n" + breakdown("edges", census.byEdges).text()
            return out
        case .dot:
            var out = "// count: \(census.count)\n"
            if let check { out += "// analyze count, \(check.family): \(check.expected), \(agrees! ? "equal" : "DIFFERENT")\n" }
            return out
        case .json:
            var pairs: [(String, JSON)] = [("count", .int(census.count))]
            if let check {
                pairs.append(("check", .object([
                    ("family", .string(check.family)), ("expected", .string(check.expected.description)),
                    ("equal", .bool(agrees!)),
                ])))
            }
            if classes { pairs.append(("labelings", .int(census.labelings))) }
            pairs += [
                ("by_longest_path", .object(census.byLongestPath.enumerated().map { ("\($0.offset)", .int($0.element)) })),
                ("by_edges", .object(census.byEdges.enumerated().map { ("\($0.offset)", .int($0.element)) })),
            ]
            let body = JSON.object(pairs).rendered().dropFirst()
            return (listing ? "], " : ", ") + body + "\n"
        }
    }

    /// A two-column table of tallies, one row per value of `name`.
    func breakdown(_ name: String, _ tallies: [Int]) -> Table {
        var t = Table(header: [name, classes ? "classes" : "dags"], alignments: [.right, .right])
        for (value, count) in tallies.enumerated() { t.append([String(value), Numbers.grouped(count)]) }
        return t
    }

    /// `analyze dags --realizable`: the classification and its check.
    func realizable(_ c: RealizableCensus, check: DAGFamilyCheck) -> String {
        let agrees = BigInt(c.lonesum) == check.expected && c.intervalOrders == c.lonesum
        switch format {
        case .json:
            return JSON.object([
                ("k", .int(k)), ("kind", .string("labeled")), ("dags", .int(c.dags)),
                ("lonesum", .int(c.lonesum)), ("interval_orders", .int(c.intervalOrders)),
                ("margin_classes", .int(c.marginClasses)), ("lonesum_margin_classes", .int(c.lonesumMarginClasses)),
                ("check", .object([("family", .string(check.family)), ("expected", .string(check.expected.description)),
                                   ("equal", .bool(agrees))])),
            ]).rendered() + "\n"
        case .text, .dot:
            var t = Table(header: ["labeled DAGs on k = \(k) nodes", "count"], alignments: [.left, .right])
            t.append(["all", Numbers.grouped(c.dags)])
            t.append(["lonesum adjacency (one round can produce them)", Numbers.grouped(c.lonesum)])
            t.append(["interval orders (poset test)", Numbers.grouped(c.intervalOrders)])
            t.append(["distinct (out-degree, in-degree) margins", Numbers.grouped(c.marginClasses)])
            t.append(["distinct margins among the lonesum ones", Numbers.grouped(c.lonesumMarginClasses)])
            return t.text() + "generating function (analyze count, \(check.family)): \(check.expected), "
                + (agrees ? "equal" : "DIFFERENT") + "\n"
        }
    }

    /// `analyze dags --realizable --classes`: interval orders up to relabeling and their check.
    func realizableClasses(_ count: Int, check: DAGFamilyCheck) -> String {
        let agrees = BigInt(count) == check.expected
        switch format {
        case .json:
            return JSON.object([
                ("k", .int(k)), ("kind", .string("classes")), ("interval_orders", .int(count)),
                ("check", .object([("family", .string(check.family)), ("expected", .string(check.expected.description)),
                                   ("equal", .bool(agrees))])),
            ]).rendered() + "\n"
        case .text, .dot:
            return "isomorphism classes of DAGs on k = \(k) nodes that are interval orders: \(count)\n"
                + "generating function (analyze count, \(check.family)): \(check.expected), \(agrees ? "equal" : "DIFFERENT")\n"
        }
    }

    /// `analyze dags --sequence`: labeled and unlabeled counts for n = 0…K.
    static func sequence(labeled: [BigInt], unlabeled: [BigInt], format: DagsFormat) -> String {
        switch format {
        case .json:
            return JSON.array(zip(labeled, unlabeled).enumerated().map { n, pair in
                .object([("n", .int(n)), ("labeled", .string(pair.0.description)),
                         ("unlabeled", .string(pair.1.description))])
            }).rendered() + "\n"
        case .text, .dot:
            var t = Table(header: ["n", "labeled", "unlabeled"], alignments: [.right, .right, .right])
            for (n, pair) in zip(labeled, unlabeled).enumerated() {
                t.append([String(n), Numbers.abbreviated(pair.0, maxDigits: 40), Numbers.abbreviated(pair.1, maxDigits: 40)])
            }
            return "DAGs on n nodes: labeled, and up to relabeling (isomorphism classes)\n\n" + t.text()
        }
    }
}

/// Collects output and hands it to stdout in large pieces, so a long listing streams
/// without one write per line.
struct StdoutBuffer {
    private var pending = ""

    mutating func write(_ text: String) {
        pending += text
        if pending.utf8.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        print(pending, terminator: "")
        pending = ""
    }
}
