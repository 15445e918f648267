// Every test file here runs the built binary through TestSupport's `runAnalyze`.
@_exported import TestSupport
