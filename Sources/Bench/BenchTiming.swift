import Foundation

/// Wall-clock timing for benchmarks: `warmup` untimed runs, then `repeats` timed ones.
public struct BenchTiming: Sendable {
    /// Seconds of each timed run, in order.
    public let seconds: [Double]

    /// Runs `body` `warmup + repeats` times and keeps the timings of the last `repeats`.
    public init(warmup: Int, repeats: Int, _ body: () -> Void) {
        for _ in 0..<warmup { body() }
        var times: [Double] = []
        times.reserveCapacity(repeats)
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        seconds = times
    }

    /// The median run time in seconds (mean of the middle two for an even count).
    public var median: Double {
        let s = seconds.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
