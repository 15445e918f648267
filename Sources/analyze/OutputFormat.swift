import ArgumentParser
import Report

/// The output formats commands offer through `--format`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv, markdown
}

/// The formats of commands that print one summary (`train`, `bench`): help lists only these,
/// and ArgumentParser rejects any other by name.
enum SummaryFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// A command's result that renders as text, JSON, or a table (CSV and markdown).
protocol FormattedOutput {
    func text() -> String
    func json() -> JSON
    func table() -> Table
}

extension FormattedOutput {
    func render(_ format: OutputFormat) -> String {
        switch format {
        case .json: return json().rendered() + "\n"
        case .csv: return table().csv()
        case .markdown: return table().markdown()
        case .text: return text()
        }
    }
}

/// An error in what the user asked for, reported as one line.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
