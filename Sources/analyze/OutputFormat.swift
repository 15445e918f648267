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
    /// The table for CSV, when it differs from the text table (numbers in every numeric cell).
    func csvTable() -> Table
}

extension FormattedOutput {
    func csvTable() -> Table { table() }

    func render(_ format: OutputFormat) -> String {
        switch format {
        case .json: return json().rendered() + "\n"
        case .csv: return csvTable().csv()
        case .markdown: return table().markdown()
        case .text: return text()
        }
    }
}

/// Numbers in CSV cells: full precision, so that a reader gets the value, not a rounding.
enum CSVNumber {
    static func text(_ x: Double) -> String { x.isFinite ? "\(x)" : (x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf")) }
}

/// An error in what the user asked for, reported as one line.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
