import Foundation
import Testing
@testable import analyze

/// Numeric options (issue 17 item 5, issue 19's help): every numeric option has an upper bound
/// checked before any work, products of user numbers cannot overflow, a negative number is
/// called negative, and `--help` lists what is accepted.
@Suite(.timeLimit(.minutes(1))) struct OptionLimitCommandTests {
    @Test(arguments: [
        (["compare", "--task", "sum", "--steps", "9223372036854775807"], "--steps 9223372036854775807 is past the limit of 1000000"),
        (["bench", "--repeats", "1000000000"], "--repeats 1000000000 is past the limit of 10000"),
        (["train", "--task", "sum", "--aggregator", "chain", "--chain-iterations", "1000000", "--out", "x.safetensors"],
         "--chain-iterations 1000000 is past the limit of 16"),
        (["bench", "--k", "2048", "--n", "2048", "--depth", "64"], "--k 2048 is past the limit of 1024"),
        (["bench", "--k", "512", "--n", "1024", "--d", "64", "--d-ff", "64", "--tokens", "4096", "--depth", "64"],
         "--tokens × K²·L edge gates is past the limit of 268435456"),
        (["train", "--task", "sum", "--k", "128", "--n", "256", "--d", "16", "--d-ff", "8", "--batch", "512", "--depth", "64",
          "--out", "x.safetensors"], "edge gates is past the limit"),
        (["bench", "--threads", "100000"], "--threads 100000 is past the limit of 1024"),
        (["train", "--task", "sum", "--steps", "-5", "--out", "x.safetensors"], "--steps -5 is negative"),
        (["compare", "--task", "sum", "--seeds=-1"], "--seeds -1 is negative"),
        (["crosscheck", "x.safetensors", "--seed", "-1"], "--seed -1 is negative"),
        (["notebook", "check", "--time-limit", "1e300", "x.md"], "--time-limit 1e300 is past the limit of 1e+06"),
        (["dags", "--k", "3", "--realizable", "--sample", "10", "--d", "100000000"], "--d 100000000 is past the limit of 4096"),
        (["train", "--task", "sum", "--lr", "inf", "--out", "x.safetensors"], "--lr inf is past the limit of 1000"),
    ])
    func pastTheLimitIsOneLine(arguments: [String], message: String) throws {
        let r = try runAnalyze(arguments)
        #expect(r.stdout.isEmpty)
        expectOneLineError(r, message, "\(arguments)")
    }

    /// Every numeric option of every subcommand has a limit: the options ArgumentParser
    /// describes are either in ``OptionLimits/table`` or take a word, a file or a list.
    @Test func everyNumericOptionHasALimit() throws {
        let words: Set<String> = ["format", "plot", "csv", "out", "output", "model", "config", "k-range", "random",
                                  "experts", "select", "target", "dag-module", "inputs", "precision", "dtype", "task",
                                  "router", "norm", "aggregator", "peer", "scorer", "dags layer", "edge-scorer", "match",
                                  "sweep", "dump-gates", "gate-plot", "layers", "shard", "rank-method"]
        let tool = try #require(try JSONSerialization.jsonObject(with: Data(Analyze._dumpHelp().utf8)) as? [String: Any])
        var missing: [String] = []
        func walk(_ command: [String: Any], path: [String]) {
            let name = path.joined(separator: " ")
            for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["kind"] as? String == "option" {
                let long = (argument["names"] as? [[String: Any]] ?? []).first { $0["kind"] as? String == "long" }?["name"] as? String
                guard let long, !["help", "version"].contains(long) else { continue }
                if words.contains(long) || words.contains(name + " " + long) { continue }
                if OptionLimits.table[name]?[long] == nil { missing.append("\(name) --\(long)") }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                walk(sub, path: path + [sub["commandName"] as? String ?? "?"])
            }
        }
        for sub in (tool["command"] as? [String: Any])?["subcommands"] as? [[String: Any]] ?? [] {
            walk(sub, path: [sub["commandName"] as? String ?? "?"])
        }
        #expect(missing.isEmpty, "options without a limit: \(missing)")
    }

    /// Each default value lies within its limit, so no command fails on its defaults.
    @Test func defaultsAreWithinTheLimits() throws {
        let tool = try #require(try JSONSerialization.jsonObject(with: Data(Analyze._dumpHelp().utf8)) as? [String: Any])
        for sub in (tool["command"] as? [String: Any])?["subcommands"] as? [[String: Any]] ?? [] {
            let commands = (sub["subcommands"] as? [[String: Any]]).map { $0.map { ($0, "\(sub["commandName"]!) \($0["commandName"]!)") } }
                ?? [(sub, sub["commandName"] as? String ?? "?")]
            for (command, name) in commands {
                for argument in command["arguments"] as? [[String: Any]] ?? [] {
                    guard let long = (argument["names"] as? [[String: Any]])?.first(where: { $0["kind"] as? String == "long" })?["name"] as? String,
                          let limit = OptionLimits.table[name]?[long],
                          let value = (argument["defaultValue"] as? String).flatMap(Double.init) else { continue }
                    #expect(value >= 0 && value <= limit.max, "\(name) --\(long) default \(value)")
                }
            }
        }
    }

    @Test func helpListsOnlyTheFormatsAccepted() throws {
        for command in ["train", "bench"] {
            let help = try runAnalyze([command, "--help"]).stdout
            #expect(help.contains("(values: text, json; default: text)"), "\(command): \(help)")
            #expect(!help.contains("csv, markdown"), "\(command)")
            for format in ["csv", "markdown"] {
                let r = try runAnalyze([command, "--format", format] + (command == "train" ? ["--task", "sum", "--out", "x.safetensors"] : []))
                #expect(r.status != 0)
                #expect(r.stderr.contains("'\(format)' is invalid for '--format <format>'. Please provide one of 'text' and 'json'"),
                        "\(command): \(r.stderr)")
            }
        }
        let bench = try runAnalyze(["bench", "--help"]).stdout
        #expect(bench.contains("BLAS threads (default: all cores).\n"), "\(bench)")
        #expect(!bench.contains("(default: all cores). (default:"))
    }

    @Test func versionIsPrinted() throws {
        let r = try runAnalyze(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout == Analyze.version + "\n")
    }
}
