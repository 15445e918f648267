import ArgumentParser
import BigInt
import Combinatorics
import Foundation
import Report
import Synchronization

/// `analyze dags`: every labeled DAG on k nodes (or every isomorphism class), filtered,
/// tallied and optionally listed; or the exact labeled and unlabeled counts for 0…K.
struct DagsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dags",
        abstract: "Enumerate DAGs on k nodes: counts, breakdowns, isomorphism classes, listings.",
        discussion: """
        Enumerates labeled DAGs for 1 ≤ k ≤ \(DAGEnumerationLimits.maxK) (3,781,503 at k = 6 in a fraction \
        of a second; 1,138,779,265 at k = 7 in a minute or two) and checks the count against the recurrence of \
        `analyze count` when one family matches the filters. --realizable classifies every DAG as one round of \
        the spec's edge gate σ(s_i + t_j + b) sees it (lonesum adjacency, interval order by the poset test, \
        distinct margins) and checks the lonesum count against realizable.round_dags (A079144; Fishburn \
        numbers A022493 with --classes). --classes enumerates canonical forms, one per \
        isomorphism class, and checks them against the cycle-index count. --list prints each DAG for \
        k ≤ \(DagsCommand.maxListK) (--list-large to go further). --sequence prints labeled and unlabeled counts \
        for n = 0…K, K ≤ \(DagsCommand.maxSequenceK), without enumerating. Ctrl-C stops an enumeration with \
        one line on stderr and exit status 1.
        """
    )

    /// Largest k listed without --list-large: 29,281 DAGs at k = 5.
    static let maxListK = 5
    /// Largest K for --sequence: seconds at K = 40, minutes at K = 50 (the work grows about 18-fold per 10).
    static let maxSequenceK = 50

    @Option(help: "Nodes per DAG.")
    var k: Int

    @Flag(help: "Keep DAGs with exactly one sink.")
    var oneSink = false

    @Flag(help: "Keep DAGs with exactly one source.")
    var oneSource = false

    @Flag(help: "Keep weakly connected DAGs.")
    var connected = false

    @Option(name: .customLong("max-depth"), help: "Keep DAGs whose longest path has at most L edges (0: only the DAG without edges).")
    var maxDepth: Int?

    @Flag(help: "Enumerate isomorphism classes (canonical forms) instead of labeled DAGs.")
    var classes = false

    @Flag(help: "Print every DAG kept (edge list and adjacency bits, JSON, or DOT).")
    var list = false

    @Flag(name: .customLong("list-large"), help: "Allow --list past k = \(DagsCommand.maxListK).")
    var listLarge = false

    @Flag(help: "Print labeled and unlabeled DAG counts for n = 0…k instead of enumerating.")
    var sequence = false

    @Flag(help: "Classify every DAG as one round of the edge gate sees it: lonesum, interval order, margin classes.")
    var realizable = false

    @OptionGroup(title: "Sampling (with --realizable)")
    var sampling: DagsSampleOptions

    @Option(help: "text, json or dot (dot draws the listed DAGs).")
    var format: DagsFormat = .text

    var filter: DAGFilter {
        DAGFilter(oneSink: oneSink, oneSource: oneSource, weaklyConnected: connected, maxDepth: maxDepth)
    }

    func validate() throws {
        if let maxDepth, maxDepth < 0 {
            throw ValidationError("--max-depth must be at least 0 (got \(maxDepth)); 0 keeps only the DAG without edges")
        }
        if sequence {
            guard (0...DagsCommand.maxSequenceK).contains(k) else {
                throw ValidationError("--sequence needs 0 ≤ --k ≤ \(DagsCommand.maxSequenceK) (got \(k))")
            }
            guard filter.isEmpty, !classes, !list else {
                throw ValidationError("--sequence prints counts only; it takes no filter, --classes or --list")
            }
            guard format != .dot else { throw ValidationError("--format dot draws listed DAGs; --sequence has none") }
            return
        }
        guard k >= 1 else { throw ValidationError("--k must be at least 1 (got \(k))") }
        if sampling.sample != nil {
            guard realizable else { throw ValidationError("--sample goes with --realizable") }
            try sampling.validate(k: k)
        }
        if realizable {
            guard filter.isEmpty, !list, format != .dot else {
                throw ValidationError("--realizable classifies all DAGs; it takes no filter, --list or --format dot")
            }
        }
        guard k <= DAGEnumerationLimits.maxK else {
            throw ValidationError("--k \(k) is too large to enumerate: the limit is \(DAGEnumerationLimits.maxK) "
                                  + "(1,138,779,265 labeled DAGs); analyze count gives the numbers for any k")
        }
        if list && k > DagsCommand.maxListK && !listLarge {
            throw ValidationError("--list stops at k = \(DagsCommand.maxListK) (29,281 DAGs); add --list-large to list more")
        }
        if format == .dot && !list { throw ValidationError("--format dot draws listed DAGs; add --list") }
    }

    func run() throws {
        if sequence { return try runSequence() }
        if sampling.sample != nil { return try runSample() }
        if realizable { return try runRealizable() }
        let output = DagsOutput(k: k, filter: filter, classes: classes, format: format)
        var buffer = StdoutBuffer()
        buffer.write(output.header(listing: list))
        let total = classes ? 1 << (k * (k - 1) / 2) : labeledDAGCounts(upTo: k)[k].asInt!
        let bar = ProgressBar(classes ? "upper-triangular matrices" : "labeled DAGs", total: total)
        var listed = 0
        let result = Interrupt.catching { interrupted in
            let progress: (Int) -> Bool = { done in
                bar.update(done)
                return !interrupted()
            }
            if classes {
                return dagClassCensus(k: k, filter: filter, progress: progress, matched: { dag, automorphisms in
                    guard list else { return }
                    listed += 1
                    buffer.write(output.item(listed, dag, automorphisms: automorphisms))
                })
            }
            // Listing is slow per DAG: poll more often so Ctrl-C answers at once.
            return labeledDAGCensus(k: k, filter: filter, progressEvery: list ? 1 << 10 : 1 << 16,
                                    progress: progress, matched: { dag in
                guard list else { return }
                listed += 1
                buffer.write(output.item(listed, dag, automorphisms: nil))
            })
        }
        bar.finish()
        guard result.completed else {
            buffer.flush()
            let what = classes ? "matrices tested" : "DAGs enumerated"
            throw UsageError("interrupted: \(Numbers.grouped(result.census.count)) kept so far, "
                             + "stopped before all \(Numbers.grouped(total)) \(what)")
        }
        let check = DAGFamilyCheck.matching(k: k, filter: filter, classes: classes)
        buffer.write(output.summary(result.census, check: check, listing: list))
        buffer.flush()
        if let check, BigInt(result.census.count) != check.expected {
            throw UsageError("the enumeration found \(result.census.count), \(check.family) says \(check.expected)")
        }
    }

    func runRealizable() throws {
        let total = classes ? 1 << (k * (k - 1) / 2) : labeledDAGCounts(upTo: k)[k].asInt!
        let bar = ProgressBar(classes ? "upper-triangular matrices" : "labeled DAGs", total: total)
        let check = DAGFamilyCheck.realizable(k: k, classes: classes)
        let output = DagsOutput(k: k, filter: filter, classes: classes, format: format)
        let (found, completed, text): (Int, Bool, String) = Interrupt.catching { interrupted in
            let progress: (Int) -> Bool = { done in
                bar.update(done)
                return !interrupted()
            }
            if classes {
                let result = intervalOrderClassCount(k: k, progress: progress)
                return (result.count, result.completed, output.realizableClasses(result.count, check: check))
            }
            let result = realizableDAGCensus(k: k, progress: progress)
            return (result.census.lonesum, result.completed, output.realizable(result.census, check: check))
        }
        bar.finish()
        guard completed else { throw UsageError("interrupted before all \(Numbers.grouped(total)) were classified") }
        print(text, terminator: "")
        if BigInt(found) != check.expected {
            throw UsageError("the enumeration found \(found), \(check.family) says \(check.expected)")
        }
    }

    func runSequence() throws {
        // Step n costs about 18^(n/10) (maxSequenceK): weight the progress by the geometric sum.
        let growth = Foundation.pow(18, 0.1)
        let bar = ProgressBar("unlabeled DAG counts", total: max(k, 1), cost: { (Foundation.pow(growth, Double($0)) - 1) / (growth - 1) })
        let unlabeled = unlabeledDAGCounts(upTo: k) { bar.update($0) }
        bar.finish()
        print(DagsOutput.sequence(labeled: labeledDAGCounts(upTo: k), unlabeled: unlabeled, format: format),
              terminator: "")
    }
}

/// Turns Ctrl-C into a flag that a long loop polls, so it can stop cleanly.
enum Interrupt {
    private static let flag = Atomic<Bool>(false)

    /// Runs `body` with SIGINT caught; `body` gets a function that says whether Ctrl-C was pressed.
    /// The default action is restored afterwards.
    ///
    /// SIGINT is also unblocked on this thread: a child inherits its parent's signal mask, and
    /// a parent that starts it from a worker thread (libdispatch blocks signals there) would
    /// otherwise leave Ctrl-C pending forever.
    static func catching<T>(_ body: (() -> Bool) -> T) -> T {
        flag.store(false, ordering: .relaxed)
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &interrupt, nil)
        signal(SIGINT) { _ in Interrupt.flag.store(true, ordering: .relaxed) }
        defer { signal(SIGINT, SIG_DFL) }
        return body { flag.load(ordering: .relaxed) }
    }
}
