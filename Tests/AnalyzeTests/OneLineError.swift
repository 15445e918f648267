import Testing
import TestSupport

/// A run that failed with one line on stderr containing `words` (`label` names the case).
func expectOneLineError(_ r: RunResult, _ words: String, _ label: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.status != 0, "\(label)", sourceLocation: sourceLocation)
    #expect(r.stderr.contains(words), "\(label): \(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stderr.split(separator: "\n").count == 1, "\(label): \(r.stderr)", sourceLocation: sourceLocation)
}
