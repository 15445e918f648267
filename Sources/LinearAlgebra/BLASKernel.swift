import CLAPACK

/// Picks OpenBLAS's compute kernel before any work runs.
///
/// Debian's OpenBLAS 0.3.21 is a DYNAMIC_ARCH build: when it loads, it maps the CPU's
/// family and model to a kernel set. A CPU newer than the library (Intel family 6
/// model 207, for one) matches nothing and gets the generic "Prescott" kernels, 4–5×
/// slower at sgemm than the AVX-512 ones the same CPU runs. The library reads
/// `OPENBLAS_CORETYPE` once, while the process loads, before `main` — so setting the
/// variable in `main` is too late. Instead, when the kernel OpenBLAS picked is of a
/// weaker vector class than the CPU supports, `analyze` sets `OPENBLAS_CORETYPE` and
/// re-executes itself (same arguments, same pid); the new image loads OpenBLAS with
/// the right kernel, sees the variable set, and goes on.
///
/// Controls:
/// - `OPENBLAS_CORETYPE` set by the user: respected, never overridden.
/// - `ANALYZE_BLAS_KERNEL=auto` (default): the rule above.
/// - `ANALYZE_BLAS_KERNEL=library`: keep whatever OpenBLAS picked.
/// - `ANALYZE_BLAS_KERNEL=<kernel>` (for example `SkylakeX`): that kernel, if the CPU
///   supports its instructions; an unsupported or unknown name is an error (running an
///   AVX-512 kernel on a CPU without AVX-512 would crash on an illegal instruction).
///
/// The CPU's abilities come from the `flags` line of /proc/cpuinfo, which Linux clears
/// of any extension whose register state the OS does not save, so a listed `avx512f`
/// is usable. After a re-exec the child finds `ANALYZE_BLAS_REEXEC` holding the kernel
/// the library first chose (reported by `analyze bench --gemm`).
public enum BLASKernel {
    /// The vector class of a kernel set: what instructions it needs.
    public enum VectorClass: Int, Comparable, Sendable {
        case generic = 0, avx = 1, avx2 = 2, avx512 = 3
        public static func < (a: VectorClass, b: VectorClass) -> Bool { a.rawValue < b.rawValue }

        /// The /proc/cpuinfo flags a CPU needs for this class (as OpenBLAS's own checks).
        public var requiredFlags: [String] {
            switch self {
            case .generic: return []
            case .avx: return ["avx"]
            case .avx2: return ["avx", "avx2", "fma"]
            case .avx512: return ["avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
            }
        }
    }

    /// OpenBLAS x86-64 kernel names (as `openblas_get_corename` spells them) and their class.
    public static let kernels: [(name: String, vectorClass: VectorClass, extraFlags: [String])] = [
        ("Prescott", .generic, []), ("Core2", .generic, []), ("Penryn", .generic, []),
        ("Dunnington", .generic, []), ("Nehalem", .generic, []), ("Atom", .generic, []),
        ("Barcelona", .generic, []), ("Bobcat", .generic, []), ("Nano", .generic, []),
        ("Sandybridge", .avx, []), ("Bulldozer", .avx, []), ("Piledriver", .avx, []),
        ("Steamroller", .avx, []), ("Excavator", .avx, []),
        ("Haswell", .avx2, []), ("Zen", .avx2, []),
        ("SkylakeX", .avx512, []), ("Cooperlake", .avx512, ["avx512_bf16"]),
    ]

    /// The class of kernel `name` (case-insensitive); unknown names count as generic.
    public static func vectorClass(of name: String) -> VectorClass {
        kernels.first { $0.name.lowercased() == name.lowercased() }?.vectorClass ?? .generic
    }

    /// Whether a CPU with `flags` can run kernel `name`.
    public static func supports(_ name: String, flags: Set<String>) -> Bool {
        guard let k = kernels.first(where: { $0.name.lowercased() == name.lowercased() }) else { return false }
        return (k.vectorClass.requiredFlags + k.extraFlags).allSatisfy(flags.contains)
    }

    /// The fastest kernel for a CPU with `flags`, or nil when only generic ones fit:
    /// Cooperlake (AVX-512 with BF16) or SkylakeX (AVX-512), Haswell (AVX2 + FMA), Sandybridge (AVX).
    public static func best(flags: Set<String>) -> String? {
        for name in ["Cooperlake", "SkylakeX", "Haswell", "Sandybridge"] where supports(name, flags: flags) {
            return name
        }
        return nil
    }

    /// What to do at startup.
    public enum Decision: Equatable, Sendable {
        /// Run on with the loaded library as it is.
        case keep
        /// Re-execute with `OPENBLAS_CORETYPE` set to this kernel.
        case reexec(String)
        /// The request cannot be honoured; the message names the problem.
        case refuse(String)
    }

    /// The startup decision, a pure function of the environment, the loaded kernel and the CPU.
    ///
    /// - Parameters:
    ///   - coretype: `OPENBLAS_CORETYPE` as set when the process started (nil: unset).
    ///   - request: `ANALYZE_BLAS_KERNEL` (nil: unset, same as `auto`).
    ///   - loaded: the kernel OpenBLAS chose (`openblas_get_corename()`).
    ///   - flags: the CPU's flags.
    public static func decide(coretype: String?, request: String?, loaded: String, flags: Set<String>) -> Decision {
        if let coretype, !coretype.isEmpty { return .keep }
        switch request?.lowercased() {
        case nil, "", "auto":
            guard let best = best(flags: flags), vectorClass(of: loaded) < vectorClass(of: best) else { return .keep }
            return .reexec(best)
        case "library":
            return .keep
        case let name?:
            guard let kernel = kernels.first(where: { $0.name.lowercased() == name }) else {
                let names = (["auto", "library"] + kernels.map(\.name)).joined(separator: ", ")
                return .refuse("ANALYZE_BLAS_KERNEL=\(request!) is not one of \(names)")
            }
            guard supports(kernel.name, flags: flags) else {
                return .refuse("ANALYZE_BLAS_KERNEL=\(kernel.name) needs CPU features this machine lacks")
            }
            return kernel.name.lowercased() == loaded.lowercased() ? .keep : .reexec(kernel.name)
        }
    }

    /// The kernel OpenBLAS is running.
    public static var loaded: String { String(cString: openblas_get_corename()) }

    /// The number of threads OpenBLAS uses (and the layer's element-wise loops with it).
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }
}
