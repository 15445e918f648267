import Foundation
@testable import analyze
import LinearAlgebra
import Testing

/// Runs `analyze` with `arguments` in an environment without OPENBLAS_CORETYPE and
/// ANALYZE_BLAS_KERNEL, plus `extra`.
func runAnalyze(_ arguments: [String], kernelEnvironment extra: [String: String]) throws -> RunResult {
    var env = ProcessInfo.processInfo.environment
    env["OPENBLAS_CORETYPE"] = nil
    env["ANALYZE_BLAS_KERNEL"] = nil
    env["ANALYZE_BLAS_REEXEC"] = nil
    env.merge(extra) { $1 }
    return try runAnalyze(arguments, environment: env)
}

func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

/// The OpenBLAS kernel choice on this CPU (the real binary, re-executing itself) and
/// `analyze bench` end to end.
@Suite struct BenchCommandTests {
    static let tinyLayer = ["bench", "--d", "16", "--n", "4", "--k", "2", "--d-ff", "16", "--d-g", "4", "--depth", "2",
                            "--tokens", "32", "--repeats", "2", "--warmup", "1"]

    @Test func defaultPathRunsTheBestKernelClassAndComputesCorrectly() throws {
        let r = try runAnalyze(["bench", "--gemm", "96", "--repeats", "1", "--warmup", "0", "--format", "json"],
                               kernelEnvironment: [:])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try jsonObject(r.stdout)
        #expect(o["ok"] as? Bool == true)
        #expect((o["max_rel_error"] as? Double ?? 1) < 1e-5)
        let kernel = try #require(o["kernel"] as? String)
        if let best = BLASKernel.best(flags: BLASKernel.cpuFlags()) {
            #expect(BLASKernel.vectorClass(of: kernel) >= BLASKernel.vectorClass(of: best),
                    "running \(kernel) where \(best) is available")
        }
    }

    @Test func reexecPathGivesTheRequestedKernelAndCorrectResults() throws {
        // Ask for a supported kernel other than the library's own choice, so the binary
        // re-executes itself exactly as it does for an unrecognised CPU; then check a gemm
        // and a layer (Float32 against Float64) on that kernel.
        let flags = BLASKernel.cpuFlags()
        let own = try jsonObject(try runAnalyze(["bench", "--gemm", "8", "--repeats", "1", "--warmup", "0",
                                                 "--format", "json"], kernelEnvironment: ["ANALYZE_BLAS_KERNEL": "library"]).stdout)
        let library = try #require(own["kernel"] as? String)
        guard let target = ["SkylakeX", "Cooperlake", "Haswell", "Sandybridge"]
            .first(where: { BLASKernel.supports($0, flags: flags) && $0.lowercased() != library.lowercased() }) else { return }
        let env = ["ANALYZE_BLAS_KERNEL": target]
        let g = try runAnalyze(["bench", "--gemm", "96", "--repeats", "1", "--warmup", "0", "--format", "json"], kernelEnvironment: env)
        #expect(g.status == 0, "\(g.stderr)")
        let o = try jsonObject(g.stdout)
        #expect(o["kernel"] as? String == target)
        #expect(o["reexec"] as? Bool == true)
        #expect(o["source"] as? String == "analyze")
        #expect(o["library_choice"] as? String == library)
        #expect(o["ok"] as? Bool == true)
        let layer = try runAnalyze(BenchCommandTests.tinyLayer + ["--format", "json"], kernelEnvironment: env)
        #expect(layer.status == 0, "\(layer.stderr)")
        let l = try jsonObject(layer.stdout)
        #expect(l["kernel"] as? String == target)
        let check = try #require(l["check"] as? [String: Any])
        #expect(check["ok"] as? Bool == true)
    }

    @Test func kernelFlagPrintsTheKernelTheGemmRunsOn() throws {
        let name = try runAnalyze(["bench", "--kernel"], kernelEnvironment: [:])
        #expect(name.status == 0)
        let gemm = try jsonObject(try runAnalyze(["bench", "--gemm", "8", "--repeats", "1", "--warmup", "0",
                                                  "--format", "json"], kernelEnvironment: [:]).stdout)
        #expect(!name.stdout.isEmpty && name.stdout == "\(gemm["kernel"] as? String ?? "?")\n")
    }

    @Test func userCoretypeIsRespected() throws {
        let r = try runAnalyze(["bench", "--gemm", "64", "--repeats", "1", "--warmup", "0", "--format", "json"],
                               kernelEnvironment: ["OPENBLAS_CORETYPE": "Prescott"])
        let o = try jsonObject(r.stdout)
        #expect(o["kernel"] as? String == "Prescott")
        #expect(o["reexec"] as? Bool == false)
        #expect(o["source"] as? String == "OPENBLAS_CORETYPE")
        #expect(o["ok"] as? Bool == true)
    }

    @Test func badKernelRequestIsOneLine() throws {
        let r = try runAnalyze(["bench", "--gemm", "8"], kernelEnvironment: ["ANALYZE_BLAS_KERNEL": "Pentium"])
        #expect(r.status != 0)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("analyze: ANALYZE_BLAS_KERNEL=Pentium is not one of"))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func layerJSONHasTheFiguresAndThePeerRatio() throws {
        let peer = FileManager.default.temporaryDirectory.appendingPathComponent("peer-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: peer) }
        let threads = ProcessInfo.processInfo.activeProcessorCount
        try #"{"impl": "fake", "d": 16, "n": 4, "k": 2, "d_ff": 16, "d_g": 4, "depth": 2, "tokens": 32, "threads": \#(threads), "tokens_per_s": 1000.0, "ms_per_step": 32.0}"#
            .write(toFile: peer, atomically: true, encoding: .utf8)
        let r = try runAnalyze(BenchCommandTests.tinyLayer + ["--format", "json", "--peer", peer], kernelEnvironment: [:])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try jsonObject(r.stdout)
        let tps = try #require(o["tokens_per_s"] as? Double), ms = try #require(o["ms_per_step"] as? Double)
        #expect(tps > 0 && ms > 0)
        // tokens/s = T / (ms / 1000), both from the same median (4 significant digits each).
        #expect(Swift.abs(tps * ms / 1000 - 32) / 32 < 2e-3)
        let ratio = try #require(o["ratio"] as? Double)
        #expect(Swift.abs(ratio - tps / 1000) / ratio < 2e-3)
        #expect(o["repeats"] as? Int == 2)

        let text = try runAnalyze(BenchCommandTests.tinyLayer + ["--peer", peer], kernelEnvironment: [:])
        #expect(text.stdout.contains("fake") && text.stdout.contains("ratio"))
    }

    @Test func badInputsAreOneLineErrors() throws {
        let peer = FileManager.default.temporaryDirectory.appendingPathComponent("peer-bad-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: peer) }
        try #"{"impl": "fake", "d": 99, "n": 4, "k": 2, "d_ff": 16, "d_g": 4, "depth": 2, "tokens": 32, "threads": 1, "tokens_per_s": 1.0, "ms_per_step": 1.0}"#
            .write(toFile: peer, atomically: true, encoding: .utf8)
        for (args, phrase) in [(["bench", "--threads", "0"], "--threads"), (["bench", "--k", "20"], "top_k"),
                               (["bench", "--tokens", "100000000"], "limit"),
                               (BenchCommandTests.tinyLayer + ["--peer", peer, "--threads", "1"], "d = 99"),
                               (["bench", "--peer", "/nonexistent/p.json", "--tokens", "8"], "cannot read")] {
            let r = try runAnalyze(args, kernelEnvironment: [:])
            expectOneLineError(r, phrase, "\(args)")
        }
    }
}
