import ArgumentParser
import Foundation
import Notebook

/// A command that writes files, declaring which of its options name them.
protocol WritesFiles: ParsableCommand {
    /// The long names (without `--`) of the options whose values are files the command
    /// writes, each with the extension it writes (nil: whatever it is given).
    static var outputOptions: [(name: String, fileExtension: String?)] { get }
    /// The files written when an output option is left out: option long name → path.
    var defaultOutputs: [String: String] { get }
}

extension WritesFiles {
    var defaultOutputs: [String: String] { [:] }
}

/// The output options of `analyze`'s subcommands, every spelling taken from their
/// ArgumentParser definitions (the `--experimental-dump-help` description).
enum NotebookOutputs {
    /// The part of ArgumentParser's tool description read here.
    struct Command: Decodable {
        let commandName: String
        let subcommands: [Command]?
        let arguments: [Argument]?
    }

    struct Argument: Decodable {
        struct Name: Decodable {
            let kind: String
            let name: String
        }
        let kind: String
        let names: [Name]?

        /// The spellings on a command line: `--out`, `-o`.
        var spellings: [String] {
            (names ?? []).map { $0.kind == "long" ? "--" + $0.name : "-" + $0.name }
        }
    }

    struct Tool: Decodable {
        let command: Command
    }

    /// The subcommands' argument descriptions by name.
    static let commands: [String: Command] = {
        let data = Data(Analyze._dumpHelp().utf8)
        guard let tool = try? JSONDecoder().decode(Tool.self, from: data) else { return [:] }
        return Dictionary((tool.command.subcommands ?? []).map { ($0.commandName, $0) }, uniquingKeysWith: { a, _ in a })
    }()

    /// The command types by name.
    static let types: [String: ParsableCommand.Type] = Dictionary(
        Analyze.configuration.subcommands.compactMap { type in type.configuration.commandName.map { ($0, type) } },
        uniquingKeysWith: { a, _ in a })

    /// How `subcommand`'s arguments name the files it writes.
    static func outputs(of subcommand: String) -> CommandOutputs {
        let arguments = commands[subcommand]?.arguments ?? []
        let valueOptions = Set(arguments.filter { $0.kind == "option" }.flatMap(\.spellings))
        let declared = (types[subcommand] as? any WritesFiles.Type)?.outputOptions ?? []
        let outputs = declared.compactMap { declaration -> OutputOption? in
            guard let argument = arguments.first(where: { $0.kind == "option" && $0.spellings.contains("--" + declaration.name) })
            else { return nil }
            return OutputOption(names: argument.spellings, fileExtension: declaration.fileExtension)
        }
        return CommandOutputs(outputs: outputs, valueOptions: valueOptions)
    }

    /// The files the command `arguments` (starting with the subcommand) writes by default;
    /// none when they do not parse (the command then fails on its own).
    static func defaults(_ arguments: [String], outputs: CommandOutputs) -> [DefaultOutput] {
        guard let command = try? Analyze.parseAsRoot(arguments) as? any WritesFiles else { return [] }
        return command.defaultOutputs.sorted { $0.key < $1.key }.compactMap { name, path in
            outputs.outputs.first { $0.names.contains("--" + name) }.map { DefaultOutput(option: $0, path: path) }
        }
    }
}
