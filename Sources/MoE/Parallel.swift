import Dispatch
import LinearAlgebra

/// Runs the layer's element-wise loops on as many threads as BLAS uses.
///
/// The gemms run on OpenBLAS's threads; the loops between them (SwiGLU, norms, gathers,
/// the DAG's per-token work) would otherwise stay on one core. The worker count follows
/// `openblas_get_num_threads()`, so `OPENBLAS_NUM_THREADS` or `openblas_set_num_threads`
/// sets both. Ranges are split into contiguous chunks in a fixed way for a given count and
/// worker number, so results are reproducible for a fixed thread count.
enum Parallel {
    /// A worker count that replaces BLAS's within a task (tests use it to run the chunked
    /// paths with 1 and with several workers on any machine).
    @TaskLocal static var workerOverride: Int?

    /// The number of workers for the element-wise loops.
    static var workers: Int { max(1, workerOverride ?? BLASKernel.threads) }

    /// Splits 0..<count into at most `workers` contiguous chunks of at least `grain`
    /// items and calls `body(chunk, range)` for each, concurrently; returns the chunk count
    /// (chunk indices are below it). `body` must write only to memory that no other chunk
    /// writes; per-chunk partial results sized by the same `workers` value are safe.
    @discardableResult
    static func chunks(_ count: Int, grain: Int, workers: Int = Parallel.workers,
                       _ body: (Int, Range<Int>) -> Void) -> Int {
        let n = min(workers, max(1, count / max(grain, 1)))
        guard n > 1 else {
            body(0, 0..<count)
            return 1
        }
        withoutActuallyEscaping(body) { body in
            let task = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: n) { c in
                task.value(c, (count * c / n)..<(count * (c + 1) / n))
            }
        }
        return n
    }

    /// `body(range)` over disjoint chunks of 0..<count, concurrently.
    static func forEach(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        chunks(count, grain: grain) { _, range in body(range) }
    }
}

/// A value handed to worker threads whose safety the caller guarantees (disjoint writes).
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
