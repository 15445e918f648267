import Foundation
import LinearAlgebra

/// The effects around ``BLASKernel/decide(coretype:request:loaded:flags:)``: reading the CPU's
/// flags and re-executing `analyze` with the kernel chosen, before any work runs.
extension BLASKernel {
    /// The CPU's feature flags from /proc/cpuinfo (empty where the file is missing).
    static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// The kernel OpenBLAS chose before `analyze` re-executed itself, if it did.
    static var replaced: String? { ProcessInfo.processInfo.environment["ANALYZE_BLAS_REEXEC"] }

    /// Applies the decision: returns normally to keep going, re-executes, or ends the
    /// process with one line on stderr when `ANALYZE_BLAS_KERNEL` cannot be honoured.
    /// A failed exec (no /proc, say) keeps the loaded kernel: results are the same, only slower.
    static func selectBeforeWork() {
        let env = ProcessInfo.processInfo.environment
        let loadedKernel = loaded
        switch decide(coretype: env["OPENBLAS_CORETYPE"], request: env["ANALYZE_BLAS_KERNEL"],
                      loaded: loadedKernel, flags: cpuFlags()) {
        case .keep:
            return
        case .refuse(let message):
            FileHandle.standardError.write(Data("analyze: \(message)\n".utf8))
            exit(2)
        case .reexec(let kernel):
            setenv("OPENBLAS_CORETYPE", kernel, 1)
            setenv("ANALYZE_BLAS_REEXEC", loadedKernel, 1)
            execv("/proc/self/exe", CommandLine.unsafeArgv)
            unsetenv("OPENBLAS_CORETYPE")
            unsetenv("ANALYZE_BLAS_REEXEC")
        }
    }
}
