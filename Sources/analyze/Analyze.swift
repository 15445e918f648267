import ArgumentParser
import Checkpoint
import Foundation
import LinearAlgebra

/// The `analyze` command: exact counts, rank tests and layer checks for DAG-MoE.
@main
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Exact, checkable answers about DAG-MoE expert aggregation.",
        version: Analyze.version,
        subcommands: [CountCommand.self, RankCommand.self, BenchCommand.self, TrainCommand.self, CompareCommand.self, CrosscheckCommand.self, ConvertCommand.self, NotebookCommand.self, DagsCommand.self, ReportCommand.self]
    )

    /// What `analyze --version` prints.
    static let version = "0.2.0"

    /// Runs a command line; every error ends with one line on stderr and a non-zero exit.
    static func main() {
        BLASKernel.selectBeforeWork()
        Foundation.exit(run(CommandLine.arguments.dropFirst().map { $0 }))
    }

    /// Parses and runs `arguments`, returning the exit status (used by tests too).
    static func run(_ arguments: [String]) -> Int32 {
        do {
            try OptionLimits.check(arguments)
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                return 0
            }
            let message = TerminalText.escaped(Analyze.message(for: error)
                .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.joined(separator: " "))
            FileHandle.standardError.write(Data("analyze: \(message)\n".utf8))
            return code.rawValue == 0 ? 1 : code.rawValue
        }
    }
}
