import LinearAlgebra
import Testing

/// The OpenBLAS kernel choice as a pure decision (its effect, the re-exec, is tested on the
/// real binary in AnalyzeTests).
@Suite struct BLASKernelTests {
    static let avx512: Set<String> = ["avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    @Test func decisionTable() {
        typealias K = BLASKernel
        // The finding: an unrecognised AVX-512 CPU gets Prescott; analyze moves it to SkylakeX,
        // or Cooperlake when the CPU has BF16.
        #expect(K.decide(coretype: nil, request: nil, loaded: "Prescott", flags: Self.avx512) == .reexec("SkylakeX"))
        #expect(K.decide(coretype: nil, request: "auto", loaded: "Prescott", flags: Self.avx512.union(["avx512_bf16"]))
                == .reexec("Cooperlake"))
        #expect(K.decide(coretype: nil, request: nil, loaded: "Haswell", flags: Self.avx512) == .reexec("SkylakeX"))
        // Already in the best class, or no better class on this CPU: keep.
        #expect(K.decide(coretype: nil, request: nil, loaded: "Cooperlake", flags: Self.avx512) == .keep)
        #expect(K.decide(coretype: nil, request: nil, loaded: "Zen", flags: ["avx", "avx2", "fma"]) == .keep)
        #expect(K.decide(coretype: nil, request: nil, loaded: "Prescott", flags: ["sse2"]) == .keep)
        // The user's OPENBLAS_CORETYPE and `library` are respected.
        #expect(K.decide(coretype: "Prescott", request: nil, loaded: "Prescott", flags: Self.avx512) == .keep)
        #expect(K.decide(coretype: nil, request: "library", loaded: "Prescott", flags: Self.avx512) == .keep)
        // An explicit kernel: honoured when the CPU runs it, refused otherwise or when unknown.
        #expect(K.decide(coretype: nil, request: "haswell", loaded: "Cooperlake", flags: Self.avx512) == .reexec("Haswell"))
        #expect(K.decide(coretype: nil, request: "SkylakeX", loaded: "SkylakeX", flags: Self.avx512) == .keep)
        guard case .refuse = K.decide(coretype: nil, request: "SkylakeX", loaded: "Zen", flags: ["avx", "avx2", "fma"]) else {
            Issue.record("an AVX-512 kernel on an AVX2 CPU must be refused")
            return
        }
        guard case .refuse = K.decide(coretype: nil, request: "Pentium", loaded: "Zen", flags: Self.avx512) else {
            Issue.record("an unknown kernel must be refused")
            return
        }
    }
}
