import ArgumentParser

/// `analyze notebook`: executable markdown notebooks (`run` rewrites outputs, `check` compares).
struct NotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Run or check the analyze commands in a markdown notebook.",
        discussion: """
        A command is a fenced block whose info string holds the word `analyze` (```sh analyze) with one \
        line `analyze SUBCOMMAND …` (a trailing \\ continues it); its output is the next fenced block marked \
        `output` (```text output), which `run` rewrites or inserts. `<!-- vary: REGEX -->` lines before a \
        command mark what may differ between runs (timings); `check` masks those matches. A block marked \
        `analyze fails` must fail and shows its stderr. Commands run as subprocesses of this executable in \
        the notebook's directory, each within --time-limit and --output-cap. Files they write must lie inside \
        the notebook's folder; `check` sends them to a temporary directory instead.
        """,
        subcommands: [NotebookRunCommand.self, NotebookCheckCommand.self]
    )
}
