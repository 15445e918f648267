import ArgumentParser
import Bench
import Foundation
import LinearAlgebra
import MoE
import Report

/// `analyze bench`: forward+backward throughput of one layer, or one sgemm, on this machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Tokens per second of one DAG-MoE layer (forward + backward, Float32), or sgemm GFLOP/s.",
        discussion: """
        The layer runs forward then backward (every weight gradient, dJ/dx, auxiliary losses) on \
        --tokens seeded tokens; the figure is the median over --repeats timed steps after --warmup \
        untimed ones. Float32 output is checked against Float64 on the same weights. --peer reads \
        the JSON that tools/bench_layer.py writes (PyTorch, same shape and threads) and prints the \
        ratio; tools/bench_layer.sh runs both. --gemm N times one N×N×N sgemm instead and reports \
        the OpenBLAS kernel in use; --kernel prints that kernel's name alone (for scripts that set \
        OPENBLAS_CORETYPE, as .ci/run does). See docs/performance.md.
        """
    )

    @Option(help: "Token width d.") var d = 256
    @Option(help: "Routed experts N.") var n = 16
    @Option(help: "Experts per token K.") var k = 4
    @Option(name: .customLong("d-ff"), help: "Hidden width of each expert.") var dFF = 512
    @Option(name: .customLong("d-g"), help: "Width of the DAG module's space.") var dG = 64
    @Option(help: "DAG rounds L (0 = weighted sum).") var depth = 2
    @Option(help: "Tokens per step T.") var tokens = 1024
    @Option(name: .customLong("threads"), help: "BLAS threads (default: all cores).") var requestedThreads: Int?
    @Option(help: "Timed steps; the median is reported.") var repeats = 10
    @Option(help: "Untimed steps first.") var warmup = 3
    @Option(help: ArgumentHelp("JSON from tools/bench_layer.py for the same shape: print it and the ratio.",
                               valueName: "file.json"))
    var peer: String?
    @Option(help: ArgumentHelp("Time one N×N×N sgemm instead of the layer.", valueName: "N")) var gemm: Int?
    @Flag(help: "Print the OpenBLAS kernel analyze runs on this machine (after its own choice) and exit.")
    var kernel = false
    @Option(help: "text or json.") var format: SummaryFormat = .text

    /// Largest buffers the command allocates: T·K·max(d, d_ff) values per activation.
    static let maxEntries = 1 << 28

    var threads: Int { requestedThreads ?? ProcessInfo.processInfo.activeProcessorCount }

    var config: LayerConfig {
        LayerConfig(dModel: d, nExperts: n, topK: k, dFF: dFF, dG: dG, dagLayers: depth,
                    lbCoef: 0.01, zCoef: 0.001)
    }

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1 (got \(threads))") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1 (got \(repeats))") }
        guard warmup >= 0 else { throw ValidationError("--warmup must be at least 0 (got \(warmup))") }
        if let gemm {
            guard (1...8192).contains(gemm) else { throw ValidationError("--gemm must be in 1...8192 (got \(gemm))") }
            guard peer == nil else { throw ValidationError("--peer compares layer figures; it does not go with --gemm") }
            return
        }
        guard tokens >= 1 else { throw ValidationError("--tokens must be at least 1 (got \(tokens))") }
        do { try config.validate() } catch let e as LayerConfigError {
            throw ValidationError("bad shape: \(e.description)")
        }
        let entries = tokens.multipliedReportingOverflow(by: k * max(d, dFF))
        guard !entries.overflow, entries.partialValue <= BenchCommand.maxEntries else {
            throw ValidationError("--tokens × --k × max(--d, --d-ff) is past the limit of \(BenchCommand.maxEntries) values")
        }
        try OptionLimits.checkRounds(tokens: tokens, k: k, dG: dG, depth: depth, tokensOption: "--tokens")
    }

    func run() throws {
        if kernel {
            print(BLASKernel.loaded)
            return
        }
        if let gemm {
            let result = GemmBenchmark(n: gemm, threads: threads, warmup: warmup, repeats: repeats,
                                       cpuFlags: BLASKernel.cpuFlags(), replaced: BLASKernel.replaced,
                                       coretype: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"])
            print(BenchOutput.gemm(result, format: format), terminator: "")
            if !result.ok { throw UsageError("sgemm check failed: max relative error \(result.maxRelativeError)") }
            return
        }
        let peerResult = try peer.map(PeerBenchmark.init(path:))
        if let peerResult { try peerResult.requireSame(config: config, tokens: tokens, threads: threads) }
        let result = try LayerBenchmark(config: config, tokens: tokens, threads: threads,
                                        warmup: warmup, repeats: repeats)
        print(BenchOutput.layer(result, peer: peerResult, format: format), terminator: "")
        if !result.ok { throw UsageError("Float32 layer disagrees with Float64: max relative error \(result.maxRelativeError)") }
    }
}
