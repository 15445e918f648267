import LinearAlgebra
import MoE

/// One n×n×n sgemm through CBLAS, timed, with the kernel OpenBLAS runs and a correctness check.
public struct GemmBenchmark: Sendable {
    public let n: Int
    public let threads: Int
    /// Who chose the kernel OpenBLAS runs.
    public enum Source: String, Sendable {
        /// OpenBLAS itself, from the CPU's family and model.
        case library
        /// `analyze`, by re-executing itself (`replaced` holds the library's choice).
        case analyze
        /// The user, through OPENBLAS_CORETYPE.
        case environment = "OPENBLAS_CORETYPE"
    }

    /// The kernel OpenBLAS runs, the one it first chose if `analyze` re-executed, and
    /// the best kernel for this CPU.
    public let kernel: String, replaced: String?, cpuBest: String?
    public let source: Source
    public let timing: BenchTiming
    /// Largest |C − C_ref| / (|A|·|B|)_ij over sampled entries, C_ref in Double.
    public let maxRelativeError: Double
    /// Entries sampled for the check.
    public let checked: Int

    /// The error bound the check uses: a few units of Float rounding per product term.
    public static let tolerance = 1e-5

    public var milliseconds: Double { timing.median * 1e3 }
    public var gflops: Double { 2 * Double(n) * Double(n) * Double(n) / timing.median * 1e-9 }
    public var ok: Bool { maxRelativeError <= GemmBenchmark.tolerance }

    /// Times C = A·B for seeded A, B with entries uniform in [−1, 1), then checks 256
    /// (or all, when fewer) entries of C against dot products in Double. `cpuFlags`,
    /// `replaced` (the kernel OpenBLAS first chose, when `analyze` re-executed) and `coretype`
    /// (`OPENBLAS_CORETYPE`) say who chose the kernel.
    public init(n: Int, threads: Int, warmup: Int, repeats: Int, cpuFlags: Set<String>, replaced: String?,
                coretype: String?) {
        self.n = n
        self.threads = threads
        BLASKernel.threads = threads
        var rng = SeededRandom(seed: 7)
        let a = (0..<(n * n)).map { _ in Float(rng.nextUniform(-1, 1)) }
        let b = (0..<(n * n)).map { _ in Float(rng.nextUniform(-1, 1)) }
        var c = [Float](repeating: 0, count: n * n)
        timing = BenchTiming(warmup: warmup, repeats: repeats) {
            Float.gemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n,
                       b: b, ldb: n, beta: 0, c: &c, ldc: n)
        }
        let samples = min(256, n * n)
        var worst = 0.0
        for _ in 0..<samples {
            let i = Int(rng.next() % UInt64(n)), j = Int(rng.next() % UInt64(n))
            var ref = 0.0, scale = 0.0
            for l in 0..<n {
                let p = Double(a[i * n + l]) * Double(b[l * n + j])
                ref += p
                scale += Swift.abs(p)
            }
            worst = max(worst, Swift.abs(Double(c[i * n + j]) - ref) / max(scale, .leastNormalMagnitude))
        }
        maxRelativeError = worst
        checked = samples
        kernel = BLASKernel.loaded
        self.replaced = replaced
        source = replaced != nil ? .analyze : coretype.map { $0.isEmpty ? .library : .environment } ?? .library
        cpuBest = BLASKernel.best(flags: cpuFlags)
    }
}
