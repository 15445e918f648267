import Foundation
import OutputFiles

extension WritesFiles {
    /// Checks and locks the files this command writes before it does any work: `values` maps
    /// each output option's long name to its path (nil: not written); extensions come from
    /// ``WritesFiles/outputOptions``. `inputs` are the files (or folders) the command reads.
    func planOutputs(_ values: [String: String?], inputs: [String?] = []) throws -> OutputPlan {
        let planned = Self.outputOptions.compactMap { option -> PlannedOutput? in
            guard let path = values[option.name] ?? nil else { return nil }
            return PlannedOutput(option: "--" + option.name, path: path, fileExtension: option.fileExtension)
        }
        do { return try OutputPlan(planned, inputs: inputs.compactMap { $0 }) } catch { throw UsageError(error.description) }
    }
}

extension OutputPlan {
    /// Writes `data` as the output of the long option `name`; failures name the path.
    func write(_ data: Data, option name: String) throws {
        do { try write(data, for: "--" + name) } catch { throw UsageError(error.description) }
    }

    func write(_ text: String, option name: String) throws {
        try write(Data(text.utf8), option: name)
    }
}
