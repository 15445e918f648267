import ArgumentParser
import Notebook

/// Limits and progress options shared by `notebook run` and `notebook check`.
struct NotebookOptions: ParsableArguments {
    @Option(name: .customLong("time-limit"), help: ArgumentHelp("Seconds one command may run before it is killed.", valueName: "seconds"))
    var timeLimit = 1800.0

    @Option(name: .customLong("output-cap"), help: ArgumentHelp("Bytes one command may print (stdout and stderr each) before it is killed.", valueName: "bytes"))
    var outputCap = 16 << 20

    @Option(name: .customLong("progress-every"), help: ArgumentHelp("When stderr is not a terminal, a progress line every this many seconds.", valueName: "seconds"))
    var progressEvery = 5.0

    func validate() throws {
        guard timeLimit > 0, timeLimit.isFinite else { throw ValidationError("--time-limit must be a positive number of seconds (got \(timeLimit))") }
        guard outputCap > 0 else { throw ValidationError("--output-cap must be a positive number of bytes (got \(outputCap))") }
        guard progressEvery > 0, progressEvery.isFinite else {
            throw ValidationError("--progress-every must be a positive number of seconds (got \(progressEvery))")
        }
    }

    var limits: CellLimits { CellLimits(seconds: timeLimit, outputBytes: outputCap) }
}
