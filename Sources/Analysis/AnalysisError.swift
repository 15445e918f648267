import Checkpoint

/// Why an analysis of a layer could not run. Every case names what is wrong in words a
/// user can act on; the command line prints ``description`` as its one line on stderr.
public enum AnalysisError: Error, CustomStringConvertible, Sendable {
    /// The work asked for is past a bound (``AnalysisBudget``); the message says what would fit.
    case overBudget(String)
    /// The inputs to analyse (a tensor, its shape or values) cannot be used.
    case inputs(String)
    /// A checkpoint or model file did not load (`path` names it).
    case file(path: String, CheckpointError)
    /// The layer's weights load but the layer rejects them.
    case layer(String)

    public var description: String {
        switch self {
        case .overBudget(let message), .inputs(let message), .layer(let message): return message
        case .file(let path, let error):
            // Some reader errors name the path already.
            switch error {
            case .unreadable, .notFound, .notRegularFile: return "\(error)"
            default: return "\(path): \(error)"
            }
        }
    }
}
